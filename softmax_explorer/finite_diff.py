"""Finite-difference Jacobians of any ``f: R^n -> R^m``, step-size sweeps and their error theory.

Five schemes, each with its truncation and round-off error (``eps`` is the dtype's machine
epsilon, ``h`` the step)::

    forward     (f(v + h) - f(v)) / h                 O(h)   + O(eps / h)    best h ~ eps^(1/2)
    backward    (f(v) - f(v - h)) / h                 O(h)   + O(eps / h)    best h ~ eps^(1/2)
    central     (f(v + h) - f(v - h)) / 2h            O(h^2) + O(eps / h)    best h ~ eps^(1/3)
    richardson  (4 D(h/2) - D(h)) / 3, D = central     O(h^4) + O(eps / h)    best h ~ eps^(1/5)
    complex     Im f(v + ih) / h                      O(h^2), no cancellation: any h <= eps^(1/2)

A step is relative for large arguments: coordinate ``k`` moves by ``h * max(1, |v_k|)``, rounded so
that ``v_k + step`` is exactly representable. The complex step is Squire and Trapp's ("Using complex
variables to estimate derivatives of real functions", SIAM Review 40, 1998); the Richardson scheme
is one step of Richardson's extrapolation to the limit ("The deferred approach to the limit",
Phil. Trans. R. Soc. A 226, 1927) applied to the central difference. Only numpy is imported here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:  # pandas is imported only by to_frame
    import pandas as pd

__all__ = [
    "METHODS",
    "ORDER",
    "ROUNDOFF_FACTOR",
    "STEP_RANGE",
    "Evaluations",
    "StepError",
    "StepSweep",
    "check_step",
    "coordinate_steps",
    "default_steps",
    "expected_error",
    "numerical_jacobian",
    "optimal_step",
    "real_dtype",
    "step_sweep",
]

Method = Literal["forward", "backward", "central", "complex", "richardson"]
#: Finite-difference schemes, in the order the plots show them.
METHODS: tuple[str, ...] = ("forward", "backward", "central", "complex", "richardson")
#: The steps the package accepts and the error-vs-step plot shows, inclusive.
STEP_RANGE: tuple[float, float] = (1e-16, 1e-1)

#: Round-off of each scheme, in units of ``eps * |f| / h``: the rounding of ``f``'s values
#: (about ``eps |f|`` each) amplified by the difference's weights over its width.
ROUNDOFF_FACTOR = {
    "forward": 2.0,
    "backward": 2.0,
    "central": 1.0,
    "richardson": 3.0,
    "complex": 0.0,
}
#: The order p of each scheme's truncation error, O(h^p). Against a round-off of O(eps / h), the
#: best step is about eps^(1/(p+1)) and its error eps^(p/(p+1)).
ORDER = {"forward": 1, "backward": 1, "central": 2, "complex": 2, "richardson": 4}


class StepError(ValueError):
    """A real step below the resolution of a coordinate: ``v_k + h == v_k``, the difference 0/0.

    Attributes
    ----------
    h : float
        The step.
    dtype : str
        The dtype the difference is taken in.
    index : int
        The coordinate ``k``.
    value : float
        ``v_k``.
    """

    def __init__(self, h: float, dtype: str, index: int, value: float) -> None:
        self.h, self.dtype, self.index, self.value = h, dtype, index, value
        super().__init__(f"{self.reason}: v + h == v, so the difference is 0/0; use a larger step")

    @property
    def reason(self) -> str:
        """What is wrong, without the advice: ``step h=1.0e-10 is below the resolution of ...``."""
        return (
            f"step h={self.h:.1e} is below the resolution of {self.dtype} at "
            f"v[{self.index}]={self.value:g}"
        )


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"unknown method={method!r}: choose one of {', '.join(METHODS)}")


def real_dtype(dtype: np.dtype) -> np.dtype:
    """The real float dtype finite differences of ``dtype`` are taken in (integers: float64)."""
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
    eps = float(np.finfo(real_dtype(dtype)).eps)
    if method == "complex":
        return eps
    return eps ** (1 / (ORDER[method] + 1))


def expected_error(method: Method, dtype: np.dtype | type = np.float64) -> float:
    """Order of magnitude of a scheme's relative error at its best step (``eps^p``)."""
    _check_method(method)
    eps = float(np.finfo(real_dtype(dtype)).eps)
    return eps if method == "complex" else eps ** (ORDER[method] / (ORDER[method] + 1))


