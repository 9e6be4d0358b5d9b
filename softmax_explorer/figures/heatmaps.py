"""The two heatmaps: the closed-form Jacobian and the finite-difference error per entry."""

from __future__ import annotations

import textwrap

import matplotlib as mpl
import numpy as np
from matplotlib.artist import Artist
from matplotlib.colors import LogNorm, Normalize
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle
from matplotlib.ticker import LogLocator, NullFormatter

from ..results import Results
from .panel import ResultsPanel
from .style import scaled
from .ticks import WRT_SYMBOL, class_ticks, nice_limit, power_of_ten, sub

__all__ = ["ANNOTATE_MAX_N", "ErrorPanel", "JacobianPanel"]

ANNOTATE_MAX_N = 8


class _Heatmap(ResultsPanel):
    """An n x n image with a colourbar, outputs g_i down and the variable across."""

    def heatmap(self, cmap, norm) -> AxesImage:
        ax, n = self.ax, self.n
        image = ax.imshow(
            np.ones((n, n)), cmap=cmap, norm=norm, interpolation="none", aspect="auto"
        )
        self.colorbar = ax.figure.colorbar(image, cax=self.cax)
        self.colorbar.ax.tick_params(labelsize=scaled(9))
        self.cax.set_gid("colourbar")  # redrawn alone when only the limits change
        class_ticks(ax, "y", "g", n)
        ax.set_ylabel("output " + sub("gi"))
        self.animated.append(image)
        return image

    def limits(self, results: Results) -> tuple[float, float]:
        """The colour limits, rounded so that they change rarely."""
        raise NotImplementedError

    def static_key(self, results: Results) -> object:
        return (results.state.wrt, self.limits(results))

    def static_part(self, old: object, new: object) -> Artist | None:
        # new limits alone change only the colourbar; a new variable, the ticks across too
        return self.cax if old is not None and old[0] == new[0] else None

    def refresh_static(self, results: Results) -> None:
        self.image.set_clim(*self.limits(results))
        symbol = WRT_SYMBOL[results.state.wrt]
        class_ticks(self.ax, "x", symbol, self.n)
        self.ax.set_xlabel("variable " + sub(f"{symbol}k"))


class JacobianPanel(_Heatmap):
    """The closed-form Jacobian, diverging colours centred at 0 with symmetric limits."""

    def build(self, results: Results) -> None:
        n = self.n
        self.image = self.heatmap(self.look.jacobian_map, Normalize(-1, 1))
        self.heading = self.title()
        self.cells = []
        if n <= ANNOTATE_MAX_N:
            size = scaled(10 if n <= 5 else 8)
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
        self.heading.set_text("Jacobian " + sub(f"∂gi/∂{symbol}k"))

    def refresh(self, results: Results) -> None:
        jac = np.asarray(results.jacobian, dtype=np.float64)
        m = self.image.get_clim()[1]  # refresh_static set it to `limits`
        self.image.set_data(jac)
        if not self.cells:
            return
        fmt = "{:.2f}" if m >= 0.05 else "{:.0e}"
        # dark text on a light cell, light text on a dark one
        shade = self.image.to_rgba(jac.ravel())[:, :3] @ (0.2126, 0.7152, 0.0722)
        for cell, value, light in zip(self.cells, jac.ravel(), shade > 0.45, strict=True):
            text = fmt.format(value).replace("-", "\N{MINUS SIGN}")
            cell.set(text=text, color="#1a1a1a" if light else "white")


class ErrorPanel(_Heatmap):
    """``|numeric - analytic|`` per entry, log colours from the dtype's eps to 1."""

    def build(self, results: Results) -> None:
        self.image = self.heatmap(self.look.error_map, LogNorm(1e-16, 1))
        # a colourbar resets its axis's ticker when its limits change: give it ours to keep
        self.colorbar.locator = LogLocator(base=10, numticks=8)
        self.colorbar.formatter = power_of_ten
        self.colorbar.minorformatter = NullFormatter()
        self.worst = Rectangle(
            (-0.5, -0.5), 1, 1, fill=False, edgecolor=self.colours["worst"], linewidth=scaled(3)
        )
        self.ax.add_patch(self.worst)
        self.message = self.ax.text(
            0.5, 0.5, "", transform=self.ax.transAxes, ha="center", va="center",
            fontsize=scaled(11), bbox={"facecolor": mpl.rcParams["axes.facecolor"], "alpha": 0.9},
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
