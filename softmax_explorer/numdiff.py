"""Finite-difference Jacobians, step-size sweeps and a gradient check for the softmax model.

Five schemes, each with its truncation and round-off error (``eps`` is the dtype's machine
epsilon, ``h`` the step)::

    forward     (f(v + h) - f(v)) / h                 O(h)   + O(eps / h)    best h ~ eps^(1/2)
    backward    (f(v) - f(v - h)) / h                 O(h)   + O(eps / h)    best h ~ eps^(1/2)
    central     (f(v + h) - f(v - h)) / 2h            O(h^2) + O(eps / h)    best h ~ eps^(1/3)
    richardson  (4 D(h/2) - D(h)) / 3, D = central     O(h^4) + O(eps / h)    best h ~ eps^(1/5)
    complex     Im f(v + ih) / h                      O(h^2), no cancellation: any h <= eps^(1/2)

A step is relative for large arguments: coordinate ``k`` moves by ``h * max(1, |v_k|)``, rounded so
that ``v_k + step`` is exactly representable. Only numpy is imported here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .core import WRT_VARIABLES, jacobian, logits, softmax

__all__ = [
    "METHODS",
    "GradcheckResult",
    "StepSweep",
    "default_steps",
    "expected_error",
    "gradcheck",
    "numerical_jacobian",
    "optimal_step",
    "step_sweep",
]

Method = Literal["forward", "backward", "central", "complex", "richardson"]
#: Finite-difference schemes, in the order the plots show them.
METHODS: tuple[str, ...] = ("forward", "backward", "central", "complex", "richardson")

# error ~ eps**_ORDER at the best step ~ eps**_STEP_POWER, per scheme
_STEP_POWER = {"forward": 1 / 2, "backward": 1 / 2, "central": 1 / 3, "richardson": 1 / 5}
_ERROR_POWER = {"forward": 1 / 2, "backward": 1 / 2, "central": 2 / 3, "richardson": 4 / 5}


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"unknown method={method!r}: choose one of {', '.join(METHODS)}")


def _real_dtype(dtype: np.dtype) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype.kind in "biu":
        return np.dtype(np.float64)
    if dtype.kind == "c":
        return np.finfo(dtype).dtype
    if dtype.kind != "f":
        raise TypeError(f"finite differences need a float dtype, got {dtype}")
    return dtype


def optimal_step(method: Method, dtype: np.dtype | type = np.float64) -> float:
    """The theoretical best step of a scheme for a dtype (for arguments of order 1).

    Parameters
    ----------
    method : {"forward", "backward", "central", "complex", "richardson"}
        The scheme.
    dtype : dtype, optional
        float64 or float32 (integers count as float64).

    Returns
    -------
    float
        ``eps^(1/2)`` (one-sided), ``eps^(1/3)`` (central), ``eps^(1/5)`` (Richardson). The
        complex step has no cancellation: every ``h <= eps^(1/2)`` reaches machine precision, and
        its default is ``eps`` itself, well inside that range.
    """
    _check_method(method)
    eps = float(np.finfo(_real_dtype(dtype)).eps)
    if method == "complex":
        return eps
    return eps ** _STEP_POWER[method]


def expected_error(method: Method, dtype: np.dtype | type = np.float64) -> float:
    """Order of magnitude of a scheme's relative error at its best step (``eps^p``)."""
    _check_method(method)
    eps = float(np.finfo(_real_dtype(dtype)).eps)
    return eps if method == "complex" else eps ** _ERROR_POWER[method]


def _steps(v: NDArray, hs: NDArray) -> tuple[NDArray, NDArray]:
    """Per-coordinate steps ``h * max(1, |v_k|)`` for each ``h`` of ``hs``: shape (s, n).

    Returns them as they are (for the complex step, which perturbs the imaginary part and has no
    rounding to respect) and rounded so that ``v_k + step`` is exact (for the real schemes). A
    real step below the resolution of ``v_k`` rounds to 0.
    """
    step = (np.asarray(hs, dtype=np.float64)[:, None] * np.maximum(1, np.abs(v))).astype(v.dtype)
    return step, (v + step) - v


