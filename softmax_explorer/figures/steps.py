"""The error-vs-step plot: each scheme's V of truncation against round-off."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import seaborn as sns
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from ..finite_diff import METHODS
from ..results import Results
from .panel import ResultsPanel
from .style import scaled
from .ticks import log_axis

__all__ = ["StepsPanel"]


class StepsPanel(ResultsPanel):
    """Max error of each scheme against the step: the V of truncation against round-off."""

    def build(self, results: Results) -> None:
        ax = self.ax
        self._sweep: object = None  # the sweep the lines show (one object per sweep's inputs)
        steps = results.sweep.steps
        # the five curves as one collection and the five dots as another: two artists to draw
        # per update instead of ten
        colours = [self.colours[m] for m in METHODS]
        dashes = ["--" if m == "backward" else "-" for m in METHODS]
        self.lines = LineCollection(
            [np.column_stack([steps, np.ones_like(steps)])] * len(METHODS), colors=colours,
            linestyles=dashes, linewidths=scaled(1.4),
            capstyle=mpl.rcParams["lines.solid_capstyle"],
            joinstyle=mpl.rcParams["lines.solid_joinstyle"], zorder=2,
        )  # fmt: skip
        ax.add_collection(self.lines, autolim=False)
        self.best = ax.scatter(
            np.ones(len(METHODS)), np.ones(len(METHODS)), s=scaled(7) ** 2, c=colours, zorder=3,
            edgecolors=mpl.rcParams["text.color"], linewidths=mpl.rcParams["lines.markeredgewidth"],
        )  # fmt: skip
        legend = [
            Line2D([], [], color=c, linestyle=d, linewidth=scaled(1.4), label=m)
            for m, c, d in zip(METHODS, colours, dashes, strict=True)
        ]
        # steps the real schemes cannot take (x + h == x in the dtype): a band with a note
        self.unresolved = Rectangle(
            (steps[0], 0), 0, 1, transform=ax.get_xaxis_transform(),
            facecolor=self.colours["muted"], alpha=0.25, edgecolor="none", zorder=1, visible=False,
        )  # fmt: skip
        ax.add_patch(self.unresolved)
        self.unresolved_note = ax.text(
            0.02, 0.97, "", transform=ax.transAxes, ha="left", va="top", fontsize=scaled(9),
            color=self.text_colour, zorder=4, visible=False,
        )  # fmt: skip
        self.step_line = ax.axvline(
            1e-6, color=self.text_colour, linewidth=scaled(1.2), linestyle="--"
        )
        muted = self.colours["muted"]
        self.eps_line = ax.axhline(1e-16, color=muted, linewidth=scaled(1), linestyle=":")
        self.eps_label = ax.text(
            steps[0], 1e-16, " machine eps", va="bottom", ha="left", fontsize=scaled(9), color=muted
        )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(steps[0], steps[-1])
        log_axis(ax.xaxis, 6)
        log_axis(ax.yaxis, 7)
        ax.set_xlabel("step h")
        ax.set_ylabel("max |error|")
        ax.set_title("error vs step   (o: theoretical best)", loc="left")
        ax.legend(
            handles=legend, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False,
            handlelength=1.4,
        )  # fmt: skip
        sns.despine(ax=ax)
        self.animated += [
            self.unresolved,
            self.unresolved_note,
            self.lines,
            self.best,
            self.step_line,
        ]

    def data_key(self, results: Results) -> object:
        s = results.state
        return (id(results.sweep), s.h, s.scheme)

    def static_key(self, results: Results) -> object:
        return results.state.dtype

    def _limits(self, dtype: str) -> tuple[float, float, float]:
        eps = float(np.finfo(np.dtype(dtype)).eps)
        return eps, eps * 1e-3, 10.0

    def refresh_static(self, results: Results) -> None:
        eps, low, high = self._limits(results.state.dtype)
        self.ax.set_ylim(low, high)
        self.eps_line.set_ydata([eps, eps])
        self.eps_label.set_y(eps)

    def refresh(self, results: Results) -> None:
        s, sweep = results.state, results.sweep
        if sweep is not self._sweep:  # not when only the step or the scheme moved
            self._sweep = sweep
            _, low, high = self._limits(s.dtype)
            curves = [
                np.column_stack([sweep.steps, np.clip(sweep.errors[m], low, high)]) for m in METHODS
            ]
            dots = [results.best_steps[m] for m in METHODS]
            self.lines.set_segments(curves)
            self.best.set_offsets(np.clip(dots, [0, low], [np.inf, high]))
            self._show_unresolved(sweep)
        widths = [3.2 if m == s.scheme else 1.4 for m in METHODS]
        if list(self.lines.get_linewidths()) != widths:
            self.lines.set_linewidths(widths)
        if self.step_line.get_xdata()[0] != s.h:
            self.step_line.set_xdata([s.h, s.h])

    def _show_unresolved(self, sweep) -> None:
        """The band of steps below the dtype's resolution, up to the first step that is taken."""
        taken = np.flatnonzero(sweep.resolved)
        cut = len(sweep.steps) if taken.size == 0 else int(taken[0])
        visible = cut > 0
        self.unresolved.set_visible(visible)
        self.unresolved_note.set_visible(visible)
        if visible:
            # the band ends halfway (on the log axis) between the last step not taken and the first
            end = (
                sweep.steps[-1]
                if cut == len(sweep.steps)
                else np.sqrt(sweep.steps[cut - 1] * sweep.steps[cut])
            )
            self.unresolved.set_width(end - sweep.steps[0])
            self.unresolved_note.set_text(f"x + h = x in {sweep.dtype.name}:\nno difference")
