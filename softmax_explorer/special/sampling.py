"""What a language model's sampler draws from: temperature, top-k, top-p and min-p; and draws.

`sampling_probs` applies the stages in the order top-k, top-p, min-p, each to the renormalised
distribution of what the previous stage kept, with the temperature dividing the logits before
them (Hugging Face transformers' and vLLM's order) or after them (llama.cpp's default sampler
chain: the stages see the probabilities at temperature 1, and the temperature then reshapes
what they kept). Removed classes get probability exactly 0; at least one class always survives.
`draw` samples classes from a distribution with numpy's `Generator`, reproducibly for a seed.
Only numpy is imported here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .checks import Axis, as_float_array, rows_checked
from .kernels import softmax_last

__all__ = ["Draws", "draw", "sampling_kept", "sampling_probs"]

#: The most draws `draw` takes at once.
MAX_SAMPLES = 10_000_000


def _positive(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return float(value)


def _fraction(name: str, value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 < value <= 1:
        raise ValueError(f"{name} must be in (0, 1] (or None: off), got {value!r}")
    return float(value)


def _count(name: str, value: object, low: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
        raise ValueError(f"{name} must be a whole number >= {low} (or None: off), got {value!r}")
    return int(value)


def _masked(z: NDArray, keep: NDArray) -> NDArray:
    """The softmax of the kept logits; 0 for the others."""
    return softmax_last(np.where(keep, z, -np.inf))


def top_k_kept(z: NDArray, k: int) -> NDArray:
    """The k largest logits of each row (ties with the k-th kept)."""
    if k >= z.shape[-1]:
        return np.ones(z.shape, dtype=bool)
    kth = np.sort(z, axis=-1)[..., -k, None]
    return z >= kth


def top_p_kept(z: NDArray, keep: NDArray, p: float) -> NDArray:
    """The most probable of the kept classes until their total reaches ``p``.

    The class that crosses ``p`` is kept, and any class as probable as that one.
    """
    probs = _masked(z, keep)
    ordered = -np.sort(-probs, axis=-1)
    total = np.cumsum(ordered, axis=-1)
    reached = total >= p
    last = np.where(reached.any(axis=-1), reached.argmax(axis=-1), keep.sum(axis=-1) - 1)
    threshold = np.take_along_axis(ordered, last[..., None], axis=-1)
    return keep & (probs >= threshold)


def min_p_kept(z: NDArray, keep: NDArray, m: float) -> NDArray:
    """The kept classes at least ``m`` times as probable as the most probable.

    ``g_i >= m g_max`` is ``z_i - z_max >= log m``: no probability is formed, so huge or tiny
    logits lose nothing.
    """
    peak = np.max(np.where(keep, z, -np.inf), axis=-1, keepdims=True)
    with np.errstate(invalid="ignore"):  # -inf - peak for a removed class: False below anyway
        return keep & (z - peak >= np.log(m))


def _kept_rows(z: NDArray, seen: NDArray, k, p, m) -> NDArray:
    """What top-k, top-p and min-p keep of rows of logits ``seen``, in that order."""
    keep = np.ones(z.shape, dtype=bool)
    if k is not None:
        keep = top_k_kept(seen, k)
    if p is not None:
        keep = top_p_kept(seen, keep, p)
    if m is not None:
        keep = min_p_kept(seen, keep, m)
    return keep


def _stages(logits, temperature, top_k, top_p, min_p, temperature_last, axis):
    """The checked rows, their tempered logits and what the stages keep."""
    t = _positive("temperature", temperature)
    k = _count("top_k", top_k, 1)
    p = _fraction("top_p", top_p)
    m = _fraction("min_p", min_p)
    rows = rows_checked(logits, axis, "sampling_probs")
    z = rows.z
    tempered = z if t == 1.0 else z / z.dtype.type(t)
    keep = _kept_rows(z, z if temperature_last else tempered, k, p, m)
    return rows, tempered, keep


def sampling_kept(
    logits: ArrayLike,
    temperature: float = 1.0,
    *,
    top_k: int | None = None,
    top_p: float | None = None,
    min_p: float | None = None,
    temperature_last: bool = False,
    axis: Axis = -1,
) -> NDArray:
    """The classes `sampling_probs` keeps, for the same arguments.

    True where the sampler may draw the class (even if its probability underflows to 0), False
    where a cut removed it.
    """
    rows, _, keep = _stages(logits, temperature, top_k, top_p, min_p, temperature_last, axis)
    return rows.back(keep)


def sampling_probs(
    logits: ArrayLike,
    temperature: float = 1.0,
    *,
    top_k: int | None = None,
    top_p: float | None = None,
    min_p: float | None = None,
    temperature_last: bool = False,
    axis: Axis = -1,
) -> NDArray:
    """The distribution a sampler draws from, after temperature, top-k, top-p and min-p.

    Parameters
    ----------
    logits : array_like
        Real logits of any shape.
    temperature : float, optional
        ``T > 0``; the logits are divided by it.
    top_k : int, optional
        Keep the ``top_k`` largest logits (ties with the k-th are kept); None: off.
    top_p : float, optional
        In (0, 1]: keep the most probable classes until their total reaches ``top_p`` (the class
        that crosses it is kept); None: off.
    min_p : float, optional
        In (0, 1]: keep the classes at least ``min_p`` times as probable as the most probable;
        None: off.
    temperature_last : bool, optional
        False (default): the temperature divides the logits first, and the stages see the
        tempered distribution (transformers, vLLM). True: the stages see the distribution at
        temperature 1 and the temperature then applies to the kept logits (llama.cpp).
    axis : int, tuple of int or None, optional
        The axes of one distribution (default the last).

    Returns
    -------
    ndarray
        Same shape and dtype as ``logits`` (integers become float64): the softmax of the kept
        logits divided by ``T``, exactly 0 for the removed classes.

    Raises
    ------
    ValueError
        Naming the argument: ``temperature`` not > 0, ``top_k`` < 1, ``top_p`` or ``min_p``
        outside (0, 1]; and as `softmax` for the logits (NaN and +inf refused).
    TypeError
        For logits that are not real numbers.

    Examples
    --------
    >>> z = [2.0, 1.0, 0.0, -1.0]
    >>> sampling_probs(z, top_k=2).round(3)
    array([0.731, 0.269, 0.   , 0.   ])
    """
    rows, tempered, keep = _stages(logits, temperature, top_k, top_p, min_p, temperature_last, axis)
    return rows.back(_masked(tempered, keep))


@dataclass(frozen=True)
class Draws:
    """Classes drawn from a distribution, and how far their counts are from the expectation.

    Attributes
    ----------
    classes : ndarray of int, shape (samples,)
        The classes drawn, in order (0-based).
    counts : ndarray of int, shape (n,)
        How often each class was drawn.
    probs : ndarray of float64, shape (n,)
        The distribution drawn from.
    """

    classes: NDArray
    counts: NDArray
    probs: NDArray

    @property
    def samples(self) -> int:
        """The number of draws."""
        return int(self.classes.size)

    @property
    def expected(self) -> NDArray:
        """The expected counts, ``samples * probs``."""
        return self.samples * self.probs

    @property
    def distance(self) -> float:
        """The total variation distance between the counts' frequencies and ``probs``.

        ``0.5 * sum_i |counts_i / samples - p_i|``: the share of the draws that would have to
        move to other classes to match the distribution exactly (0 without draws).
        """
        if not self.samples:
            return 0.0
        return float(0.5 * np.sum(np.abs(self.counts / self.samples - self.probs)))


def draw(probs: ArrayLike, samples: int, seed: int | None = None) -> Draws:
    """Draw ``samples`` classes from the distribution ``probs`` (numpy's `Generator`).

    Parameters
    ----------
    probs : array_like, shape (n,)
        Non-negative probabilities summing to 1 (within 1e-6; renormalised).
    samples : int
        How many classes to draw, ``0 <= samples <= 10_000_000``.
    seed : int, optional
        The seed of ``numpy.random.default_rng``: the same seed draws the same classes.

    Returns
    -------
    Draws
        The classes, their counts and their distance from the expectation.

    Raises
    ------
    ValueError
        Naming the argument that is wrong.
    """
    p = as_float_array("probs", probs)
    if p.ndim != 1 or p.size == 0 or np.iscomplexobj(p):
        raise ValueError(f"probs must be a 1-D array of probabilities, got shape {p.shape}")
    p = p.astype(np.float64)
    if not np.all(np.isfinite(p)) or (p < 0).any():
        raise ValueError("probs must be finite and >= 0")
    total = float(np.sum(p))
    if abs(total - 1) > 1e-6:
        raise ValueError(f"probs sums to {total:.8g}, not 1")
    n = _count("samples", samples, 0)
    if n is None or n > MAX_SAMPLES:
        raise ValueError(f"samples must be a whole number from 0 to {MAX_SAMPLES}, got {samples!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0):
        raise ValueError(f"seed must be a whole number >= 0 (or None), got {seed!r}")
    p = p / total
    classes = np.random.default_rng(seed).choice(p.size, size=n, p=p)
    return Draws(classes, np.bincount(classes, minlength=p.size), p)
