"""The figures layer on Agg: artists hold the computed data, updates equal fresh drawings."""

import warnings

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.backend_bases import MouseEvent
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text

import softmax_explorer as se
from softmax_explorer.figures import DPI, PANELS, Dashboard, nice_limit
from softmax_explorer.figures.dashboard import _add_panel
from softmax_explorer.figures.describe import describe
from softmax_explorer.figures.style import PANEL_SIZE, Look
from softmax_explorer.results import SWEEP_STEPS, compute
from softmax_explorer.state import PRESETS, State

SEED = State()


def rgba(fig, draw=True):
    """The figure's pixels: after a full draw, or as the last update left them (blitted)."""
    if draw:
        fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def test_bars_hold_the_softmax_and_the_target():
    state = State(theta=(0.2, -0.4, 1.1, 0.7), temperature=0.8, target=1)
    dash = Dashboard(compute(state))
    bars = dash.panels["bars"]
    expected = se.softmax(state.x, state.theta, 0.8)
    np.testing.assert_allclose(bars.heights, expected, rtol=1e-15)
    corners = bars.bars.get_path().vertices.reshape(4, 5, 2)
    np.testing.assert_allclose(corners[:, :2, 0].mean(axis=1), [0, 1, 2, 3])  # centred on x_i
    assert [t.get_text() for t in bars.values] == [f"{g:.3f}" for g in expected]
    assert bars.outline.get_visible()
    assert bars.outline.get_x() + bars.outline.get_width() / 2 == pytest.approx(1)  # target 1
    loss = se.cross_entropy(state.x, state.theta, 1, 0.8)
    assert bars.heading.get_text() == f"softmax g    loss C = {loss:.4g}"
    assert bars.uniform.get_ydata()[0] == pytest.approx(0.25)
    assert [t.get_text() for t in bars.ax.get_xticklabels()] == ["x₁", "x₂", "x₃", "x₄"]
    assert bars.ax.get_ylim() == (0, 1)


def test_the_bars_before_a_change_are_outlined_over_the_new_ones():
    dash = Dashboard(compute(SEED))
    bars = dash.panels["bars"]
    rgba(dash.figures["bars"])  # a full draw: the updates below are blits
    assert bars.before_heights is None
    dash.update(compute(SEED.replace(theta=(0.3, 0.1, 1.5, 0.5))))
    seed_g = se.softmax(SEED.x, SEED.theta)
    dash.show_before(seed_g)
    np.testing.assert_allclose(bars.before_heights, seed_g, rtol=1e-15)
    outline, filled = (p.get_path().vertices.reshape(4, 5, 2) for p in (bars.before, bars.bars))
    np.testing.assert_array_equal(outline[:, :, 0], filled[:, :, 0])  # the same columns
    assert not bars.before.get_fill()
    outlined = rgba(dash.figures["bars"], draw=False)
    dash.show_before(None)
    assert bars.before_heights is None
    cleared = rgba(dash.figures["bars"], draw=False)
    # the outline of the old g3 = 0.728 is drawn inside the new bar 3 (0.942): pixels differ
    assert (outlined != cleared).any()
    dash.show_before(np.ones(5) / 5)  # another number of classes: no outline
    assert bars.before_heights is None


@pytest.mark.parametrize("wrt", ["theta", "x"])
def test_heatmaps_hold_the_jacobian_and_the_errors(wrt):
    state = State(wrt=wrt, scheme="forward", h=1e-5, temperature=1.3)
    dash = Dashboard(compute(state))
    jac = se.jacobian(state.x, state.theta, wrt, 1.3)
    image = dash.panels["jacobian"].image
    np.testing.assert_array_equal(image.get_array(), jac)
    m = np.max(np.abs(jac))
    low, high = image.get_clim()
    assert low == -high
    assert m <= high < 2.5 * m
    cells = [t.get_text().replace("\N{MINUS SIGN}", "-") for t in dash.panels["jacobian"].cells]
    assert cells == [f"{v:.2f}" for v in jac.ravel()]
    symbol = "θ" if wrt == "theta" else "x"
    assert dash.panels["jacobian"].heading.get_text() == f"Jacobian ∂gᵢ/∂{symbol}ₖ"
    assert dash.panels["jacobian"].ax.get_xticklabels()[1].get_text() == f"{symbol}₂"

    f = (
        (lambda v: se.softmax(state.x, v, 1.3))
        if wrt == "theta"
        else (lambda v: se.softmax(v, state.theta, 1.3))
    )
    numeric = se.numerical_jacobian(
        f, state.theta if wrt == "theta" else state.x, "forward", h=1e-5
    )
    error = np.abs(numeric - jac)
    err_panel = dash.panels["error"]
    eps = np.finfo(float).eps
    np.testing.assert_allclose(err_panel.image.get_array(), np.maximum(error, eps), rtol=1e-12)
    assert err_panel.image.get_clim() == (eps, 1.0)  # fixed: colours compare across schemes
    assert error.max() < 1.0
    i, k = np.unravel_index(np.argmax(error), error.shape)
    assert err_panel.worst.get_xy() == (k - 0.5, i - 0.5)


