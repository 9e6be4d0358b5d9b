"""Two contained fixes to the Voila server, and the one private name the app still reads.

Each names the upstream function it changes or relies on, the package versions it was verified on
and a sentinel (a hash of that function's source as verified): a `Guard`. `apply` installs a fix
only when the installed versions are in range and the function is unchanged; otherwise it logs
one line saying why and leaves Voila as it is. `POOL` guards the read of Voila's kernel pool in
the same way, and where it does not hold the app falls back to Voila's public count.
docs/voila-patches.md says what each is for, its report to send upstream and when to drop it.

1. ``sliced-poll``: page loads that never finish. The server can wait forever in
   ``AsyncZMQSocketChannel.get_msg(timeout=None)`` for an execute reply the kernel already sent.
   Voila's kernel clients get channels that poll in slices of `SLICE_SECONDS` (the same
   messages, the same timeout semantics): a ``client_class`` set on the server's kernel
   managers through configuration, so no jupyter_client class is changed.
2. ``bounded-header``: a websocket client that freezes the server. Voila reads every outgoing
   binary message as the v1 websocket protocol; a legacy-format message's first bytes read as a
   count of offsets in the billions. Voila's module function is replaced by `read_v1_header`,
   which bounds the count by the message's length.

(Nagle's algorithm is turned off by the app's own kernel websocket handler,
`softmax_explorer.serving.voila_app.KernelChannels`: no fix is needed for it.)
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import inspect
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from queue import Empty
from typing import Any

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from packaging.specifiers import SpecifierSet
from traitlets import Type

__all__ = [
    "FIXES",
    "POOL",
    "SLICE_SECONDS",
    "Fix",
    "Guard",
    "SlicedChannel",
    "SlicedKernelClient",
    "apply",
    "read_v1_header",
]

log = logging.getLogger(__name__)

#: How long one poll waits before the socket is checked again.
SLICE_SECONDS = 0.05


class SlicedChannel(AsyncZMQSocketChannel):
    """A kernel channel whose ``get_msg`` polls in slices of `SLICE_SECONDS`."""

    async def get_msg(self, timeout: float | None = None) -> dict[str, Any]:
        """The next message, waiting up to ``timeout`` seconds (None: forever).

        Raises
        ------
        queue.Empty
            When ``timeout`` passes first.
        """
        assert self.socket is not None
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            wait = SLICE_SECONDS
            if deadline is not None:
                wait = min(wait, max(0.0, deadline - time.monotonic()))
            if await self.socket.poll(int(wait * 1000)):
                _, parts = self.session.feed_identities(await self.socket.recv_multipart())
                return self.session.deserialize(parts)
            if deadline is not None and time.monotonic() >= deadline:
                raise Empty


class SlicedKernelClient(AsyncKernelClient):
    """jupyter_client's async kernel client with `SlicedChannel` channels."""

    shell_channel_class = Type(SlicedChannel)
    iopub_channel_class = Type(SlicedChannel)
    stdin_channel_class = Type(SlicedChannel)
    control_channel_class = Type(SlicedChannel)


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


def _resolve(dotted: str) -> tuple[object, str]:
    """``"module:Owner.attr"`` -> (the object holding ``attr``, ``attr``)."""
    module, _, path = dotted.partition(":")
    owner: object = importlib.import_module(module)
    *parents, attr = path.split(".")
    for name in parents:
        owner = getattr(owner, name)
    return owner, attr


def source_sentinel(function: Callable) -> str:
    """The first 16 hex digits of the SHA-256 of a function's source."""
    return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Guard:
    """Something of Voila's or jupyter_client's the app changes or relies on, as verified.

    Attributes
    ----------
    name : str
        Short name, used in the log.
    replaces : str
        The upstream function whose behaviour changes, or whose private state is read,
        ``"module:Owner.attr"``.
    sentinel : str
        `source_sentinel` of that function in the verified versions.
    verified_on : dict of str to str
        Distribution name -> the version specifier it was verified on.
    """

    name: str
    replaces: str
    sentinel: str
    verified_on: dict[str, str]

    def refusal(self) -> str | None:
        """Why it must not be used here, or None if it may be.

        A reason is a package version outside `verified_on` or a function whose source no
        longer matches the sentinel.
        """
        for distribution, spec in self.verified_on.items():
            try:
                found = version(distribution)
            except PackageNotFoundError:
                return f"{distribution} is not installed"
            if found not in SpecifierSet(spec):
                return f"verified on {distribution}{spec}, found {found}"
        owner, attr = _resolve(self.replaces)
        if source_sentinel(getattr(owner, attr)) != self.sentinel:
            return f"{self.replaces} differs from the verified version"
        return None

    @functools.cached_property
    def holds(self) -> bool:
        """Whether it may be used here (`refusal` is None), worked out once."""
        return self.refusal() is None


@dataclass(frozen=True)
class Fix(Guard):
    """A guarded fix, with how it is installed.

    Attributes
    ----------
    install : callable
        Installs the fix; returns command-line options to add to Voila's (or none).
    """

    install: Callable[[], list[str]] = list


def _sliced_clients() -> list[str]:
    return [f"--ServerKernelManager.client_class={__name__}.SlicedKernelClient"]


def _bounded_header() -> list[str]:
    from voila.tornado import kernel_websocket_handler

    kernel_websocket_handler.read_header_from_binary_message = read_v1_header
    return []


_VOILA = {"voila": ">=0.5.13,<0.6"}
FIXES: tuple[Fix, ...] = (
    Fix(
        name="sliced-poll",
        replaces="jupyter_client.channels:AsyncZMQSocketChannel.get_msg",
        sentinel="0ff12e085ef43731",
        verified_on={**_VOILA, "jupyter_client": ">=8.10,<9", "pyzmq": ">=27,<28"},
        install=_sliced_clients,
    ),
    Fix(
        name="bounded-header",
        replaces="voila.tornado.kernel_websocket_handler:read_header_from_binary_message",
        sentinel="f278f8ffaadf8cbd",
        verified_on=_VOILA,
        install=_bounded_header,
    ),
)
#: Voila's kernel pool, read by the kernel manager to see whether its next kernel is ready and
#: to take a dead kernel out of it (``VoilaKernelManager._pools``: per notebook, the tasks that
#: start its pooled kernels; made in the factory's class). Where it does not hold, the manager
#: counts the pool with Voila's own ``get_pool_size`` and leaves a dead kernel in it.
POOL = Guard(
    name="pool-ready",
    replaces="voila.voila_kernel_manager:voila_kernel_manager_factory",
    sentinel="5e28ac2d11a0637e",
    verified_on=_VOILA,
)


def apply(fixes: tuple[Fix, ...] = FIXES, reads: tuple[Guard, ...] = (POOL,)) -> list[str]:
    """Install each fix that applies here; log one line for each fix or read that does not.

    Call before Voila starts. Returns the command-line options the installed fixes add to
    Voila's.
    """
    argv = []
    for fix in fixes:
        reason = fix.refusal()
        if reason is None:
            argv += fix.install()
        else:
            log.warning("softmax-explorer: Voila fix %r not applied: %s", fix.name, reason)
    for read in reads:
        reason = read.refusal()
        if reason is not None:
            log.warning("softmax-explorer: Voila's %r not read: %s", read.name, reason)
    return argv
