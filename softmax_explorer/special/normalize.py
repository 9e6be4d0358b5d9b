"""Softmax, log-softmax, log-sum-exp and entropy of plain logits, along any axes.

Each checks its logits and axes (`softmax_explorer.special.checks`), works along the last axis
(`softmax_explorer.special.kernels`) and puts the result back in the input's shape. Only numpy
is imported here.
"""

from __future__ import annotations

from numpy.typing import ArrayLike, NDArray

from .checks import Axis, rows_checked
from .kernels import entropy_last, log_softmax_last, logsumexp_last, softmax_last

__all__ = ["entropy", "log_softmax", "logsumexp", "softmax"]


def softmax(z: ArrayLike, axis: Axis = -1) -> NDArray:
    """Softmax ``exp(z_i) / sum_j exp(z_j)`` along ``axis``.

    Parameters
    ----------
    z : array_like
        Logits of any shape, real or complex (the complex step); a scalar is one logit.
    axis : int, tuple of int or None, optional
        The axes to normalise along, together (default the last: a stack of distributions, one
        per row); None normalises over all values, ``()`` each value alone.

    Returns
    -------
    ndarray
        Same shape and dtype as ``z`` (integers become float64); non-negative, summing to 1
        along ``axis``.

    Raises
    ------
    TypeError, ValueError
        For text, an axis out of bounds, an empty axis, or logits that are NaN, +inf or -inf
        everywhere along the axis.

    Notes
    -----
    The largest logit is subtracted first, so no ``exp`` overflows. NaN and +inf logits are
    refused (ValueError, naming the first); -inf is a weight of 0.

    Examples
    --------
    >>> softmax([1000.0, 0, 0, 0])
    array([1., 0., 0., 0.])
    """
    rows = rows_checked(z, axis, "softmax", real=False)
    return rows.back(softmax_last(rows.z))


def log_softmax(z: ArrayLike, axis: Axis = -1) -> NDArray:
    """Logarithm of the softmax along ``axis``, computed without ``log(softmax)``.

    Parameters
    ----------
    z : array_like
        Real logits of any shape; a scalar is one logit.
    axis : int, tuple of int or None, optional
        As for `softmax`.

    Returns
    -------
    ndarray
        ``z - logsumexp(z)``, same shape and dtype as ``z``; finite wherever the exact value is
        representable.

    Raises
    ------
    TypeError, ValueError
        As `softmax`, and for complex logits.
    """
    rows = rows_checked(z, axis, "log_softmax")
    return rows.back(log_softmax_last(rows.z))


def logsumexp(z: ArrayLike, axis: Axis = -1, *, keepdims: bool = False) -> NDArray:
    """``log(sum(exp(z)))`` along ``axis``, as ``max(z) + log1p(sum of the others' exp)``.

    Parameters
    ----------
    z : array_like
        Real logits of any shape; a scalar is one logit.
    axis : int, tuple of int or None, optional
        As for `softmax`.
    keepdims : bool, optional
        Keep the reduced axes with length 1.

    Returns
    -------
    ndarray
        ``z``'s shape without ``axis`` (or with it of length 1), in ``z``'s dtype; a 0-d array
        for ``axis=None``. As ``scipy.special.logsumexp``, -inf for an empty axis or a row of
        -inf (the logarithm of a sum of nothing).

    Raises
    ------
    TypeError, ValueError
        For text, complex logits, an axis out of bounds, or NaN or +inf logits.
    """
    rows = rows_checked(z, axis, "logsumexp", empty=True)
    return rows.reduced(logsumexp_last(rows.z), keepdims)


def entropy(z: ArrayLike, axis: Axis = -1, *, keepdims: bool = False) -> NDArray:
    """The entropy ``H = -sum_i g_i log g_i`` of the softmax of ``z`` along ``axis``, in nats.

    Parameters
    ----------
    z : array_like
        Real logits of any shape; a scalar is one logit.
    axis : int, tuple of int or None, optional
        As for `softmax`.
    keepdims : bool, optional
        Keep the reduced axes with length 1.

    Returns
    -------
    ndarray
        ``H = logsumexp(z) - sum_j g_j z_j``, from the shifted logits: exact for huge logits,
        ``log n`` for n equal ones, 0 for one class that takes all. Shaped as `logsumexp`.

    Raises
    ------
    TypeError, ValueError
        As `log_softmax`.

    Examples
    --------
    >>> float(entropy([0.0, 0.0, 0.0, 0.0])) == float(np.log(4))
    True
    """
    rows = rows_checked(z, axis, "entropy")
    return rows.reduced(entropy_last(rows.z), keepdims)
