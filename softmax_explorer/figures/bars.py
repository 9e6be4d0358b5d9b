"""The probability bars: g per class, value labels, the 1/n line, the target outline, the loss.

And, after a revealed prediction, a faint outline of the bars before the change. With a sparse
mapping (sparsemax, 1.5-entmax), softmax's bars are outlined behind for comparison, and a second
axis on the right shows each class's logit (a diamond) against the threshold below which a class
gets probability exactly 0.
"""

from __future__ import annotations

import textwrap

import matplotlib as mpl
import numpy as np
import seaborn as sns
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath

from ..results import Results
from .panel import ResultsPanel
from .style import scaled
from .ticks import class_ticks, nice_limit, sub, text_size

__all__ = ["BAR_WIDTH", "BarsPanel", "bar_path"]

#: A bar's width, in classes.
BAR_WIDTH = 0.62


def bar_path(heights: np.ndarray, width: float = BAR_WIDTH) -> MplPath:
    """Bars of ``heights`` at 0, 1, ..., n - 1 as one path of closed rectangles."""
    n = len(heights)
    corners = np.empty((n, 5, 2))
    corners[:, :, 0] = np.arange(n)[:, None] + width * np.array([-0.5, 0.5, 0.5, -0.5, -0.5])
    corners[:, :, 1] = 0.0
    corners[:, 2:4, 1] = np.asarray(heights, dtype=np.float64)[:, None]
    codes = np.tile([MplPath.MOVETO, *[MplPath.LINETO] * 3, MplPath.CLOSEPOLY], n)
    return MplPath(corners.reshape(-1, 2), codes)


