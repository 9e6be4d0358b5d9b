"""Sparse mappings beside softmax: sparsemax and 1.5-entmax, which give exact zeros.

Both project the logits onto the probability simplex and have a threshold ``tau`` below which
a class gets probability exactly 0 (its *support* is the rest):

- sparsemax (Martins and Astudillo, "From softmax to sparsemax", ICML 2016):
  ``p_i = max(z_i - tau, 0)``; Jacobian ``diag(s) - s s^T / |S|``, ``s`` the support's indicator;
- 1.5-entmax (Peters, Niculae and Martins, "Sparse sequence-to-sequence models", ACL 2019), in
  the ``entmax`` package's scaling: ``p_i = max(z_i / 2 - tau, 0)^2``; Jacobian
  ``diag(w) - w w^T / sum(w)`` with ``w = sqrt(p)``.

Each ``tau`` is found exactly by sorting (the algorithms of those papers); the logits are first
shifted by their largest and clipped at -2 below it, which changes nothing (a class that far
below the largest is outside the support of both) and keeps every sum small and finite, so huge
logits lose nothing. Where a class enters or leaves the support sparsemax is not differentiable
(its slopes jump: the Jacobian above is the one-sided one of the support as found); 1.5-entmax
is, as its class's probability leaves with a slope of 0, but its curvature jumps there.

The kernels (``*_last``) take rows of checked logits along the last axis, real or complex: for
complex input (the complex step) the support is found from the real parts and the values are
worked out in complex arithmetic, which is analytic within a support. Only numpy is imported.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .checks import Axis, rows_checked

__all__ = [
    "MAPPINGS",
    "entmax15",
    "entmax15_jacobian_last",
    "entmax15_last",
    "entmax15_tau_last",
    "sparsemax",
    "sparsemax_jacobian_last",
    "sparsemax_last",
    "sparsemax_tau_last",
]

#: The mappings from logits to probabilities the library knows.
MAPPINGS = ("softmax", "sparsemax", "entmax15")
#: How far below the largest logit a class is clipped: beyond -1 it is outside either support.
_CLIP = -2.0


def _shifted(z: NDArray, scale: float = 1.0) -> NDArray:
    """``z * scale`` minus its row's largest, clipped at `_CLIP` (real parts for complex input).

    The clip moves only classes outside the support, whose values do not enter ``tau``.
    """
    real = z.real
    peak = np.take_along_axis(z, np.argmax(real, axis=-1)[..., None], axis=-1)
    with np.errstate(over="ignore", invalid="ignore"):  # -inf logits: -inf, clipped below
        shifted = (z - peak) * scale
    with np.errstate(invalid="ignore"):
        low = ~np.isfinite(shifted.real) | (shifted.real < _CLIP)  # -inf or overflowed below
    return np.where(low, shifted.real.dtype.type(_CLIP), shifted)


def _support(sorted_desc: NDArray, test) -> NDArray:
    """How many of the sorted values pass ``test(k, cumulative values)``: the support's size."""
    k = np.arange(1, sorted_desc.shape[-1] + 1, dtype=sorted_desc.dtype)
    return np.sum(test(k, sorted_desc), axis=-1, keepdims=True)


def sparsemax_tau_last(z: NDArray) -> tuple[NDArray, NDArray]:
    """Shifted logits and sparsemax's ``tau`` for each row (shape (..., 1))."""
    s = _shifted(z)
    ordered = -np.sort(-s.real, axis=-1)
    size = _support(ordered, lambda k, v: 1 + k * v > np.cumsum(v, axis=-1))
    inside = s.real >= np.take_along_axis(ordered, size.astype(int) - 1, axis=-1)
    total = np.sum(np.where(inside, s, 0), axis=-1, keepdims=True)
    return s, (total - 1) / np.sum(inside, axis=-1, keepdims=True)


def sparsemax_last(z: NDArray) -> NDArray:
    """Sparsemax along the last axis of checked logits."""
    s, tau = sparsemax_tau_last(z)
    return np.where(s.real > tau.real, s - tau, 0).astype(s.dtype, copy=False)


