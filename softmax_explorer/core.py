"""Softmax of an elementwise product, its closed-form derivatives and the cross-entropy.

The model (see DESIGN.md)::

    u_k = x_k * theta_k,   z_k = u_k / T,   g_i = exp(z_i) / sum_j exp(z_j)

Every function takes array-likes ``x`` and ``theta`` of equal length ``n >= 1``. ``softmax`` and
``log_softmax`` also accept stacks of shape ``(..., n)`` that broadcast against each other, so a
batch of perturbed inputs is evaluated in one call. Integers are promoted to float64; float32 stays
float32; complex input is accepted (for the complex-step derivative) and the max-shift then uses the
real part. Only numpy is imported here.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "WRT_VARIABLES",
    "cross_entropy",
    "cross_entropy_grad",
    "jacobian",
    "log_softmax",
    "logits",
    "softmax",
]

Wrt = Literal["theta", "x", "z", "temperature"]
#: Variables ``jacobian`` differentiates with respect to.
WRT_VARIABLES: tuple[str, ...] = ("theta", "x", "z", "temperature")


def _as_float_array(name: str, values: ArrayLike, *, finite: bool = True) -> NDArray:
    """Return ``values`` as a float or complex array, promoting integers and booleans to float64.

    With ``finite``, refuse NaN and inf.
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
        raise ValueError(f"{name} must be a 1-D array of values, got the scalar {arr.item()!r}")
    if arr.shape[-1] == 0:
        raise ValueError(f"{name} is empty: softmax needs at least one value")
    if finite:
        _check_finite(name, arr)
    return arr


def _check_finite(name: str, arr: NDArray) -> None:
    bad = ~np.isfinite(arr)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        where = index[0] if len(index) == 1 else index
        raise ValueError(f"{name}[{where}] is {arr[index]}: every value must be finite")


def _check_temperature(temperature: object) -> float:
    if isinstance(temperature, bool) or not isinstance(temperature, Real | np.floating):
        raise TypeError(f"temperature must be a real number, got {temperature!r}")
    t = float(temperature)
    if not np.isfinite(t) or t <= 0:
        raise ValueError(f"temperature must be finite and > 0, got {t}")
    return t


def _validated(
    x: ArrayLike, theta: ArrayLike, temperature: object
) -> tuple[NDArray, NDArray, NDArray, float]:
    """Validate the inputs; return ``(z, x, theta, T)`` with ``x`` and ``theta`` as arrays."""
    x_arr = _as_float_array("x", x, finite=False)
    theta_arr = _as_float_array("theta", theta, finite=False)
    if x_arr.shape[-1] != theta_arr.shape[-1]:
        raise ValueError(
            f"x has {x_arr.shape[-1]} values, theta has {theta_arr.shape[-1]}: "
            "they must have the same length"
        )
    t = _check_temperature(temperature)
    dtype = np.result_type(x_arr, theta_arr)
    with np.errstate(over="ignore", invalid="ignore"):
        z = np.multiply(x_arr, theta_arr, dtype=dtype)
        if t != 1.0:
            z = z / dtype.type(t)
    bad = ~np.isfinite(z)
    overflow = bad.any()
    if overflow or z.size == 0:  # a finite product has finite factors (if it has any)
        _check_finite("x", x_arr)
        _check_finite("theta", theta_arr)
    if overflow:
        k = int(np.argwhere(bad)[0][-1])
        raise ValueError(
            f"x*theta/temperature overflows {dtype.name} at index {k} "
            f"(x={x_arr[..., k].flat[0]!r}, theta={theta_arr[..., k].flat[0]!r}, temperature={t})"
        )
    return z, x_arr.astype(dtype, copy=False), theta_arr.astype(dtype, copy=False), t


