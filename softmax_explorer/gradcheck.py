"""Gradient checks: an analytic Jacobian against finite differences, entry by entry.

`check_jacobian` checks any ``f: R^n -> R^m`` against a Jacobian of your own; `gradcheck` checks
the softmax model's closed forms (or a derivative of yours) at one point. Both return a
`GradcheckResult` that names the worst entry instead of printing two matrices. Only numpy is
imported here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Literal, get_args

import numpy as np
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:  # pandas is imported only by to_frame
    import pandas as pd

from .finite_diff import (
    ORDER,
    ROUNDOFF_FACTOR,
    Evaluations,
    Method,
    check_step,
    coordinate_steps,
    expected_error,
    optimal_step,
    real_dtype,
)
from .model import Mapping, Model, Wrt
from .taylor import TaylorResult, taylor_test

__all__ = ["GradcheckResult", "check_jacobian", "gradcheck"]


@dataclass(frozen=True)
class GradcheckResult:
    """Analytic against numerical derivatives, entry by entry.

    ``str(result)`` is a one-line report naming the worst entry.

    Attributes
    ----------
    analytic, numeric : ndarray
        The analytic and finite-difference derivatives, shape (m, n) (for the softmax's
        temperature, (n,)).
    abs_error, rel_error : ndarray
        ``|numeric - analytic|`` and that divided by ``max(|analytic|, tiny)``.
    truncation_estimate : ndarray
        ``|N(h) - N(2h)|``, an upper estimate of the truncation error at ``h`` (zero for the
        complex step).
    roundoff_estimate : ndarray
        The round-off of the difference, ``c * eps * |f_i| / h_k`` (`ROUNDOFF_FACTOR` ``c`` per
        scheme; zero for the complex step, which does not subtract).
    error_estimate : ndarray
        How far the numeric value itself can be trusted, their sum: an entry whose error is
        beyond its tolerance plus this fails.
    resolution : ndarray
        The error the difference is expected to have: Richardson's estimate of the truncation
        error, ``truncation_estimate / (2^p - 1)`` for a scheme of order p, plus the round-off.
        The check is conclusive where this is within the tolerance.
    tolerance : ndarray
        Each entry's tolerance, ``atol + rtol * |analytic|``.
    entry_status : ndarray of str
        Each entry's verdict, by the rule of ``status``.
    max_abs_error, max_rel_error : float
        The maxima of ``abs_error`` and ``rel_error``.
    worst : tuple of int
        ``(i, k)`` of the entry that decides the verdict (0-based): the largest error relative
        to what explains it, or, when inconclusive, the largest error beyond the tolerance.
    wrt, method : str
        What was differentiated and by which scheme.
    h : float
        The step used.
    rtol, atol : float
        The tolerance of an entry is ``atol + rtol * |analytic|``.
    status : {"passed", "failed", "nondifferentiable", "inconclusive"}
        "failed" when an entry's error exceeds its tolerance plus ``error_estimate`` (the
        derivative is wrong: the difference's own error does not explain it) and the function
        is differentiable there; otherwise "nondifferentiable" when an entry's one-sided
        differences disagree beyond what a smooth function explains (a kink: no derivative to
        check, see ``kinks``); otherwise "inconclusive" when an entry's ``resolution`` exceeds
        its tolerance (the difference is too inaccurate at this step to decide: see
        ``suggestion``); otherwise "passed".
    suggestion : str
        For an inconclusive check, what dominates and a step to try; else empty.
    of : str
        The name of the function differentiated (``g`` for the softmax, ``f`` otherwise).
    forward, backward : ndarray
        One-sided differences at the kink probe's step (``eps^(1/3)``, relative).
    kinks : ndarray of bool
        Entries whose one-sided differences disagree, at that step and at twice it, by the same
        amount: a jump in the slope, not curvature (which would double the gap).
    taylor : TaylorResult or None
        The Taylor remainder test of the analytic Jacobian along a random direction, a second
        opinion that needs no step (quoted in the report where it is conclusive). Computed when
        first read: the dashboard's report is written once the hand pauses.
    taylor_of : callable or None
        What computes ``taylor`` (None: no test).
    """

    analytic: NDArray
    numeric: NDArray
    abs_error: NDArray
    rel_error: NDArray
    truncation_estimate: NDArray
    roundoff_estimate: NDArray
    error_estimate: NDArray
    resolution: NDArray
    tolerance: NDArray
    entry_status: NDArray
    max_abs_error: float
    max_rel_error: float
    worst: tuple[int, ...]
    wrt: str
    method: str
    h: float
    rtol: float
    atol: float
    status: str
    suggestion: str = ""
    of: str = "g"
    forward: NDArray | None = None
    backward: NDArray | None = None
    kinks: NDArray | None = None
    taylor_of: Callable[[], TaylorResult | None] | None = field(
        default=None, repr=False, compare=False
    )

    @cached_property
    def taylor(self) -> TaylorResult | None:
        """The Taylor test (see the class's attributes), from ``taylor_of`` on first read."""
        return None if self.taylor_of is None else self.taylor_of()

    @property
    def passed(self) -> bool:
        """Whether the check passed (not when it failed or could not decide)."""
        return self.status == "passed"

    def entry_name(self, index: tuple[int, ...] | None = None, base: int = 0) -> str:
        """The derivative's name at ``index`` (default: the worst entry), e.g. ``dg_2/dtheta_0``.

        A function with one output is named without its index (``dH/dT``, ``dloss/dw_1``).

        ``index`` is 0-based, as numpy's; ``base`` is where the name's numbering starts (1 for
        the math's ``dg_3/dtheta_1``).
        """
        i, *k = self.worst if index is None else index
        of = self.of if self.analytic.shape[0] == 1 else f"{self.of}_{i + base}"
        if self.wrt == "temperature":
            return f"d{of}/dT"
        return f"d{of}/d{self.wrt}_{k[0] + base}"

    def __str__(self) -> str:
        return self.report()

    def to_frame(self, base: int = 0) -> pd.DataFrame:
        """The check as a long-form table: one row per entry of the Jacobian.

        Parameters
        ----------
        base : int, optional
            Where the numbering of ``i`` and ``k`` starts (0: numpy's, 1: the math's).

        Returns
        -------
        pandas.DataFrame
            Columns ``i`` (the output) and ``k`` (the variable; absent for a derivative with
            respect to the temperature), ``analytic``, ``numeric``, ``abs_error``,
            ``rel_error``, ``tolerance``, ``truncation``, ``roundoff``, ``error_estimate``,
            ``resolution``, ``status`` (the entry's verdict), and the check's ``wrt``,
            ``method`` and ``h``. ``frame.pivot(index="i", columns="k", values="analytic")``
            is the Jacobian, ready for ``seaborn.heatmap``.
        """
        import pandas as pd

        shape = self.analytic.shape
        index = {
            name: idx.ravel() + base for name, idx in zip("ik", np.indices(shape), strict=False)
        }
        columns = {
            "analytic": self.analytic, "numeric": self.numeric, "abs_error": self.abs_error,
            "rel_error": self.rel_error, "tolerance": self.tolerance,
            "truncation": self.truncation_estimate, "roundoff": self.roundoff_estimate,
            "error_estimate": self.error_estimate, "resolution": self.resolution,
            "status": self.entry_status,
        }  # fmt: skip
        frame = pd.DataFrame({**index, **{k: np.ravel(v) for k, v in columns.items()}})
        return frame.assign(wrt=self.wrt, method=self.method, h=self.h)

    def report(self, base: int = 0) -> str:
        """The one-line report; ``base`` numbers the entries (0: numpy's, as in ``worst``)."""
        w = self.worst
        counted = "0-based" if base == 0 else f"from {base}"
        taylor = f"; {self.taylor}" if self.taylor is not None and self.taylor.conclusive else ""
        if self.status == "nondifferentiable":
            kinks = [tuple(int(i) for i in k) for k in np.argwhere(self.kinks)]  # row by row
            named = "; ".join(
                f"{self.entry_name(k, base)}: one-sided slopes {self.forward[k]:.3g} and "
                f"{self.backward[k]:.3g}"
                for k in kinks[:3]
            )
            more = f" and {len(kinks) - 3} more" if len(kinks) > 3 else ""
            return (
                f"gradcheck: not differentiable here ({counted}): {named}{more}; a "
                f"{self.method} difference across the kink averages them, so there is no "
                f"derivative to check{taylor}"
            )
        verdict = {"passed": "passed", "failed": "FAILED", "inconclusive": "inconclusive"}
        advice = f": {self.suggestion}" if self.suggestion else ""
        return (
            f"gradcheck {verdict[self.status]}{advice} ({self.method}, h={self.h:.1e}): worst "
            f"entry {self.entry_name(base=base)} ({counted}): analytic {self.analytic[w]:.6e}, "
            f"numeric {self.numeric[w]:.6e}, "
            f"abs error {self.abs_error[w]:.1e}, rel error {self.rel_error[w]:.1e} "
            f"(estimated difference error {self.error_estimate[w]:.0e}: truncation "
            f"{self.truncation_estimate[w]:.0e}, round-off {self.roundoff_estimate[w]:.0e}; "
            f"rtol {self.rtol:.0e}, atol {self.atol:.0e}){taylor}"
        )


def check_jacobian(
    f: Callable[[NDArray], ArrayLike],
    jacobian: ArrayLike | Callable[[NDArray], ArrayLike],
    v: ArrayLike,
    method: Method = "central",
    h: float | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    *,
    vectorized: bool = False,
    wrt: str = "v",
    of: str = "f",
) -> GradcheckResult:
    """Check a Jacobian of any ``f: R^n -> R^m`` against finite differences.

    Parameters
    ----------
    f : callable
        Maps an array of shape (n,) to an array-like of shape (m,) (or a scalar); with
        ``vectorized``, a stack (p, n) to (p, m). See `numerical_jacobian`.
    jacobian : array_like or callable
        The derivative to check, ``J[i, k] = df_i / dv_k``, shape (m, n) (any shape of m * n
        entries); or a function of ``v`` returning it.
    v : array_like, shape (n,)
        The point; its dtype (float64 or float32) is the one the differences are taken in.
    method : {"forward", "backward", "central", "complex", "richardson"}
        The finite-difference scheme.
    h : float, optional
        The step; default `optimal_step` for the method and dtype.
    rtol, atol : float, optional
        Tolerances; by default ``rtol = 100 * expected_error(method, dtype)`` and
        ``atol = rtol * max(|J|, |f(v)|)`` (``|f(v)|`` left out for the complex step, which has
        no round-off from differencing) but at least the dtype's smallest normal number, so the
        check scales with the problem.
    vectorized : bool, optional
        ``f`` evaluates a stack of points in one call.
    wrt, of : str, optional
        Names of the variable and the function in the report (``df_2/dv_0``).

    Returns
    -------
    GradcheckResult
        Per-entry errors, the worst entry and the verdict. An entry's error is compared with its
        tolerance plus the finite difference's own estimated error (truncation and round-off),
        so a wrong derivative fails wherever the difference is accurate enough to tell, and a
        check whose difference is too inaccurate at this step says "inconclusive" and suggests
        a better one.

    Examples
    --------
    The Jacobian of ``(v0 * v1, sin v0)``, with a mistake in one entry:

    >>> import numpy as np
    >>> f = lambda v: np.array([v[0] * v[1], np.sin(v[0])])
    >>> wrong = lambda v: np.array([[v[1], v[0]], [np.sin(v[0]), 0.0]])
    >>> result = check_jacobian(f, wrong, [0.5, 2.0])
    >>> result.passed, result.entry_name()
    (False, 'df_1/dv_0')
    """
    v_arr = np.atleast_1d(np.asarray(v))
    dtype = real_dtype(v_arr.dtype)
    v_arr = v_arr.astype(dtype)
    if v_arr.ndim != 1:
        raise ValueError(f"v must be 1-D, got shape {v_arr.shape}")
    analytic = np.asarray(jacobian(v_arr) if callable(jacobian) else jacobian, dtype=dtype)
    step = optimal_step(method, dtype) if h is None else check_step(h)
    # the truncation error grows with the step (order 1, 2 or 4), so the change between h and 2h
    # bounds the error at h from above: the tolerance follows the problem's own scale
    hs = [step] if method == "complex" else [step, 2 * step]
    # one set of points, in one call of f: the check's steps, then the kink probe's (`_slopes`)
    probe = optimal_step("central", dtype)
    evaluations = Evaluations(f, v_arr, [*hs, probe, 2 * probe], vectorized)
    if method != "complex":
        evaluations.require_resolved(len(hs))
    evaluations.evaluate((method, "forward", "backward"))
    estimates = evaluations.difference(method).transpose(0, 2, 1)
    if analytic.size != estimates[0].size:
        raise ValueError(
            f"the Jacobian has shape {analytic.shape}; f and v need {estimates[0].shape}"
        )
    numeric = estimates[0].reshape(analytic.shape)
    values = np.abs(evaluations.base().astype(np.float64))
    if method == "complex":
        truncation = np.zeros(analytic.shape)
    else:
        truncation = np.abs(numeric - estimates[1].reshape(analytic.shape)).astype(np.float64)
    one_sided = [
        evaluations.difference(m).transpose(0, 2, 1).astype(np.float64).reshape(-1, *analytic.shape)
        for m in ("forward", "backward")
    ]
    eps = float(np.finfo(dtype).eps)
    # round-off per entry: the rounding of f_i's values over the step of coordinate k
    roundoff = (
        ROUNDOFF_FACTOR[method]
        * eps
        * np.outer(values.ravel(), 1 / coordinate_steps(v_arr, step)).reshape(analytic.shape)
    )
    if rtol is None:
        rtol = 100 * expected_error(method, dtype)
    if atol is None:
        # round-off in f(v +- h) is relative to the values, not to J: so is the tolerance
        scale = np.max(np.abs(analytic))
        if method != "complex":
            scale = max(scale, float(np.max(values)))
        # never below the smallest normal number: subnormal derivatives (theta ~ 1e-309, say)
        # underflow in any scheme, and no check can resolve them
        atol = max(rtol * float(scale), float(np.finfo(dtype).tiny))
    with np.errstate(invalid="ignore", over="ignore"):
        abs_error = np.abs(numeric.astype(np.float64) - analytic)
        magnitude = np.maximum(np.abs(analytic.astype(np.float64)), np.finfo(np.float64).tiny)
        rel_error = abs_error / magnitude
        tolerance = atol + rtol * magnitude
        bound = truncation + roundoff
        resolution = truncation / (2 ** ORDER[method] - 1) + roundoff
        excess = np.nan_to_num(abs_error / (tolerance + bound), nan=np.inf)
        blur = np.nan_to_num(resolution / tolerance, nan=np.inf)
    # differentiable or not here, and failing entries whose step reaches a kink nearby
    forward, backward, kinks, across = _slopes(
        *one_sided, probe, v_arr, values, tolerance,
        step if method != "complex" else 0.0, excess > 1,
    )  # fmt: skip
    entry_status = np.where(excess > 1, "failed", np.where(blur > 1, "inconclusive", "passed"))
    entry_status = np.where(across, "inconclusive", entry_status)
    entry_status = np.where(kinks, "nondifferentiable", entry_status)
    status, suggestion = "passed", ""
    decisive = excess
    if np.any(entry_status == "failed"):
        status = "failed"
        decisive = np.where(kinks | across, 0, excess)
    elif kinks.any():
        status = "nondifferentiable"
        decisive = np.where(kinks, np.abs(forward - backward), 0)
    elif np.any(entry_status == "inconclusive"):
        status, decisive = "inconclusive", blur
    elif across.any():
        status, decisive = "inconclusive", np.where(across, excess, 0)
    worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(decisive)), decisive.shape))
    if status == "inconclusive" and across[worst]:
        best = optimal_step(method, dtype)
        suggestion = f"a kink lies within h = {_short(step)} of this point; try h ≈ {_short(best)}"
    elif status == "inconclusive":
        suggestion = _suggestion(method, dtype, step, truncation[worst], roundoff[worst])
    return GradcheckResult(
        analytic=analytic,
        numeric=numeric,
        abs_error=abs_error,
        rel_error=rel_error,
        truncation_estimate=truncation,
        roundoff_estimate=roundoff,
        error_estimate=bound,
        resolution=resolution,
        tolerance=tolerance,
        entry_status=entry_status,
        max_abs_error=float(np.max(abs_error)),
        max_rel_error=float(np.max(rel_error)),
        worst=worst,
        wrt=wrt,
        method=method,
        h=step,
        rtol=float(rtol),
        atol=float(atol),
        status=status,
        suggestion=suggestion,
        of=of,
        forward=forward,
        backward=backward,
        kinks=kinks,
        taylor_of=lambda: _taylor(f, analytic, v_arr, vectorized),
    )


