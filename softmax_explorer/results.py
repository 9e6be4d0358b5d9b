"""One computation per state: every number the panels and readouts show, computed once.

`compute` is a pure function of a `State`; the figures and the app only read its `Results`.
Only numpy is imported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from .core import cross_entropy, cross_entropy_grad, jacobian, softmax
from .numdiff import METHODS, GradcheckResult, StepSweep, gradcheck, softmax_function, step_sweep
from .state import State

__all__ = ["Results", "compute", "sweep_for"]

#: Steps of the error-vs-step panel: 1e-16 .. 1e-1, three per two decades. The sweep is
#: recomputed at every slider move (21 steps x 5 schemes x n points, 21 x 32 x 32 of them complex
#: at n = 32: the largest part of an update's numerics); the arms of each V are straight on
#: log-log axes, and its bottom is found within a factor of 5.6 (31 steps drew the same curves at
#: 1.35x the cost).
SWEEP_STEPS = np.logspace(-16, -1, 21)


@dataclass(frozen=True, eq=False)
class Results:
    """What one state shows.

    Attributes
    ----------
    state : State
        The state computed.
    g : ndarray
        Softmax, max-shifted (what every derivative uses).
    g_shown : ndarray
        Softmax as the bars show it: ``g``, or the textbook formula when ``state.stable`` is off
        (then possibly NaN, see ``overflow``).
    overflow : str
        Empty, or the message explaining why the textbook formula failed.
    jacobian : ndarray, shape (n, n)
        ``dg_i / dwrt_k`` in closed form.
    check : GradcheckResult or None
        Numeric against closed form for the state's scheme and step; None if the step is below
        the dtype's resolution (see ``step_message``).
    step_message : str
        Why there is no numeric Jacobian, or empty.
    sweep : StepSweep
        Max error of each scheme over `SWEEP_STEPS`.
    target : ndarray or None
        One-hot target distribution.
    loss : float or None
        Cross-entropy against the target.
    loss_grad : ndarray or None
        ``dC/dtheta`` (the gradient-descent direction).
    """

    state: State
    g: NDArray
    g_shown: NDArray
    overflow: str
    jacobian: NDArray
    check: GradcheckResult | None
    step_message: str
    sweep: StepSweep
    target: NDArray | None
    loss: float | None
    loss_grad: NDArray | None

    @property
    def error(self) -> NDArray | None:
        """``|numeric - analytic|`` per entry, or None."""
        return None if self.check is None else self.check.abs_error


def arrays(state: State) -> tuple[NDArray, NDArray]:
    """``x`` and ``theta`` in the state's dtype."""
    dtype = np.dtype(state.dtype)
    return np.array(state.x, dtype=dtype), np.array(state.theta, dtype=dtype)


@lru_cache(maxsize=64)
def sweep_for(x: tuple, theta: tuple, temperature: float, wrt: str, dtype: str) -> StepSweep:
    """The step sweep, which does not depend on the chosen scheme or step: cached on its inputs."""
    xa, ta = np.array(x, dtype=dtype), np.array(theta, dtype=dtype)
    f, v, vectorized = softmax_function(xa, ta, wrt, temperature)
    exact = jacobian(xa, ta, wrt, temperature)
    return step_sweep(f, v, exact, SWEEP_STEPS, METHODS, vectorized=vectorized)


def compute(state: State) -> Results:
    """Everything the dashboard shows for ``state``.

    Raises
    ------
    ValueError
        If the numerics core refuses the inputs (``x*theta/T`` overflowing the dtype); the app
        shows the message and keeps the last good state.
    """
    x, theta = arrays(state)
    t = state.temperature
    g = softmax(x, theta, t)
    g_shown = g if state.stable else softmax(x, theta, t, stable=False)
    overflow = ""
    if not np.all(np.isfinite(g_shown)):
        z_max = float(np.max(x * theta / t))
        overflow = (
            f"exp({z_max:.4g}) overflows {state.dtype} to inf, and inf/inf = NaN: "
            "the max-shift (stable) avoids it"
        )
    try:
        check = gradcheck(x, theta, wrt=state.wrt, method=state.scheme, h=state.h, temperature=t)
        step_message = ""
    except ValueError as err:  # step below the dtype's resolution
        check, step_message = None, str(err).split(":")[0]
    target = loss = loss_grad = None
    if state.target is not None:
        target = np.zeros(state.n, dtype=x.dtype)
        target[state.target] = 1
        loss = cross_entropy(x, theta, state.target, t)
        loss_grad = cross_entropy_grad(x, theta, state.target, "theta", t)
    return Results(
        state=state,
        g=g,
        g_shown=g_shown,
        overflow=overflow,
        jacobian=jacobian(x, theta, state.wrt, t) if check is None else check.analytic,
        check=check,
        step_message=step_message,
        sweep=sweep_for(state.x, state.theta, t, state.wrt, state.dtype),
        target=target,
        loss=loss,
        loss_grad=loss_grad,
    )