def logits(x: ArrayLike, theta: ArrayLike, temperature: float = 1.0) -> NDArray:
    """Validate the inputs and return the logits ``z = x * theta / temperature``.

    Parameters
    ----------
    x, theta : array_like, shape (..., n)
        Inputs and coefficients; the last axes must have the same length ``n >= 1``.
    temperature : float, optional
        ``T > 0``.

    Returns
    -------
    ndarray, shape (..., n)
        The logits, in the common dtype of ``x`` and ``theta`` (integers become float64).

    Raises
    ------
    TypeError
        If an input is not numeric.
    ValueError
        On empty input, different lengths, NaN or inf, a non-positive temperature, or when
        ``x * theta / T`` overflows.
    """
    return _validated(x, theta, temperature)[0]


def _shifted(z: NDArray) -> NDArray:
    """``z - max(z)`` along the last axis; -inf where that overflows.

    For complex input the whole complex value of the largest-real-part logit is subtracted (the
    softmax is invariant to any common shift): the imaginary parts become differences, which
    keeps the complex-step derivative free of cancellation between classes of equal logits.
    The peak is found by ``argmax`` (a quarter of the cost of ``max`` on short rows).
    """
    peak = np.take_along_axis(z, np.argmax(z.real, axis=-1)[..., None], axis=-1)
    with np.errstate(over="ignore"):
        return z - peak


def _others(a: NDArray, total: NDArray) -> NDArray:
    """``sum_{j != i} a_j`` along the last axis, without cancellation for values of one sign.

    ``total`` is ``np.sum(a, axis=-1, keepdims=True)``, which every caller has already. ``total -
    a_i`` is as accurate as ``total`` when ``|a_i|`` is at most half of it: so for all entries
    but the largest, which can be most of the total (``1 - g_i`` with ``g_i`` close to 1). For
    that one the others are summed directly.
    """
    out = total - a
    largest = np.argmax(np.abs(a), axis=-1)[..., None]
    rest = a.copy()
    np.put_along_axis(rest, largest, 0, axis=-1)
    np.put_along_axis(out, largest, np.sum(rest, axis=-1, keepdims=True), axis=-1)
    return out


def _softmax_of_logits(z: NDArray) -> NDArray:
    if not np.iscomplexobj(z):
        e = _shifted(z)  # a new array: exponentiated and normalised in place
        np.exp(e, out=e)
        e /= np.sum(e, axis=-1, keepdims=True)
        return e
    # Complex input serves the complex-step derivative, which reads Im g. Written out, Im(e_i / S)
    # is (Im e_i * sum_{j!=i} Re e_j - Re e_i * sum_{j!=i} Im e_j) / |S|^2; computing it that way
    # avoids the cancellation hidden in the complex division. exp(a + ib) is taken apart as
    # exp(a) (cos b + i sin b), as numpy's complex exp does, in real arithmetic (cheaper).
    # The complex step perturbs one logit per row, so most imaginary parts are 0: cos and sin
    # (the costliest part) are taken only where they are not (cos 0 = 1, sin(+-0) = +-0).
    shifted = _shifted(z)
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
    g.imag = (im * _others(re, s_re) - re * _others(im, s_im)) / norm
    return g


def _softmax_and_complement(z: NDArray) -> tuple[NDArray, NDArray]:
    """Return ``g = softmax(z)`` and ``1 - g`` (as the sum of the other classes' weights)."""
    e = np.exp(_shifted(z))
    total = np.sum(e, axis=-1, keepdims=True)
    return e / total, _others(e, total) / total


def softmax(
    x: ArrayLike, theta: ArrayLike, temperature: float = 1.0, *, stable: bool = True
) -> NDArray:
    """Softmax of ``x * theta / temperature``.

    Parameters
    ----------
    x, theta : array_like, shape (..., n)
        Inputs and coefficients.
    temperature : float, optional
        ``T > 0``; small values sharpen towards the argmax, large ones flatten towards uniform.
    stable : bool, optional
        Subtract the maximum logit before exponentiating (default). ``False`` computes the
        textbook ``exp(z) / sum(exp(z))``, which overflows to NaN once a logit passes about 709
        (float64) or 88 (float32); it exists to demonstrate that failure and warns nothing.

    Returns
    -------
    ndarray, shape (..., n)
        ``g``, non-negative and summing to 1 along the last axis.

    Examples
    --------
    >>> softmax([1000.0, 0, 0, 0], [1, 1, 1, 1])
    array([1., 0., 0., 0.])
    """
    z = logits(x, theta, temperature)
    if stable:
        return _softmax_of_logits(z)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z)
        return e / np.sum(e, axis=-1, keepdims=True)


