"""Inputs of the primitives, checked: numbers, finite logits, and the axes to work along.

Every refusal raises `TypeError` or `ValueError` with a message naming the argument; no numpy
error text reaches the caller. `along` moves the axes a function works along to the end, as
one axis, and gives back the way home. Only numpy is imported here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "Along",
    "along",
    "as_float_array",
    "check_finite_logits",
    "normalize_axes",
    "rows_checked",
]

Axis = int | tuple[int, ...] | None


def as_float_array(name: str, values: ArrayLike, *, scalar: bool = False) -> NDArray:
    """``values`` as a float or complex array; integers and booleans become float64.

    Raises
    ------
    TypeError
        For text or an array that is not numeric.
    ValueError
        For a scalar, unless ``scalar``.
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
    if arr.ndim == 0 and not scalar:
        raise ValueError(
            f"{name} must be a 1-D array of values (or a stack), got the scalar {arr.item()!r}"
        )
    return arr


def normalize_axes(axis: Axis, ndim: int) -> tuple[int, ...]:
    """``axis`` (an int, a tuple of ints, or None for all) as sorted non-negative axes.

    Raises
    ------
    TypeError
        For an axis that is not an int.
    ValueError
        For an axis out of bounds or named twice.
    """
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    out: list[int] = []
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, Integral):
            raise TypeError(f"axis must be an int, a tuple of ints or None, got {axis!r}")
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of bounds for logits of {ndim} dimension(s)")
        if int(a) % ndim in out:
            raise ValueError(f"axis {a} is named twice in {axis!r}")
        out.append(int(a) % ndim)
    return tuple(sorted(out))


def check_finite_logits(arr: NDArray, name: str = "z") -> None:
    """Refuse NaN and ``+inf`` (``-inf`` is a weight of 0), naming the first one's index."""
    parts = (arr.real, arr.imag) if np.iscomplexobj(arr) else (arr,)
    for part in parts:
        bad = np.isnan(part) | (part == np.inf)
        if bad.any():
            index = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(f"{name} has {part[index]} at {index}: logits must be finite or -inf")


@dataclass(frozen=True)
class Along:
    """Logits with the axes a function works along moved to the end, as one last axis.

    Attributes
    ----------
    z : ndarray, shape (..., m)
        The rows to work on (m may be 0 for an empty axis, or 1 for no axis).
    shape : tuple of int
        The input's shape.
    axes : tuple of int
        The axes worked along, in the input's numbering.
    """

    z: NDArray
    shape: tuple[int, ...]
    axes: tuple[int, ...]

    def back(self, rows: NDArray) -> NDArray:
        """A result of the rows' shape, in the input's shape."""
        kept = [d for i, d in enumerate(self.shape) if i not in self.axes]
        reduced = [self.shape[i] for i in self.axes]
        out = rows.reshape((*kept, *reduced))
        return np.moveaxis(out, range(len(kept), len(self.shape)), self.axes)

    def reduced(self, rows: NDArray, keepdims: bool = False) -> NDArray:
        """A result of one value per row (shape (..., 1)), without the axes worked along."""
        kept = [1 if i in self.axes else d for i, d in enumerate(self.shape)]
        out = rows.reshape(kept)
        return (
            out if keepdims else out.reshape([d for i, d in enumerate(kept) if i not in self.axes])
        )


def along(z: ArrayLike, axis: Axis, name: str = "z") -> Along:
    """Check ``z`` (numbers, scalars allowed) and move the ``axis`` axes to the end, as one.

    A scalar is one value along its only axis (``axis`` None, 0, -1 or ``()``).

    Raises
    ------
    TypeError, ValueError
        As `as_float_array` and `normalize_axes`.
    """
    arr = as_float_array(name, z, scalar=True)
    if arr.ndim == 0:
        if axis not in (None, 0, -1, ()):
            raise ValueError(f"axis {axis!r} is out of bounds for a scalar {name}")
        return Along(arr.reshape(1), (), ())
    axes = normalize_axes(axis, arr.ndim)
    kept = [i for i in range(arr.ndim) if i not in axes]
    moved = np.moveaxis(arr, axes, range(len(kept), arr.ndim))
    m = math.prod(arr.shape[i] for i in axes)
    return Along(moved.reshape(*(arr.shape[i] for i in kept), m), arr.shape, axes)


def rows_checked(
    z: ArrayLike, axis: Axis, function: str, *, real: bool = True, empty: bool = False
) -> Along:
    """`along`, then the checks every primitive makes, naming ``function`` in its refusals.

    Finite logits or -inf; real ones unless ``real`` is False; not empty along the axes unless
    ``empty``; at least one logit above -inf per row (unless ``empty``, whose caller handles it).
    """
    rows = along(z, axis)
    if real and np.iscomplexobj(rows.z):
        raise TypeError(f"{function} takes real logits, got {rows.z.dtype}")
    if rows.z.shape[-1] == 0 and not empty:
        raise ValueError(f"z is empty along the axis: {function} needs at least one value")
    check_finite_logits(rows.z)
    if not empty and rows.z.size and (rows.z.real == -np.inf).all(axis=-1).any():
        raise ValueError("z is -inf everywhere along the axis: at least one logit must be finite")
    return rows
