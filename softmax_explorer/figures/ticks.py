"""Tick labels and axis helpers: subscripts in plain Unicode, powers of ten.

Unicode sub- and superscripts instead of mathtext: parsing ``$x_{1}$`` costs far more per label
at every draw than plain text.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import text_to_path
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from ..state import INDEX_BASE
from .style import scaled

__all__ = [
    "WRT_SYMBOL",
    "class_ticks",
    "labels",
    "log_axis",
    "nice_limit",
    "power_of_ten",
    "sub",
    "text_size",
]

WRT_SYMBOL = {"theta": "θ", "x": "x"}
_SUB = str.maketrans("0123456789ik", "₀₁₂₃₄₅₆₇₈₉ᵢₖ")
_SUP = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def labels(prefix: str, n: int) -> list[str]:
    """``x₁ .. xₙ``: the names of n classes in the math's numbering."""
    return [f"{prefix}{str(k + INDEX_BASE).translate(_SUB)}" for k in range(n)]


def sub(text: str) -> str:
    """Digits and i, k of ``text`` as subscripts."""
    return text.translate(_SUB)


@FuncFormatter
def power_of_ten(value: float, _pos: int | None = None) -> str:
    """``1e-16`` -> ``10⁻¹⁶`` (decades only)."""
    exponent = np.log10(value) if value > 0 else np.nan
    if not np.isfinite(exponent) or abs(exponent - round(exponent)) > 1e-9:
        return ""
    return "10" + str(round(exponent)).translate(_SUP)


def log_axis(axis, decades: int) -> None:
    """Major ticks at up to ``decades`` powers of ten, labelled ``10ⁿ``; no minor labels."""
    axis.set_major_locator(LogLocator(base=10, numticks=decades))
    axis.set_major_formatter(power_of_ten)
    axis.set_minor_formatter(NullFormatter())


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


def text_size(text: str, fontsize: float, dpi: float) -> tuple[float, float]:
    """The width and height in pixels of one line of ``text`` in the current font."""
    prop = FontProperties(size=fontsize)
    width, height, _ = text_to_path.get_text_width_height_descent(text, prop, ismath=False)
    return width * dpi / 72, height * dpi / 72


def class_ticks(ax: Axes, which: str, prefix: str, n: int) -> None:
    """Ticks and labels ``prefix₁ .. prefixₙ`` at 0 .. n-1 on the x or y axis, never overlapping.

    Every class is labelled while the labels fit (at 11 pt, or 7 pt for many classes, in the
    notebook context); beyond,
    a regular subset: every k-th class, from the first, with k the smallest that leaves a gap.
    """
    fontsize = scaled(11 if n <= 12 else 7)
    names = labels(prefix, n)
    dpi = ax.figure.dpi
    if which == "x":
        room, need = ax.bbox.width / n, 1.25 * text_size(max(names, key=len), fontsize, dpi)[0]
    else:  # a line of text is 1.2 font sizes high; a gap of a tenth of that between two
        room, need = ax.bbox.height / n, 1.32 * fontsize * dpi / 72
    every = max(1, int(np.ceil(need / room)))
    shown = list(range(0, n, every))
    set_ticks = ax.set_xticks if which == "x" else ax.set_yticks
    set_ticks(shown, [names[k] for k in shown], fontsize=fontsize)
