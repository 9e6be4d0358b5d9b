"""The kernel manager's cap and refill policy, with kernel starts that only count (no processes).

The refills' time is virtual (tests/clock.py): it moves to the next deadline once every task
waits, so the waits are exact and cost no real time.
"""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace

import pytest
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

from softmax_explorer.serving import classroom
from softmax_explorer.serving.classroom import ClassFull, ClassroomKernelManager

from .clock import VirtualTime

POOLED = {"env": {"VOILA_PREHEAT": "True"}}
START = 0.05  # seconds a kernel start takes


class Kernel:
    """What the manager keeps of a started kernel: its process, and its "dead" callbacks."""

    def __init__(self) -> None:
        self.provisioner = SimpleNamespace(process=SimpleNamespace(poll=lambda: None))
        self.dead: list = []

    def add_restart_callback(self, callback, event: str = "restart") -> None:
        assert event == "dead"
        self.dead.append(callback)

    def dies(self, code: int) -> None:
        """Its process ends with ``code``; the restarter reports it dead."""
        self.provisioner.process.poll = lambda: code
        for callback in self.dead:
            callback()


class Starts(list):
    """When each kernel start was asked, and its ``tag`` keyword in ``tags``."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list = []


@pytest.fixture
def clock() -> VirtualTime:
    return VirtualTime()


@pytest.fixture
def starts(monkeypatch) -> Starts:
    """Replace the real kernel start by one that records when it was asked and takes `START`."""
    started = Starts()

    async def start(self, **kwargs):
        started.append(self.clock.now())
        started.tags.append(kwargs.get("tag"))
        kernel_id = f"k{len(started)}"
        await self.clock.sleep(START)
        self._kernels[kernel_id] = Kernel()
        return kernel_id

    monkeypatch.setattr(AsyncMappingKernelManager, "start_kernel", start)
    return started


def manager(clock: VirtualTime, **traits) -> ClassroomKernelManager:
    km = ClassroomKernelManager(**traits)
    km.clock = clock
    km.list_kernel_ids = lambda: list(km._kernels)  # the counting starts above
    return km


def close_pages(km: ClassroomKernelManager) -> None:
    """Every page closes: its kernel is removed, as jupyter_client does once it has ended."""
    for kernel_id in list(km._kernels):
        km.remove_kernel(kernel_id)


def test_pages_start_kernels_up_to_the_cap_then_are_refused(starts, clock):
    async def run():
        km = manager(clock, max_kernels=3)
        ids = await asyncio.gather(*(km.start_kernel() for _ in range(3)))
        with pytest.raises(ClassFull) as refused:
            await km.start_kernel()
        return ids, refused.value, km.live()

    ids, refused, live = clock.run(run())
    assert len(set(ids)) == 3
    assert live == 3
    assert (refused.status_code, refused.live, refused.cap) == (503, 3, 3)
    assert len(starts) == 3  # the refused page started nothing


def test_starts_in_flight_count_against_the_cap(starts, clock):
    async def run():
        km = manager(clock, max_kernels=2)
        first = asyncio.ensure_future(km.start_kernel())
        second = asyncio.ensure_future(km.start_kernel())
        await clock.idle()  # both started, neither finished
        assert km.live() == 2
        assert km.full()
        with pytest.raises(ClassFull):
            await km.start_kernel()
        await asyncio.gather(first, second)

    clock.run(run())


def test_no_cap_when_max_kernels_is_zero(starts, clock):
    async def run():
        km = manager(clock, max_kernels=0)
        await asyncio.gather(*(km.start_kernel() for _ in range(5)))
        return km.full()

    assert clock.run(run()) is False


def test_a_refill_waits_until_pages_stop_arriving(starts, clock):
    quiet = 0.3

    async def run():
        km = manager(clock, refill_quiet=quiet)
        arrivals = []
        refill = asyncio.ensure_future(km.start_kernel(**POOLED))
        for _ in range(8):  # a page every 0.1 s for 0.8 s, each connected at once
            km.page_requested()
            km.page_connected()
            arrivals.append(clock.now())
            await clock.sleep(0.1)
        await refill
        return arrivals

    arrivals = clock.run(run())
    assert len(starts) == 1
    assert starts[0] == pytest.approx(arrivals[-1] + quiet)  # as soon as they stopped, not before


def test_a_refill_waits_until_every_page_requested_has_connected(starts, clock):
    async def run():
        km = manager(clock, refill_quiet=0.05)
        for _ in range(3):
            km.page_requested()
        refill = asyncio.ensure_future(km.start_kernel(**POOLED))
        for _ in range(3):
            await clock.sleep(0.3)  # each page takes longer than the quiet time to connect
            assert starts == []
            km.page_connected()
        connected = clock.now()
        await refill
        return connected

    connected = clock.run(run())
    assert len(starts) == 1
    assert starts[0] == pytest.approx(connected + 0.05)


def test_a_page_that_never_connects_holds_refills_back_for_a_while_only(starts, clock):
    async def run():
        km = manager(clock, refill_quiet=0)
        km.page_requested()  # fetched by a script, never connected
        requested = clock.now()
        await km.start_kernel(**POOLED)
        return requested

    requested = clock.run(run())
    assert starts[0] == pytest.approx(requested + classroom.LOADING_TIMEOUT)


def test_a_refill_waits_for_room_under_the_cap(starts, clock):
    async def run():
        km = manager(clock, max_kernels=1, refill_quiet=0)
        await km.start_kernel()  # a page holds the only place
        refill = asyncio.ensure_future(km.start_kernel(**POOLED))
        await clock.sleep(0.2)
        assert len(starts) == 1  # the refill has not started
        closed = clock.now()
        close_pages(km)  # the page closes
        await refill
        return km.live(), closed

    live, closed = clock.run(run())
    assert live == 1
    assert len(starts) == 2
    assert starts[1] == closed  # at once, not at a next poll


def test_refills_start_at_most_one_per_core(starts, clock, monkeypatch):
    monkeypatch.setattr(classroom.os, "cpu_count", lambda: 2)

    async def run():
        km = manager(clock, refill_quiet=0)
        await asyncio.gather(*(km.start_kernel(**POOLED) for _ in range(4)))

    clock.run(run())
    # two start together, the next two only once those are done
    assert starts == [0, 0, START, START]


def test_refills_begin_in_the_order_the_pool_asked(starts, clock, monkeypatch):
    """The pool hands out its first kernel first: that one must be the first to start."""
    monkeypatch.setattr(classroom.os, "cpu_count", lambda: 4)  # all four wait for the lull

    async def run():
        km = manager(clock, max_kernels=1, refill_quiet=0)
        await km.start_kernel(tag="page")
        refills = [asyncio.ensure_future(km.start_kernel(**POOLED, tag=t)) for t in range(4)]
        for started in range(2, 6):
            await clock.sleep(0.1)
            close_pages(km)  # the one place frees
            while len(starts) < started:
                await clock.sleep(0.01)
        await asyncio.gather(*refills)

    clock.run(run())
    assert starts.tags == ["page", 0, 1, 2, 3]


def test_a_waiting_refill_gives_up_when_the_server_stops(starts, clock, monkeypatch):
    async def no_kernels(self, now=False):
        return None

    monkeypatch.setattr(AsyncMappingKernelManager, "shutdown_all", no_kernels)

    async def run():
        km = manager(clock, refill_quiet=60)
        km.page_requested()
        refill = asyncio.ensure_future(km.start_kernel(**POOLED))
        await clock.sleep(0.05)
        await km.shutdown_all()
        with pytest.raises(RuntimeError, match="shutting down"):
            await refill
        return clock.now()

    assert clock.run(run()) == pytest.approx(0.05)  # at once, not after the quiet time
    assert starts == []


@pytest.mark.parametrize(
    ("limit", "memory", "expected"),
    [(None, 24 * 1024, 94), (None, 2048, 4), (None, 1100, 1), (None, None, 0),
     (1024, 24 * 1024, 3), (512, None, 1)],
)  # fmt: skip
def test_the_default_cap_follows_the_memory(monkeypatch, limit, memory, expected):
    monkeypatch.setattr(classroom, "memory_limit_mb", lambda: limit)
    monkeypatch.setattr(classroom, "memory_mb", lambda: memory)
    assert classroom.default_max_kernels() == expected


def test_jupyterhubs_memory_limit_is_the_servers(monkeypatch):
    monkeypatch.setenv("MEM_LIMIT", str(2**30))
    assert classroom.memory_limit_mb() <= 1024
    monkeypatch.delenv("MEM_LIMIT")
    limit = classroom.memory_limit_mb()
    assert limit is None or limit >= 256


def test_the_machines_memory_is_read():
    memory = classroom.memory_mb()
    assert memory is None or 256 <= memory <= 2**24


def test_a_dead_kernel_is_named_in_the_log_with_how_it_ended(starts, clock, caplog):
    async def run():
        km = manager(clock)
        kernel_id = await km.start_kernel()
        with caplog.at_level(logging.WARNING, logger=km.log.name):
            km._kernels[kernel_id].dies(-9)
        return kernel_id

    kernel_id = clock.run(run())
    said = f"kernel {kernel_id} ended (signal 9 (SIGKILL)); its page offers to reopen its state"
    assert said in caplog.text


def test_a_pooled_kernel_that_dies_leaves_the_pool_which_refills(starts, clock, caplog):
    async def run():
        km = manager(clock)
        kernel_id = await km.start_kernel(**POOLED)
        pooled = asyncio.get_running_loop().create_future()
        pooled.set_result({"kernel_id": kernel_id})
        other = asyncio.get_running_loop().create_future()  # still starting
        km._pools = {"app.ipynb": [pooled, other]}
        refills = []
        km.fill_if_needed = lambda **kwargs: refills.append(kwargs)
        with caplog.at_level(logging.WARNING, logger=km.log.name):
            km._kernels[kernel_id].dies(1)
        other.cancel()
        return km._pools["app.ipynb"], [pooled, other], refills, kernel_id

    pool, futures, refills, kernel_id = clock.run(run())
    assert pool == futures[1:]
    assert refills == [{"delay": None, "notebook_name": "app.ipynb"}]
    assert f"pooled kernel {kernel_id} ended (exit code 1); the pool refills" in caplog.text