def log_softmax(x: ArrayLike, theta: ArrayLike, temperature: float = 1.0) -> NDArray:
    """Logarithm of the softmax, ``z - logsumexp(z)``, computed without ``log(softmax)``.

    Parameters
    ----------
    x, theta : array_like, shape (..., n)
        Inputs and coefficients.
    temperature : float, optional
        ``T > 0``.

    Returns
    -------
    ndarray, shape (..., n)
        ``log g``; finite wherever the exact value is representable, ``-inf`` only when it is
        below the most negative float.
    """
    return _log_softmax_of_logits(logits(x, theta, temperature))


def _log_softmax_of_logits(z: NDArray) -> NDArray:
    """``s - log(sum(exp(s)))`` with ``s = z - max(z)``; the sum is ``1 + others``, so ``log1p``."""
    s = _shifted(z)
    e = np.exp(s)
    peak = np.argmax(s.real, axis=-1)[..., None]
    np.put_along_axis(e, peak, 0, axis=-1)
    return s - np.log1p(np.sum(e, axis=-1, keepdims=True))


def _validated_vectors(
    x: ArrayLike, theta: ArrayLike, temperature: object
) -> tuple[NDArray, NDArray, NDArray, float]:
    z, x_arr, theta_arr, t = _validated(x, theta, temperature)
    if z.ndim != 1:
        raise ValueError(f"x and theta must be 1-D here, got shape {z.shape}")
    return z, x_arr, theta_arr, t


def _scaled(values: NDArray, factor: NDArray | None, temperature: float) -> NDArray:
    """``values * factor / temperature`` (factor per column): multiply first, so 0 * huge is 0."""
    with np.errstate(over="ignore"):
        if factor is not None:
            values = values * factor
        if temperature != 1.0:
            values = values / values.real.dtype.type(temperature)
    return values


def jacobian(
    x: ArrayLike, theta: ArrayLike, wrt: Wrt = "theta", temperature: float = 1.0
) -> NDArray:
    """Closed-form derivatives of ``g = softmax(x * theta / T)``.

    Parameters
    ----------
    x, theta : array_like, shape (n,)
        Inputs and coefficients.
    wrt : {"theta", "x", "z", "temperature"}
        The variable to differentiate with respect to.
    temperature : float, optional
        ``T > 0``.

    Returns
    -------
    ndarray
        For ``wrt`` in {"theta", "x", "z"}, the (n, n) matrix ``J[i, k] = dg_i / dwrt_k``:

        - ``dg_i/dz_k = g_i (delta_ik - g_k)``
        - ``dg_i/dtheta_k = (x_k / T) g_i (delta_ik - g_k)``
        - ``dg_i/dx_k = (theta_k / T) g_i (delta_ik - g_k)``

        For ``wrt="temperature"``, the (n,) vector ``dg_i/dT = -(g_i / T) (z_i - sum_j g_j z_j)``.
        An entry whose exact value exceeds the float range comes back as +-inf.

    Raises
    ------
    ValueError
        On invalid inputs (see `logits`) or an unknown ``wrt``.
    """
    if wrt not in WRT_VARIABLES:
        raise ValueError(f"unknown wrt={wrt!r}: choose one of {', '.join(WRT_VARIABLES)}")
    z, x_arr, theta_arr, t = _validated_vectors(x, theta, temperature)
    g, complement = _softmax_and_complement(z)
    if wrt == "temperature":
        # z_i - sum_j g_j z_j, from the shifted logits: differences of nearby values are exact
        shifted = _shifted(z)
        weighted = g > 0  # where g_j underflowed, s_j may be -inf and g_j s_j is exactly 0
        mean_s = np.sum(g[weighted] * shifted[weighted])
        dg = np.zeros_like(g)
        dg[weighted] = -(g[weighted] * (shifted[weighted] - mean_s))
        return _scaled(dg, None, t)
    jac = -np.outer(g, g)
    np.fill_diagonal(jac, g * complement)
    if wrt == "z":
        return jac
    return _scaled(jac, x_arr if wrt == "theta" else theta_arr, t)


