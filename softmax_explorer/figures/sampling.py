"""The sampling view: what the cuts see, and what the sampler draws from with its draws.

Two panels, one figure each, so that the page sets them side by side or, on a phone, one above
the other at full width. Both show the classes from the most probable to the least (the order
top-p counts in). `CutsPanel`: the distribution the cuts see (the softmax at T, or at 1 when
the temperature comes last), the kept classes in colour, the removed ones grey at their
probabilities, top-p's running total and its level, min-p's level, and a mark on each class the
other order treats otherwise. `SamplerPanel`: the sampler's distribution and the frequencies of
the N draws against it. Each heading gives the entropy and effective number of classes,
``exp H``.
"""

from __future__ import annotations

import numpy as np
import seaborn as sns
from matplotlib.patches import PathPatch
from matplotlib.text import Text

from ..results import Results
from ..state import INDEX_BASE
from .bars import bar_path
from .panel import ResultsPanel
from .style import scaled
from .ticks import sub

__all__ = ["SAMPLING_PANELS", "CutsPanel", "SamplerPanel"]


class _ByRank(ResultsPanel):
    """Probabilities of the classes from the most probable to the least, named below."""

    def _axes(self) -> None:
        """The axes, the animated heading and class names; the artists join `animated`."""
        ax = self.ax
        ax.set_ylim(0, 1.05)
        ax.set_xlim(-0.6, self.n - 0.4)
        sns.despine(ax=ax)
        ax.set_ylabel("probability")
        ax.set_xlabel("class, most probable first")
        self.heading = self.title()
        self.class_labels = self._class_labels()
        self.animated += [self.heading, *self.class_labels]

    def _note(self, y: float) -> Text:
        return self.ax.text(
            0.98, y, "", transform=self.ax.transAxes, ha="right", va="top", fontsize=scaled(9),
            color=self.text_colour, zorder=6,
        )  # fmt: skip

    def _class_labels(self) -> list[Text]:
        """Texts where the x tick labels go, naming the classes in the order drawn.

        The order changes with a slider; as animated texts, the classes' names then change
        without a full draw. The ticks keep blank labels, so the axis label stays below them.
        """
        size = scaled(9 if self.n <= 12 else 7)
        self.ax.set_xticks(np.arange(self.n), [" "] * self.n, fontsize=size)
        tick = self.ax.xaxis.get_major_ticks()[0].label1
        return [
            self.ax.text(k, 0, "", transform=tick.get_transform(), ha=tick.get_ha(),
                         va=tick.get_va(), fontsize=size, color=tick.get_color())
            for k in range(self.n)
        ]  # fmt: skip

    def _name_classes(self, results: Results) -> None:
        for label, k in zip(self.class_labels, results.sampled.order, strict=True):
            label.set_text(str(k + INDEX_BASE))

    def _bars(self, colour: str, **kwargs) -> PathPatch:
        patch = PathPatch(bar_path(np.zeros(self.n)), facecolor=colour, zorder=2, **kwargs)
        self.ax.add_patch(patch)
        self.animated.append(patch)
        return patch


