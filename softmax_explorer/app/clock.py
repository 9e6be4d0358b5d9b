"""When the app's deferred work runs: on the kernel's event loop, or on a clock of the caller's.

The app defers three things: a coalesced render (once the loop is free), the formula panel's
typesetting (once the hand pauses) and the frames of a revealed prediction. Each part that
defers takes a `Clock`; `LoopClock`, the default, is the running asyncio loop (the kernel's)
and runs a callback at once where no loop runs (plain Python). A test passes a clock it
advances by hand. No widgets here.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Protocol

__all__ = ["Clock", "LoopClock", "Timer"]


class Timer(Protocol):
    """A callback waiting for its time."""

    def cancel(self) -> None:
        """Do not run it."""


class Clock(Protocol):
    """Runs callbacks later."""

    def call_soon(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the work under way is done."""

    def call_later(self, delay: float, callback: Callable[[], None]) -> Timer | None:
        """Run ``callback`` after ``delay`` seconds; None if it ran already."""

    def time(self) -> float:
        """Seconds on a clock that only moves forward."""


class LoopClock:
    """The running asyncio event loop; without one, each callback runs at once."""

    def call_soon(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the event loop is free, or now if none runs."""
        try:
            asyncio.get_running_loop().call_soon(callback)
        except RuntimeError:
            callback()

    def call_later(self, delay: float, callback: Callable[[], None]) -> Timer | None:
        """Run ``callback`` after ``delay`` seconds on the event loop, or now if none runs."""
        try:
            return asyncio.get_running_loop().call_later(delay, callback)
        except RuntimeError:
            callback()
            return None

    def time(self) -> float:
        """Seconds on the monotonic clock (the event loop's own)."""
        return time.monotonic()
