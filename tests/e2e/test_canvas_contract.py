"""The display-list renderer's contract in the browser: each feature it draws, against Agg.

One small figure per supported feature is recorded, replayed by ``panel_canvas.js`` in Chromium
and compared with the same figure drawn by Agg (see `differ` for the tolerance). The refused
features are tested in tests/test_canvas.py: they warn and are left out.
"""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from harness.replay import differ, replayed
from softmax_explorer.canvas import DisplayListCanvas

pytestmark = pytest.mark.browser


def markers(ax):
    for k, marker in enumerate("os^Dv+x*"):
        ax.plot([k], [k % 3], marker=marker, markersize=10, linestyle="none")


def mathtext(ax):
    ax.text(0.1, 0.5, r"$\partial g_i / \partial \theta_k = \frac{x_k}{T} g_i$", fontsize=14)


def rotated_text(ax):
    for angle in (0, 30, 90, 145):
        ax.text(0.5, 0.5, f"  rotated {angle}", rotation=angle, fontsize=11)


def dashed_lines(ax):
    for k, style in enumerate(["--", ":", "-.", (0, (5, 2, 1, 2))]):
        ax.plot([0, 1], [k, k + 0.5], linestyle=style, linewidth=2)


def alpha(ax):
    ax.bar([0, 1, 2], [3, 2, 1], alpha=0.4, color="C0")
    ax.fill_between([0, 2], [0.5, 2.5], alpha=0.3, color="C3")


def images(ax):
    ax.imshow(np.arange(20).reshape(4, 5), cmap="viridis", interpolation="none")


def log_axes(ax):
    x = np.logspace(-8, 0, 30)
    ax.loglog(x, x**2 + 1e-12)


def colourbars(ax):
    image = ax.imshow(np.linspace(-1, 1, 36).reshape(6, 6), cmap="RdBu_r")
    ax.figure.colorbar(image, ax=ax)


def legends(ax):
    ax.plot([0, 1], [0, 1], label="forward")
    ax.plot([0, 1], [1, 0], "--", label="central")
    ax.legend(loc="center", frameon=True)


def annotations(ax):
    ax.plot([0, 1, 2], [0, 2, 1])
    ax.annotate("peak", xy=(1, 2), xytext=(1.5, 0.5), arrowprops={"arrowstyle": "->"})


FEATURES = [
    markers, mathtext, rotated_text, dashed_lines, alpha, images, log_axes, colourbars, legends,
    annotations,
]  # fmt: skip


def drawn(feature, canvas_class):
    fig = Figure(figsize=(3.2, 2.4), dpi=90, label=feature.__name__)
    canvas = canvas_class(fig)
    feature(fig.add_subplot())
    canvas.draw()
    return canvas


@pytest.mark.parametrize("feature", FEATURES, ids=lambda f: f.__name__)
def test_the_browser_draws_each_supported_feature_as_agg_does(blank_page, feature):
    page, errors = blank_page
    want = np.asarray(drawn(feature, FigureCanvasAgg).buffer_rgba()).copy()
    got = replayed(page, drawn(feature, DisplayListCanvas))
    assert got.shape == want.shape
    assert differ(got, want) < 0.01, f"{differ(got, want):.1%} of the pixels differ"
    assert errors == []