def test_step_lines_hold_the_sweep():
    state = State(scheme="richardson", h=1e-3)
    dash = Dashboard(compute(state))
    steps = dash.panels["steps"]
    x, theta = np.array(state.x), np.array(state.theta)
    sweep = se.step_sweep(lambda t: se.softmax(x, t), theta, se.jacobian(x, theta), SWEEP_STEPS)
    eps = np.finfo(float).eps
    curves, dots = steps.lines.get_segments(), steps.best.get_offsets()
    for i, method in enumerate(se.METHODS):
        np.testing.assert_array_equal(curves[i][:, 0], sweep.steps)
        np.testing.assert_allclose(
            curves[i][:, 1], np.clip(sweep.errors[method], eps * 1e-3, 10), rtol=1e-12
        )
        assert dots[i][0] == se.optimal_step(method)
    widths = dict(zip(se.METHODS, steps.lines.get_linewidths(), strict=True))
    assert widths["richardson"] > widths["central"]
    legend = [t.get_text() for t in steps.ax.get_legend().get_texts()]
    assert legend == list(se.METHODS)
    assert list(steps.step_line.get_xdata()) == [1e-3, 1e-3]
    assert list(steps.eps_line.get_ydata()) == [eps, eps]


def test_float32_moves_the_v_and_the_floor():
    state = PRESETS["float32"].state
    dash = Dashboard(compute(state))
    eps32 = float(np.finfo(np.float32).eps)
    assert list(dash.panels["steps"].eps_line.get_ydata()) == [eps32, eps32]
    steps, central = dash.panels["steps"].lines.get_segments()[se.METHODS.index("central")].T
    best = steps[np.argmin(central)]
    assert 1e-4 < best < 1e-1
    assert dash.panels["error"].image.get_clim()[0] == eps32


@pytest.mark.parametrize(
    ("value", "limit"), [(0.59, 1.0), (0.2, 0.2), (0.21, 0.5), (3e-5, 5e-5), (1.0, 1.0), (0, 1e-12)]
)
def test_nice_limits(value, limit):
    assert nice_limit(value) == pytest.approx(limit)


def test_updated_figures_equal_fresh_ones():
    start = State(target=0)
    end = State(
        theta=(1.2, -0.5, 0.4, 0.9), temperature=2.5, wrt="x", scheme="complex", h=1e-9, target=3
    )
    dash = Dashboard(compute(start))
    for name in PANELS:
        rgba(dash.figures[name])
    changed = dash.update(compute(end))
    assert set(changed) == set(PANELS)
    fresh = Dashboard(compute(end))
    for name in PANELS:
        expected = rgba(fresh.figures[name])
        for updated in (rgba(dash.figures[name], draw=False), rgba(dash.figures[name])):
            differing = np.mean(np.any(updated != expected, axis=-1))
            assert differing == 0, f"{name}: {differing:.2%} of pixels differ"


def test_blitted_updates_equal_fresh_figures():
    """Many updates through the blitting path, no full draw: the pixels equal a fresh drawing."""
    dash = Dashboard(compute(SEED.replace(target=0)))
    for name in PANELS:
        rgba(dash.figures[name])
    rng = np.random.default_rng(3)
    for _ in range(5):
        state = SEED.replace(theta=tuple(rng.uniform(-3, 3, 4)), target=1, h=1e-7, scheme="forward")
        dash.update(compute(state))
        # the same sweep with another step and scheme: only the step line and widths move
        state = state.replace(h=float(rng.choice([1e-9, 1e-5, 1e-3])), scheme="richardson")
        dash.update(compute(state))
    fresh = Dashboard(compute(state))
    for name in PANELS:
        updated, expected = rgba(dash.figures[name], draw=False), rgba(fresh.figures[name])
        assert np.array_equal(updated, expected), name


