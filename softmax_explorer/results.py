"""One computation per state: every number the panels and readouts show, computed once.

`compute` is a pure function of a `State`; the figures and the app only read its `Results`.
Only numpy is imported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from .finite_diff import (
    METHODS,
    StepError,
    StepSweep,
    default_steps,
    optimal_step,
    step_sweep,
)
from .gradcheck import GradcheckResult, check_model
from .model import Model
from .sampler import Sampled, sampled
from .state import INDEX_BASE, State

if TYPE_CHECKING:  # pandas is imported only by to_frame
    import pandas as pd

__all__ = ["Results", "compute", "sweep_for"]

#: Steps of the error-vs-step panel: the whole step range, three per two decades. The sweep is
#: recomputed at every slider move and is the largest part of an update's numerics; the arms of
#: each V are straight on log-log axes, so its bottom is found within a factor of 5.6.
SWEEP_STEPS = default_steps(21)


@dataclass(frozen=True, eq=False)
class Results:
    """What one state shows.

    Attributes
    ----------
    state : State
        The state computed.
    model : Model
        Its validated model point.
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
    best_steps : dict of str to (float, float)
        Per scheme, its theoretical best step for the dtype and the sweep's error there.
    target : ndarray or None
        One-hot target distribution.
    loss : float or None
        Cross-entropy against the target.
    loss_grad : ndarray or None
        ``dC/dtheta`` (the gradient-descent direction).
    loss_message : str
        Why there is no loss with a target class (a sparse mapping gives it probability 0).
    sampled : Sampled or None
        The sampling view (`softmax_explorer.sampler`), when the state shows it.
    """

    state: State
    model: Model
    g: NDArray
    g_shown: NDArray
    overflow: str
    jacobian: NDArray
    check: GradcheckResult | None
    step_message: str
    sweep: StepSweep
    best_steps: dict[str, tuple[float, float]]
    target: NDArray | None
    loss: float | None
    loss_grad: NDArray | None
    loss_message: str = ""
    sampled: Sampled | None = None

    @property
    def error(self) -> NDArray | None:
        """``|numeric - analytic|`` per entry, or None."""
        return None if self.check is None else self.check.abs_error

    def to_frame(self) -> pd.DataFrame:
        """The state's classes as a long-form table: one row per class.

        Returns
        -------
        pandas.DataFrame
            Columns ``class`` (numbered from 1, as the page shows them), ``x``, ``theta``,
            ``z`` (the logit ``x * theta / T``), ``g`` (the softmax), ``target`` and
            ``dC/dtheta`` (NaN without a target class). The Jacobian entries and the sweep
            are ``results.check.to_frame()`` and ``results.sweep.to_frame()``.
        """
        import pandas as pd

        s = self.state
        missing = np.full(s.n, np.nan)
        return pd.DataFrame(
            {
                "class": np.arange(s.n) + INDEX_BASE,
                "x": s.x,
                "theta": s.theta,
                "z": np.asarray(self.model.z, dtype=np.float64),
                "g": np.asarray(self.g, dtype=np.float64),
                "target": missing if self.target is None else self.target,
                "dC/dtheta": missing if self.loss_grad is None else self.loss_grad,
            }
        )


@lru_cache(maxsize=64)
def model_for(
    x: tuple, theta: tuple, temperature: float, dtype: str, mapping: str = "softmax"
) -> Model:
    """The validated model point of a state's inputs: each distinct point is validated once."""
    arrays = (np.array(x, dtype=dtype), np.array(theta, dtype=dtype))
    return Model.at(*arrays, temperature, mapping)


@lru_cache(maxsize=64)
def sweep_for(
    x: tuple, theta: tuple, temperature: float, wrt: str, dtype: str, mapping: str = "softmax"
) -> StepSweep:
    """The step sweep, which does not depend on the chosen scheme or step: cached on its inputs."""
    model = model_for(x, theta, temperature, dtype, mapping)
    f, v = model.function(wrt)
    return step_sweep(f, v, model.jacobian(wrt), SWEEP_STEPS, METHODS, vectorized=True)


def best_steps_of(sweep: StepSweep) -> dict[str, tuple[float, float]]:
    """Each scheme's theoretical best step for the sweep's dtype, and the sweep's error there."""
    best = {m: optimal_step(m, sweep.dtype) for m in METHODS}
    return {m: (h, sweep.error_at(m, h)) for m, h in best.items()}


def compute(state: State) -> Results:
    """Everything the dashboard shows for ``state``.

    Raises
    ------
    ValueError
        If the numerics core refuses the inputs (``x*theta/T`` overflowing the dtype); the app
        shows the message and keeps the last good state.
    """
    t = state.temperature
    model = model_for(state.x, state.theta, t, state.dtype, state.mapping)
    g = model.probs()
    g_shown = g if state.stable or state.mapping != "softmax" else model.softmax(stable=False)
    overflow = ""
    if not np.all(np.isfinite(g_shown)):
        z_max = float(np.max(model.z))
        overflow = (
            f"exp({z_max:.4g}) overflows {state.dtype} to inf, and inf/inf = NaN: "
            "the max-shift (stable) avoids it"
        )
    try:
        check = check_model(model, state.wrt, state.scheme, state.h)
        step_message = ""
    except StepError as err:  # step below the dtype's resolution
        check, step_message = None, err.reason
    sweep = sweep_for(state.x, state.theta, t, state.wrt, state.dtype, state.mapping)
    target = loss = loss_grad = None
    loss_message = ""
    if state.target is not None:
        target = np.zeros(state.n, dtype=model.z.dtype)
        target[state.target] = 1
        try:
            loss = model.cross_entropy(state.target)
            loss_grad = model.cross_entropy_grad(state.target, "theta")
        except ValueError as err:  # a sparse mapping gives the target class probability 0
            loss_message = str(err)
    return Results(
        state=state,
        model=model,
        g=g,
        g_shown=g_shown,
        overflow=overflow,
        jacobian=model.jacobian(state.wrt) if check is None else check.analytic,
        check=check,
        step_message=step_message,
        sweep=sweep,
        best_steps=best_steps_of(sweep),
        target=target,
        loss=loss,
        loss_grad=loss_grad,
        loss_message=loss_message,
        sampled=sampled(state, model) if state.sampling else None,
    )
