"""`HostPage`: what the dashboard takes from the page it is shown in, and gives it.

The page may be Voila's, JupyterLab's or Notebook 7's. An invisible widget in the dashboard's
layout (``static/host.js``, an anywidget module) reports the page's theme, so the figures follow
JupyterLab's theme when it changes, and prepares the controls ipywidgets renders: each slider
handle gets its slider's label as its accessible name and keeps the arrow keys while it has the
focus (``data-lm-suppress-shortcuts``: Notebook 7's command mode would take them first to move
between cells), and the Play widget's icon buttons get names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ..looks import THEMES

__all__ = ["HostPage"]


class HostPage(anywidget.AnyWidget):
    """The page's theme, as the browser reports it ("" until it does)."""

    _esm = Path(__file__).with_name("static") / "host.js"
    theme = traitlets.Unicode("").tag(sync=True)

    def set_state(self, sync_data: dict) -> None:
        """Take only a known theme from the browser; ignore anything else it sends."""
        theme: Any = sync_data.get("theme")
        if isinstance(theme, str) and theme in THEMES:
            super().set_state({"theme": theme})
