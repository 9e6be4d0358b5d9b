"""Clocks that tests advance by hand, for the app (callbacks) and the classroom (coroutines)."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Callable, Coroutine
from typing import Any


class ManualTimer:
    def __init__(self, callback: Callable[[], None]) -> None:
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class ManualClock:
    """The app's `Clock`: callbacks wait until the test runs them or advances the time."""

    def __init__(self) -> None:
        self.now = 0.0
        self._queue: list[tuple[float, int, ManualTimer]] = []
        self._order = itertools.count()

    def call_soon(self, callback: Callable[[], None]) -> None:
        self.call_later(0.0, callback)

    def call_later(self, delay: float, callback: Callable[[], None]) -> ManualTimer:
        timer = ManualTimer(callback)
        heapq.heappush(self._queue, (self.now + delay, next(self._order), timer))
        return timer

    def time(self) -> float:
        return self.now

    @property
    def pending(self) -> int:
        """Callbacks waiting (not cancelled)."""
        return sum(not timer.cancelled for _, _, timer in self._queue)

    def advance(self, seconds: float = 0.0) -> int:
        """Move the time on by ``seconds``, running every callback due meanwhile (and those they
        schedule), in order; returns how many ran."""
        end, ran = self.now + seconds, 0
        while self._queue and self._queue[0][0] <= end:
            when, _, timer = heapq.heappop(self._queue)
            self.now = max(self.now, when)
            if not timer.cancelled:
                timer.callback()
                ran += 1
        self.now = end
        return ran


class VirtualTime:
    """The classroom's clock for a coroutine driven by `run`: time moves only when every task
    is waiting, straight to the next deadline."""

    def __init__(self) -> None:
        self.t = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future]] = []
        self._order = itertools.count()

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float, wake: asyncio.Event | None = None) -> None:
        """Return after ``seconds`` of virtual time, or when ``wake`` is set."""
        future = asyncio.get_running_loop().create_future()
        if seconds != float("inf"):
            heapq.heappush(self._sleepers, (self.t + seconds, next(self._order), future))
        waits = [future]
        if wake is not None:
            waits.append(asyncio.ensure_future(wake.wait()))
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()

    async def idle(self) -> None:
        """Let every task run until all wait (a number of loop turns)."""
        for _ in range(50):
            await asyncio.sleep(0)

    def run(self, main: Coroutine[Any, Any, Any]) -> Any:
        """Run ``main``, moving the time to the next deadline whenever every task waits."""

        async def driver():
            task = asyncio.ensure_future(main)
            while not task.done():
                await self.idle()
                if task.done():
                    break
                live = [s for s in self._sleepers if not s[2].done()]
                if not live:
                    continue  # waiting on something else than time: give it turns
                heapq.heapify(live)
                self._sleepers = live
                when, _, future = heapq.heappop(self._sleepers)
                self.t = max(self.t, when)
                future.set_result(None)
            return task.result()

        return asyncio.run(driver())
