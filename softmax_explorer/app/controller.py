"""`Controller`: the app's state, the coalescing of pending changes and the results cache.

No widgets here: the views tell the controller what the user asked for (a field's new value,
the text of x, a bar or the step line dragged), the controller turns it into a state (or the
message why not) and tells its listeners what to show. One state change is one computation and
one redraw. A change from the browser after a quiet moment is drawn at once; changes that
follow it within `QUIET` are coalesced, so a fast-moving slider is drawn at its latest value and
stale intermediate values are dropped instead of queued.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from ..finite_diff import STEP_RANGE
from ..model import descent_step, theta_for_probability
from ..results import Results, compute
from ..state import SETTINGS, State, StateError
from .clock import Clock, LoopClock

__all__ = ["LOSS_TRACE_MAX", "QUIET", "THETA_RANGE", "Controller"]

#: The theta sliders' range, which gradient descent and a dragged bar stay in.
THETA_RANGE = (SETTINGS["theta"].slider.low, SETTINGS["theta"].slider.high)
#: The number of losses the trace keeps.
LOSS_TRACE_MAX = 500
#: Seconds (a frame at 60 Hz) without a render after which a change from the browser is the
#: first of a new movement: drawn at once, not after the messages behind it have run.
QUIET = 1 / 60

Listener = Callable[[Results, bool], None]


class Controller:
    """What the user set, what is shown, and what is waiting to be shown.

    Parameters
    ----------
    state : State, optional
        The state to start from (not shown until `show` is called).
    clock : Clock, optional
        Runs a coalesced render (``clock.call_soon``) and tells the time since the last render;
        default: the event loop (a coalesced render runs once it is free, at once without one).
    guard : callable, optional
        ``guard(callback)``: the render as it is scheduled (the app's makes it never raise).
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
        clock: Clock | None = None,
        guard: Callable[[Callable[[], None]], Callable[[], None]] = lambda callback: callback,
        cache_size: int = 16,
    ) -> None:
        self.state = state or State()
        self.renders = 0
        self.losses: list[float] = []
        self._clock = clock or LoopClock()
        self._flush_guarded = guard(self._flush)
        self._cache_size = cache_size
        self._cache: OrderedDict[State, Results] = OrderedDict()
        self._pending: State | None = None
        self._scheduled = False
        self._rendered_at = float("-inf")  # when the last render ended (clock.time())
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
        """Show ``state``: now, or with ``coalesce`` (a hand) once pending messages have run.

        A coalesced change after `QUIET` seconds without a render is the first step of a movement
        and is shown now too. Returns whether it was shown now (False when deferred or refused).
        """
        quiet = not self._scheduled and self._clock.time() - self._rendered_at >= QUIET
        if not coalesce or quiet:
            self._pending = None  # a render already scheduled finds nothing left to show
            return self._render(state, hand_moving=coalesce)
        self._pending = state
        if not self._scheduled:
            self._scheduled = True
            self._clock.call_soon(self._flush_guarded)
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

    def resize(self, n: Any) -> str:
        """Show the base state with ``n`` classes, as a new descent; the message why not, or ""."""
        try:
            state = self.base.resized(int(n))
        except (StateError, TypeError, ValueError) as err:
            return str(err)
        self.clear_losses()
        self.show(state)
        return ""

    def set_x(self, text: str, *, coalesce: bool = False) -> str:
        """Show the base state with x read from ``text`` (one number per class, comma-separated).

        Returns the message why not, or "". See `show` for ``coalesce``.
        """
        base = self.base
        try:
            values = SETTINGS["x"].kind.check("x", text)
            if len(values) != base.n:
                raise StateError(
                    "x",
                    f"{len(values)} values, but n is {base.n}: give one per class "
                    "(or change n first)",
                )
            state = base.replace(x=values)
        except StateError as err:
            return str(err)
        self.show(state, coalesce=coalesce)
        return ""

    def drag_bar(self, k: int, to: float | None = None, by: float = 0.0) -> str:
        """Move class ``k``'s theta by a hand on its bar; the message why not, or "".

        ``to``: the probability the bar was dragged to (theta solved with x and T fixed); else
        ``by``, added to theta. theta stays within `THETA_RANGE`; the change is coalesced.
        """
        base = self.base
        if to is None:
            value = base.theta[k] + by
        else:
            try:
                value = theta_for_probability(self.results(base).model, k, to)
            except ValueError as err:
                return f"Not applied: {err}."
        theta = list(base.theta)
        theta[k] = min(max(value, THETA_RANGE[0]), THETA_RANGE[1])
        return self.change(coalesce=True, theta=tuple(theta))

    def drag_step(self, to: float | None = None, by: float = 0.0) -> str:
        """Move the step h by a hand on the error plot; the message why not, or "".

        ``to``: the step it was dragged to; else h is multiplied by ``10**by``. h stays within
        `STEP_RANGE`; the change is coalesced.
        """
        h = to if to is not None else self.base.h * 10.0**by
        return self.change(coalesce=True, h=min(max(h, STEP_RANGE[0]), STEP_RANGE[1]))

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
        self._rendered_at = self._clock.time()
        return True

    def clear_losses(self) -> None:
        """Start a new descent."""
        self.losses = []

    def descend(self, steps: int = 1) -> float | None:
        """Take gradient-descent steps on theta toward the target; return the new loss.

        theta stays within `THETA_RANGE`. Returns None (and shows nothing) without a target,
        without a loss (`Results.loss_message` says why) or if the new state cannot be shown.
        """
        state = self.state
        if state.target is None:
            return None
        for _ in range(steps):
            results = self.results(state)
            if results.loss is None:  # the target class has probability 0 (a sparse mapping)
                return None
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
