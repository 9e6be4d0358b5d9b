"""The figures' look, from seaborn: its "ticks" style, a plotting context, its palettes and maps.

`Look` gathers what one dashboard is drawn with: the rc settings (applied per figure with
``matplotlib.rc_context``, never to the user's global rcParams), the categorical colours, the
two heatmaps' colour maps and the scale of sizes for the context.

The colour maps are seaborn's perceptually uniform ones. The Jacobian is signed and centred at
zero: a diverging map whose middle is the page's background, so that the many near-zero entries
fade and the large ones of either sign stand out (``vlag``, white in the middle, on the light
theme; ``icefire``, black in the middle, on the dark one). The finite-difference error spans
sixteen decades on a log scale: a sequential map whose lightness grows steadily, the large
errors the most salient against the background (``rocket_r``, small errors light, on the light
theme; ``rocket``, small errors dark, on the dark one).
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib as mpl
import seaborn as sns
from matplotlib.colors import Colormap

from ..looks import CONTEXTS, THEMES, checked

__all__ = ["CONTEXTS", "DPI", "PANEL_SIZE", "THEMES", "Look", "scaled", "theme_rc"]

PANEL_SIZE = (5.2, 3.7)  # inches, in the "notebook" context; 468 x 333 px at the default dpi
DPI = 90
#: The font size the figures' own sizes (points, linewidths) are given for.
_NOTEBOOK_FONT = sns.plotting_context("notebook")["font.size"]

# What a dark page needs that seaborn's light "ticks" style does not give.
_DARK_RC = {
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
    "patch.edgecolor": "#1b1b1b",
}
_MAPS = {"light": ("vlag", "rocket_r"), "dark": ("icefire", "rocket")}
# which of seaborn's "colorblind" colours each role takes
_ROLES = {
    "bars": 0, "target": 3, "worst": 2, "forward": 1, "backward": 2, "central": 0,
    "complex": 4, "richardson": 3, "muted": 7,
}  # fmt: skip


def theme_rc(theme: str = "light", context: str = "notebook") -> dict:
    """The matplotlib rc settings of a theme and a seaborn plotting context.

    Raises
    ------
    ValueError
        For an unknown theme or context, naming the choices.
    """
    checked(theme, THEMES, "theme")
    checked(context, CONTEXTS, "context")
    return {
        **sns.axes_style("ticks"),
        **sns.plotting_context(context),
        **(_DARK_RC if theme == "dark" else {}),
    }


def scaled(size: float) -> float:
    """A size given in the "notebook" context (points), in the current context's rcParams."""
    return size * mpl.rcParams["font.size"] / _NOTEBOOK_FONT


@dataclass(frozen=True)
class Look:
    """What one dashboard is drawn with.

    Parameters
    ----------
    theme : {"light", "dark"}
    context : {"paper", "notebook", "talk", "poster"}
        seaborn's plotting context; the figures grow with its font size, so the layout is the
        same in every context.
    """

    theme: str = "light"
    context: str = "notebook"

    def __post_init__(self) -> None:
        checked(self.theme, THEMES, "theme")
        checked(self.context, CONTEXTS, "context")

    @property
    def rc(self) -> dict:
        """The rc settings (`theme_rc`)."""
        return theme_rc(self.theme, self.context)

    @property
    def scale(self) -> float:
        """The context's sizes relative to the "notebook" context's."""
        return sns.plotting_context(self.context)["font.size"] / _NOTEBOOK_FONT

    def size(self, inches: tuple[float, float]) -> tuple[float, float]:
        """A figure size given for the "notebook" context, in this context."""
        return (inches[0] * self.scale, inches[1] * self.scale)

    @property
    def jacobian_map(self) -> Colormap:
        """The diverging map of the Jacobian."""
        return sns.color_palette(_MAPS[self.theme][0], as_cmap=True)

    @property
    def error_map(self) -> Colormap:
        """The sequential map of the finite-difference error."""
        return sns.color_palette(_MAPS[self.theme][1], as_cmap=True)


def palette() -> dict[str, tuple]:
    """Colour-blind-safe colours (seaborn's "colorblind") for the bars and each scheme."""
    colours = sns.color_palette("colorblind")
    return {role: tuple(colours[index]) for role, index in _ROLES.items()}