def numerical_jacobian(
    f: Callable[[NDArray], ArrayLike],
    v: ArrayLike,
    method: Method = "central",
    h: float | None = None,
    *,
    vectorized: bool = False,
) -> NDArray:
    """Finite-difference Jacobian ``J[i, k] = df_i / dv_k`` of any ``f: R^n -> R^m``.

    Parameters
    ----------
    f : callable
        Maps an array of shape (n,) to an array-like of shape (m,) (or a scalar, m = 1). With
        ``vectorized=True`` it must also map a stack of shape (p, n) to shape (p, m) in one call;
        the numerics core's `softmax` does. ``method="complex"`` needs ``f`` to accept complex
        input and be analytic in it.
    v : array_like, shape (n,)
        The point. Integers are promoted to float64; float32 stays float32.
    method : {"forward", "backward", "central", "complex", "richardson"}
        The scheme (see the module docstring).
    h : float, optional
        The step, relative for ``|v_k| > 1``; default `optimal_step` of the method and dtype.
    vectorized : bool, optional
        Evaluate all perturbed points in one call of ``f``.

    Returns
    -------
    ndarray, shape (m, n)
        The estimate, in the real dtype of ``v``.
    """
    _check_method(method)
    v_arr = np.atleast_1d(np.asarray(v))
    dtype = _real_dtype(v_arr.dtype)
    v_arr = v_arr.astype(dtype)
    if v_arr.ndim != 1:
        raise ValueError(f"v must be 1-D, got shape {v_arr.shape}")
    step = _check_step(optimal_step(method, dtype) if h is None else h)
    return _estimates(f, v_arr, method, [step], vectorized)[0]


def _estimates(
    f: Callable, v: NDArray, method: str, hs: Sequence[float], vectorized: bool
) -> NDArray:
    """Estimates of ``method`` at each step of ``hs`` from one set of evaluations: (s, m, n).

    ``v`` is 1-D, in a real dtype. Raises ValueError if a real step is below its resolution.
    """
    evaluations = _Evaluations(f, v, np.array(hs), vectorized)
    if method != "complex":
        unresolved = evaluations.steps == 0
        if unresolved.any():
            j, k = (int(i) for i in np.argwhere(unresolved)[0])
            raise ValueError(
                f"step h={hs[j]:.1e} is below the resolution of {v.dtype.name} at "
                f"v[{k}]={float(v[k]):g}: v + h == v, so the difference is 0/0; "
                "use a larger step"
            )
    return _jacobian_at_steps(evaluations, method)


def _check_step(h: float) -> float:
    h = float(h)
    if not np.isfinite(h) or h <= 0:
        raise ValueError(f"step h must be finite and > 0, got {h}")
    return h


def _evaluate(f: Callable, points: NDArray, vectorized: bool) -> NDArray:
    """``f`` at each row of ``points``: shape (p, n) -> (p, m)."""
    if vectorized:
        out = np.asarray(f(points))
        return out.reshape(points.shape[0], -1)
    return np.stack([np.atleast_1d(np.asarray(f(p))) for p in points])


_OFFSETS = {
    "forward": (1, 0),
    "backward": (0, -1),
    "central": (1, -1),
    "richardson": (1, -1, 0.5, -0.5),
}


def _perturbed(v: NDArray, shifts: NDArray) -> NDArray:
    """The points ``v + shifts[j, k] * e_k``, shape (s, n, n).

    Copies ``v`` and adds the shifts on the diagonals: a product with the identity would cost
    ten times as much, and gives the same values (``v + 0`` off the diagonal).
    """
    s, n = shifts.shape
    points = np.empty((s, n, n), dtype=np.result_type(v, shifts))
    points[...] = v
    k = np.arange(n)
    points[:, k, k] += shifts
    return points


