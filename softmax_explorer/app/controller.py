"""`Controller`: the app's state, the coalescing of pending changes and the results cache.

No widgets here: the views tell the controller what the user asked for, and the controller
tells its listeners what to show. One state change is one computation and one redraw; changes
that arrive from the browser while a redraw is pending are coalesced, so a fast-moving slider is
drawn at its latest value and stale intermediate values are dropped instead of queued.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from ..model import descent_step
from ..results import Results, compute
from ..state import State, StateError

__all__ = ["LOSS_TRACE_MAX", "THETA_RANGE", "Controller", "call_later", "call_soon"]

#: The theta sliders' range, which gradient descent stays in.
THETA_RANGE = (-3.0, 3.0)
#: The number of losses the trace keeps.
LOSS_TRACE_MAX = 500

Listener = Callable[[Results, bool], None]


def call_soon(callback: Callable[[], None]) -> None:
    """Run ``callback`` once the event loop is free, or now if none runs (plain Python)."""
    try:
        asyncio.get_running_loop().call_soon(callback)
    except RuntimeError:
        callback()


def call_later(delay: float, callback: Callable[[], None]) -> None:
    """Run ``callback`` after ``delay`` seconds on the event loop, or now if none runs."""
    try:
        asyncio.get_running_loop().call_later(delay, callback)
    except RuntimeError:
        callback()


class Controller:
    """What the user set, what is shown, and what is waiting to be shown.

    Parameters
    ----------
    state : State, optional
        The state to start from (not shown until `show` is called).
    schedule : callable, optional
        ``schedule(callback)`` runs a coalesced render later; default: once the event loop is
        free (at once without one).
    cache_size : int, optional
        How many states' results are kept.

    Attributes
    ----------
    state : State
        The state shown (the last good one).
    renders : int
        How many states were shown.
    losses : list of float
        The cross-entropy along the current gradient descent.
    """

    def __init__(
        self,
        state: State | None = None,
        schedule: Callable[[Callable[[], None]], None] = call_soon,
        cache_size: int = 16,
    ) -> None:
        self.state = state or State()
        self.renders = 0
        self.losses: list[float] = []
        self._schedule = schedule
        self._cache_size = cache_size
        self._cache: OrderedDict[State, Results] = OrderedDict()
        self._pending: State | None = None
        self._scheduled = False
        self._listeners: list[Listener] = []
        self._refusals: list[Callable[[str], None]] = []

    def on_render(self, listener: Listener) -> None:
        """Call ``listener(results, hand_moving)`` for every state shown."""
        self._listeners.append(listener)

    def on_refusal(self, listener: Callable[[str], None]) -> None:
        """Call ``listener(message)`` when a state cannot be shown (the last one stays)."""
        self._refusals.append(listener)

    @property
    def base(self) -> State:
        """The state a new change applies to: the pending one, else the one shown."""
        return self._pending or self.state

    def results(self, state: State | None = None) -> Results:
        """The results of ``state`` (default: the one shown), computed once per state.

        Raises
        ------
        ValueError
            If the numerics refuse the state (``x*theta/T`` overflowing the dtype).
        """
        state = state or self.state
        if state in self._cache:
            self._cache.move_to_end(state)
            return self._cache[state]
        results = compute(state)
        self._cache[state] = results
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return results

    def show(self, state: State, *, coalesce: bool = False) -> bool:
        """Show ``state``: now, or with ``coalesce`` once pending messages have run.

        Returns whether it was shown now (False when deferred or refused).
        """
        if not coalesce:
            self._pending = None
            return self._render(state, hand_moving=False)
        self._pending = state
        if not self._scheduled:
            self._scheduled = True
            self._schedule(self._flush)
        return False

    def change(self, *, coalesce: bool = False, **fields: Any) -> str:
        """Show the base state with ``fields`` replaced; the message why not, or "".

        See `show` for ``coalesce``.
        """
        try:
            state = self.base.replace(**fields)
        except StateError as err:
            return str(err)
        self.show(state, coalesce=coalesce)
        return ""

    def _flush(self) -> None:
        self._scheduled = False
        state, self._pending = self._pending, None
        if state is not None:
            self._render(state, hand_moving=True)

    def _render(self, state: State, hand_moving: bool) -> bool:
        try:
            results = self.results(state)
        except ValueError as err:
            for refusal in self._refusals:
                refusal(f"Not applied: {err}")
            return False
        self.state = state
        self.renders += 1
        for listener in self._listeners:
            listener(results, hand_moving)
        return True

    def clear_losses(self) -> None:
        """Start a new descent."""
        self.losses = []

    def descend(self, steps: int = 1) -> float | None:
        """Take gradient-descent steps on theta toward the target; return the new loss.

        theta stays within `THETA_RANGE`. Returns None (and shows nothing) without a target or
        if the new state cannot be shown.
        """
        state = self.state
        if state.target is None:
            return None
        for _ in range(steps):
            results = self.results(state)
            if not self.losses:
                self.losses.append(results.loss)
            theta = descent_step(results.model, state.target, state.learning_rate, THETA_RANGE)
            state = state.replace(theta=tuple(float(t) for t in theta))
        if not self.show(state):
            return None
        loss = self.results().loss
        self.losses.append(loss)
        del self.losses[:-LOSS_TRACE_MAX]
        return loss