def coordinate_steps(v: NDArray, h: float) -> NDArray:
    """The step each coordinate of ``v`` moves by for step ``h``: ``h * max(1, |v_k|)``."""
    return h * np.maximum(1, np.abs(v.astype(np.float64)))


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
    dtype = real_dtype(v_arr.dtype)
    v_arr = v_arr.astype(dtype)
    if v_arr.ndim != 1:
        raise ValueError(f"v must be 1-D, got shape {v_arr.shape}")
    step = check_step(optimal_step(method, dtype) if h is None else h)
    evaluations = Evaluations(f, v_arr, [step], vectorized)
    if method != "complex":
        evaluations.require_resolved()
    evaluations.evaluate((method,))
    return evaluations.difference(method)[0].T


def check_step(h: float) -> float:
    """``h`` as a float; ValueError unless it is finite and > 0."""
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


def _perturbed(v: NDArray, shifts: Sequence[NDArray | None]) -> NDArray:
    """The points ``v + c[j, k] * e_k`` for each ``c`` of ``shifts``, rows in one array.

    Each ``c`` of shape (s, n) gives ``s * n`` rows, each None the row ``v`` itself. Fills the
    rows with ``v`` and adds the shifts on the diagonals: the same values as ``v`` plus the
    shifts times the identity (``v + 0`` off the diagonal), without the (s, n, n) product.
    """
    n = v.size
    counts = [1 if c is None else c.size for c in shifts]
    dtype = np.result_type(v, *(c for c in shifts if c is not None))
    points = np.empty((sum(counts), n), dtype=dtype)
    points[...] = v
    k = np.arange(n)
    start = 0
    for c, count in zip(shifts, counts, strict=True):
        if c is not None:
            points[start : start + count].reshape(-1, n, n)[:, k, k] += c
        start += count
    return points


class Evaluations:
    """``f`` at the perturbed points of several steps, each point evaluated once.

    The schemes share their points (``f(v + h)`` serves forward, central and Richardson), and
    `evaluate` evaluates every point the schemes need in one call of ``f`` (row by
    row, the same values as one call each).

    Parameters
    ----------
    f, vectorized
        As for `numerical_jacobian`.
    v : ndarray, shape (n,)
        The point, in a real dtype.
    hs : sequence of float
        The steps, each checked by `check_step`.
    """

    def __init__(self, f: Callable, v: NDArray, hs: Sequence[float], vectorized: bool) -> None:
        self.f, self.v, self.vectorized = f, v, vectorized
        self.hs = np.asarray(hs, dtype=np.float64)
        self.complex_steps, self.steps = _steps(v, self.hs)  # (s, n); the real ones representable
        self._values: dict[float, NDArray] = {}

    def require_resolved(self, count: int | None = None) -> None:
        """Raise `StepError` if a real step among the first ``count`` (default: all) is 0."""
        unresolved = self.steps[:count] == 0
        if unresolved.any():
            j, k = (int(i) for i in np.argwhere(unresolved)[0])
            raise StepError(float(self.hs[j]), self.v.dtype.name, k, float(self.v[k]))

    def base(self) -> NDArray:
        """``f(v)``, shape (m,)."""
        return self._at(0)[0, 0]

    def evaluate(self, methods: Sequence[str]) -> None:
        """Evaluate ``f`` at every point of ``methods`` not yet evaluated, in one call."""
        for method in methods:
            _check_method(method)
        self._prefetch([c for method in methods if method != "complex" for c in _OFFSETS[method]])

    def difference(self, method: str) -> NDArray:
        """``method``'s difference quotients at every step: shape (s, n, m).

        Row ``[j, k]`` is the derivative along coordinate k at step j (the transposed Jacobian), a
        new array in the real dtype of ``v``. A real step below the resolution of ``v`` gives NaN
        (0/0) in its estimate, without a warning.
        """
        _check_method(method)
        dtype = self.v.dtype
        if method == "complex":
            return self._complex_step().astype(dtype, copy=False)
        offsets = _OFFSETS[method]
        values = [self._at(c) for c in offsets]
        width = self.steps[:, :, None]
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            estimate = values[0] - values[1]
            estimate /= (offsets[0] - offsets[1]) * width
            if method == "richardson":
                half = values[2] - values[3]
                half /= width
                half *= 4
                half -= estimate
                half /= 3
                estimate = half
        return estimate.astype(dtype, copy=False)

    def _at(self, c: float) -> NDArray:
        """``f(v + c * step_j * e_k)`` for every step j and coordinate k: shape (s, n, m)."""
        self._prefetch([c])
        return self._values[c]

    def _prefetch(self, offsets: Iterable[float]) -> None:
        """Evaluate ``f`` at the points of each new offset (0: ``v`` itself), all in one call."""
        new = list(dict.fromkeys(c for c in offsets if c not in self._values))
        if not new:
            return
        s, n = self.steps.shape
        shifts = [None if c == 0 else c * self.steps for c in new]
        values = _evaluate(self.f, _perturbed(self.v, shifts), self.vectorized)
        start = 0
        for c in new:
            if c == 0:
                self._values[c] = np.broadcast_to(values[start], (s, n, values.shape[1]))
                start += 1
            else:
                self._values[c] = values[start : start + s * n].reshape(s, n, -1)
                start += s * n

    def _complex_step(self) -> NDArray:
        v, steps = self.v, self.complex_steps
        s, n = steps.shape
        points = _perturbed(v.astype(np.result_type(v.dtype, np.complex64)), [1j * steps])
        values = _evaluate(self.f, points, self.vectorized).reshape(s, n, -1)
        return values.imag / steps[:, :, None]