def entmax15_tau_last(z: NDArray) -> tuple[NDArray, NDArray]:
    """Halved shifted logits and 1.5-entmax's ``tau`` for each row (shape (..., 1)).

    The support's size comes from the sorted running means and variances (Peters et al.,
    algorithm 2); ``tau`` is then worked out again over that support with its deviations summed
    directly, ``tau = mean - sqrt((1 - sum (s_i - mean)^2) / |S|)``, which keeps its digits.
    """
    s = _shifted(z, 0.5)
    ordered = -np.sort(-s.real, axis=-1)
    k = np.arange(1, ordered.shape[-1] + 1, dtype=ordered.dtype)
    mean = np.cumsum(ordered, axis=-1) / k
    spread = k * (np.cumsum(ordered * ordered, axis=-1) / k - mean * mean)
    candidates = mean - np.sqrt(np.maximum((1 - spread) / k, 0))
    size = np.sum(candidates <= ordered, axis=-1, keepdims=True)
    inside = s.real >= np.take_along_axis(ordered, size - 1, axis=-1)
    count = np.sum(inside, axis=-1, keepdims=True)
    centre = np.sum(np.where(inside, s, 0), axis=-1, keepdims=True) / count
    deviations = np.sum(np.where(inside, (s - centre) ** 2, 0), axis=-1, keepdims=True)
    room = (1 - deviations) / count
    if not np.iscomplexobj(room):  # rounding may leave a hair below 0 for a support of one
        room = np.maximum(room, 0)
    return s, centre - np.sqrt(room)


def entmax15_last(z: NDArray) -> NDArray:
    """1.5-entmax along the last axis of checked logits."""
    s, tau = entmax15_tau_last(z)
    return np.where(s.real > tau.real, (s - tau) ** 2, 0).astype(s.dtype, copy=False)


def sparsemax_jacobian_last(p: NDArray) -> NDArray:
    """``dp/dz = diag(s) - s s^T / |S|`` of one row's sparsemax ``p`` (shape (n, n))."""
    s = (p > 0).astype(p.dtype)
    return np.diag(s) - np.outer(s, s) / np.sum(s)


def entmax15_jacobian_last(p: NDArray) -> NDArray:
    """``dp/dz = diag(w) - w w^T / sum(w)``, ``w = sqrt(p)``, of one row's 1.5-entmax ``p``."""
    w = np.sqrt(p)
    return np.diag(w) - np.outer(w, w) / np.sum(w)


def sparsemax(z: ArrayLike, axis: Axis = -1) -> NDArray:
    """Sparsemax: the Euclidean projection of the logits onto the probability simplex.

    Parameters
    ----------
    z : array_like
        Real logits of any shape; a scalar is one logit.
    axis : int, tuple of int or None, optional
        As for `softmax_explorer.special.softmax` (default the last).

    Returns
    -------
    ndarray
        ``max(z - tau, 0)``, summing to 1 along ``axis``, with exact zeros for the classes at or
        below ``tau``; same shape and dtype as ``z`` (integers become float64).

    Raises
    ------
    TypeError, ValueError
        As `softmax_explorer.special.log_softmax` (NaN and +inf refused).

    Examples
    --------
    >>> sparsemax([1.0, 0.5, -1.0])
    array([0.75, 0.25, 0.  ])
    """
    rows = rows_checked(z, axis, "sparsemax")
    return rows.back(sparsemax_last(rows.z))


def entmax15(z: ArrayLike, axis: Axis = -1) -> NDArray:
    """1.5-entmax: between softmax (dense) and sparsemax, with exact zeros.

    Parameters
    ----------
    z : array_like
        Real logits of any shape; a scalar is one logit.
    axis : int, tuple of int or None, optional
        As for `softmax_explorer.special.softmax` (default the last).

    Returns
    -------
    ndarray
        ``max(z / 2 - tau, 0)^2`` (the ``entmax`` package's ``entmax15``), summing to 1 along
        ``axis``; same shape and dtype as ``z`` (integers become float64).

    Raises
    ------
    TypeError, ValueError
        As `sparsemax`.

    Examples
    --------
    >>> entmax15([1.0, 1.0]).tolist()
    [0.5, 0.5]
    """
    rows = rows_checked(z, axis, "entmax15")
    return rows.back(entmax15_last(rows.z))
