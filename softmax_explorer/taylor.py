"""The Taylor remainder test: a second opinion on a Jacobian that needs no step.

Along a direction ``d``, ``f(v + e d) = f(v) + e J d + O(e^2)`` when ``J`` is the Jacobian of
``f`` at ``v``. So the remainder ``|f(v + e d) - f(v) - e J d|`` shrinks like ``e^2`` as ``e``
halves when ``J`` is right, and like ``e`` when it is wrong: the slope of the remainders on
log-log axes is about 2 or about 1, whatever the scale of ``f`` (the test of Farrell et al.'s
dolfin-adjoint, ``taylor_test``). Where ``f`` is linear along ``d`` (sparsemax within its
support), a right ``J`` leaves only round-off, and the test cannot tell a slope. Only numpy is
imported here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["TaylorResult", "taylor_test"]

#: How many halvings of ``e`` the test takes.
HALVINGS = 16
#: The most points, from the smallest ``e`` up, that the slope is fitted to.
FITTED = 6


@dataclass(frozen=True)
class TaylorResult:
    """The remainders of a Taylor test and the slope they shrink with.

    Attributes
    ----------
    epsilons : ndarray
        The steps ``e``, each half the one before.
    remainders : ndarray
        ``max_i |f(v + e d) - f(v) - e J d|_i`` at each.
    floor : ndarray
        The round-off of each remainder: below it, a remainder says nothing.
    used : ndarray of bool
        The remainders the slope is fitted to (above the floor, the smallest ``e`` first).
    slope : float
        The fitted slope of ``log remainder`` against ``log e``: about 2 when ``J`` is right,
        about 1 when it is wrong; NaN with fewer than three remainders above the floor.
    """

    epsilons: NDArray
    remainders: NDArray
    floor: NDArray
    used: NDArray
    slope: float

    @property
    def conclusive(self) -> bool:
        """Whether the slope is clearly about 2 (right) or clearly about 1 (wrong)."""
        return bool(np.isfinite(self.slope)) and (
            abs(self.slope - 2) < 0.3 or abs(self.slope - 1) < 0.3
        )

    @property
    def passed(self) -> bool:
        """Whether the remainders shrink like ``e^2``: the Jacobian is right along ``d``."""
        return self.conclusive and abs(self.slope - 2) < 0.3

    def __str__(self) -> str:
        if not np.isfinite(self.slope):
            return "Taylor test: remainders at round-off (f linear along the direction?)"
        verdict = "right" if self.passed else "wrong" if self.conclusive else "unclear"
        return f"Taylor test: remainders shrink like e^{self.slope:.2f} ({verdict})"


def taylor_test(
    f: Callable[[NDArray], ArrayLike],
    jacobian: ArrayLike | Callable[[NDArray], ArrayLike],
    v: ArrayLike,
    direction: ArrayLike | None = None,
    *,
    scale: float | None = None,
    vectorized: bool = False,
) -> TaylorResult:
    """Fit how fast the first-order Taylor remainder of ``f`` at ``v`` shrinks along ``d``.

    Parameters
    ----------
    f : callable
        Maps an array of shape (n,) to an array-like of shape (m,) (or a scalar).
    jacobian : array_like or callable
        ``J[i, k] = df_i / dv_k`` to test, shape (m, n); or a function of ``v`` returning it.
    v : array_like, shape (n,)
        The point.
    direction : array_like, shape (n,), optional
        ``d``; default a random unit vector (seeded: the same for the same ``n``).
    scale : float, optional
        The first ``e``; default ``0.1 * max(1, |v|)``.
    vectorized : bool, optional
        Whether ``f`` maps a stack of points, shape (k, n), to their values, shape (k, m): then
        it is called once for every ``e`` together.

    Returns
    -------
    TaylorResult
        The remainders and their slope (``.slope``: about 2 right, about 1 wrong).

    Examples
    --------
    >>> import numpy as np
    >>> f = lambda v: np.array([np.sin(v[0]) * v[1]])
    >>> round(taylor_test(f, [[np.cos(0.5) * 2.0, np.sin(0.5)]], [0.5, 2.0]).slope)
    2
    >>> round(taylor_test(f, [[1.0, np.sin(0.5)]], [0.5, 2.0]).slope)
    1
    """
    v_arr = np.atleast_1d(np.asarray(v, dtype=np.result_type(np.asarray(v), np.float64)))
    if v_arr.ndim != 1:
        raise ValueError(f"v must be 1-D, got shape {v_arr.shape}")
    jac = np.asarray(jacobian(v_arr) if callable(jacobian) else jacobian, dtype=np.float64)
    jac = jac.reshape(-1, v_arr.size)
    if direction is None:
        d = np.random.default_rng(v_arr.size).normal(size=v_arr.size)
    else:
        d = np.asarray(direction, dtype=np.float64).reshape(-1)
        if d.shape != v_arr.shape or not np.all(np.isfinite(d)) or not d.any():
            raise ValueError(f"direction must be a non-zero vector of {v_arr.size} finite values")
    d = d / np.max(np.abs(d))
    first = 0.1 * max(1.0, float(np.max(np.abs(v_arr)))) if scale is None else float(scale)
    epsilons = first * 0.5 ** np.arange(HALVINGS)
    points = v_arr + np.concatenate([[0.0], epsilons])[:, None] * d  # v first, then v + e d
    if vectorized:
        values = np.asarray(f(points), dtype=np.float64).reshape(len(points), -1)
    else:
        values = np.stack([np.asarray(f(p), dtype=np.float64).reshape(-1) for p in points])
    base, moved = values[0], values[1:]
    slope_d = jac @ d
    remainders = np.max(np.abs(moved - base - epsilons[:, None] * slope_d), axis=1)
    # the rounding of f's values, and of e J d, around the remainder
    size = np.max(np.abs(base)) + np.max(np.abs(moved), axis=1) + epsilons * np.max(np.abs(slope_d))
    floor = 100 * float(np.finfo(v_arr.dtype).eps) * size
    above = remainders > floor
    used = np.zeros_like(above)
    # the smallest e first: consecutive remainders above the floor, at most FITTED of them
    for k in np.flatnonzero(above)[::-1]:
        if used.sum() >= FITTED or (used.any() and not used[k + 1]):
            break
        used[k] = True
    slope = float("nan")
    if used.sum() >= 3:
        slope = float(np.polyfit(np.log(epsilons[used]), np.log(remainders[used]), 1)[0])
    return TaylorResult(epsilons, remainders, floor, used, slope)
