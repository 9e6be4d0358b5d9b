"""Unchecked kernels along the last axis: for callers that validated their logits already.

Each shifts by the row's largest logit before exponentiating, so no ``exp`` overflows, and the
log-sum-exp adds ``log1p`` of the other terms' sum to the peak instead of taking a logarithm of
a sum (the shifted algorithms of Blanchard, Higham and Higham, "Accurately computing the
log-sum-exp and softmax functions", IMA J. Numer. Anal. 41, 2021). The complex softmax serves
the complex-step derivative (Squire and Trapp, "Using complex variables to estimate derivatives
of real functions", SIAM Review 40, 1998). Rows hold finite logits or -inf, at least one finite
(`logsumexp_last` and `entropy_last` also take rows of -inf). Only numpy is imported here.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "entropy_last",
    "log_softmax_last",
    "logsumexp_last",
    "shifted_last",
    "softmax_and_complement_last",
    "softmax_last",
    "sum_of_others",
]


def shifted_last(z: NDArray) -> NDArray:
    """``z - max(z)`` along the last axis (a new array); -inf where that overflows.

    For complex input the whole complex value of the largest-real-part logit is subtracted (the
    softmax is invariant to any common shift): the imaginary parts become differences, which
    keeps the complex-step derivative free of cancellation between classes of equal logits.
    The peak is found by ``argmax`` of the real parts, which gives that whole complex value.
    """
    peak = _peak(z)
    with np.errstate(over="ignore", invalid="ignore"):
        return z - peak


def _peak(z: NDArray) -> NDArray:
    """The logit of the largest real part along the last axis, whole (complex for complex z)."""
    return np.take_along_axis(z, np.argmax(z.real, axis=-1)[..., None], axis=-1)


def sum_of_others(a: NDArray, total: NDArray) -> NDArray:
    """``sum_{j != i} a_j`` along the last axis, without cancellation for values of one sign.

    ``total`` is ``np.sum(a, axis=-1, keepdims=True)``, which every caller has already.
    ``total - a_i`` is as accurate as ``total`` when ``|a_i|`` is at most half of it: so for all
    entries but the largest, which can be most of the total (``1 - g_i`` with ``g_i`` close to
    1). For that one the others are summed directly.
    """
    out = np.subtract(total, a, order="C")
    n = a.shape[-1]
    rest = a.reshape(-1, n).copy()  # rows, C-contiguous: flat indices address each row's entry
    largest = np.argmax(np.abs(rest), axis=-1)
    largest += np.arange(0, rest.size, n)
    rest.reshape(-1)[largest] = 0
    out.reshape(-1)[largest] = np.sum(rest, axis=-1)
    return out


def softmax_last(z: NDArray) -> NDArray:
    """Softmax along the last axis of validated logits, real or complex."""
    if not np.iscomplexobj(z):
        e = shifted_last(z)  # a new array: exponentiated and normalised in place
        np.exp(e, out=e)
        e /= np.sum(e, axis=-1, keepdims=True)
        return e
    # Complex input serves the complex-step derivative, which reads Im g. Written out, Im(e_i / S)
    # is (Im e_i * sum_{j!=i} Re e_j - Re e_i * sum_{j!=i} Im e_j) / |S|^2; computing it that way
    # avoids the cancellation hidden in the complex division. exp(a + ib) is taken apart as
    # exp(a) (cos b + i sin b), as numpy's complex exp does, in real arithmetic. The complex step
    # perturbs one logit per row, so most imaginary parts are 0: cos and sin are taken only
    # where they are not (cos 0 = 1, sin(+-0) = +-0).
    # z - peak as in `shifted_last`, its real and imaginary parts written into one real array
    peak = _peak(z)
    parts = np.empty((2, *z.shape), dtype=z.real.dtype)  # Re and Im of e = exp(z - peak)
    with np.errstate(over="ignore", invalid="ignore"):
        np.subtract(z.real, peak.real, out=parts[0])
        np.subtract(z.imag, peak.imag, out=parts[1])
    angle, turned = parts[1], parts[1] != 0
    cos = np.ones_like(angle)
    np.cos(angle, out=cos, where=turned)
    np.sin(angle, out=angle, where=turned)
    np.exp(parts[0], out=parts[0])
    parts[1] *= parts[0]
    parts[0] *= cos
    re, im = parts
    totals = np.sum(parts, axis=-1, keepdims=True)
    s_re, s_im = totals
    others = sum_of_others(parts, totals)
    norm = s_re * s_re + s_im * s_im
    g = np.empty_like(z)
    g.real = (re * s_re + im * s_im) / norm
    g.imag = (im * others[0] - re * others[1]) / norm
    return g


def softmax_and_complement_last(z: NDArray) -> tuple[NDArray, NDArray]:
    """``g = softmax(z)`` and ``1 - g``, the latter as the sum of the other classes' weights."""
    e = np.exp(shifted_last(z))
    total = np.sum(e, axis=-1, keepdims=True)
    return e / total, sum_of_others(e, total) / total


def _shift_and_rest(z: NDArray) -> tuple[NDArray, NDArray, NDArray]:
    """The peak logit, ``z - peak`` and ``sum_{j != peak} exp(z_j - peak)``, along the last axis."""
    k = np.argmax(z, axis=-1)[..., None]
    peak = np.take_along_axis(z, k, axis=-1)
    with np.errstate(over="ignore", invalid="ignore"):  # invalid: a row of -inf (-inf - -inf)
        s = z - peak
    e = np.exp(s)
    np.put_along_axis(e, k, 0, axis=-1)
    return peak, s, np.sum(e, axis=-1, keepdims=True)


def log_softmax_last(z: NDArray) -> NDArray:
    """``(z - peak) - log1p(sum of the others)`` along the last axis of validated real logits."""
    _, s, rest = _shift_and_rest(z)
    return s - np.log1p(rest)


def logsumexp_last(z: NDArray) -> NDArray:
    """``log(sum(exp(z)))`` along the last axis, shape (..., 1); -inf for a row of -inf or none."""
    if z.shape[-1] == 0:
        return np.full((*z.shape[:-1], 1), -np.inf, dtype=z.dtype)
    peak, _, rest = _shift_and_rest(z)
    with np.errstate(invalid="ignore"):  # a row of -inf: its rest is NaN, its sum -inf
        return np.where(peak == -np.inf, peak, peak + np.log1p(rest))


def entropy_last(z: NDArray) -> NDArray:
    """The softmax's entropy in nats along the last axis, shape (..., 1).

    ``H = logsumexp(z) - sum_j g_j z_j``, written on the shifted logits ``s = z - max(z)``:
    ``H = log1p(rest) - sum_j g_j s_j``, with ``g_j s_j = 0`` where ``g_j = 0`` (so a logit of
    -inf adds nothing, and huge logits lose nothing to cancellation).
    """
    _, s, rest = _shift_and_rest(z)
    g = np.exp(s) / (1 + rest)
    weighted = np.where(g > 0, g * np.where(g > 0, s, 0), 0)
    return np.log1p(rest) - np.sum(weighted, axis=-1, keepdims=True)