def _target_distribution(target: int | ArrayLike, n: int, dtype: np.dtype) -> NDArray:
    """A class index or a probability vector, as a probability vector of length ``n``."""
    if isinstance(target, Integral) and not isinstance(target, bool):
        k = int(target)
        if not 0 <= k < n:
            raise ValueError(f"target class {k} is out of range for {n} classes (0..{n - 1})")
        t = np.zeros(n, dtype=dtype)
        t[k] = 1
        return t
    if isinstance(target, bool | float | str):
        raise TypeError(
            f"target must be a class index (int) or a probability vector, got {target!r}"
        )
    t = _as_float_array("target", target)
    if t.ndim != 1 or t.shape[0] != n:
        raise ValueError(f"target has {t.size} values, softmax has {n}: they must match")
    if np.iscomplexobj(t):
        raise TypeError("target must be real")
    if (t < 0).any():
        k = int(np.argmax(t < 0))
        raise ValueError(f"target[{k}] is {t[k]}: probabilities must be >= 0")
    total = float(np.sum(t))
    if abs(total - 1) > 1e-6:
        raise ValueError(f"target sums to {total:.8g}, not 1: it must be a probability vector")
    return t.astype(dtype, copy=False)


def cross_entropy(
    x: ArrayLike, theta: ArrayLike, target: int | ArrayLike, temperature: float = 1.0
) -> float:
    """Cross-entropy ``C = -sum_j t_j log g_j`` of the softmax against a target.

    Parameters
    ----------
    x, theta : array_like, shape (n,)
        Inputs and coefficients.
    target : int or array_like, shape (n,)
        A class index, or a probability vector (non-negative, summing to 1).
    temperature : float, optional
        ``T > 0``.

    Returns
    -------
    float
        ``C >= 0``; computed from `log_softmax`, so it is finite even when ``g`` underflows to 0.
    """
    z = _validated_vectors(x, theta, temperature)[0]
    t = _target_distribution(target, z.size, z.dtype)
    log_g = _log_softmax_of_logits(z)
    used = t > 0
    return float(-np.sum(t[used] * log_g[used]))


def cross_entropy_grad(
    x: ArrayLike,
    theta: ArrayLike,
    target: int | ArrayLike,
    wrt: Literal["theta", "x", "z"] = "theta",
    temperature: float = 1.0,
) -> NDArray:
    """Gradient of `cross_entropy`.

    Parameters
    ----------
    x, theta : array_like, shape (n,)
        Inputs and coefficients.
    target : int or array_like, shape (n,)
        A class index, or a probability vector.
    wrt : {"theta", "x", "z"}
        ``dC/dtheta_k = (x_k / T) (g_k - t_k)``, ``dC/dx_k = (theta_k / T) (g_k - t_k)``,
        ``dC/dz_k = g_k - t_k``.
    temperature : float, optional
        ``T > 0``.

    Returns
    -------
    ndarray, shape (n,)
        The gradient, in the dtype of the inputs.
    """
    if wrt not in ("theta", "x", "z"):
        raise ValueError(f"unknown wrt={wrt!r}: choose one of theta, x, z")
    z, x_arr, theta_arr, temp = _validated_vectors(x, theta, temperature)
    t = _target_distribution(target, z.size, z.dtype)
    g, complement = _softmax_and_complement(z)
    # g - t written as g (1 - t) - t (1 - g): exact for a one-hot target even when g_k ~ 1.
    residual = g * (1 - t) - t * complement
    if wrt == "z":
        return residual
    return _scaled(residual, x_arr if wrt == "theta" else theta_arr, temp)
