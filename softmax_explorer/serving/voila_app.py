"""The Voila application `softmax-explorer` runs: Voila's, with a page handler that knows the cap.

`ExplorerVoila` is `voila.app.Voila` with these changes, each through a method Voila's own
subclasses override (the Voila series is pinned in pyproject.toml):

- its page handler is `PageHandler`, which answers a request without the class token (where
  the server has one) with the "this class needs its link" page (HTTP 403, no kernel started),
  a page beyond the cap on live kernels with
  the "class is full" page (HTTP 503, ``Retry-After``, no kernel started), serves a page from the
  pool only when a pooled kernel is ready (otherwise the page starts its own, rather than wait
  for a refill), logs one line per page opened or refused, and sets the XSRF cookie without
  which the page's "shut my kernel down" beacon, sent as it closes, is refused (Voila issue
  1458: closed pages' kernels lived until culled);
- its kernel websocket handler is `KernelChannels`, which turns Nagle's algorithm off on the
  connection (Tornado's advice for interactive websockets: a small update would otherwise wait
  for the browser's delayed acknowledgement) and tells the kernel manager when a page has
  connected to its kernel (pool refills wait until the pages requested have arrived);
- the packaged notebook is trusted, in memory, for this process: it is ours, and Voila runs it
  whatever its trust (the "not trusted" warning at every start said nothing a user can act on);
- the lines the Jupyter server and Tornado log for every page that a user can do nothing with
  (`CHATTER`) are kept for ``--debug`` (`Chatter`), so the log has one line per page
  opened or refused.
"""

from __future__ import annotations

import html
import logging
import secrets
from typing import Any

import nbformat
from jupyter_server.auth.decorator import allow_unauthenticated
from nbformat.sign import MemorySignatureStore, NotebookNotary
from voila.app import Voila
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler

from .classroom import ClassFull, ClassroomKernelManager

__all__ = [
    "CHATTER",
    "RETRY_AFTER",
    "Chatter",
    "ExplorerVoila",
    "KernelChannels",
    "PageHandler",
    "forbidden_page",
    "full_page",
    "server_page",
]