class CutsPanel(_ByRank):
    """The distribution the cuts see: kept and removed classes, the cut-offs, the other order."""

    def build(self, results: Results) -> None:
        ax, n, colours = self.ax, self.n, self.colours
        self.kept_bars = self._bars(colours["bars"])
        self.removed_bars = self._bars(colours["muted"], alpha=0.45)
        (self.cumulative,) = ax.plot(
            np.arange(n), np.zeros(n), color=colours["target"], marker="o",
            markersize=scaled(3), linewidth=scaled(1.3), zorder=4,
        )  # fmt: skip
        self.top_p_line = ax.axhline(
            1.0, color=colours["target"], linestyle="--", linewidth=scaled(1.2), zorder=3
        )
        self.min_p_line = ax.axhline(
            0.0, color=colours["worst"], linestyle=":", linewidth=scaled(1.5), zorder=3
        )
        (self.changed,) = ax.plot(
            [], [], linestyle="none", marker="*", markersize=scaled(11), color=colours["worst"],
            zorder=5,
        )  # fmt: skip
        self.note = self._note(0.6)
        self._axes()
        self.animated += [
            self.cumulative, self.top_p_line, self.min_p_line, self.changed, self.note
        ]  # fmt: skip

    def data_key(self, results: Results) -> object:
        s, r = results.state, results.sampled
        return (
            r.seen.tobytes(), r.kept.tobytes(), r.kept_other.tobytes(), s.top_p, s.min_p,
            s.top_k, s.sampling_order, s.temperature,
        )  # fmt: skip

    def refresh(self, results: Results) -> None:
        s, r = results.state, results.sampled
        self._name_classes(results)
        order = r.order
        seen, kept = r.seen[order], r.kept[order]
        self.kept_bars.set_path(bar_path(np.where(kept, seen, 0.0)))
        self.removed_bars.set_path(bar_path(np.where(kept, 0.0, seen)))
        self.cumulative.set(ydata=r.cumulative, visible=s.top_p is not None)
        self.top_p_line.set(ydata=[s.top_p or 0] * 2, visible=s.top_p is not None)
        self.min_p_line.set(ydata=[r.min_p_level or 0] * 2, visible=r.min_p_level is not None)
        changed = np.flatnonzero(r.kept[order] != r.kept_other[order])
        self.changed.set_data(changed, np.minimum(seen[changed] + 0.06, 1.0))
        where = "T = 1 (T comes last)" if s.sampling_order == "temperature_last" else (
            f"T = {s.temperature:.3g}")  # fmt: skip
        self.heading.set_text(
            f"the cuts see {sub('g')} at {where}    H = {r.entropy:.3g}, "
            f"e^H = {np.exp(r.entropy):.3g}"
        )
        self.note.set_text(self._what_is_kept(results))

    @staticmethod
    def _what_is_kept(results: Results) -> str:
        """What the cuts keep, and what the other order would change (★)."""
        s, r = results.state, results.sampled
        lines = [f"kept {int(np.sum(r.kept))} of {s.n}"]
        if r.changed.size:
            other = "T last" if s.sampling_order == "temperature_first" else "T first"
            names = ", ".join(str(k + INDEX_BASE) for k in r.changed)
            lines.append(f"★ {other} would differ: class {names}")
        return "\n".join(lines)


class SamplerPanel(_ByRank):
    """The sampler's distribution, and the frequencies of the draws against it."""

    def build(self, results: Results) -> None:
        self.sampler_bars = self._bars(self.colours["bars"])
        (self.frequencies,) = self.ax.plot(
            np.arange(self.n), np.zeros(self.n), linestyle="none", marker="o",
            markersize=scaled(6), markerfacecolor="none", markeredgecolor=self.text_colour,
            markeredgewidth=scaled(1.3), zorder=4,
        )  # fmt: skip
        self.draws_note = self._note(0.97)
        self._axes()
        self.animated += [self.frequencies, self.draws_note]

    def data_key(self, results: Results) -> object:
        s, r = results.state, results.sampled
        return r.probs.tobytes(), r.seen.tobytes(), r.draws.counts.tobytes(), s.seed

    def refresh(self, results: Results) -> None:
        s, r = results.state, results.sampled
        self._name_classes(results)
        order = r.order
        self.sampler_bars.set_path(bar_path(np.asarray(r.probs, dtype=np.float64)[order]))
        frequencies = r.draws.counts[order] / max(r.draws.samples, 1)
        self.frequencies.set(ydata=frequencies, visible=r.draws.samples > 0)
        self.heading.set_text(
            f"the sampler    H = {r.entropy_sampler:.3g}, e^H = {np.exp(r.entropy_sampler):.3g}"
        )
        self.draws_note.set_text(
            f"○ {r.draws.samples} draws, seed {s.seed}\noff by {100 * r.draws.distance:.1f}%"
            if r.draws.samples
            else ""
        )


#: The sampling view's panels, in the order the page shows them.
SAMPLING_PANELS = {"cuts": CutsPanel, "sampler": SamplerPanel}
