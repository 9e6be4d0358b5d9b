"""What the sampling view shows for one state: the cuts, the sampler's distribution, the draws.

`sampled` is computed with a state's results when its sampling view is shown
(`softmax_explorer.results.compute`). The sampler takes the model's unscaled logits
``u = x * theta`` and the state's temperature, top-k, top-p, min-p and order
(`softmax_explorer.special.sampling_probs`); it is worked out in both orders, so that the view
can say which classes the other order would keep. Only numpy is imported here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from .finite_diff import StepError
from .gradcheck import GradcheckResult, check_model
from .inputs import product
from .model import Model
from .special import Draws, draw, entropy, sampling_kept
from .special.kernels import softmax_last
from .state import State

__all__ = ["Sampled", "sampled"]

ORDERS = ("temperature_first", "temperature_last")


@dataclass(frozen=True, eq=False)
class Sampled:
    """The sampling view of one state.

    Attributes
    ----------
    seen : ndarray, shape (n,)
        The distribution the cuts see: the softmax at T (temperature first) or at 1 (last).
    probs : ndarray, shape (n,)
        The sampler's distribution: 0 for the classes the cuts removed.
    kept, kept_other : ndarray of bool, shape (n,)
        The classes kept in the state's order, and in the other order.
    removed_by : tuple of str or None
        Per class, the cut that removed it (``"top-k"``, ``"top-p"``, ``"min-p"``), or None.
    order : ndarray of int, shape (n,)
        The classes by decreasing ``seen`` (ties by class), the order the view draws them in.
    cumulative : ndarray, shape (n,)
        The running total, in that order, of ``seen`` over what top-k kept (renormalised):
        top-p keeps the classes up to the one where it reaches ``top_p``.
    min_p_level : float or None
        The value of ``seen`` below which min-p removes a class (``min_p`` times the largest),
        or None without min-p.
    entropy, entropy_sampler : float
        The entropy, in nats, of the softmax at T and of the sampler's distribution; ``exp`` of
        each is the effective number of classes.
    draws : Draws
        ``state.samples`` classes drawn from ``probs`` with ``state.seed``.
    state, model : State, Model
        The state and its model (for `entropy_check`).
    """

    seen: NDArray
    probs: NDArray
    kept: NDArray
    kept_other: NDArray
    removed_by: tuple[str | None, ...]
    order: NDArray
    cumulative: NDArray
    min_p_level: float | None
    entropy: float
    entropy_sampler: float
    draws: Draws
    state: State = field(repr=False)
    model: Model = field(repr=False)

    @cached_property
    def entropy_check(self) -> GradcheckResult | None:
        """``dH/dT`` of the softmax at T, in closed form, against the state's finite difference.

        None where the state's step is below the resolution of T. Worked out when first read
        (the formula panel reads it once the hand pauses, not at every slider step).
        """
        try:
            return check_model(
                self.model, "temperature", self.state.scheme, self.state.h, of="entropy"
            )
        except StepError:  # the step is below the resolution of T: no check
            return None

    @property
    def top_p_reached(self) -> float:
        """The total, as the cuts see it, of the classes top-p kept (over what top-k kept)."""
        by_k = np.array([by != "top-k" for by in self.removed_by])
        by_p = by_k & np.array([by != "top-p" for by in self.removed_by])
        return float(np.sum(self.seen[by_p]) / np.sum(self.seen[by_k]))

    @property
    def changed(self) -> NDArray:
        """The classes the other order treats otherwise (kept in one, removed in the other)."""
        return np.flatnonzero(self.kept != self.kept_other)


def _cut(u: NDArray, state: State, order: str, **cuts) -> NDArray:
    """What the state's cuts (or those given) keep of logits ``u`` in ``order``."""
    given = {"top_k": state.top_k, "top_p": state.top_p, "min_p": state.min_p, **cuts}
    return sampling_kept(
        u, state.temperature, temperature_last=order == "temperature_last", **given
    )


def sampled(state: State, model: Model) -> Sampled:
    """The sampling view of ``state`` at its validated ``model`` point."""
    u = product(model.x, model.theta, 1.0, model.z.dtype)
    order_name = state.sampling_order
    other = ORDERS[1 - ORDERS.index(order_name)]
    kept, kept_other = _cut(u, state, order_name), _cut(u, state, other)
    tempered = model.z
    probs = softmax_last(np.where(kept, tempered, -np.inf))
    seen = np.asarray(softmax_last(tempered if order_name == "temperature_first" else u), float)
    order = np.argsort(-seen, kind="stable")
    after_k = _cut(u, state, order_name, top_p=None, min_p=None)
    after_p = _cut(u, state, order_name, min_p=None)
    removed_by = tuple(
        None if keep else "top-k" if not k else "top-p" if not p else "min-p"
        for keep, k, p in zip(kept, after_k, after_p, strict=True)
    )
    # top-p's running total is over what top-k kept, renormalised
    by_k = after_k[order]
    cumulative = np.cumsum(np.where(by_k, seen[order], 0)) / np.sum(seen[order][by_k])
    return Sampled(
        seen=seen,
        probs=probs,
        kept=kept,
        kept_other=kept_other,
        removed_by=removed_by,
        order=order,
        cumulative=cumulative,
        min_p_level=None if state.min_p is None else state.min_p * float(seen.max()),
        entropy=model.entropy(),
        entropy_sampler=float(entropy(np.where(kept, tempered, -np.inf))),
        draws=draw(np.asarray(probs, dtype=np.float64), state.samples, state.seed),
        state=state,
        model=model,
    )
