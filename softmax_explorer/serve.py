"""The Explorer as Voila serves it: state from the page's URL, its look and preset from the CLI.

Voila hands each page's request to its kernel as CGI-style environment variables
(``QUERY_STRING``, ``VOILA_REQUEST_URL``); a preheated kernel gets them only when a page asks
for it, through ``voila.utils.get_query_string``. The `softmax-explorer` command passes its own
options as ``SOFTMAX_EXPLORER_THEME``, ``SOFTMAX_EXPLORER_CONTEXT``, ``SOFTMAX_EXPLORER_PRESET``
and ``SOFTMAX_EXPLORER_LESSON``.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

from .app.explorer import Explorer
from .state import query_fields

__all__ = ["served_explorer"]


def _preheated() -> bool:
    return os.environ.get("VOILA_PREHEAT") == "True"


def _request_query() -> str:
    if _preheated():
        from voila.utils import get_query_string  # waits for the page's request

        return get_query_string() or ""
    return os.environ.get("QUERY_STRING", "")


def _link_base() -> str:
    url = os.environ.get("VOILA_REQUEST_URL", "")
    if not url:
        return ""
    scheme, netloc, path, _, _ = urlsplit(url)
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
    explorer.set_link_base(_link_base())
    if query.strip("?&"):
        explorer.apply_query(query)
    return explorer