def test_update_changes_pixels_and_only_the_panels_concerned():
    dash = Dashboard(compute(SEED))
    before = {name: rgba(dash.figures[name]) for name in PANELS}
    assert dash.update(compute(SEED.replace(h=1e-4))) == ["error", "steps"]
    after = {name: rgba(dash.figures[name], draw=False) for name in PANELS}
    assert np.array_equal(before["bars"], after["bars"])
    assert not np.array_equal(before["error"], after["error"])
    assert not np.array_equal(before["steps"], after["steps"])
    assert dash.update(compute(SEED.replace(h=1e-4))) == []


def count_artists(dash):
    """Artists the panels own (ticks excluded: matplotlib makes those per draw)."""
    return {
        name: len(fig.get_children()) + sum(len(ax.get_children()) for ax in fig.axes)
        for name, fig in dash.figures.items()
    }


def test_hundred_updates_do_not_grow_the_figures():
    dash = Dashboard(compute(SEED))
    counts = count_artists(dash)
    rng = np.random.default_rng(0)
    for i in range(100):
        theta = tuple(rng.uniform(-3, 3, 4))
        state = SEED.replace(
            theta=theta, target=i % 4, scheme=se.METHODS[i % 5], h=10.0 ** -(i % 12 + 2)
        )
        dash.update(compute(state))
    assert count_artists(dash) == counts


def test_changing_n_up_and_down():
    dash = Dashboard(compute(SEED))
    counts = count_artists(dash)
    for n in (8, 32, 2, 4):
        state = SEED.resized(n)
        changed = dash.update(compute(state))
        assert "bars" in changed
        assert len(dash.panels["bars"].heights) == n
        assert dash.panels["jacobian"].image.get_array().shape == (n, n)
        assert len(dash.panels["jacobian"].cells) == (n * n if n <= 8 else 0)
    assert count_artists(dash) == counts


EXTREMES = [
    SEED.resized(32),
    State(x=(1e4, -1e4, 5.0, 1.0), theta=(1e3, 1e3, -1e3, 0.0)),
    State(x=(1e4, 9999.0), theta=(1e3, 1e3), temperature=1e-3),
    PRESETS["overflow"].state,
    PRESETS["float32"].state.resized(32),
    State(dtype="float32", x=(80.0, 1.0, 1.0), theta=(1.0, 1.0, 1.0), h=1e-16, scheme="forward"),
    PRESETS["cold"].state,
]


def artist_values(fig):
    for artist in fig.findobj():
        if isinstance(artist, Line2D):
            yield np.asarray(artist.get_xydata(), dtype=float)
        elif isinstance(artist, AxesImage):
            yield np.asarray(artist.get_array(), dtype=float)
        elif isinstance(artist, Rectangle):
            yield np.array(
                [artist.get_x(), artist.get_y(), artist.get_width(), artist.get_height()]
            )
        elif isinstance(artist, Text):
            yield np.asarray(artist.get_position(), dtype=float)


@pytest.mark.parametrize("state", EXTREMES, ids=lambda s: f"n{s.n}-{s.dtype}-{max(s.x)}")
def test_extreme_states_draw_without_warnings_or_nan(state):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dash = Dashboard(compute(SEED))
        dash.update(compute(state))
        for fig in dash.figures.values():
            fig.canvas.draw()
            for values in artist_values(fig):
                assert np.all(np.isfinite(values))