class BarsPanel(ResultsPanel):
    """Softmax bars, their values, the 1/n line, the target outline and the loss."""

    @property
    def heights(self) -> np.ndarray:
        """The heights of the bars as drawn (NaN shows as 0)."""
        return self.bars.get_path().vertices[2::5, 1]

    def build(self, results: Results) -> None:
        ax, n = self.ax, self.n
        idx = np.arange(n)
        # one path of n rectangles: one artist to draw instead of n
        self.bars = PathPatch(bar_path(np.zeros(n)), facecolor=self.colours["bars"], zorder=2)
        ax.add_patch(self.bars)
        self.outline = Rectangle(
            (-0.43, 0), 0.86, 1, fill=False, edgecolor=self.colours["target"], linewidth=scaled(2),
            linestyle="--", zorder=3, visible=False,
        )  # fmt: skip
        ax.add_patch(self.outline)
        self.before = PathPatch(
            bar_path(np.zeros(n)), fill=False, edgecolor=self.colours["muted"],
            linewidth=scaled(1.5), alpha=0.7, zorder=3, visible=False,
        )  # fmt: skip
        ax.add_patch(self.before)
        # the bar the arrow keys move: a caret under it, once a key or a drag has chosen one
        (self.selected,) = ax.plot(
            [0], [0], marker="^", markersize=scaled(9), color=self.text_colour, clip_on=False,
            zorder=5, visible=False,
        )  # fmt: skip
        self.softmax_outline = PathPatch(
            bar_path(np.zeros(n)), fill=False, edgecolor=self.colours["muted"],
            linewidth=scaled(1.2), linestyle="--", zorder=1.5, visible=False,
        )  # fmt: skip
        ax.add_patch(self.softmax_outline)
        # the logits against the threshold, on an axis of their own (shown for sparse mappings)
        self.logit_ax = ax.twinx()
        self.logit_ax.set_visible(False)
        (self.logits,) = self.logit_ax.plot(
            idx, np.zeros(n), linestyle="none", marker="D", markersize=scaled(6),
            color=self.colours["worst"], zorder=6,
        )  # fmt: skip
        self.threshold = self.logit_ax.axhline(
            0.0, color=self.colours["worst"], linestyle="-.", linewidth=scaled(1.3), zorder=6
        )
        self.threshold_label = self.logit_ax.text(
            0.995, 0.0, "", transform=self.logit_ax.get_yaxis_transform(), ha="right",
            va="bottom", fontsize=scaled(9), color=self.colours["worst"], zorder=6,
        )  # fmt: skip
        self.uniform = ax.axhline(
            1 / n, color=self.colours["muted"], linestyle=":", linewidth=scaled(1.5), zorder=1
        )
        # a value above each bar where it fits between its neighbours (10 pt, else 7 pt)
        room, dpi = ax.bbox.width / n, ax.figure.dpi
        fits = [
            size for size in map(scaled, (10, 7)) if 1.1 * text_size("0.000", size, dpi)[0] <= room
        ]
        fontsize = fits[0] if fits else 0
        self.values = [
            ax.text(i, 0, "", ha="center", va="bottom", fontsize=fontsize, zorder=4) for i in idx
        ]
        for label in self.values:
            label.set_visible(fontsize > 0)
        self.warning = ax.text(
            0.55, 0.55, "", transform=ax.transAxes, ha="center", va="center",
            color=self.colours["target"], fontsize=scaled(11), zorder=5,
            bbox={"facecolor": mpl.rcParams["axes.facecolor"], "edgecolor": "none", "alpha": 0.9},
        )  # fmt: skip
        self.heading = self.title()
        ax.set_ylim(0, 1)
        ax.set_xlim(-0.6, n - 0.4)
        class_ticks(ax, "x", "x", n)
        ax.set_ylabel("probability " + sub("gi"))
        ax.text(
            0.995, 1.0 / n, "1/n", transform=ax.get_yaxis_transform(), va="bottom", ha="right",
            fontsize=scaled(9), color=self.colours["muted"],
        )  # fmt: skip
        sns.despine(ax=ax)
        self.animated += [
            self.bars,
            self.softmax_outline,
            self.logits,
            self.threshold,
            self.threshold_label,
            self.before,
            self.selected,
            self.outline,
            *self.values,
            self.warning,
            self.heading,
        ]

    def show_before(self, g: np.ndarray | None) -> None:
        """Outline bars of heights ``g`` (the state before a change), or hide the outline."""
        if g is not None:
            g = np.asarray(g, dtype=np.float64)
            self.before.set_path(bar_path(np.where(np.isfinite(g), g, 0.0)))
        self.before.set_visible(g is not None)

    def show_selected(self, k: int) -> None:
        """Mark bar ``k`` (0-based) as the one the arrow keys move."""
        self.selected.set(xdata=[k], visible=True)

    @property
    def before_heights(self) -> np.ndarray | None:
        """The outlined heights, or None when no outline is shown."""
        return self.before.get_path().vertices[2::5, 1] if self.before.get_visible() else None

    def static_key(self, results: Results) -> object:
        return None if results.state.mapping == "softmax" else self._logit_limits(results)

    @staticmethod
    def _cut(results: Results) -> float:
        """The logit below which a class gets 0: sparsemax's tau, or twice 1.5-entmax's."""
        tau = results.model.tau()
        return tau if results.state.mapping == "sparsemax" else 2 * tau

    def _logit_limits(self, results: Results) -> tuple[float, float]:
        """The logit axis's limits, in 1-2-5 steps so that it changes rarely."""
        z = np.asarray(results.model.z, dtype=np.float64)
        top = nice_limit(float(max(np.max(np.abs(z)), abs(self._cut(results)), 1e-3)))
        return -top, top

    def refresh_static(self, results: Results) -> None:
        sparse = results.state.mapping != "softmax"
        self.logit_ax.set_visible(sparse)
        if sparse:
            self.logit_ax.set_ylim(*self._logit_limits(results))
            self.logit_ax.set_ylabel("logit z ◆", color=self.colours["worst"], fontsize=scaled(10))
            self.logit_ax.tick_params(axis="y", labelsize=scaled(9))

    def data_key(self, results: Results) -> object:
        s = results.state
        return (
            results.g_shown.tobytes(), s.target, results.loss, results.overflow, s.mapping,
            results.model.z.tobytes(),
        )  # fmt: skip

    def refresh(self, results: Results) -> None:
        g = np.asarray(results.g_shown, dtype=np.float64)
        finite = np.isfinite(g)
        heights = np.where(finite, g, 0.0)
        if not np.array_equal(heights, self.heights):
            self.bars.set_path(bar_path(heights))
        for label, height, value, ok in zip(self.values, heights, g, finite, strict=True):
            inside = height > 0.86
            position = (label.get_position()[0], height - 0.015 if inside else height + 0.01)
            label.set(text=f"{value:.3f}" if ok else "NaN", position=position,
                va="top" if inside else "bottom", color="white" if inside else self.text_colour,
            )  # fmt: skip
        if results.target is not None:
            self.outline.set(x=results.state.target - 0.43)
        self.outline.set(visible=results.target is not None)
        sparse = results.state.mapping != "softmax"
        self.softmax_outline.set_visible(sparse)
        for artist in (self.logits, self.threshold, self.threshold_label):
            artist.set_visible(sparse)
        if sparse:
            self.softmax_outline.set_path(bar_path(np.asarray(results.model.softmax(), float)))
            self.logits.set_ydata(np.asarray(results.model.z, dtype=np.float64))
            cut = self._cut(results)
            self.threshold.set_ydata([cut, cut])
            name = "τ" if results.state.mapping == "sparsemax" else "2τ"
            self.threshold_label.set(y=cut, text=f"{name} = {cut:.3g}")
        heading = {"softmax": "softmax g", "sparsemax": "sparsemax g (- - softmax)",
                   "entmax15": "1.5-entmax g (- - softmax)"}[results.state.mapping]  # fmt: skip
        if results.loss is not None:
            heading += f"    loss C = {results.loss:.4g}"
        self.heading.set_text(heading)
        self.warning.set_text(textwrap.fill(results.overflow, 34))
        self.warning.set(visible=bool(results.overflow))
