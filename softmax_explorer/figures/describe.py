"""What each panel shows, in words and numbers: the plots' accessible names and descriptions."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..results import Results
from ..state import INDEX_BASE

__all__ = ["NAMES", "describe", "describe_losses"]

#: The accessible name of each panel.
NAMES = {
    "bars": "Softmax probability of each class (drag a bar, or Left and Right to choose one "
    "and Up and Down to move its θ)",
    "jacobian": "Jacobian of the softmax, as a heatmap",
    "error": "Finite-difference error of each Jacobian entry, as a heatmap",
    "steps": "Error against step size for each finite-difference scheme (drag the dashed step "
    "line, or Left and Right to move it)",
    "trace": "Cross-entropy along gradient descent",
    "cuts": "What a sampler's cuts keep of the softmax",
    "sampler": "What the sampler draws from, and the draws",
}


def _entry(index: tuple[int, int], wrt: str) -> str:
    i, k = (v + INDEX_BASE for v in index)
    return f"g{i} by {wrt} {k}"


def describe(results: Results) -> dict[str, str]:
    """A description of each panel of ``results``, with their current numbers.

    The sampling view's too, when the state shows it.
    """
    s = results.state
    g = ", ".join(f"{v:.3g}" for v in results.g_shown)
    bars = f"g = {g} for classes {INDEX_BASE} to {s.n - 1 + INDEX_BASE}."
    if s.mapping != "softmax":
        zeros = int(np.sum(np.asarray(results.g) == 0))
        bars = f"{s.mapping}: {bars} {zeros} exactly 0; softmax outlined behind."
    if results.loss is not None:
        bars += f" Target class {s.target + INDEX_BASE}, loss C = {results.loss:.4g}."
    if results.overflow:  # the warning drawn over the bars
        bars += f" {results.overflow}."
    jac = np.asarray(results.jacobian, dtype=float)
    top = np.unravel_index(int(np.argmax(jac)), jac.shape)
    low = np.unravel_index(int(np.argmin(jac)), jac.shape)
    jacobian = (
        f"Derivatives of g by {s.wrt}: largest {jac[top]:.3g} at {_entry(top, s.wrt)}, "
        f"smallest {jac[low]:.3g} at {_entry(low, s.wrt)}."
    )
    if results.check is None:
        error = f"{s.scheme} differences at h = {s.h:.0e}: {results.step_message}."
    else:
        c = results.check
        error = (
            f"{s.scheme} differences at h = {s.h:.0e}: gradient check {c.status}; largest "
            f"error {c.max_abs_error:.2g}, worst entry {_entry(c.worst[:2], s.wrt)}."
        )
    best = results.sweep.best_step(s.scheme)
    steps = (
        f"{s.scheme}: smallest error {np.nanmin(results.sweep.errors[s.scheme]):.2g} at "
        f"h = {best:.0e}; theoretical best step {results.best_steps[s.scheme][0]:.0e}; "
        f"current step {s.h:.0e}."
    )
    described = {"bars": bars, "jacobian": jacobian, "error": error, "steps": steps}
    if results.sampled is not None:
        described.update(describe_sampling(results))
    return described


def describe_sampling(results: Results) -> dict[str, str]:
    """The sampling view's two panels in words: what is kept; the sampler and its draws."""
    r = results.sampled
    kept = [k + INDEX_BASE for k in np.flatnonzero(r.kept)]
    cuts = (
        f"The cuts keep classes {', '.join(map(str, kept))}; entropy {r.entropy:.3g} nats "
        "before them."
    )
    if r.changed.size:
        changed = ", ".join(str(k + INDEX_BASE) for k in r.changed)
        cuts += f" The other order treats classes {changed} otherwise."
    probs = ", ".join(f"class {k + INDEX_BASE}: {r.probs[k]:.3g}" for k in np.flatnonzero(r.kept))
    sampler = f"The sampler draws {probs}; entropy {r.entropy_sampler:.3g} nats."
    if r.draws.samples:
        sampler += (
            f" {r.draws.samples} draws: {', '.join(str(c) for c in r.draws.counts)}, "
            f"{100 * r.draws.distance:.1f}% from the expectation."
        )
    return {"cuts": cuts, "sampler": sampler}


def describe_losses(losses: Sequence[float]) -> str:
    """A description of the loss trace."""
    if not losses:
        return "No descent yet: choose a target class and press Step or Play."
    return f"{len(losses) - 1} descent steps, loss from {losses[0]:.4g} to {losses[-1]:.4g}."