def test_overflow_preset_says_why():
    dash = Dashboard(compute(PRESETS["overflow"].state))
    warning = dash.panels["bars"].warning
    assert warning.get_visible()
    assert "exp(800) overflows float64" in warning.get_text().replace("\n", " ")
    assert [t.get_text() for t in dash.panels["bars"].values][:2] == ["NaN", "NaN"]
    # and says it to a screen reader too
    described = describe(compute(PRESETS["overflow"].state))["bars"]
    assert described.startswith("g = nan, nan, 0, 0 for classes 1 to 4. exp(800) overflows")
    dash.update(compute(PRESETS["overflow"].state.replace(stable=True)))
    assert not warning.get_visible()
    assert (
        "overflow" not in describe(compute(PRESETS["overflow"].state.replace(stable=True)))["bars"]
    )
    assert dash.panels["bars"].heights[0] == pytest.approx(
        se.softmax([800, 790, 3, 2], [1, 1, 0.9, 0.5])[0]
    )


def test_step_below_resolution_is_explained_in_the_error_panel():
    state = State(dtype="float32", scheme="forward", h=1e-10)
    dash = Dashboard(compute(state))
    message = dash.panels["error"].message
    assert message.get_visible()
    assert message.get_text().replace("\n", " ") == (
        "step h=1.0e-10 is below the resolution of float32 at v[0]=0.3"
    )
    assert not dash.panels["error"].worst.get_visible()


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_save_writes_the_current_state(tmp_path, suffix):
    dash = Dashboard(compute(SEED))
    dash.update(compute(SEED.replace(target=2)))
    path = dash.save(tmp_path / f"dashboard.{suffix}")
    data = path.read_bytes()
    if suffix == "png":
        assert data.startswith(b"\x89PNG")
        image = plt.imread(path)
        assert image.shape[0] > 500
        assert image.shape[1] > 800
    else:
        assert b"<svg" in data[:500]
        assert b"loss" in data
    with pytest.raises(ValueError, match="png or svg"):
        dash.save(tmp_path / "dashboard.pdf")


def test_composite_equals_the_panels():
    dash = Dashboard(compute(SEED.replace(target=1)))
    fig = dash.composite()
    texts = [t.get_text() for t in fig.findobj(Text)]
    assert any("loss" in t for t in texts)
    images = [a for a in fig.findobj(AxesImage)]
    np.testing.assert_array_equal(images[0].get_array(), dash.panels["jacobian"].image.get_array())


def test_dark_theme_and_nothing_reaches_pyplot():
    dash = Dashboard(compute(SEED), theme="dark")
    assert dash.figures["bars"].get_facecolor()[:3] != (1.0, 1.0, 1.0)
    assert plt.get_fignums() == []
    with pytest.raises(ValueError, match="unknown theme"):
        Dashboard(compute(SEED), theme="sepia")


def test_best_steps_come_from_the_results_and_lie_on_the_sweeps_v():
    results = compute(State())
    dots = Dashboard(results).panels["steps"].best.get_offsets()
    for i, method in enumerate(se.METHODS):
        h, error = results.best_steps[method]
        assert h == se.optimal_step(method)
        # between the sweep's errors at the steps around h (log-log interpolation)
        j = np.searchsorted(results.sweep.steps, h)
        around = results.sweep.errors[method][max(j - 1, 0) : j + 1]
        assert min(around) * (1 - 1e-12) <= error <= max(around) * (1 + 1e-12)
        np.testing.assert_allclose(dots[i], [h, np.clip(error, 2.2e-19, 10)], rtol=1e-3)


def test_the_loss_trace_is_extended_in_place_and_blitted_until_its_limits_grow():
    dash = Dashboard(compute(State(target=0)))
    trace, fig = dash.panels["trace"], dash.figures["trace"]
    full_draws = []
    fig.canvas.mpl_connect("draw_event", lambda _: full_draws.append(1))
    losses = [2.0]
    assert dash.show_losses(losses)
    fig.canvas.draw()
    full_draws.clear()
    line = trace.line
    for loss in (1.5, 1.2, 1.0, 0.9):
        losses.append(loss)
        assert dash.show_losses(losses)
    assert trace.line is line  # the same artist, new data
    np.testing.assert_array_equal(line.get_ydata(), losses)
    assert full_draws == []  # blits only: the limits (10 steps, loss 5) did not move
    assert trace.ax.get_xlim() == (0, 10)
    assert trace.ax.get_ylim() == (0, nice_limit(2.2))
    assert not dash.show_losses(losses)  # nothing new, nothing drawn
    dash.show_losses(losses + [1.0] * 8)  # past 10 steps: the axis grows by a 1-2-5 step
    assert trace.ax.get_xlim() == (0, 20)


