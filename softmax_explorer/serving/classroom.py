"""How one server meets a class: a cap on live kernels, and pool refills that wait for a lull.

`ClassroomKernelManager` is the multi-kernel manager `softmax-explorer` gives Voila
(``VoilaConfiguration.multi_kernel_manager_class``); with ``--preheat`` Voila builds its kernel
pool on top of it, so every kernel start, the pool's and the pages', passes through
`ClassroomKernelManager.start_kernel`:

- A page's kernel start beyond `max_kernels` live kernels (pooled ones count) raises
  `ClassFull`; the page handler turns that into the "class is full" page.
- A pool refill waits until every page requested has connected to its kernel (or given up for
  `LOADING_TIMEOUT` s), no page has been requested or connected for `refill_quiet` seconds and
  there is room under the cap; at most one refill per core starts at a time. A class arriving
  at once is served from the pool and by its own pages' kernels, never behind kernels started
  to replace the ones it took. The wait sleeps until the time it can end, and a page or a
  kernel that leaves wakes it; its time is the manager's `Clock` (a test's may be virtual).

A kernel that dies (out of memory, a crash) is not restarted: a fresh kernel would know
nothing of its page's widgets, and the page would look alive while its plots no longer follow
its controls. Jupyter's restarter reports it dead instead; the page is told by the server (a
"dead" status on its websocket) and offers to reopen its state on a new kernel; the log names
the kernel and how it ended; a kernel that dies in the pool is replaced.

Its kernels talk to the server over IPC sockets in the server's private connection directory
where the platform has them (`kernel_transport`), so that no kernel listens on a TCP port.

With `fork_kernels` it holds the server's `Zygote`, started with the server, from which the app's
kernels are forked (`softmax_explorer.serving.provisioner`): a kernel start then costs a fork, not
the import of the app.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import time
from collections import deque
from functools import partial
from pathlib import Path
from typing import Any

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado.web import HTTPError
from traitlets import Bool, Float, Integer
from voila.utils import ENV_VARIABLE

from .provisioner import Zygote, ended_by, how_ended
from .voila_fixes import POOL
from .zygote import supported as can_fork

__all__ = [
    "ClassFull",
    "ClassroomKernelManager",
    "Clock",
    "default_max_kernels",
    "kernel_transport",
    "memory_limit_mb",
    "memory_mb",
]

#: Memory to plan for one open session (its kernel and its share of the server), in MB: the
#: sizing rule of docs/deployment.md.
SESSION_MB = 250
#: Memory kept for the server and the rest of the machine, in MB, when the machine is ours.
RESERVED_MB = 1024
#: Memory kept for the server, in MB, under a memory limit of its own (a container's, a
#: JupyterHub user's).
SERVER_MB = 200
#: Seconds after which a page requested but never connected to its kernel (a page fetched by a
#: script, a tab closed while loading) no longer holds refills back.
LOADING_TIMEOUT = 60


class Clock:
    """The time of the refill policy: the monotonic clock, and a sleep that an event ends early."""

    def now(self) -> float:
        """Seconds, from any start."""
        return time.monotonic()

    async def sleep(self, seconds: float, wake: asyncio.Event | None = None) -> None:
        """Return after ``seconds`` (``inf``: never), or once ``wake`` is set."""
        if wake is None:
            await asyncio.sleep(seconds)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), None if math.isinf(seconds) else seconds)


class ClassFull(HTTPError):
    """A page's kernel would exceed the cap on live kernels (HTTP 503)."""

    def __init__(self, live: int, cap: int) -> None:
        super().__init__(503, reason="The class is full")
        self.live = live
        self.cap = cap


