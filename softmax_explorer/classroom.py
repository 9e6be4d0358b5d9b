"""How one server meets a class: a cap on live kernels, and pool refills that wait for a lull.

`ClassroomKernelManager` is the multi-kernel manager `softmax-explorer` gives Voila
(``VoilaConfiguration.multi_kernel_manager_class``); with ``--preheat`` Voila builds its kernel
pool on top of it, so every kernel start, the pool's and the pages', passes through
`ClassroomKernelManager.start_kernel`:

- A page's kernel start beyond `max_kernels` live kernels (pooled ones count) raises
  `ClassFull`; the page handler turns that into the "class is full" page.
- A pool refill waits until no page has arrived (been requested, or connected to its kernel)
  for `refill_quiet` seconds and there is room under the cap, and at most one refill per core
  starts at a time: a class arriving at once is served from the pool and by its own pages'
  kernels, never behind kernels started to replace the ones it took.

Its kernels talk to the server over IPC sockets in the server's private connection directory
where the platform has them (`kernel_transport`), so that no kernel listens on a TCP port.
"""

from __future__ import annotations

import asyncio
import math
import os
import time
from pathlib import Path
from typing import Any

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado.web import HTTPError
from traitlets import Float, Integer

__all__ = [
    "ClassFull",
    "ClassroomKernelManager",
    "default_max_kernels",
    "kernel_transport",
    "memory_mb",
]

#: Memory to plan for one open session (its kernel and its share of the server), in MB: the
#: sizing rule of docs/deployment.md.
SESSION_MB = 250
#: Memory kept for the server and the rest of the machine, in MB.
RESERVED_MB = 1024
#: How often a waiting refill looks again, in seconds.
REFILL_POLL = 0.25


class ClassFull(HTTPError):
    """A page's kernel would exceed the cap on live kernels (HTTP 503)."""

    def __init__(self, live: int, cap: int) -> None:
        super().__init__(503, reason="The class is full")
        self.live = live
        self.cap = cap


def memory_mb() -> int | None:
    """The memory this process may use, in MB: its cgroup's limit if it has one, else the RAM.

    None where neither can be read (not Linux or macOS).
    """
    limit = Path("/sys/fs/cgroup/memory.max")  # cgroup v2: a container's or a spawner's limit
    try:
        text = limit.read_text().strip()
    except OSError:
        text = "max"
    if text.isdigit():
        return int(text) // 2**20
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    except (AttributeError, ValueError, OSError):
        return None


def default_max_kernels() -> int:
    """The live kernels this machine's memory holds at `SESSION_MB` each, `RESERVED_MB` kept.

    At least 1; 0 (no cap) where the memory cannot be read.
    """
    memory = memory_mb()
    if memory is None:
        return 0
    return max(1, (memory - RESERVED_MB) // SESSION_MB)


def kernel_transport() -> str:
    """``"ipc"`` (Unix sockets), or ``"tcp"``.

    Windows has no IPC transport in ZeroMQ, so its kernels stay on loopback TCP.
    """
    return "tcp" if os.name == "nt" else "ipc"


class ClassroomKernelManager(AsyncMappingKernelManager):
    """Jupyter server's kernel manager with a cap on live kernels and lull-timed pool refills."""

    max_kernels = Integer(
        0, config=True, help="Most kernels alive at once, pooled ones included (0: no cap)."
    )
    refill_quiet = Float(
        5.0,
        config=True,
        help="Seconds without a page arriving before a pooled kernel taken by a page is replaced.",
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._starting = 0
        self._last_page = -math.inf
        self._closing = False
        self._refills = asyncio.Semaphore(os.cpu_count() or 1)

    def page_arrived(self) -> None:
        """Note a page's request or its kernel connection now (refills wait `refill_quiet`)."""
        self._last_page = time.monotonic()

    def live(self) -> int:
        """Kernels alive or starting."""
        return len(self.list_kernel_ids()) + self._starting

    def full(self) -> bool:
        """Whether one more kernel would exceed `max_kernels`."""
        return 0 < self.max_kernels <= self.live()

    async def start_kernel(self, **kwargs: Any) -> str:
        """Start a kernel: a pool refill when the server is quiet, a page's while there is room.

        Raises
        ------
        ClassFull
            For a page's kernel when `max_kernels` are alive.
        RuntimeError
            For a refill still waiting when the server shuts down.
        """
        if kwargs.get("env", {}).get("VOILA_PREHEAT") == "True":
            async with self._refills:
                await self._lull()
                return await self._start(**kwargs)
        if self.full():
            raise ClassFull(self.live(), self.max_kernels)
        return await self._start(**kwargs)

    async def _lull(self) -> None:
        """Return once no page has arrived for `refill_quiet` s and the cap has room."""
        while True:
            if self._closing:
                raise RuntimeError("the server is shutting down")
            if time.monotonic() - self._last_page >= self.refill_quiet and not self.full():
                return
            await asyncio.sleep(REFILL_POLL)

    async def _start(self, **kwargs: Any) -> str:
        self._starting += 1  # counted before the first await: checks and starts do not race
        try:
            return await super().start_kernel(**kwargs)
        finally:
            self._starting -= 1

    async def shutdown_all(self, now: bool = False) -> None:
        """Stop every kernel; refills still waiting give up."""
        self._closing = True
        await super().shutdown_all(now=now)
