"""The figures' look: rc settings per theme and the colours of the bars and schemes.

Applied per figure (``matplotlib.rc_context``), never to the user's global rcParams.
"""

from __future__ import annotations

import matplotlib as mpl

__all__ = ["DPI", "PANEL_SIZE", "THEMES", "palette", "theme_rc"]

THEMES = ("light", "dark")
PANEL_SIZE = (5.2, 3.7)  # inches; 468 x 333 px at the default dpi
DPI = 90

# seaborn's "ticks" style and "colorblind" palette, written out so that the page does not import
# seaborn (and pandas and pyplot with it) for one dict and a few colours.
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
    """The matplotlib rc settings of a theme: seaborn's ticks style and a theme's colours.

    Raises
    ------
    ValueError
        For an unknown theme, naming the choices.
    """
    if theme not in THEMES:
        raise ValueError(f"unknown theme {theme!r}: choose one of {', '.join(THEMES)}")
    return {**_TICKS_STYLE, **_BASE_RC, **_THEME_RC[theme]}


def palette() -> dict[str, tuple]:
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