class _Evaluations:
    """``f`` at the perturbed points the schemes need, for several steps, each set computed once.

    ``at(c)`` is ``f(v + c * step_j * e_k)`` for every step j and coordinate k, shape (s, n, m);
    the schemes of one sweep share them (``f(v + h)`` serves forward, central and Richardson).
    """

    def __init__(self, f: Callable, v: NDArray, hs: NDArray, vectorized: bool) -> None:
        self.f, self.v, self.vectorized = f, v, vectorized
        self.complex_steps, self.steps = _steps(v, hs)  # (s, n); the real ones representable
        self._values: dict[float, NDArray] = {}

    def at(self, c: float) -> NDArray:
        if c not in self._values:
            s, n = self.steps.shape
            if c == 0:
                base = _evaluate(self.f, self.v[None, :], self.vectorized)[0]
                self._values[c] = np.broadcast_to(base, (s, n, base.size))
            else:
                points = _perturbed(self.v, c * self.steps)
                values = _evaluate(self.f, points.reshape(-1, n), self.vectorized)
                self._values[c] = values.reshape(s, n, -1)
        return self._values[c]

    def complex_step(self) -> NDArray:
        v, steps = self.v, self.complex_steps
        s, n = steps.shape
        points = _perturbed(v.astype(np.result_type(v.dtype, np.complex64)), 1j * steps)
        values = _evaluate(self.f, points.reshape(-1, n), self.vectorized).reshape(s, n, -1)
        return values.imag / steps[:, :, None]


def _jacobian_at_steps(evaluations: _Evaluations, method: str) -> NDArray:
    """Jacobian estimates of ``method`` for every step: shape (s, m, n).

    A step below the resolution of ``v`` gives NaN (0/0) in its estimate, without a warning.
    """
    dtype = evaluations.v.dtype
    if method == "complex":
        return evaluations.complex_step().transpose(0, 2, 1).astype(dtype, copy=False)
    offsets = _OFFSETS[method]
    values = [evaluations.at(c) for c in offsets]
    width = evaluations.steps[:, :, None]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        estimate = (values[0] - values[1]) / ((offsets[0] - offsets[1]) * width)
        if method == "richardson":
            half = (values[2] - values[3]) / width
            estimate = (4 * half - estimate) / 3
    return estimate.transpose(0, 2, 1).astype(dtype, copy=False)


def default_steps(num: int = 61) -> NDArray:
    """Log-spaced steps from 1e-16 to 1e-1, the range the error-vs-step plot shows."""
    return np.logspace(-16, -1, num)


@dataclass(frozen=True)
class StepSweep:
    """Maximum absolute error of each scheme against the analytic Jacobian, per step.

    Attributes
    ----------
    steps : ndarray, shape (s,)
        The steps.
    errors : dict of str to ndarray, shape (s,)
        ``max |numeric - analytic|`` per method and step; ``inf`` where the estimate overflowed.
    dtype : numpy.dtype
        The dtype the differences were taken in.
    """

    steps: NDArray
    errors: dict[str, NDArray]
    dtype: np.dtype

    def best_step(self, method: Method) -> float:
        """The step with the smallest measured error for ``method``."""
        return float(self.steps[int(np.argmin(self.errors[method]))])


def step_sweep(
    f: Callable[[NDArray], ArrayLike],
    v: ArrayLike,
    analytic: ArrayLike,
    steps: ArrayLike | None = None,
    methods: Sequence[Method] = METHODS,
    *,
    vectorized: bool = False,
) -> StepSweep:
    """Measure each scheme's error against a known Jacobian over a range of steps.

    Parameters
    ----------
    f, v, vectorized
        As for `numerical_jacobian`.
    analytic : array_like, shape (m, n)
        The exact Jacobian to compare against.
    steps : array_like, optional
        The steps; default `default_steps`.
    methods : sequence of str, optional
        The schemes to sweep.

    Returns
    -------
    StepSweep
        The data of the error-vs-step plot: a V per scheme, truncation on the right, round-off on
        the left.
    """
    v_arr = np.atleast_1d(np.asarray(v))
    dtype = _real_dtype(v_arr.dtype)
    v_arr = v_arr.astype(dtype)
    hs = default_steps() if steps is None else np.asarray(steps, dtype=float)
    for h in hs:
        _check_step(h)
    exact = np.asarray(analytic).reshape(-1, v_arr.size)
    evaluations = _Evaluations(f, v_arr, hs, vectorized)
    errors = {}
    for method in methods:
        _check_method(method)
        estimates = _jacobian_at_steps(evaluations, method)
        with np.errstate(invalid="ignore", over="ignore"):
            diff = estimates.astype(np.float64, copy=False) - exact
            np.abs(diff, out=diff)
        errors[method] = np.nan_to_num(diff.max(axis=(1, 2)), nan=np.inf)
    return StepSweep(steps=hs, errors=errors, dtype=dtype)


