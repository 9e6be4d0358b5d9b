"""The dashboard's four panels, drawn once and updated in place.

- **bars**: softmax g per class with value labels, the 1/n line, the target outline, the loss;
- **jacobian**: the closed-form Jacobian as a diverging heatmap centred at 0;
- **error**: ``|numeric - analytic|`` per entry on a log scale, the worst entry framed;
- **steps**: each scheme's error against the step size (log-log), the current step, the
  theoretical best steps and machine epsilon.

Each panel is its own `~matplotlib.figure.Figure`, so a change redraws only the panels it touches.
`Dashboard.update` changes the existing artists (``set_path``, ``set_data``, ``set_ydata``, norm
limits, texts) and calls ``draw_idle`` once per changed figure; a change of n rebuilds the panels
whose shape changed. Figures are made with `matplotlib.figure.Figure`, never through pyplot, so
nothing is shown outside the layout. The canvas is Agg unless the caller passes another (the app
passes `~softmax_explorer.canvas.widget.PanelCanvas`, which the browser draws). Imports matplotlib
only (seaborn's style is written out, see `theme_rc`), never ipywidgets.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import matplotlib as mpl
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import LogNorm, Normalize
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from .canvas import draw_artists
from .finite_diff import METHODS, optimal_step
from .results import Results

__all__ = ["PANELS", "THEMES", "Dashboard", "LossTrace", "nice_limit", "theme_rc"]

PANELS = ("bars", "jacobian", "error", "steps")
THEMES = ("light", "dark")
PANEL_SIZE = (5.2, 3.7)  # inches; 468 x 333 px at the default dpi
DPI = 90
ANNOTATE_MAX_N = 8
WRT_SYMBOL = {"theta": "θ", "x": "x"}
# Unicode sub- and superscripts instead of mathtext: parsing $x_{1}$ costs milliseconds per label
# at every draw, plain text costs microseconds.
_SUB = str.maketrans("0123456789ik", "₀₁₂₃₄₅₆₇₈₉ᵢₖ")
_SUP = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")

# seaborn's "ticks" style and "colorblind" palette, written out: importing seaborn (and pandas and
# pyplot with it) would add 0.4 s to the first render of every page for one dict and ten colours.
_TICKS_STYLE = {
    "axes.axisbelow": True,
    "axes.grid": False,
    "font.family": ["sans-serif"],
    "font.sans-serif": ["Arial", "DejaVu Sans", "Liberation Sans", "Bitstream Vera Sans",
                        "sans-serif"],
    "lines.solid_capstyle": "round",
    "patch.edgecolor": "w",
    "patch.force_edgecolor": True,
    "xtick.direction": "out",
    "ytick.direction": "out",
    "xtick.top": False,
    "ytick.right": False,
}  # fmt: skip
_COLORBLIND = ["#0173b2", "#de8f05", "#029e73", "#d55e00", "#cc78bc", "#ca9161", "#fbafe4"]
_BASE_RC = {
    "font.size": 12,
    "axes.titlesize": 13,
    "axes.labelsize": 12,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 10,
    "axes.grid": False,
}
_THEME_RC = {
    "light": {
        "figure.facecolor": "white",
        "axes.facecolor": "white",
        "savefig.facecolor": "white",
        "text.color": "#1a1a1a",
        "axes.labelcolor": "#1a1a1a",
        "axes.edgecolor": "#444444",
        "xtick.color": "#333333",
        "ytick.color": "#333333",
        "legend.facecolor": "white",
        "legend.edgecolor": "#cccccc",
    },
    "dark": {
        "figure.facecolor": "#111111",
        "axes.facecolor": "#1b1b1b",
        "savefig.facecolor": "#111111",
        "text.color": "#eeeeee",
        "axes.labelcolor": "#eeeeee",
        "axes.edgecolor": "#aaaaaa",
        "xtick.color": "#dddddd",
        "ytick.color": "#dddddd",
        "legend.facecolor": "#1b1b1b",
        "legend.edgecolor": "#555555",
    },
}


def theme_rc(theme: str) -> dict:
    """The matplotlib rc settings of a theme: seaborn's ticks style, sized for a projector."""
    if theme not in THEMES:
        raise ValueError(f"unknown theme {theme!r}: choose one of {', '.join(THEMES)}")
    return {**_TICKS_STYLE, **_BASE_RC, **_THEME_RC[theme]}


