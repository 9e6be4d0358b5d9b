"""`HostPage`: what the dashboard takes from the page it is shown in, and gives it.

The page may be Voila's, JupyterLab's or Notebook 7's. An invisible widget in the dashboard's
layout (``static/host.js``, an anywidget module) reports the page's theme, so the figures follow
JupyterLab's theme when it changes, and the page's address as the browser sees it (a served
page's share link starts with it: behind a proxy the server's own idea of its URL is not the
one the class uses), and prepares the controls ipywidgets renders: each slider
handle gets its slider's label as its accessible name and keeps the arrow keys while it has the
focus (``data-lm-suppress-shortcuts``: Notebook 7's command mode would take them first to move
between cells), and the Play widget's icon buttons get names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anywidget
import traitlets

from ..looks import THEMES

__all__ = ["HostPage"]

#: The longest page address taken from the browser.
MAX_ADDRESS = 2000


def _is_address(value: Any) -> bool:
    if not isinstance(value, str) or len(value) > MAX_ADDRESS:
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not parts.query


class HostPage(anywidget.AnyWidget):
    """The page's theme and address, as the browser reports them ("" until it does)."""

    _esm = Path(__file__).with_name("static") / "host.js"
    theme = traitlets.Unicode("").tag(sync=True)
    #: The page's address without its query (``location.origin + location.pathname``).
    address = traitlets.Unicode("").tag(sync=True)

    def set_state(self, sync_data: dict) -> None:
        """Take a known theme and an http(s) address from the browser; ignore anything else."""
        taken = {}
        theme: Any = sync_data.get("theme")
        if isinstance(theme, str) and theme in THEMES:
            taken["theme"] = theme
        if _is_address(sync_data.get("address")):
            taken["address"] = sync_data["address"]
        if taken:
            super().set_state(taken)