def softmax_function(
    x: ArrayLike, theta: ArrayLike, wrt: str, temperature: float = 1.0
) -> tuple[Callable[[NDArray], NDArray], NDArray, bool]:
    """``(f, v, vectorized)``: softmax as a function of ``wrt`` alone, and the point."""
    if wrt == "theta":
        return (lambda th: softmax(x, th, temperature)), np.asarray(theta), True
    if wrt == "x":
        return (lambda xs: softmax(xs, theta, temperature)), np.asarray(x), True
    if wrt == "z":
        z = logits(x, theta, temperature)
        return (lambda zs: softmax(np.ones_like(z), zs)), z, True
    if wrt == "temperature":
        # z = u * (1/T): differentiable in T, complex-step included, for a stack of temperatures
        u = logits(x, theta)
        point = np.array([temperature], dtype=u.dtype)
        return (
            (lambda ts: softmax(u, np.broadcast_to(1 / ts, (*ts.shape[:-1], u.size)))),
            point,
            True,
        )
    raise ValueError(f"unknown wrt={wrt!r}: choose one of {', '.join(WRT_VARIABLES)}")


@dataclass(frozen=True)
class GradcheckResult:
    """Analytic against numerical derivatives of the softmax, entry by entry.

    ``str(result)`` is a one-line report naming the worst entry.

    Attributes
    ----------
    analytic, numeric : ndarray
        The closed-form and finite-difference derivatives, shape (n, n) (or (n,) for the
        temperature).
    abs_error, rel_error : ndarray
        ``|numeric - analytic|`` and that divided by ``max(|analytic|, tiny)``.
    error_estimate : ndarray
        How far the numeric value itself can be trusted: ``|N(h) - N(2h)|``, an upper estimate
        of the truncation error at ``h`` (zero for the complex step).
    max_abs_error, max_rel_error : float
        Their maxima.
    worst : tuple of int
        ``(i, k)`` of the entry with the largest error relative to the tolerance.
    wrt, method : str
        What was differentiated and by which scheme.
    h : float
        The step used.
    rtol, atol : float
        The tolerances: an entry passes when
        ``abs_error <= atol + rtol * |analytic| + error_estimate``.
    passed : bool
        Whether every entry passed.
    """

    analytic: NDArray
    numeric: NDArray
    abs_error: NDArray
    rel_error: NDArray
    error_estimate: NDArray
    max_abs_error: float
    max_rel_error: float
    worst: tuple[int, ...]
    wrt: str
    method: str
    h: float
    rtol: float
    atol: float
    passed: bool = field(default=False)

    def entry_name(self, index: tuple[int, ...] | None = None) -> str:
        """The derivative's name at ``index`` (default: the worst entry), e.g. ``dg_2/dtheta_0``."""
        i, *k = self.worst if index is None else index
        if self.wrt == "temperature":
            return f"dg_{i}/dT"
        return f"dg_{i}/d{self.wrt}_{k[0]}"

    def __str__(self) -> str:
        w = self.worst
        verdict = "passed" if self.passed else "FAILED"
        return (
            f"gradcheck {verdict} ({self.method}, h={self.h:.1e}): worst entry "
            f"{self.entry_name()}: analytic {self.analytic[w]:.6e}, numeric {self.numeric[w]:.6e}, "
            f"abs error {self.abs_error[w]:.1e}, rel error {self.rel_error[w]:.1e} "
            f"(estimated difference error {self.error_estimate[w]:.0e}, "
            f"rtol {self.rtol:.0e}, atol {self.atol:.0e})"
        )