def _palette() -> dict[str, tuple]:
    """Colour-blind-safe colours (seaborn's "colorblind") for the bars and each scheme."""
    c = [mpl.colors.to_rgb(h) for h in _COLORBLIND]
    return {
        "bars": c[0],
        "target": c[3],
        "worst": c[2],
        "forward": c[1],
        "backward": c[2],
        "central": c[0],
        "complex": c[4],
        "richardson": c[3],
    }


def _despine(ax: Axes) -> None:
    ax.spines[["top", "right"]].set_visible(False)


def _labels(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{str(k + 1).translate(_SUB)}" for k in range(n)]


def _sub(text: str) -> str:
    return text.translate(_SUB)


@FuncFormatter
def _power_of_ten(value: float, _pos: int | None = None) -> str:
    """``1e-16`` -> ``10⁻¹⁶`` (decades only)."""
    exponent = np.log10(value) if value > 0 else np.nan
    if not np.isfinite(exponent) or abs(exponent - round(exponent)) > 1e-9:
        return ""
    return "10" + str(round(exponent)).translate(_SUP)


def _log_axis(axis, decades: int) -> None:
    axis.set_major_locator(LogLocator(base=10, numticks=decades))
    axis.set_major_formatter(_power_of_ten)
    axis.set_minor_formatter(NullFormatter())


class _Panel:
    """One panel on one Axes.

    A panel separates what changes with every slider move (its *animated* artists: bars, images,
    value texts, lines) from what changes rarely (axes, ticks, labels, legend). `data_key` and
    `static_key` say which of the two a new state touches; the dashboard redraws only the
    animated artists over a cached background (blitting) unless the static part changed.
    """

    def __init__(self, ax: Axes, results: Results, cax: Axes | None = None) -> None:
        self.ax, self.cax = ax, cax
        self.colours = _palette()
        self.text_colour = mpl.rcParams["text.color"]
        self.n = results.state.n
        self.animated: list[Artist] = []
        self._data_key: object = None
        self._static_key: object = None
        self.build(results)
        self.update(results)

    def title(self, text: str = "") -> Text:
        """An animated title at the top left (``Axes.set_title`` texts are part of the axes)."""
        return self.ax.text(0, 1.03, text, transform=self.ax.transAxes, ha="left", va="bottom",
                            fontsize=mpl.rcParams["axes.titlesize"])  # fmt: skip

    def build(self, results: Results) -> None:
        """Create the artists (once per n)."""
        raise NotImplementedError

    def data_key(self, results: Results) -> object:
        """The values the panel shows: an unchanged key means nothing to redraw."""
        raise NotImplementedError

    def static_key(self, results: Results) -> object:
        """The values the background (axes, ticks, labels) shows."""
        return None

    def refresh(self, results: Results) -> None:
        """Change the artists in place to show ``results``."""
        raise NotImplementedError

    def refresh_static(self, results: Results) -> None:
        """Change the background's artists (called only when `static_key` changed)."""

    def update(self, results: Results) -> tuple[bool, bool]:
        """Show ``results``; return (anything changed, the background changed)."""
        static = self.static_key(results)
        static_changed = static != self._static_key
        if static_changed:
            self.refresh_static(results)
            self._static_key = static
        data = self.data_key(results)
        if data == self._data_key and not static_changed:
            return False, False
        self.refresh(results)
        self._data_key = data
        return True, static_changed


def _bar_path(heights: np.ndarray, width: float = 0.62) -> MplPath:
    """Bars of ``heights`` at 0, 1, ..., n - 1 as one path of closed rectangles."""
    n = len(heights)
    corners = np.empty((n, 5, 2))
    corners[:, :, 0] = np.arange(n)[:, None] + width * np.array([-0.5, 0.5, 0.5, -0.5, -0.5])
    corners[:, :, 1] = 0.0
    corners[:, 2:4, 1] = np.asarray(heights, dtype=np.float64)[:, None]
    codes = np.tile([MplPath.MOVETO, *[MplPath.LINETO] * 3, MplPath.CLOSEPOLY], n)
    return MplPath(corners.reshape(-1, 2), codes)


class BarsPanel(_Panel):
    """Softmax bars, their values, the 1/n line, the target outline and the loss."""

    @property
    def heights(self) -> np.ndarray:
        """The heights of the bars as drawn (NaN shows as 0)."""
        return self.bars.get_path().vertices[2::5, 1]

    def build(self, results: Results) -> None:
        ax, n = self.ax, self.n
        idx = np.arange(n)
        # one path of n rectangles: one artist to draw instead of n (a draw costs 0.1 ms)
        self.bars = PathPatch(_bar_path(np.zeros(n)), facecolor=self.colours["bars"], zorder=2)
        ax.add_patch(self.bars)
        self.outline = Rectangle(
            (-0.43, 0), 0.86, 1, fill=False, edgecolor=self.colours["target"], linewidth=2,
            linestyle="--", zorder=3, visible=False,
        )  # fmt: skip
        ax.add_patch(self.outline)
        self.uniform = ax.axhline(1 / n, color="#888888", linestyle=":", linewidth=1.5, zorder=1)
        fontsize = 10 if n <= 8 else 7 if n <= 16 else 0
        self.values = [
            ax.text(i, 0, "", ha="center", va="bottom", fontsize=fontsize, zorder=4) for i in idx
        ]
        for label in self.values:
            label.set_visible(fontsize > 0)
        self.warning = ax.text(
            0.55, 0.55, "", transform=ax.transAxes, ha="center", va="center",
            color=self.colours["target"], fontsize=11, zorder=5,
            bbox={"facecolor": mpl.rcParams["axes.facecolor"], "edgecolor": "none", "alpha": 0.9},
        )  # fmt: skip
        self.heading = self.title()
        ax.set_ylim(0, 1)
        ax.set_xlim(-0.6, n - 0.4)
        ax.set_xticks(idx, _labels("x", n), fontsize=11 if n <= 12 else 7)
        ax.set_ylabel("probability " + _sub("gi"))
        ax.text(
            1.0, 1.0 / n, " 1/n", transform=ax.get_yaxis_transform(), va="center", ha="left",
            fontsize=9, color="#888888",
        )  # fmt: skip
        _despine(ax)
        self.animated += [self.bars, self.outline, *self.values, self.warning, self.heading]

    def data_key(self, results: Results) -> object:
        s = results.state
        return (results.g_shown.tobytes(), s.target, results.loss, results.overflow)

    def refresh(self, results: Results) -> None:
        g = np.asarray(results.g_shown, dtype=np.float64)
        finite = np.isfinite(g)
        heights = np.where(finite, g, 0.0)
        if not np.array_equal(heights, self.heights):
            self.bars.set_path(_bar_path(heights))
        for label, height, value, ok in zip(self.values, heights, g, finite, strict=True):
            inside = height > 0.86
            position = (label.get_position()[0], height - 0.015 if inside else height + 0.01)
            label.set(text=f"{value:.3f}" if ok else "NaN", position=position,
                va="top" if inside else "bottom", color="white" if inside else self.text_colour,
            )  # fmt: skip
        if results.target is not None:
            self.outline.set(x=results.state.target - 0.43)
        self.outline.set(visible=results.target is not None)
        heading = "softmax g"
        if results.loss is not None:
            heading += f"    loss C = {results.loss:.4g}"
        self.heading.set_text(heading)
        self.warning.set_text(textwrap.fill(results.overflow, 34))
        self.warning.set(visible=bool(results.overflow))


def nice_limit(value: float) -> float:
    """The smallest of 1, 2, 5 x 10^k that is >= ``value``: colour limits that change rarely.

    A colourbar redraw costs more than the heatmap itself; with rounded limits it happens only
    when the data cross a step, not at every slider move.
    """
    if not value > 0 or not np.isfinite(value):
        return 1e-12
    decade = 10.0 ** np.floor(np.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * decade * (1 + 1e-12):
            return float(step * decade)
    return float(10 * decade)


class _Heatmap(_Panel):
    """An n x n image with a colourbar, outputs g_i down and the variable across."""

    def heatmap(self, cmap, norm) -> AxesImage:
        ax, n = self.ax, self.n
        image = ax.imshow(
            np.ones((n, n)), cmap=cmap, norm=norm, interpolation="none", aspect="auto"
        )
        self.colorbar = ax.figure.colorbar(image, cax=self.cax)
        self.colorbar.ax.tick_params(labelsize=9)
        ax.set_yticks(range(n), _labels("g", n), fontsize=11 if n <= 12 else 7)
        ax.set_ylabel("output " + _sub("gi"))
        self.animated.append(image)
        return image

    def limits(self, results: Results) -> tuple[float, float]:
        """The colour limits, rounded so that they change rarely."""
        raise NotImplementedError

    def static_key(self, results: Results) -> object:
        return (results.state.wrt, self.limits(results))

    def refresh_static(self, results: Results) -> None:
        self.image.set_clim(*self.limits(results))
        symbol = WRT_SYMBOL[results.state.wrt]
        self.ax.set_xticks(
            range(self.n), _labels(symbol, self.n), fontsize=11 if self.n <= 12 else 7
        )
        self.ax.set_xlabel("variable " + _sub(f"{symbol}k"))


class JacobianPanel(_Heatmap):
    """The closed-form Jacobian, diverging colours centred at 0 with symmetric limits."""

    def build(self, results: Results) -> None:
        n = self.n
        self.image = self.heatmap("RdBu_r", Normalize(-1, 1))
        self.heading = self.title()
        self.cells = []
        if n <= ANNOTATE_MAX_N:
            size = 10 if n <= 5 else 8
            self.cells = [
                self.ax.text(k, i, "", ha="center", va="center", fontsize=size)
                for i in range(n)
                for k in range(n)
            ]
        self.animated += self.cells

    def data_key(self, results: Results) -> object:
        return results.jacobian.tobytes()

    def limits(self, results: Results) -> tuple[float, float]:
        m = nice_limit(float(np.max(np.abs(results.jacobian))))
        return -m, m

    def refresh_static(self, results: Results) -> None:
        super().refresh_static(results)
        symbol = WRT_SYMBOL[results.state.wrt]
        self.heading.set_text("Jacobian " + _sub(f"∂gi/∂{symbol}k"))

    def refresh(self, results: Results) -> None:
        jac = np.asarray(results.jacobian, dtype=np.float64)
        m = self.image.get_clim()[1]  # refresh_static set it to `limits`
        self.image.set_data(jac)
        fmt = "{:.2f}" if m >= 0.05 else "{:.0e}"
        for cell, value in zip(self.cells, jac.ravel(), strict=False):
            text = fmt.format(value).replace("-", "\N{MINUS SIGN}")
            cell.set(text=text, color="white" if abs(value) > 0.6 * m else "#1a1a1a")


class ErrorPanel(_Heatmap):
    """``|numeric - analytic|`` per entry, log colours from the dtype's eps to 1."""

    def build(self, results: Results) -> None:
        self.image = self.heatmap("magma_r", LogNorm(1e-16, 1))
        # a colourbar resets its axis's ticker when its limits change: give it ours to keep
        self.colorbar.locator = LogLocator(base=10, numticks=8)
        self.colorbar.formatter = _power_of_ten
        self.colorbar.minorformatter = NullFormatter()
        self.worst = Rectangle(
            (-0.5, -0.5), 1, 1, fill=False, edgecolor=self.colours["worst"], linewidth=3
        )
        self.ax.add_patch(self.worst)
        self.message = self.ax.text(
            0.5, 0.5, "", transform=self.ax.transAxes, ha="center", va="center", fontsize=11,
            bbox={"facecolor": mpl.rcParams["axes.facecolor"], "alpha": 0.9},
        )  # fmt: skip
        self.heading = self.title()
        self.animated += [self.worst, self.message, self.heading]

    def data_key(self, results: Results) -> object:
        s = results.state
        error = results.error
        return (None if error is None else error.tobytes(), s.scheme, s.h, s.dtype)

    def shown(self, results: Results) -> np.ndarray:
        """The errors as drawn: floored at eps, NaN and inf (no estimate) at 1."""
        floor = float(np.finfo(np.dtype(results.state.dtype)).eps)
        if results.error is None:
            return np.full((self.n, self.n), floor)
        return np.clip(np.nan_to_num(results.error, nan=1.0, posinf=1.0), floor, 1e300)

    def limits(self, results: Results) -> tuple[float, float]:
        """The dtype's eps to 1, whatever the errors.

        Colours compare across schemes and steps, and the colourbar (a full redraw) changes
        only with the dtype.
        """
        return float(np.finfo(np.dtype(results.state.dtype)).eps), 1.0

    def refresh(self, results: Results) -> None:
        s = results.state
        self.heading.set_text(f"|numeric − analytic|: {s.scheme}, h = {s.h:.0e}")
        self.image.set_data(self.shown(results))
        self.message.set_text(textwrap.fill(results.step_message, 40))
        self.message.set(visible=bool(results.step_message))
        self.worst.set(visible=results.check is not None)
        if results.check is not None:
            i, k = results.check.worst
            self.worst.set(xy=(k - 0.5, i - 0.5))


class StepsPanel(_Panel):
    """Max error of each scheme against the step: the V of truncation against round-off."""

    def build(self, results: Results) -> None:
        ax = self.ax
        self._sweep: object = None  # the sweep the lines show (one object per sweep's inputs)
        steps = results.sweep.steps
        # the five curves as one collection and the five dots as another: two artists to draw
        # per update instead of ten (a Line2D draw costs 0.15 ms)
        colours = [self.colours[m] for m in METHODS]
        dashes = ["--" if m == "backward" else "-" for m in METHODS]
        self.lines = LineCollection(
            [np.column_stack([steps, np.ones_like(steps)])] * len(METHODS), colors=colours,
            linestyles=dashes, linewidths=1.4, capstyle=mpl.rcParams["lines.solid_capstyle"],
            joinstyle=mpl.rcParams["lines.solid_joinstyle"], zorder=2,
        )  # fmt: skip
        ax.add_collection(self.lines, autolim=False)
        self.best = ax.scatter(
            np.ones(len(METHODS)), np.ones(len(METHODS)), s=7**2, c=colours, zorder=3,
            edgecolors=mpl.rcParams["text.color"], linewidths=mpl.rcParams["lines.markeredgewidth"],
        )  # fmt: skip
        legend = [
            Line2D([], [], color=c, linestyle=d, linewidth=1.4, label=m)
            for m, c, d in zip(METHODS, colours, dashes, strict=True)
        ]
        self.step_line = ax.axvline(1e-6, color=self.text_colour, linewidth=1.2, linestyle="--")
        self.eps_line = ax.axhline(1e-16, color="#888888", linewidth=1, linestyle=":")
        self.eps_label = ax.text(
            steps[0], 1e-16, " machine eps", va="bottom", ha="left", fontsize=9, color="#888888"
        )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(steps[0], steps[-1])
        _log_axis(ax.xaxis, 6)
        _log_axis(ax.yaxis, 7)
        ax.set_xlabel("step h")
        ax.set_ylabel("max |error|")
        ax.set_title("error vs step   (o: theoretical best)", loc="left")
        ax.legend(
            handles=legend, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False,
            handlelength=1.4,
        )  # fmt: skip
        _despine(ax)
        self.animated += [self.lines, self.best, self.step_line]

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
            log_steps = np.log10(sweep.steps)
            curves, dots = [], []
            for m in METHODS:
                errors = np.clip(np.nan_to_num(sweep.errors[m], posinf=high), low, high)
                curves.append(np.column_stack([sweep.steps, errors]))
                best = optimal_step(m, s.dtype)
                dots.append((best, 10 ** np.interp(np.log10(best), log_steps, np.log10(errors))))
            self.lines.set_segments(curves)
            self.best.set_offsets(dots)
        widths = [3.2 if m == s.scheme else 1.4 for m in METHODS]
        if list(self.lines.get_linewidths()) != widths:
            self.lines.set_linewidths(widths)
        if self.step_line.get_xdata()[0] != s.h:
            self.step_line.set_xdata([s.h, s.h])


_PANEL_CLASSES = {
    "bars": BarsPanel,
    "jacobian": JacobianPanel,
    "error": ErrorPanel,
    "steps": StepsPanel,
}
# Axes rectangles (left, bottom, width, height) in figure fractions: fixed, so nothing jumps.
_MAIN_RECT = {
    "bars": (0.13, 0.14, 0.80, 0.74),
    "jacobian": (0.13, 0.15, 0.66, 0.73),
    "error": (0.13, 0.15, 0.66, 0.73),
    "steps": (0.14, 0.15, 0.58, 0.73),
}
_CBAR_RECT = (0.84, 0.15, 0.03, 0.73)


def _add_panel(fig: Figure, name: str, results: Results, frame=(0, 0, 1, 1)) -> _Panel:
    """Create panel ``name`` in the sub-rectangle ``frame`` of ``fig``."""

    def place(rect):
        fx, fy, fw, fh = frame
        x, y, w, h = rect
        return (fx + x * fw, fy + y * fh, w * fw, h * fh)

    ax = fig.add_axes(place(_MAIN_RECT[name]))
    cax = fig.add_axes(place(_CBAR_RECT)) if name in ("jacobian", "error") else None
    return _PANEL_CLASSES[name](ax, results, cax)


class _Blitter:
    """Redraws a panel's animated artists over a cached background (matplotlib's blitting recipe).

    Every full draw of the figure (the first one, a resize, a theme or background change) fires
    ``draw_event``: the background is cached then, without the animated artists, and they are
    drawn on top. An update restores the background and draws only the animated artists, so tick
    labels and axes (most of a draw's cost) are not drawn again.
    """

    def __init__(self, fig: Figure, panel: _Panel) -> None:
        self.fig, self.panel = fig, panel
        self.background = None
        self.renderer = None
        for artist in panel.animated:
            artist.set_animated(True)
        self.cid = fig.canvas.mpl_connect("draw_event", self._on_draw)

    def _on_draw(self, event) -> None:
        renderer = event.renderer
        if hasattr(renderer, "copy_from_bbox"):
            self.background = renderer.copy_from_bbox(self.fig.bbox)
            self.renderer = renderer
        self._draw_animated(renderer)

    def _draw_animated(self, renderer) -> None:
        draw_artists(renderer, self.panel.animated)

    def blit(self) -> None:
        """Show the animated artists' new state; a full draw if there is no usable background."""
        canvas = self.fig.canvas
        renderer = canvas.get_renderer()
        if self.background is None or renderer is not self.renderer:
            canvas.draw_idle()
            return
        renderer.restore_region(self.background)
        self._draw_animated(renderer)
        canvas.blit(self.fig.bbox)

    def disconnect(self) -> None:
        """Stop listening to the figure's draws."""
        self.fig.canvas.mpl_disconnect(self.cid)


class Dashboard:
    """The four panels, one figure each, updated in place.

    Parameters
    ----------
    results : Results
        What to show first.
    theme : {"light", "dark"}
        Colours; dark suits Voila's dark theme.
    canvas : callable, optional
        ``canvas(figure)`` attaches a canvas to each new figure; default Agg (static). The app
        passes `~softmax_explorer.canvas.widget.PanelCanvas`, a widget. What it returns is kept
        in `canvases`.
    dpi : float, optional
        Resolution of the figures.
    """

    def __init__(
        self,
        results: Results,
        theme: str = "light",
        canvas: Callable[[Figure], object] = FigureCanvasAgg,
        dpi: float = DPI,
    ) -> None:
        self.theme, self.dpi = theme, dpi
        self._rc = theme_rc(theme)
        self.results = results
        self.figures: dict[str, Figure] = {}
        self.canvases: dict[str, object] = {}
        self.panels: dict[str, _Panel] = {}
        self._blitters: dict[str, _Blitter] = {}
        with mpl.rc_context(self._rc):
            for name in PANELS:
                fig = Figure(figsize=PANEL_SIZE, dpi=dpi, label=name)
                self.canvases[name] = canvas(fig)
                self.figures[name] = fig
                self._build(name, results)
                fig.canvas.draw_idle()

    def _build(self, name: str, results: Results) -> None:
        fig = self.figures[name]
        if name in self._blitters:
            self._blitters[name].disconnect()
            fig.clear()
        self.panels[name] = _add_panel(fig, name, results)
        self._blitters[name] = _Blitter(fig, self.panels[name])

    def update(self, results: Results) -> list[str]:
        """Show ``results``: change artists in place and redraw each changed figure once.

        Only a panel's animated artists are redrawn (blitted) unless its background changed
        (wrt, dtype) or n changed (then the panel is rebuilt and fully drawn).

        Returns
        -------
        list of str
            The panels that changed.
        """
        changed = []
        rebuild = results.state.n != self.results.state.n
        with mpl.rc_context(self._rc):
            for name, panel in self.panels.items():
                if rebuild and name != "steps":  # the step plot's shape does not depend on n
                    self._build(name, results)
                    full = True
                else:
                    data_changed, full = panel.update(results)
                    if not data_changed:
                        continue
                changed.append(name)
                if full:
                    self.figures[name].canvas.draw_idle()
                else:
                    self._blitters[name].blit()
        self.results = results
        return changed

    def save(self, path: str | Path | BinaryIO, format: str | None = None) -> str | Path | BinaryIO:
        """Write the current state's four panels as one image, PNG or SVG.

        Parameters
        ----------
        path : str, path or binary file
            Where to write.
        format : {"png", "svg"}, optional
            Default: from the file name's suffix (PNG for a file object).

        The export is a fresh 2 x 2 figure built by the same panel code, so it shows exactly what
        the panels show.
        """
        suffix = Path(path).suffix.lstrip(".") if isinstance(path, str | Path) else ""
        fmt = (format or suffix or "png").lower()
        if fmt not in ("png", "svg"):
            raise ValueError(f"save writes png or svg, not {fmt!r}")
        with mpl.rc_context(self._rc):
            self.composite().savefig(path, format=fmt, dpi=self.dpi)
        return path

    def composite(self) -> Figure:
        """A single 2 x 2 figure of the current state (Agg canvas), for export."""
        width, height = PANEL_SIZE
        with mpl.rc_context(self._rc):
            fig = Figure(figsize=(2 * width, 2 * height), dpi=self.dpi)
            FigureCanvasAgg(fig)
            frames = [
                (0, 0.5, 0.5, 0.5),
                (0.5, 0.5, 0.5, 0.5),
                (0, 0, 0.5, 0.5),
                (0.5, 0, 0.5, 0.5),
            ]
            for name, frame in zip(PANELS, frames, strict=True):
                _add_panel(fig, name, self.results, frame)
        return fig


class LossTrace:
    """The cross-entropy along gradient descent: one line, extended in place.

    Parameters
    ----------
    theme : {"light", "dark"}
        Colours.
    canvas : callable, optional
        As for `Dashboard`; what it returns is kept in ``canvas``.
    """

    def __init__(
        self,
        theme: str = "light",
        canvas: Callable[[Figure], object] = FigureCanvasAgg,
        dpi: float = DPI,
    ) -> None:
        with mpl.rc_context(theme_rc(theme)):
            self.figure = Figure(figsize=(PANEL_SIZE[0], 2.2), dpi=dpi)
            self.canvas = canvas(self.figure)
            self.ax = self.figure.add_axes((0.13, 0.25, 0.82, 0.6))
            (self.line,) = self.ax.plot([], [], marker="o", markersize=3, color=_palette()["bars"])
            self.ax.set_xlabel("descent step")
            self.ax.set_ylabel("loss C")
            self.ax.set_title("gradient descent on θ", loc="left")
            _despine(self.ax)
        self.set([])

    def set(self, losses: list[float]) -> None:
        """Show ``losses`` (one per descent step) and redraw."""
        steps = np.arange(len(losses))
        values = np.asarray(losses, dtype=float)
        self.line.set_data(steps, values)
        self.ax.set_xlim(0, max(10, len(losses)))
        top = float(values.max()) if values.size else 1.0
        self.ax.set_ylim(0, top * 1.1 if top > 0 else 1.0)
        self.figure.canvas.draw_idle()
