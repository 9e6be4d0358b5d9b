"""The Explorer as Voila serves it: state from the page's URL, its look and preset from the CLI.

Voila hands each page's request to its kernel as CGI-style environment variables
(``QUERY_STRING``); a preheated kernel gets them only when a page asks for it, through
``voila.utils.get_query_string``. The `softmax-explorer` command passes its own options as
``SOFTMAX_EXPLORER_THEME``, ``SOFTMAX_EXPLORER_CONTEXT``, ``SOFTMAX_EXPLORER_PRESET`` and
``SOFTMAX_EXPLORER_LESSON``. The share link starts with the page's address as the browser
reports it: behind a proxy (JupyterHub's, a university's) the server's own request URL is
not the address the class uses.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

from ..app.explorer import Explorer
from ..state import query_fields

__all__ = ["link_base", "served_explorer"]


#: The variable Voila sets in a pooled kernel (``voila.utils.ENV_VARIABLE.VOILA_PREHEAT``, which
#: a test compares with this): read without importing Voila, which would cost every page's
#: kernel a second and tens of MB.
PREHEAT_VARIABLE = "VOILA_PREHEAT"


def _preheated() -> bool:
    return os.environ.get(PREHEAT_VARIABLE) == "True"


def _request_query() -> str:
    if _preheated():
        from voila.utils import get_query_string  # waits for the page's request

        return get_query_string() or ""
    return os.environ.get("QUERY_STRING", "")


def link_base(address: str, environ: Mapping[str, str] = os.environ) -> str:
    """Where a share link of the page at ``address`` starts.

    The page's own address; behind JupyterHub (its ``JUPYTERHUB_SERVICE_PREFIX`` in
    ``environ``, ``/user/alice/``) the hub's ``user-redirect`` in place of the user's prefix,
    so that the link opens the same page on the server of whoever follows it.
    """
    prefix = environ.get("JUPYTERHUB_SERVICE_PREFIX", "")
    scheme, netloc, path, _, _ = urlsplit(address)
    if prefix and path.startswith(prefix):
        hub = environ.get("JUPYTERHUB_BASE_URL", "/")
        path = f"{hub.rstrip('/')}/hub/user-redirect/{path[len(prefix) :]}"
    return urlunsplit((scheme, netloc, path, "", ""))


def served_explorer() -> Explorer:
    """The Explorer for the page being served (its query string sets the state).

    It is built first, and a preheated kernel draws its figures, so that it has the page ready
    before any page asks; then the page's query string (which a preheated kernel waits for)
    sets the state.
    """
    theme = os.environ.get("SOFTMAX_EXPLORER_THEME", "light")
    context = os.environ.get("SOFTMAX_EXPLORER_CONTEXT", "notebook")
    preset = os.environ.get("SOFTMAX_EXPLORER_PRESET", "")
    lesson = os.environ.get("SOFTMAX_EXPLORER_LESSON") or None
    explorer = Explorer(theme=theme, context=context, lesson=lesson)
    if _preheated():
        explorer.dashboard.draw_pending()  # drawn in the pool, not when a page arrives
    query = _request_query()
    if preset and not {"preset", "lesson"} & set(query_fields(query)):
        query = f"preset={preset}&{query}"
    explorer.host.observe(lambda change: explorer.set_link_base(link_base(change.new)), "address")
    if query.strip("?&"):
        explorer.apply_query(query)
    return explorer