#: A gap between one-sided differences is a kink's when it exceeds this many times its round-off.
_KINK_NOISE = 20
#: ... and changes by less than this share when the step doubles (curvature would double it).
_KINK_STEADY = 0.25


def _slopes(
    forward: NDArray, backward: NDArray, h: float, v: NDArray, values: NDArray,
    tolerance: NDArray, step: float, failing: NDArray,
) -> tuple[NDArray, NDArray, NDArray, NDArray]:  # fmt: skip
    """One-sided differences at the probe step, and where the slope jumps.

    ``forward`` and ``backward`` are the one-sided differences at the check's ``step`` (first),
    at the probe step ``h = eps^(1/3)`` and at ``2 h`` (last two), each entry shaped like the
    Jacobian. Returns those at ``h``, the entries with a kink at ``v``, and the failing entries
    with a kink within ``step`` of it.

    At a kink the two one-sided slopes differ by the jump in the slope, at any small step; for a
    smooth function they differ by about ``h f''``, which doubles with the step. Where there is
    no kink at ``v``, one-sided slopes at the check's step that differ from the probe's by far
    more than that curvature explains have reached a kink nearby.
    """
    eps = float(np.finfo(v.dtype).eps)
    shape = forward.shape[1:]

    def noise(h: float) -> NDArray:
        return 4 * eps * np.outer(values.ravel(), 1 / coordinate_steps(v, h)).reshape(shape)

    gap = forward[-2:] - backward[-2:]
    with np.errstate(invalid="ignore"):
        kinks = (np.abs(gap[0]) > np.maximum(_KINK_NOISE * noise(h), tolerance)) & (
            np.abs(gap[1] - gap[0]) < _KINK_STEADY * np.abs(gap[0])
        )
    across = np.zeros_like(kinks)
    if step > 4 * h and (failing & ~kinks).any():
        moved = np.abs(forward[0] - forward[-2]) + np.abs(backward[0] - backward[-2])
        curvature = np.abs(gap[0]) / h  # about |f''|, or noise / h where f is linear
        with np.errstate(invalid="ignore"):
            across = (
                failing
                & ~kinks
                & (moved > _KINK_NOISE * (curvature * step + noise(step) + tolerance))
            )
    return forward[-2], backward[-2], kinks, across