def test_a_clicked_jacobian_cell_reaches_the_hook_with_its_row_and_column():
    dash = Dashboard(compute(State()))
    clicked = []
    dash.on_cell_click(lambda i, k: clicked.append((i, k)))
    fig = dash.figures["jacobian"]
    x, y = dash.cell_position(2, 3)
    press = MouseEvent("button_press_event", fig.canvas, x, fig.bbox.height - y, 1)
    fig.canvas.callbacks.process(press.name, press)
    outside = MouseEvent("button_press_event", fig.canvas, 2, 2, 1)
    fig.canvas.callbacks.process(outside.name, outside)
    assert clicked == [(2, 3)]


def test_steps_below_the_resolution_are_a_band_not_an_error():
    results = compute(PRESETS["float32"].state)
    sweep = results.sweep
    cut = int(np.flatnonzero(sweep.resolved)[0])
    assert cut > 0  # float32 at x = 4 cannot take steps below about 5e-7
    steps = Dashboard(results).panels["steps"]
    assert steps.unresolved.get_visible()
    assert sweep.steps[cut - 1] < steps.unresolved.get_x() + steps.unresolved.get_width()
    assert steps.unresolved.get_x() + steps.unresolved.get_width() < sweep.steps[cut]
    assert "x + h = x in float32" in steps.unresolved_note.get_text()
    curves = dict(zip(se.METHODS, steps.lines.get_segments(), strict=True))
    for method, curve in curves.items():
        if method == "complex":  # takes any step: drawn across the band
            np.testing.assert_array_equal(curve[:, 0], sweep.steps)
        else:  # starts at the first step taken: a gap, not a flat line at the top
            np.testing.assert_array_equal(curve[:, 0], sweep.steps[cut:])
        assert np.all(np.isfinite(curve[:, 1]))
    seed = Dashboard(compute(SEED)).panels["steps"]
    assert not seed.unresolved.get_visible()


def _overlaps(texts, renderer) -> list[tuple[str, str]]:
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts if t.get_visible()]
    boxes = [(s, b) for s, b in boxes if s]
    return [(a, c) for k, (a, b) in enumerate(boxes) for c, d in boxes[k + 1 :] if b.overlaps(d)]


@pytest.mark.parametrize("context", ["notebook", "talk"])
@pytest.mark.parametrize("n", range(2, 33))
def test_tick_labels_and_values_never_overlap(n, context):
    results = compute(State().resized(n))
    look = Look(context=context)
    for name, axes in (("bars", "x"), ("jacobian", "xy")):  # the error panel's are the same
        with mpl.rc_context(look.rc):
            fig = Figure(figsize=look.size(PANEL_SIZE), dpi=DPI)
            FigureCanvasAgg(fig)
            panel = _add_panel(fig, name, results, look)
        renderer = fig.canvas.get_renderer()
        ax = panel.ax
        for which in axes:
            ticks = ax.get_xticklabels() if which == "x" else ax.get_yticklabels()
            assert _overlaps(ticks, renderer) == [], (name, which)
            shown = [t.get_text() for t in ticks]
            assert shown[0].endswith("₁")  # the first class is always named
            if n <= 12:
                assert len(shown) == n  # every class while they fit
        if name == "bars":
            assert _overlaps(panel.values, renderer) == []


def test_a_theme_change_redraws_every_panel_in_the_new_colours():
    dash = Dashboard(compute(SEED.replace(target=1)))
    dash.show_losses([2.0, 1.5, 1.2])
    dark = Dashboard(compute(SEED.replace(target=1)), theme="dark")
    dash.set_theme("dark")
    for name in (*PANELS, "trace"):
        assert dash.figures[name].get_facecolor() == dark.figures[name].get_facecolor(), name
        assert dash.panels[name].ax.get_facecolor() == dark.panels[name].ax.get_facecolor()
    assert dash.panels["jacobian"].image.get_cmap().name == "icefire"
    np.testing.assert_array_equal(dash.panels["trace"].line.get_ydata(), [2.0, 1.5, 1.2])
    dash.set_theme("light")
    assert dash.panels["jacobian"].image.get_cmap().name == "vlag"
    assert dash.figures["bars"].get_facecolor()[:3] == (1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="unknown theme"):
        dash.set_theme("sepia")
