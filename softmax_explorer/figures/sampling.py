"""The sampling view: what the cuts see beside what the sampler draws from, and the draws.

Both sides show the classes from the most probable to the least (the order top-p counts in).
Left, the distribution the cuts see (the softmax at T, or at 1 when the temperature comes last):
the kept classes in colour, the removed ones grey at their probabilities, top-p's running total
and its level, min-p's level, and a mark on each class the other order treats otherwise. Right,
the sampler's distribution and the frequencies of the N draws against it. Each side's heading
gives its entropy and effective number of classes, ``exp H``.
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.patches import PathPatch
from matplotlib.text import Text

from ..results import Results
from ..state import INDEX_BASE
from .bars import bar_path
from .panel import ResultsPanel
from .style import scaled
from .ticks import sub

__all__ = ["SamplingPanel"]


def _kept_heights(heights: np.ndarray, kept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.where(kept, heights, 0.0), np.where(kept, 0.0, heights)


class SamplingPanel(ResultsPanel):
    """The cuts (``ax``) beside the sampler and its draws (``cax``, the right-hand axes)."""

    def build(self, results: Results) -> None:
        left, right, n = self.ax, self.cax, self.n
        muted, colour = self.colours["muted"], self.colours["bars"]
        self.kept_bars = PathPatch(bar_path(np.zeros(n)), facecolor=colour, zorder=2)
        self.removed_bars = PathPatch(bar_path(np.zeros(n)), facecolor=muted, alpha=0.45, zorder=2)
        self.sampler_bars = PathPatch(bar_path(np.zeros(n)), facecolor=colour, zorder=2)
        for ax, patch in ((left, self.kept_bars), (left, self.removed_bars),
                          (right, self.sampler_bars)):  # fmt: skip
            ax.add_patch(patch)
        x = np.arange(n)
        (self.cumulative,) = left.plot(
            x, np.zeros(n), color=self.colours["target"], marker="o", markersize=scaled(3),
            linewidth=scaled(1.3), zorder=4,
        )  # fmt: skip
        self.top_p_line = left.axhline(
            1.0, color=self.colours["target"], linestyle="--", linewidth=scaled(1.2), zorder=3
        )
        self.min_p_line = left.axhline(
            0.0, color=self.colours["worst"], linestyle=":", linewidth=scaled(1.5), zorder=3
        )
        (self.changed,) = left.plot(
            [], [], linestyle="none", marker="*", markersize=scaled(11),
            color=self.colours["worst"], zorder=5,
        )  # fmt: skip
        (self.frequencies,) = right.plot(
            x, np.zeros(n), linestyle="none", marker="o", markersize=scaled(6),
            markerfacecolor="none", markeredgecolor=self.text_colour,
            markeredgewidth=scaled(1.3), zorder=4,
        )  # fmt: skip
        size = mpl.rcParams["axes.titlesize"]
        self.left_heading = left.text(0, 1.03, "", transform=left.transAxes, fontsize=size)
        self.right_heading = right.text(0, 1.03, "", transform=right.transAxes, fontsize=size)
        self.note = left.text(
            0.98, 0.6, "", transform=left.transAxes, ha="right", va="top", fontsize=scaled(9),
            color=self.text_colour, zorder=6,
        )  # fmt: skip
        self.draws_note = right.text(
            0.98, 0.97, "", transform=right.transAxes, ha="right", va="top", fontsize=scaled(9),
            color=self.text_colour, zorder=6,
        )  # fmt: skip
        for ax in (left, right):
            ax.set_ylim(0, 1.05)
            ax.set_xlim(-0.6, n - 0.4)
            sns.despine(ax=ax)
        self.class_labels = [label for ax in (left, right) for label in self._class_labels(ax)]
        left.set_ylabel("probability")
        left.set_xlabel("class, most probable first")
        right.set_xlabel("class, most probable first")
        self.animated += [
            self.kept_bars, self.removed_bars, self.sampler_bars, self.cumulative,
            self.top_p_line, self.min_p_line, self.changed, self.frequencies,
            self.left_heading, self.right_heading, self.note, self.draws_note,
            *self.class_labels,
        ]  # fmt: skip

    def _class_labels(self, ax: Axes) -> list[Text]:
        """Texts where the x tick labels go, naming the classes in the order drawn.

        The order changes with a slider; as animated texts, the classes' names then change
        without a full draw. The ticks keep blank labels, so the axis label stays below them.
        """
        size = scaled(9 if self.n <= 12 else 7)
        ax.set_xticks(np.arange(self.n), [" "] * self.n, fontsize=size)
        tick = ax.xaxis.get_major_ticks()[0].label1
        return [
            ax.text(k, 0, "", transform=tick.get_transform(), ha=tick.get_ha(),
                    va=tick.get_va(), fontsize=size, color=tick.get_color())
            for k in range(self.n)
        ]  # fmt: skip

    def data_key(self, results: Results) -> object:
        s, r = results.state, results.sampled
        return (
            r.seen.tobytes(), r.probs.tobytes(), r.kept.tobytes(), r.kept_other.tobytes(),
            r.draws.counts.tobytes(), s.top_p, s.min_p, s.top_k, s.sampling_order, s.temperature,
        )  # fmt: skip

    def refresh(self, results: Results) -> None:
        s, r = results.state, results.sampled
        order = r.order
        names = [str(k + INDEX_BASE) for k in order]
        for label, name in zip(self.class_labels, names * 2, strict=True):
            label.set_text(name)
        seen, kept = r.seen[order], r.kept[order]
        shown, removed = _kept_heights(seen, kept)
        self.kept_bars.set_path(bar_path(shown))
        self.removed_bars.set_path(bar_path(removed))
        self.sampler_bars.set_path(bar_path(np.asarray(r.probs, dtype=np.float64)[order]))
        self.cumulative.set(ydata=r.cumulative, visible=s.top_p is not None)
        self.top_p_line.set(ydata=[s.top_p or 0] * 2, visible=s.top_p is not None)
        self.min_p_line.set(ydata=[r.min_p_level or 0] * 2, visible=r.min_p_level is not None)
        changed = np.flatnonzero(r.kept[order] != r.kept_other[order])
        self.changed.set_data(changed, np.minimum(seen[changed] + 0.06, 1.0))
        frequencies = r.draws.counts[order] / max(r.draws.samples, 1)
        self.frequencies.set(ydata=frequencies, visible=r.draws.samples > 0)
        where = "T = 1 (T comes last)" if s.sampling_order == "temperature_last" else (
            f"T = {s.temperature:.3g}")  # fmt: skip
        self.left_heading.set_text(
            f"the cuts see {sub('g')} at {where}    H = {r.entropy:.3g}, "
            f"e^H = {np.exp(r.entropy):.3g}"
        )
        self.right_heading.set_text(
            f"the sampler    H = {r.entropy_sampler:.3g}, e^H = {np.exp(r.entropy_sampler):.3g}"
        )
        self.note.set_text(self._note(results))
        self.draws_note.set_text(
            f"○ {r.draws.samples} draws, seed {s.seed}\noff by {100 * r.draws.distance:.1f}%"
            if r.draws.samples
            else ""
        )

    @staticmethod
    def _note(results: Results) -> str:
        """What the cuts keep, and what the other order would change (★)."""
        s, r = results.state, results.sampled
        kept = int(np.sum(r.kept))
        lines = [f"kept {kept} of {results.state.n}"]
        if r.changed.size:
            other = "T last" if s.sampling_order == "temperature_first" else "T first"
            names = ", ".join(str(k + INDEX_BASE) for k in r.changed)
            lines.append(f"★ {other} would differ: class {names}")
        return "\n".join(lines)