def _taylor(f: Callable, analytic: NDArray, v: NDArray, vectorized: bool) -> TaylorResult | None:
    """The Taylor test of ``analytic``; None where ``f`` cannot take float64 points."""
    try:
        return taylor_test(f, analytic, v, vectorized=vectorized)
    except (TypeError, ValueError):
        return None


def _short(value: float) -> str:
    """``3e-4`` rather than Python's ``3e-04``."""
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def _suggestion(method: str, dtype: np.dtype, h: float, truncation: float, roundoff: float) -> str:
    """Why the difference cannot decide at step ``h``, and the scheme's best step to try."""
    cause = "round-off" if roundoff >= truncation else "truncation"
    best = optimal_step(method, dtype)
    if np.isclose(best, h, rtol=0.5):
        return f"{cause} dominates at h = {_short(h)}, the best step: try the complex step"
    return f"{cause} dominates at h = {_short(h)}; try h ≈ {_short(best)}"


#: What `gradcheck` can differentiate: the probabilities g, or the entropy H of the softmax.
Of = Literal["g", "entropy"]
OF = get_args(Of)


def check_model(
    model: Model,
    wrt: Wrt = "theta",
    method: Method = "central",
    h: float | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    *,
    analytic: ArrayLike | None = None,
    of: Of = "g",
) -> GradcheckResult:
    """`gradcheck` at a validated `Model` point (what the dashboard's results use)."""
    if of == "g":
        expected, (f, v) = model.jacobian(wrt), model.function(wrt)
        wanted = expected.shape
    elif of == "entropy":
        gradient = model.entropy_gradient(wrt)
        expected = np.asarray(gradient, dtype=model.z.dtype).reshape(1, -1)
        wanted = np.shape(gradient)  # a number for the temperature, else (n,)
        f, v = model.entropy_function(wrt)
    else:
        raise ValueError(f"of must be one of {OF}, got {of!r}")
    name = "g" if of == "g" else "H"
    if analytic is None:
        analytic = expected
    else:
        analytic = np.asarray(analytic, dtype=expected.dtype)
        if analytic.shape not in (wanted, expected.shape):
            raise ValueError(
                f"analytic has shape {analytic.shape}; d{name}/d{wrt} needs shape {wanted}"
            )
        analytic = analytic.reshape(expected.shape)
    return check_jacobian(f, analytic, v, method, h, rtol, atol, vectorized=True, wrt=wrt, of=name)


