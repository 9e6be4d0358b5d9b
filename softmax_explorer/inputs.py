"""The model's inputs, validated: numbers, equal lengths, finite values, a temperature, a target.

Each check raises `TypeError` or `ValueError` with a message that says what and where
(``x has 4 values, theta has 3``, ``theta[2] is inf``, ``x*theta/temperature overflows float64
at index 0``). Only numpy is imported here.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .special.checks import as_float_array

__all__ = ["product", "target_distribution", "validated"]


def _as_float_array(name: str, values: ArrayLike, *, finite: bool = True) -> NDArray:
    """``values`` as an array with a non-empty last axis; NaN and inf refused when ``finite``."""
    arr = as_float_array(name, values)
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


def validated(
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
        z = product(x_arr, theta_arr, t, dtype)
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


def product(x: NDArray, theta: NDArray, temperature: float, dtype: np.dtype) -> NDArray:
    """``x * theta / T`` in ``dtype``, unchecked."""
    z = np.multiply(x, theta, dtype=dtype)
    if temperature != 1.0:
        z /= np.dtype(dtype).type(temperature)
    return z


def target_distribution(target: int | ArrayLike, n: int, dtype: np.dtype) -> NDArray:
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