#: Seconds a refused page waits before it asks again (its Retry-After and its own reload).
RETRY_AFTER = 30
#: The HTML of the server's own pages: self-contained (no request to any host).
_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{head}<link rel="icon" href="data:,">
<title>{title} - softmax explorer</title>
<style>
  body {{ font: 18px/1.5 system-ui, sans-serif; max-width: 36em; margin: 4em auto; padding: 0 1em;
         color: #222; background: #fff; }}
  @media (prefers-color-scheme: dark) {{ body {{ color: #ddd; background: #111; }} }}
  input, button {{ font: inherit; min-height: 2em; }}
</style>
</head>
<body>
<main>
<h1>{title}</h1>
{body}
</main>
</body>
</html>
"""


def server_page(title: str, body: str, head: str = "") -> str:
    """One of the server's own pages (HTML): ``body`` under the heading ``title``."""
    return _PAGE.format(head=head, title=title, body=body)


def full_page(cap: int) -> str:
    """The "class is full" page, which reloads itself after `RETRY_AFTER` s."""
    return server_page(
        "The class is full",
        f"<p>All {cap} places on this server are taken. This page tries again in {RETRY_AFTER} "
        "seconds; a place frees as soon as someone closes their page.</p>",
        head=f'<meta http-equiv="refresh" content="{RETRY_AFTER}">\n',
    )


def forbidden_page(query: dict[str, str]) -> str:
    """The page for a request without the class token: a form sends one with ``query``."""
    kept = "".join(
        f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">'
        for name, value in query.items()
        if name != "token"
    )
    return server_page(
        "This class needs its link",
        "<p>This server lets in the browsers that came with the class's link: ask your teacher "
        "for it (it ends in <code>?token=...</code>). Once this browser has opened it, other "
        "links to this server open too.</p>\n"
        f'<form method="get">{kept}<label>Class token '
        '<input name="token" autocomplete="off" required></label> <button>Open</button></form>',
    )


class PageHandler(TornadoVoilaHandler):
    """Voila's page handler, with the class token, the cap on live kernels, a log line per page."""

    @property
    def classroom(self) -> ClassroomKernelManager:
        """The server's kernel manager."""
        return self.kernel_manager

    def should_use_rendered_notebook(self, notebook_data: dict, pool_size: int, *args: Any) -> bool:
        """Voila's rule, and a ready pooled kernel (a page never waits for a refill)."""
        if not super().should_use_rendered_notebook(notebook_data, pool_size, *args):
            return False
        return self.classroom.pool_ready(self.notebook_path)

    @allow_unauthenticated  # a request without the token gets `_forbid`'s page, not a redirect
    async def get(self, path: str | None = None) -> None:
        """The dashboard's page, or the server's page saying why not.

        The "needs its link" page (403) for a request without the class token, where the server
        has one; the "class is full" page (503) when no kernel may start.
        """
        if not self.current_user:  # the server has a token, and this request had none
            self._forbid()
            return
        km = self.classroom
        _ = self.xsrf_token  # sets the cookie that the shutdown beacon sent on unload must carry
        pooled = bool(self.notebook_path) and km.pool_ready(self.notebook_path)
        if not pooled and km.full():
            self._refuse(km.live(), km.max_kernels)
            return
        km.page_requested()
        self.log.info(
            "softmax-explorer: page opened (%s kernel, %d of %s live)",
            "pooled" if pooled else "new",
            km.live() + (0 if pooled else 1),
            km.max_kernels or "unlimited",
        )
        try:
            await super().get(path)
        except ClassFull as full:  # another page took the last place first
            self._refuse(full.live, full.cap)

    def _log(self) -> None:
        """Tornado's access line, except for a refusal (`_refuse` and `_forbid` log their own)."""
        if self.get_status() not in (403, 503):
            super()._log()

    def _forbid(self) -> None:
        self.log.warning(
            "softmax-explorer: page refused, no class token (from %s)", self.request.remote_ip
        )
        self.set_status(403, "This class needs its link")
        self.set_header("Content-Type", "text/html; charset=utf-8")
        query = {name: self.get_query_argument(name) for name in self.request.query_arguments}
        self.finish(forbidden_page(query))

    def _refuse(self, live: int, cap: int) -> None:
        self.log.warning(
            "softmax-explorer: page refused, the class is full (%d of %d kernels live)", live, cap
        )
        self.set_status(503, "The class is full")
        self.set_header("Retry-After", str(RETRY_AFTER))
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(full_page(cap))


class KernelChannels(VoilaKernelWebsocketHandler):
    """Voila's kernel websocket, without Nagle's delay; a page connecting to it has arrived."""

    async def open(self, *args: Any, **kwargs: Any) -> None:
        """No delay for small messages, the arrival noted, then Voila's ``open``."""
        self.set_nodelay(True)
        self.kernel_manager.page_connected()
        await super().open(*args, **kwargs)


#: How the lines start that the Jupyter server and Tornado log for every page and a user can do
#: nothing with.
CHATTER = (
    "Connecting to kernel",  # the page's own line says it opened
    "Using pre-heated kernel",  # the page's own line says it took a pooled kernel
    "Adapting from protocol version",  # the page and its kernel speak compatible protocols
    "Starting buffering for",  # a closed page's kernel keeps its output until it is shut down
    # jupyter_server gives its websocket handlers a ping interval and timeout in milliseconds
    # and sends the pings itself (jupyter_server issue 1612); Tornado 6.5+ reads the same values
    # as seconds and warns that the timeout exceeds the interval. The pings work; making the two
    # equal would let jupyter_server close a healthy connection whose pong came a moment late.
    "The websocket_ping_timeout",
)


class Chatter(logging.Filter):
    """Drops the `CHATTER` lines, unless the server's ``log`` shows debug lines."""

    def __init__(self, log: logging.Logger) -> None:
        super().__init__()
        self.log = log

    def filter(self, record: logging.LogRecord) -> bool:
        """False for a `CHATTER` line, while no handler of the log shows DEBUG."""
        if any(handler.level <= logging.DEBUG for handler in self.log.handlers):
            return True
        return not record.getMessage().startswith(CHATTER)


class ExplorerVoila(Voila):
    """Voila with `PageHandler`, `KernelChannels`, the app notebook trusted, a quiet log."""

    def start(self) -> None:
        """Voila's start, with `Chatter` on its log's output and on Tornado's own log."""
        chatter = Chatter(self.log)
        for handler in self.log.handlers:  # the Jupyter server's lines and its Tornado loggers'
            handler.addFilter(chatter)
        logging.getLogger("tornado.general").addFilter(chatter)  # printed on its own
        super().start()

    def init_settings(self) -> dict:
        """Voila's settings; then the app notebook is signed by a notary kept in memory."""
        settings = super().init_settings()
        if self.notebook_path:
            manager = self.contents_manager
            manager.notary = NotebookNotary(
                parent=manager, store_factory=MemorySignatureStore, secret=secrets.token_bytes(32)
            )
            manager.notary.sign(nbformat.read(self.notebook_path, as_version=4))
        return settings

    def init_handlers(self) -> list:
        """Voila's handlers, with `PageHandler` and `KernelChannels` for its own two."""
        ours = {TornadoVoilaHandler: PageHandler, VoilaKernelWebsocketHandler: KernelChannels}
        return [
            (route[0], ours.get(route[1], route[1]), *route[2:])
            for route in super().init_handlers()
        ]