def memory_limit_mb() -> int | None:
    """The server's own memory limit in MB: its cgroup's, or JupyterHub's ``MEM_LIMIT``; or None.

    A JupyterHub spawner sets ``MEM_LIMIT`` (bytes) for the user's server, and spawners that
    enforce it (systemd, Docker, Kubernetes) put the server in a cgroup of that size.
    """
    try:
        text = Path("/sys/fs/cgroup/memory.max").read_text().strip()  # cgroup v2
    except OSError:
        text = "max"
    limits = [int(text) // 2**20] if text.isdigit() else []
    if os.environ.get("MEM_LIMIT", "").isdigit():
        limits.append(int(os.environ["MEM_LIMIT"]) // 2**20)
    return min(limits, default=None)


def memory_mb() -> int | None:
    """The machine's memory in MB; None where it cannot be read (not Linux or macOS)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    except (AttributeError, ValueError, OSError):
        return None


def default_max_kernels() -> int:
    """The kernels the memory holds at `SESSION_MB` each.

    Under a limit of its own (`memory_limit_mb`) the server keeps `SERVER_MB` of it; on the
    whole machine (`memory_mb`), `RESERVED_MB`. At least 1; 0 (no cap) where neither can be read.
    """
    limit = memory_limit_mb()
    if limit is not None:
        return max(1, (limit - SERVER_MB) // SESSION_MB)
    memory = memory_mb()
    if memory is None:
        return 0
    return max(1, (memory - RESERVED_MB) // SESSION_MB)


def kernel_transport() -> str:
    """``"ipc"`` (Unix sockets), or ``"tcp"``.

    Windows has no IPC transport in ZeroMQ, so its kernels stay on loopback TCP.
    """
    return "tcp" if os.name == "nt" else "ipc"


def _started(task: asyncio.Future) -> bool:
    """Whether a task of Voila's pool has started its kernel."""
    return task.done() and not task.cancelled() and task.exception() is None


class ClassroomKernelManager(AsyncMappingKernelManager):
    """Jupyter server's kernel manager: a cap on live kernels, lull-timed refills, a zygote."""

    max_kernels = Integer(
        0, config=True, help="Most kernels alive at once, pooled ones included (0: no cap)."
    )
    refill_quiet = Float(
        5.0,
        config=True,
        help="Seconds without a page requested or connected before a pooled kernel taken by a "
        "page is replaced (and not before every page requested has connected).",
    )
    fork_kernels = Bool(
        False,
        config=True,
        help="Fork the app's kernels from a process that has imported the app (Linux).",
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        #: The time the refills wait by.
        self.clock = Clock()
        self._changed = asyncio.Event()  # a page arrived, or a kernel or the server is leaving
        self._starting = 0
        self._last_page = -math.inf
        self._loading: deque[float] = deque()  # request times of pages not yet connected
        self._closing = False
        self._refills = asyncio.Semaphore(os.cpu_count() or 1)
        self._in_order = asyncio.Lock()  # FIFO: refills begin in the order the pool asked
        self._zygote: Zygote | None = None
        _ = self.zygote  # started now: it imports while the server waits for its first page

    @property
    def zygote(self) -> Zygote | None:
        """The zygote the app's kernels are forked from, or None.

        None without `fork_kernels`, where kernels cannot be forked, and once the zygote has
        failed (its import raised, or it did not answer): kernels are then launched as usual.
        A zygote that died is replaced, said once in the log.
        """
        if not (self.fork_kernels and can_fork()):
            return None
        old = self._zygote
        if old is None or (old.failure is None and not old.alive()):
            if old is not None:
                self.log.warning(
                    "softmax-explorer: the zygote (pid %d) ended (%s); a new one starts, and the "
                    "kernels it forked go on",
                    old.process.pid,
                    ended_by(old.process.returncode),
                )
            self._zygote = Zygote()
        return None if self._zygote.failure else self._zygote

    def page_requested(self) -> None:
        """Note a page served now: it is loading until it connects to its kernel."""
        self._last_page = self.clock.now()
        self._loading.append(self._last_page)

    def page_connected(self) -> None:
        """Note a page's connection to its kernel now: the oldest page loading has arrived."""
        self._last_page = self.clock.now()
        if self._loading:
            self._loading.popleft()
        self._changed.set()

    def arriving(self) -> bool:
        """Whether pages are loading, or were requested or connected in `refill_quiet` s."""
        return self._quiet_in() > 0

    def _quiet_in(self) -> float:
        """Seconds until no page is `arriving` (0 if none is)."""
        now = self.clock.now()
        while self._loading and now - self._loading[0] > LOADING_TIMEOUT:
            self._loading.popleft()
        ends = [self._last_page + self.refill_quiet]
        if self._loading:  # given up for once loading too long
            ends.append(self._loading[0] + LOADING_TIMEOUT)
        return max(0.0, max(ends) - now)

    def remove_kernel(self, kernel_id: str) -> Any:
        """Forget an ended kernel (jupyter_client calls it); a refill waiting for room looks."""
        self._changed.set()
        return super().remove_kernel(kernel_id)

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
        if kwargs.get("env", {}).get(ENV_VARIABLE.VOILA_PREHEAT) == "True":  # Voila's pool
            async with self._refills:  # at most one start per core
                async with self._in_order:  # in the pool's order, so that its next is first
                    await self._lull()
                    self._starting += 1
                return await self._counted_start(**kwargs)
        if self.full():
            raise ClassFull(self.live(), self.max_kernels)
        self._starting += 1  # counted before the first await: checks and starts do not race
        return await self._counted_start(**kwargs)

    async def _lull(self) -> None:
        """Return once no page is `arriving` and the cap has room.

        Sleeps until the quiet is due, or, while the cap is reached, until a kernel leaves; a
        connecting page, a kernel removed and the server's shutdown wake it to look again.
        """
        while True:
            if self._closing:
                raise RuntimeError("the server is shutting down")
            wait = math.inf if self.full() else self._quiet_in()
            if wait == 0:
                return
            self._changed.clear()
            await self.clock.sleep(wait, self._changed)

    async def _counted_start(self, **kwargs: Any) -> str:
        """Start a kernel already counted in ``_starting``; its death will be `_ended`."""
        try:
            kernel_id = await super().start_kernel(**kwargs)
        finally:
            self._starting -= 1
            self._changed.set()  # a start that failed leaves room
        manager = self.get_kernel(kernel_id)
        self.add_restart_callback(kernel_id, partial(self._ended, kernel_id, manager), "dead")
        return kernel_id

    def _ended(self, kernel_id: str, manager: Any) -> None:
        """Say how a kernel that died ended, and whose it was; replace it if it was pooled.

        Jupyter's restarter calls it once the kernel is found dead (and not restarted: the
        server runs with ``KernelRestarter.restart_limit=0``); the server has already told the
        kernel's page, if it has one.
        """
        process = getattr(manager.provisioner, "process", None)
        how = "how is unknown" if process is None else how_ended(process)
        notebook = self._unpool(kernel_id)
        if notebook is None:
            self.log.warning(
                "softmax-explorer: kernel %s ended (%s); its page offers to reopen its state "
                "on a new kernel",
                kernel_id,
                how,
            )
            return
        self.log.warning(
            "softmax-explorer: pooled kernel %s ended (%s); the pool refills", kernel_id, how
        )
        self.fill_if_needed(delay=None, notebook_name=notebook)

    def _unpool(self, kernel_id: str) -> str | None:
        """Take a kernel out of Voila's pool; the pool's notebook, or None if it was not in it.

        Where Voila's pool cannot be read (`POOL` does not hold), None: the pool then keeps a
        dead kernel, and the page that takes it is told its kernel has stopped.
        """
        if not POOL.holds:
            return None
        for notebook, pool in getattr(self, "_pools", {}).items():
            for task in pool:
                if _started(task) and task.result().get("kernel_id") == kernel_id:
                    pool.remove(task)
                    return notebook
        return None

    def pool_ready(self, notebook: str) -> bool:
        """Whether the next kernel of Voila's pool for ``notebook`` has started.

        A page served by it waits at most for its notebook to finish, never for a kernel start.
        Where Voila's pool cannot be read (`POOL` does not hold), whether the pool holds a
        kernel at all, Voila's own rule; False without a pool (no ``--preheat``).
        """
        if not getattr(self, "get_pool_size", lambda _notebook: 0)(notebook):  # an empty pool
            return False
        return not POOL.holds or _started(self._pools[notebook][0])

    async def shutdown_all(self, now: bool = False) -> None:
        """Stop every kernel; refills still waiting give up."""
        self._closing = True
        self._changed.set()
        await super().shutdown_all(now=now)
        if self._zygote is not None:
            self._zygote.close()