def default_steps(num: int = 61) -> NDArray:
    """``num`` log-spaced steps over `STEP_RANGE`, the range the error-vs-step plot shows."""
    low, high = STEP_RANGE
    return np.logspace(np.log10(low), np.log10(high), num)


@dataclass(frozen=True)
class StepSweep:
    """Maximum absolute error of each scheme against the analytic Jacobian, per step.

    Attributes
    ----------
    steps : ndarray, shape (s,)
        The steps.
    errors : dict of str to ndarray, shape (s,)
        ``max |numeric - analytic|`` per method and step; ``inf`` where the estimate overflowed,
        NaN where the step cannot be taken (see ``resolved``).
    dtype : numpy.dtype
        The dtype the differences were taken in.
    resolved : ndarray of bool, shape (s,)
        Whether each step can be taken by the real schemes: ``v_k + step != v_k`` in the dtype
        for every coordinate (the complex step perturbs the imaginary part and always can).
    """

    steps: NDArray
    errors: dict[str, NDArray]
    dtype: np.dtype
    resolved: NDArray

    def best_step(self, method: Method) -> float:
        """The step with the smallest measured error for ``method``."""
        return float(self.steps[int(np.nanargmin(self.errors[method]))])

    def error_at(self, method: Method, h: float) -> float:
        """``method``'s error at step ``h``, interpolated between the sweep's steps (log-log).

        Steps that cannot be taken are left out; NaN if ``h`` is below all that can.
        """
        errors = self.errors[method]
        taken = ~np.isnan(errors)
        if not taken.any() or h < self.steps[taken][0]:
            return float("nan")
        errors = np.clip(errors[taken], np.finfo(np.float64).tiny, np.finfo(np.float64).max)
        log_error = np.interp(np.log10(h), np.log10(self.steps[taken]), np.log10(errors))
        return float(10**log_error)

    def to_frame(self) -> pd.DataFrame:
        """The sweep as a long-form table: one row per scheme and step.

        Returns
        -------
        pandas.DataFrame
            Columns ``scheme``, ``h``, ``error`` (NaN where the step cannot be taken),
            ``resolved`` and ``dtype``, ready for
            ``seaborn.relplot(data=..., x="h", y="error", hue="scheme", kind="line")``.
        """
        import pandas as pd

        return pd.DataFrame(
            {
                "scheme": np.repeat(list(self.errors), self.steps.size),
                "h": np.tile(self.steps, len(self.errors)),
                "error": np.concatenate(list(self.errors.values())),
                "resolved": np.tile(self.resolved, len(self.errors)),
                "dtype": str(self.dtype),
            }
        )


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
        the left; NaN errors where the real schemes' step is below the dtype's resolution.
    """
    v_arr = np.atleast_1d(np.asarray(v))
    dtype = real_dtype(v_arr.dtype)
    v_arr = v_arr.astype(dtype)
    hs = default_steps() if steps is None else np.asarray(steps, dtype=float)
    for h in hs:
        check_step(h)
    exact = np.asarray(analytic).reshape(-1, v_arr.size)
    evaluations = Evaluations(f, v_arr, hs, vectorized)
    resolved = ~(evaluations.steps == 0).any(axis=1)
    exact_rows = exact.T  # the layout of the difference quotients: (n, m)
    worst = np.empty((len(methods), hs.size))
    evaluations.evaluate(methods)
    for row, method in zip(worst, methods, strict=True):
        diff = evaluations.difference(method).astype(np.float64, copy=False)
        with np.errstate(invalid="ignore", over="ignore"):
            diff -= exact_rows
        np.abs(diff, out=diff)
        diff.max(axis=(1, 2), out=row)
    np.nan_to_num(worst, copy=False, nan=np.inf)  # NaN from an overflowed estimate: inf
    real = np.array([method != "complex" for method in methods])
    worst[np.ix_(real, ~resolved)] = np.nan  # steps the real schemes cannot take
    errors = dict(zip(methods, worst, strict=True))
    return StepSweep(steps=hs, errors=errors, dtype=dtype, resolved=resolved)