def gradcheck(
    x: ArrayLike,
    theta: ArrayLike,
    wrt: Wrt = "theta",
    method: Method = "central",
    h: float | None = None,
    temperature: float = 1.0,
    rtol: float | None = None,
    atol: float | None = None,
    *,
    analytic: ArrayLike | None = None,
    mapping: Mapping = "softmax",
    of: Of = "g",
) -> GradcheckResult:
    """Compare the closed-form `jacobian` (or your own) with a finite-difference one.

    Parameters
    ----------
    x, theta : array_like, shape (n,)
        Inputs and coefficients.
    wrt : {"theta", "x", "z", "temperature"}
        The variable.
    method : {"forward", "backward", "central", "complex", "richardson"}
        The finite-difference scheme.
    h : float, optional
        The step; default `optimal_step` for the method and dtype.
    temperature : float, optional
        ``T > 0``.
    rtol, atol : float, optional
        Tolerances, as for `check_jacobian` (``|f(v)|`` is ``|g|``, or ``H``).
    analytic : array_like, optional
        A derivative of your own to check instead of the package's closed form: shape (n, n), or
        (n,) for the temperature; for the entropy, (n,), or a number for the temperature.
    mapping : {"softmax", "sparsemax", "entmax15"}
        The model's mapping (see `softmax_explorer.model.jacobian`).
    of : {"g", "entropy"}
        What to differentiate: the probabilities (the Jacobian), or the entropy of the softmax
        (`entropy_gradient`; ``dH/dT = Var_g(x theta) / T^3`` for the temperature).

    Returns
    -------
    GradcheckResult
        See `check_jacobian`.

    Examples
    --------
    >>> print(gradcheck([1, 4, 3, 2], [0.3, 0.1, 0.9, 0.5]).passed)
    True
    >>> print(gradcheck([1, 4, 3, 2], [0.3, 0.1, 0.9, 0.5], "temperature", of="entropy").passed)
    True
    """
    model = Model.at(x, theta, temperature, mapping)
    return check_model(model, wrt, method, h, rtol, atol, analytic=analytic, of=of)
