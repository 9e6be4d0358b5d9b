"""Three contained fixes to the Voila server, applied by `softmax-explorer` in its own process.

1. **Page loads that never finish.** With voila 0.5.13, nbclient 0.11, jupyter_client 8.10 and
   pyzmq 27, some page requests hang forever: the server waits in
   ``AsyncZMQSocketChannel.get_msg(timeout=None)`` (from nbclient's ``_async_poll_for_reply``) for
   an execute reply the kernel has already sent. One unbounded ``await socket.poll(None)`` misses
   the wake-up; a poll with a timeout checks the socket again when it expires (upstream
   discussion: jupyter/jupyter_client pull request 1059, "Fix blocking issue in Voila (nbclient
   case)"; downgrading ipykernel, jupyter_client or pyzmq did not help). The fix waits in slices
   of `SLICE_SECONDS`: the same messages, the same timeout semantics, at most one slice of extra
   latency when a wake-up is missed.

2. **A websocket client that freezes the server.** Voila's kernel websocket handler reads every
   outgoing binary message as if it used the v1 websocket protocol: it takes the first 8 bytes
   as a count of offsets and builds that many. A client that connects without the v1
   subprotocol receives legacy-format binary messages (any widget message with buffers), whose
   first bytes read as a count in the billions: the server's only thread spins and its memory
   grows until it is killed, and no page loads meanwhile. The fix bounds the count by the
   message's length and treats anything else as "no header", as Voila already does for
   unreadable headers.

3. **Small messages held back by the operating system.** Neither Voila nor jupyter_server turns
   off Nagle's algorithm on the kernel websocket, so a small message written while an earlier
   one is not yet acknowledged waits for the browser's delayed ACK (up to 40 ms on Linux). While
   a slider moves, messages go both ways at once and the last update of a burst of key presses
   arrived 40 ms late, doubling the time the plots took to settle. The fix sets ``TCP_NODELAY``
   on each kernel websocket as it opens, as Tornado's documentation advises for interactive
   websockets.
"""

from __future__ import annotations

import json
import time
from queue import Empty
from typing import Any

from jupyter_client.channels import AsyncZMQSocketChannel

__all__ = ["SLICE_SECONDS", "apply", "is_applied", "open_without_delay", "read_v1_header"]

#: How long one poll waits before the socket is checked again.
SLICE_SECONDS = 0.05


async def _get_msg_in_slices(
    self: AsyncZMQSocketChannel, timeout: float | None = None
) -> dict[str, Any]:
    """``get_msg`` that polls in slices of `SLICE_SECONDS` until ``timeout`` (None: forever)."""
    assert self.socket is not None
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        wait = SLICE_SECONDS
        if deadline is not None:
            wait = min(wait, max(0.0, deadline - time.monotonic()))
        if await self.socket.poll(int(wait * 1000)):
            return await self._recv()
        if deadline is not None and time.monotonic() >= deadline:
            raise Empty


def read_v1_header(ws_msg: bytes) -> dict | None:
    """The header of a v1-protocol binary websocket message, or None if it is not one.

    Layout: a little-endian uint64 count of offsets, the offsets (uint64 each), then the parts;
    the header is the part between offsets 1 and 2. Anything that does not fit is not read.
    """
    if len(ws_msg) < 8:
        return None
    count = int.from_bytes(ws_msg[:8], "little")
    if count < 3 or 8 * (count + 1) > len(ws_msg):
        return None
    offsets = [int.from_bytes(ws_msg[8 * (i + 1) : 8 * (i + 2)], "little") for i in range(3)]
    if not 0 <= offsets[1] <= offsets[2] <= len(ws_msg):
        return None
    try:
        header = json.loads(ws_msg[offsets[1] : offsets[2]].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return header if isinstance(header, dict) else None


async def open_without_delay(self: Any, *args: Any, **kwargs: Any) -> None:
    """Voila's kernel websocket ``open``, with Nagle's algorithm off for that connection."""
    from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler

    self.set_nodelay(True)
    await super(VoilaKernelWebsocketHandler, self).open(*args, **kwargs)


def apply() -> None:
    """Install the three fixes in this process (idempotent). Call before Voila starts."""
    from voila.tornado import kernel_websocket_handler

    AsyncZMQSocketChannel.get_msg = _get_msg_in_slices  # type: ignore[method-assign]
    kernel_websocket_handler.read_header_from_binary_message = read_v1_header
    kernel_websocket_handler.VoilaKernelWebsocketHandler.open = open_without_delay


def is_applied() -> bool:
    """Whether `apply` has run in this process."""
    from voila.tornado import kernel_websocket_handler

    return (
        AsyncZMQSocketChannel.get_msg is _get_msg_in_slices
        and kernel_websocket_handler.read_header_from_binary_message is read_v1_header
        and kernel_websocket_handler.VoilaKernelWebsocketHandler.open is open_without_delay
    )
