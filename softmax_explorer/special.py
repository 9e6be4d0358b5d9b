"""Softmax, log-softmax and log-sum-exp of plain logits, along any axis, in `scipy.special`'s shape.

Each subtracts the largest logit before exponentiating, so no ``exp`` overflows, and
`log_softmax` and `logsumexp` add ``log1p`` of the other terms' sum to the peak instead of
taking a logarithm of the softmax (the shifted algorithms of Blanchard, Higham and Higham,
"Accurately computing the log-sum-exp and softmax functions", IMA J. Numer. Anal. 41, 2021).

Integers and booleans become float64; float32 stays float32. `softmax` also accepts complex
logits, for the complex-step derivative (Squire and Trapp, "Using complex variables to estimate
derivatives of real functions", SIAM Review 40, 1998): the shift then uses the real part, and
the imaginary part of the result is computed without cancellation. A logit of ``-inf`` has
weight 0; NaN and ``+inf`` are refused. Only numpy is imported here.

The functions whose names end in ``_last`` are the unchecked kernels along the last axis, for
callers that validated their input already (the model, the finite differences of a state).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["log_softmax", "logsumexp", "softmax"]


def as_float_array(name: str, values: ArrayLike) -> NDArray:
    """``values`` as a float or complex array of at least one dimension; integers become float64.

    Raises
    ------
    TypeError
        For text or an array that is not numeric.
    ValueError
        For a scalar.
    """
    if isinstance(values, str | bytes):
        raise TypeError(f"{name} must be numbers, got the text {values!r}")
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of numbers ({err})") from None
    if arr.dtype.kind in "biu":
        arr = arr.astype(np.float64)
    elif arr.dtype.kind not in "fc":
        raise TypeError(f"{name} must be numbers, got an array of dtype {arr.dtype}")
    if arr.ndim == 0:
        raise ValueError(
            f"{name} must be a 1-D array of values (or a stack), got the scalar {arr.item()!r}"
        )
    return arr


def _logits_along_last(z: ArrayLike, axis: int | None) -> tuple[NDArray, int | None]:
    """Validate ``z``; return it with ``axis`` moved last (flattened for ``axis=None``)."""
    arr = as_float_array("z", z)
    # numpy's AxisError (a ValueError) names a bad axis
    arr = arr.reshape(-1) if axis is None else np.moveaxis(arr, axis, -1)
    if arr.shape[-1] == 0:
        raise ValueError("z is empty along the axis: softmax needs at least one value")
    parts = (arr.real, arr.imag) if np.iscomplexobj(arr) else (arr,)
    for part in parts:
        bad = np.isnan(part) | (part == np.inf)
        if bad.any():
            index = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(f"z has {part[index]} at {index}: logits must be finite or -inf")
    if (arr.real == -np.inf).all(axis=-1).any():
        raise ValueError("z is -inf everywhere along the axis: at least one logit must be finite")
    return arr, axis


def _restored(result: NDArray, shape: tuple[int, ...], axis: int | None) -> NDArray:
    return result.reshape(shape) if axis is None else np.moveaxis(result, -1, axis)


def softmax(z: ArrayLike, axis: int | None = -1) -> NDArray:
    """Softmax ``exp(z_i) / sum_j exp(z_j)`` along ``axis``.

    Parameters
    ----------
    z : array_like
        Logits, of any shape (at least one dimension); real or complex.
    axis : int or None, optional
        The axis to normalise along (default the last); None normalises over all values.

    Returns
    -------
    ndarray
        Same shape and dtype as ``z`` (integers become float64); non-negative, summing to 1
        along ``axis``.

    Examples
    --------
    >>> softmax([1000.0, 0, 0, 0])
    array([1., 0., 0., 0.])
    """
    shape = np.shape(z)
    arr, axis = _logits_along_last(z, axis)
    return _restored(softmax_last(arr), shape, axis)


def log_softmax(z: ArrayLike, axis: int | None = -1) -> NDArray:
    """Logarithm of the softmax along ``axis``, computed without ``log(softmax)``.

    Parameters
    ----------
    z : array_like
        Real logits, of any shape (at least one dimension).
    axis : int or None, optional
        As for `softmax`.

    Returns
    -------
    ndarray
        ``z - logsumexp(z)``, same shape and dtype as ``z``; finite wherever the exact value is
        representable.
    """
    shape = np.shape(z)
    arr, axis = _logits_along_last(z, axis)
    _refuse_complex(arr, "log_softmax")
    return _restored(log_softmax_last(arr), shape, axis)


def logsumexp(z: ArrayLike, axis: int | None = -1, *, keepdims: bool = False) -> NDArray:
    """``log(sum(exp(z)))`` along ``axis``, as ``max(z) + log1p(sum of the others' exp)``.

    Parameters
    ----------
    z : array_like
        Real logits, of any shape (at least one dimension).
    axis : int or None, optional
        As for `softmax`.
    keepdims : bool, optional
        Keep the reduced axis with length 1.

    Returns
    -------
    ndarray
        ``z``'s shape without ``axis`` (or with it of length 1), in ``z``'s dtype; a 0-d array
        for ``axis=None``.
    """
    shape = np.shape(z)
    arr, moved = _logits_along_last(z, axis)
    _refuse_complex(arr, "logsumexp")
    peak, _, rest = _shift_and_rest(arr)
    out = peak + np.log1p(rest)  # shape (..., 1)
    if axis is None:
        return out.reshape((1,) * len(shape)) if keepdims else out.reshape(())
    out = np.moveaxis(out, -1, moved)
    return out if keepdims else np.squeeze(out, axis=moved)


def _refuse_complex(arr: NDArray, name: str) -> None:
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} takes real logits, got {arr.dtype}")


def shifted_last(z: NDArray) -> NDArray:
    """``z - max(z)`` along the last axis (a new array); -inf where that overflows.

    For complex input the whole complex value of the largest-real-part logit is subtracted (the
    softmax is invariant to any common shift): the imaginary parts become differences, which
    keeps the complex-step derivative free of cancellation between classes of equal logits.
    The peak is found by ``argmax`` of the real parts, which gives that whole complex value.
    """
    peak = np.take_along_axis(z, np.argmax(z.real, axis=-1)[..., None], axis=-1)
    with np.errstate(over="ignore", invalid="ignore"):
        return z - peak


def sum_of_others(a: NDArray, total: NDArray) -> NDArray:
    """``sum_{j != i} a_j`` along the last axis, without cancellation for values of one sign.

    ``total`` is ``np.sum(a, axis=-1, keepdims=True)``, which every caller has already.
    ``total - a_i`` is as accurate as ``total`` when ``|a_i|`` is at most half of it: so for all
    entries but the largest, which can be most of the total (``1 - g_i`` with ``g_i`` close to
    1). For that one the others are summed directly.
    """
    out = total - a
    largest = np.argmax(np.abs(a), axis=-1)[..., None]
    rest = a.copy()
    np.put_along_axis(rest, largest, 0, axis=-1)
    np.put_along_axis(out, largest, np.sum(rest, axis=-1, keepdims=True), axis=-1)
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
    shifted = shifted_last(z)
    angle = shifted.imag
    turned = angle != 0
    cos, sin = np.ones_like(angle), angle.copy()
    np.cos(angle, out=cos, where=turned)
    np.sin(angle, out=sin, where=turned)
    magnitude = np.exp(shifted.real)
    re, im = magnitude * cos, magnitude * sin
    s_re = np.sum(re, axis=-1, keepdims=True)
    s_im = np.sum(im, axis=-1, keepdims=True)
    norm = s_re * s_re + s_im * s_im
    g = np.empty_like(shifted)
    g.real = (re * s_re + im * s_im) / norm
    g.imag = (im * sum_of_others(re, s_re) - re * sum_of_others(im, s_im)) / norm
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
    with np.errstate(over="ignore"):
        s = z - peak
    e = np.exp(s)
    np.put_along_axis(e, k, 0, axis=-1)
    return peak, s, np.sum(e, axis=-1, keepdims=True)


def log_softmax_last(z: NDArray) -> NDArray:
    """``(z - peak) - log1p(sum of the others)`` along the last axis of validated real logits."""
    _, s, rest = _shift_and_rest(z)
    return s - np.log1p(rest)