def gradcheck(
    x: ArrayLike,
    theta: ArrayLike,
    wrt: str = "theta",
    method: Method = "central",
    h: float | None = None,
    temperature: float = 1.0,
    rtol: float | None = None,
    atol: float | None = None,
    *,
    analytic: ArrayLike | None = None,
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
        Tolerances; by default ``rtol = 100 * expected_error(method, dtype)`` and
        ``atol = rtol * max(|analytic|, |g|)`` (``|g|`` left out for the complex step, which has
        no round-off from differencing) but at least the dtype's smallest normal number, so the
        check scales with the problem.
    analytic : array_like, optional
        A derivative of your own to check instead of the package's closed form: shape (n, n), or
        (n,) for the temperature.

    Returns
    -------
    GradcheckResult
        Per-entry errors, the worst entry and whether all entries pass. An entry passes when its
        error is within the tolerances plus the finite difference's own estimated error, so a
        wrong derivative (an error of the order of the derivative) fails while a steep but
        correct one passes.

    Examples
    --------
    >>> print(gradcheck([1, 4, 3, 2], [0.3, 0.1, 0.9, 0.5]).passed)
    True
    """
    _check_method(method)
    expected = jacobian(x, theta, wrt=wrt, temperature=temperature)
    if analytic is None:
        analytic = expected
    else:
        analytic = np.asarray(analytic, dtype=expected.dtype)
        if analytic.shape != expected.shape:
            raise ValueError(
                f"analytic has shape {analytic.shape}; d{wrt} needs shape {expected.shape}"
            )
    f, v, vectorized = softmax_function(x, theta, wrt, temperature)
    dtype = analytic.dtype
    step = optimal_step(method, dtype) if h is None else _check_step(h)
    # the truncation error grows with the step (order 1, 2 or 4), so the change between h and 2h
    # bounds the error at h from above: the tolerance follows the problem's own scale
    hs = [step] if method == "complex" else [step, 2 * step]
    estimates = _estimates(f, v.astype(dtype), method, hs, vectorized)
    numeric = estimates[0].reshape(analytic.shape)
    if method == "complex":
        error_estimate = np.zeros_like(numeric)
    else:
        error_estimate = np.abs(numeric - estimates[1].reshape(analytic.shape))
    if rtol is None:
        rtol = 100 * expected_error(method, dtype)
    if atol is None:
        # round-off in f(v +- h) costs about eps |g| / h: relative to the values, not to J
        scale = np.max(np.abs(analytic))
        if method != "complex":
            scale = max(scale, np.max(np.abs(softmax(x, theta, temperature))))
        # never below the smallest normal number: subnormal derivatives (theta ~ 1e-309, say)
        # underflow in any scheme, and no check can resolve them
        atol = max(rtol * float(scale), float(np.finfo(dtype).tiny))
    with np.errstate(invalid="ignore", over="ignore"):
        abs_error = np.abs(numeric.astype(np.float64) - analytic)
        scale = np.maximum(np.abs(analytic.astype(np.float64)), np.finfo(np.float64).tiny)
        rel_error = abs_error / scale
        excess = abs_error / (atol + rtol * scale + error_estimate)
    excess = np.nan_to_num(excess, nan=np.inf)
    worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(excess)), excess.shape))
    return GradcheckResult(
        analytic=analytic,
        numeric=numeric,
        abs_error=abs_error,
        rel_error=rel_error,
        error_estimate=error_estimate,
        max_abs_error=float(np.max(abs_error)),
        max_rel_error=float(np.max(rel_error)),
        worst=worst,
        wrt=wrt,
        method=method,
        h=step,
        rtol=float(rtol),
        atol=float(atol),
        passed=bool(np.all(excess <= 1)),
    )
