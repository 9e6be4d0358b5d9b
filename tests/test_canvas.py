"""Display lists: what `DisplayListCanvas` records is what the figures hold, in pixels."""

from __future__ import annotations

import asyncio
import base64
import json
import warnings

import matplotlib as mpl
import numpy as np
import pytest
from matplotlib.backend_bases import RendererBase
from matplotlib.figure import Figure
from matplotlib.patches import Circle

import softmax_explorer as se
from softmax_explorer.canvas import DisplayListCanvas, DisplayListRenderer, DisplayListWarning
from softmax_explorer.figures import Dashboard
from softmax_explorer.results import compute
from softmax_explorer.state import PRESETS, State

# softmax of the seed's X and theta, as the seed notebook prints it
SEED_G = [0.066041037873964384, 0.072986634457837832, 0.72798200884534181, 0.13299031882285606]


def commands(canvas: DisplayListCanvas, kind: str, layer: str = "foreground") -> list[list]:
    return [c[1:] for c in getattr(canvas, layer) if c[0] == kind]


@pytest.fixture
def seed():
    return Dashboard(compute(State()), canvas=DisplayListCanvas)


def test_bars_are_recorded_at_the_seed_heights(seed):
    canvas, ax = seed.figures["bars"].canvas, seed.panels["bars"].ax
    height = canvas.figure.bbox.height
    colour = "rgb({},{},{})".format(*(round(255 * c) for c in seed.panels["bars"].colours["bars"]))
    (bars,) = [c for c in commands(canvas, "path") if c[2] == colour]  # one path, 4 rectangles
    codes, xy = bars[0], np.reshape(bars[1], (4, 4, 2))
    assert codes == "MLLLZ" * 4
    zero = height - ax.transData.transform((0, 0))[1]
    for corners, g in zip(xy, SEED_G, strict=True):
        top = corners[:, 1].min()
        expected = height - ax.transData.transform((0, g))[1]
        assert abs(top - expected) <= 1  # pixel snapping moves an edge by at most one pixel
        assert abs(corners[:, 1].max() - zero) <= 1
    texts = [c[0] for c in commands(canvas, "text")]
    assert [f"{g:.3f}" for g in SEED_G] == texts[:4]


def test_bars_follow_an_update(seed):
    """The update's blit records the bars anew (not a replay of their first recording)."""
    state = State(theta=(2.0, 0.1, 0.9, 0.5))
    seed.update(compute(state))
    canvas, ax = seed.figures["bars"].canvas, seed.panels["bars"].ax
    height = canvas.figure.bbox.height
    colour = "rgb({},{},{})".format(*(round(255 * c) for c in seed.panels["bars"].colours["bars"]))
    (bars,) = [c for c in commands(canvas, "path") if c[2] == colour]
    tops = np.reshape(bars[1], (4, 4, 2))[:, :, 1].min(axis=1)
    g = se.softmax(state.x, state.theta)
    expected = height - ax.transData.transform(np.column_stack([np.zeros(4), g]))[:, 1]
    np.testing.assert_allclose(tops, expected, atol=1)


def test_texts_keep_their_anchor_and_font(seed):
    canvas, ax = seed.figures["bars"].canvas, seed.panels["bars"].ax
    labels = {c[0]: c for c in commands(canvas, "text", "background")}
    _, x, _y, angle, font, _colour, align, _clip = labels["x₃"]
    assert (align, angle) == ("center", 0)
    assert x == pytest.approx(ax.transData.transform((2, 0))[0], abs=0.01)
    assert font.endswith('px "DejaVu Sans", sans-serif')
    assert f"{11 * 90 / 72:.2f}px" in font  # 11 pt tick labels at 90 dpi
    ylabel = labels["probability gᵢ"]
    assert ylabel[3] == 90  # rotated, drawn from its baseline's start


def test_the_jacobian_image_holds_its_colours(seed):
    panel = seed.panels["jacobian"]
    ((w, h, rgba, matrix, alpha, clip),) = commands(seed.figures["jacobian"].canvas, "image")
    assert (w, h, alpha) == (4, 4, 1)
    pixels = np.frombuffer(base64.b64decode(rgba), np.uint8).reshape(h, w, 4)
    expected = panel.image.to_rgba(panel.image.get_array(), bytes=True)
    np.testing.assert_array_equal(pixels, expected)
    # pixel (k, i) of the image lands on cell (k, i) of the axes (g_i down, variable across)
    a, b, c, d, e, f = matrix
    height = seed.figures["jacobian"].bbox.height
    for k, i in [(0, 0), (3, 1), (2, 3)]:
        x, y = a * (k + 0.5) + c * (i + 0.5) + e, b * (k + 0.5) + d * (i + 0.5) + f
        cx, cy = panel.ax.transData.transform((k, i))
        assert (x, y) == pytest.approx((cx, height - cy), abs=0.01)
    assert clip is not None


def test_a_slider_move_sends_only_the_animated_artists():
    frames: dict[Figure, list] = {}

    def canvas(fig):
        frames[fig] = []
        return DisplayListCanvas(fig, show=lambda background, _: frames[fig].append(background))

    dash = Dashboard(compute(State()), canvas=canvas)
    sent = {name: frames[fig] for name, fig in dash.figures.items()}
    assert all(len(f) == 1 and f[0] for f in sent.values())  # one full frame each, at build
    dash.update(compute(State(theta=(0.35, 0.1, 0.9, 0.5))))
    assert sent["bars"][1:] == [None]  # a blit: the background is not sent again
    assert len(sent["steps"]) == 2
    dash.update(compute(State(theta=(0.35, 0.1, 0.9, 0.5), wrt="x")))
    assert sent["jacobian"][-1]  # the axis labels changed: a full frame


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_records_finite_json(name):
    dash = Dashboard(compute(PRESETS[name].state), theme="dark", canvas=DisplayListCanvas)
    for fig in dash.figures.values():
        text = json.dumps([fig.canvas.background, fig.canvas.foreground], allow_nan=False)
        assert len(text) < 200_000


def test_renderer_blitting_protocol_and_size():
    fig = Figure(figsize=(2, 1), dpi=100)
    canvas = DisplayListCanvas(fig)
    renderer = canvas.get_renderer()
    assert (renderer.width, renderer.height) == (200, 100)
    assert renderer.points_to_pixels(72) == 100
    fig.text(0.5, 0.5, "static")
    fig.text(0.2, 0.2, "  ")  # blank: nothing to draw
    canvas.draw()
    assert [c[1] for c in canvas.background if c[0] == "text"] == ["static"]
    renderer.copy_from_bbox(fig.bbox)
    renderer.commands.append(["text", "moving"])
    renderer.restore_region(len(canvas.background))
    assert renderer.commands == canvas.background
    fig.set_dpi(50)
    assert canvas.get_renderer() is not renderer
    assert isinstance(canvas.get_renderer(), DisplayListRenderer)


def test_unchanged_artists_are_replayed_and_changed_ones_drawn(seed, monkeypatch):
    drawn = []
    draw = DisplayListRenderer.draw_text

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        drawn.append(mtext)
        draw(self, gc, x, y, s, prop, angle, ismath, mtext)

    monkeypatch.setattr(DisplayListRenderer, "draw_text", draw_text)
    before, after = State(), State(theta=(0.32, 0.1, 0.9, 0.5))
    seed.update(compute(after))
    cells = seed.panels["jacobian"].cells

    def shown(state):
        return [f"{v:.2f}".replace("-", "−") for v in se.jacobian(state.x, state.theta).ravel()]

    changed = [
        c for c, old, new in zip(cells, shown(before), shown(after), strict=True) if old != new
    ]
    assert 0 < len(changed) < len(cells)
    assert [t for t in drawn if t in cells] == changed
    # headings whose text did not change are replayed too
    assert seed.panels["bars"].heading not in drawn
    assert seed.panels["error"].heading not in drawn
    texts = [c[1] for c in seed.figures["jacobian"].canvas.foreground if c[0] == "text"]
    assert texts == shown(after)


@pytest.mark.parametrize("marker", ["o", "^", "*"])
def test_markers_are_one_command_stamping_matplotlibs_outline_at_each_point(marker, monkeypatch):
    def recorded():
        fig = Figure(figsize=(3, 2), dpi=80)
        canvas = DisplayListCanvas(fig)
        fig.add_subplot().plot(
            [0, 1, 2, 3], [1, np.nan, 0.3, 2], marker=marker, markersize=9, linestyle="none",
            markerfacecolor="#ff8000", markeredgecolor="#0040c0",
        )  # fmt: skip
        canvas.draw()
        return canvas.background

    face = "rgb(255,128,0)"  # not the ticks (markers too, without a face)
    (stamped,) = [c[1:] for c in recorded() if c[0] == "markers" and c[4] == face]
    codes, xy, offsets, *paint = stamped
    # matplotlib's own draw_markers: one path per point, the outline translated there
    monkeypatch.setattr(DisplayListRenderer, "draw_markers", RendererBase.draw_markers)
    each = [c[1:] for c in recorded() if c[0] == "path" and c[3] == face]
    offsets = np.reshape(offsets, (-1, 2))
    assert len(each) == len(offsets) == 3  # the NaN point is left out, as matplotlib does
    np.testing.assert_array_equal(offsets, offsets.round())  # on whole pixels, as Agg puts them
    for (one_codes, one_xy, *one_paint), at in zip(each, offsets, strict=True):
        assert (one_codes, one_paint) == (codes, paint)
        # within a pixel: the rounding of the point, or the snapping of a polygon's corners
        far = np.abs(np.reshape(one_xy, (-1, 2)) - (np.reshape(xy, (-1, 2)) + at)).max()
        assert far <= 1.0


def test_an_unchanged_text_is_replayed_without_a_fingerprint_and_a_changed_one_drawn(monkeypatch):
    fig = Figure(figsize=(2, 1), dpi=100)
    canvas = DisplayListCanvas(fig)
    text = fig.text(0.5, 0.5, "before", animated=True)
    canvas.draw()
    renderer = canvas.get_renderer()
    renderer.draw_artist(text)

    def no_fingerprint(_artist):
        raise AssertionError("an unchanged text needs no fingerprint")

    monkeypatch.setattr("softmax_explorer.canvas.renderer.fingerprint", no_fingerprint)
    renderer.draw_artist(text)
    monkeypatch.undo()
    text.set_text("after")  # matplotlib marks it stale
    renderer.draw_artist(text)
    assert [c[1] for c in renderer.commands if c[0] == "text"] == ["before", "before", "after"]


def test_a_colourbar_is_one_image_and_an_uneven_mesh_is_paths():
    fig = Figure(figsize=(3, 2), dpi=50)
    canvas = DisplayListCanvas(fig)
    ax = fig.add_axes((0.1, 0.1, 0.5, 0.8))
    mesh = ax.pcolormesh([0, 1, 3], [0, 1], [[0.0, 1.0]], cmap="viridis")
    colorbar = fig.colorbar(mesh, cax=fig.add_axes((0.7, 0.1, 0.1, 0.8)))
    canvas.draw()
    images = commands(canvas, "image", "background")
    assert len(images) == 1  # the colourbar
    w, h, rgba, matrix, _alpha, _clip = images[0]
    pixels = np.frombuffer(base64.b64decode(rgba), np.uint8).reshape(h, w, 4)
    assert (w, h) == (1, colorbar.cmap.N)
    expected = colorbar.cmap(np.linspace(0, 1, h), bytes=True)
    assert np.abs(pixels[:, 0].astype(int) - expected).max() <= 1
    assert matrix[3] < 0  # the first colour at the bottom of the screen
    fills = {c[2] for c in commands(canvas, "path", "background")}
    cells = {"rgb({},{},{})".format(*(round(255 * v) for v in c[:3])) for c in mesh.cmap([0, 1.0])}
    assert cells <= fills  # the uneven mesh: one path per cell


def test_draw_idle_waits_for_the_event_loop_and_coalesces():
    frames = []
    canvas = DisplayListCanvas(Figure(figsize=(2, 1), dpi=50), show=lambda bg, _: frames.append(bg))
    canvas.draw_idle()
    assert len(frames) == 1  # no event loop: drawn at once

    async def in_a_kernel():
        canvas.draw_idle()
        canvas.draw_idle()
        assert len(frames) == 1  # not while the current callback runs
        await asyncio.sleep(0)
        assert len(frames) == 2  # then once for both requests

    asyncio.run(in_a_kernel())


def test_flush_events_draws_the_deferred_frame_now_and_only_once():
    frames = []
    canvas = DisplayListCanvas(Figure(figsize=(2, 1), dpi=50), show=lambda bg, _: frames.append(bg))

    async def in_a_kernel():
        canvas.draw_idle()
        canvas.flush_events()
        assert len(frames) == 1  # drawn before the event loop is free
        await asyncio.sleep(0)
        assert len(frames) == 1  # and not again when it is
        canvas.flush_events()
        assert len(frames) == 1  # nothing pending

    asyncio.run(in_a_kernel())


def test_a_deferred_draw_keeps_the_settings_it_was_requested_in():
    """The dashboard asks for a full draw inside its theme; the draw runs later, outside it."""
    fig = Figure(figsize=(2, 1), dpi=50)
    fig.text(0.5, 0.5, "T = 1")
    canvas = DisplayListCanvas(fig)

    async def in_a_kernel():
        with mpl.rc_context({"font.sans-serif": ["DejaVu Sans"]}):  # as a theme sets it
            canvas.draw_idle()
        await asyncio.sleep(0)

    with mpl.rc_context({"font.sans-serif": ["DejaVu Serif"]}):  # a user's own matplotlibrc
        asyncio.run(in_a_kernel())
    [(_, _, _, _, font, *_)] = commands(canvas, "text", "background")
    assert '"DejaVu Sans"' in font


VALUES = ["0.342", "−0.12", "NaN", "1e−05"]  # what the bars and the Jacobian's cells show
LINES = [*VALUES, "softmax g    loss C = 0.3175", "Jacobian ∂gᵢ/∂θₖ", "Åy", "(x₁)", "x", "|h|"]


@pytest.mark.parametrize("va", ["bottom", "top", "center", "baseline", "center_baseline"])
def test_a_line_of_text_is_recorded_where_matplotlibs_layout_puts_it(va):
    """The recording without layout (values under a slider) equals `Text.draw`'s."""
    fig = Figure(figsize=(4, 3), dpi=90)
    ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
    renderer = DisplayListCanvas(fig).get_renderer()
    fast = []
    sizes, weights = [10, 8, 13, 7.5] * 3, ["normal", "bold"] * 5
    for i, (s, size, weight) in enumerate(zip(LINES, sizes, weights, strict=False)):
        text = ax.text(
            0.1 * i, 0.5, s, va=va, ha=["left", "center", "right"][i % 3], fontsize=size,
            weight=weight, color=f"C{i}", alpha=[None, 0.5][i % 2], clip_on=bool(i % 2),
        )  # fmt: skip
        renderer.commands.clear()
        if renderer.shortcuts.line_of_text(text):
            fast.append(s)
        recorded = list(renderer.commands)
        renderer.commands.clear()
        text.draw(renderer)
        if s in fast:  # the same command, coordinates within rounding
            ((kind, t, x, y, *rest),) = recorded
            ((_, t2, x2, y2, *rest2),) = renderer.commands
            assert (kind, t, rest) == ("text", t2, rest2)
            assert (x, y) == pytest.approx((x2, y2), abs=0.011)
        else:
            assert recorded == []
    assert set(VALUES) <= set(fast)
    assert "Åy" not in fast  # a glyph taller than the font's line moves matplotlib's baseline


def _recorded(renderer: DisplayListRenderer, draw) -> list:
    renderer.commands.clear()
    draw()
    recorded = list(renderer.commands)
    renderer.commands.clear()
    return recorded


@pytest.mark.parametrize("panel", ["jacobian", "error"])
def test_a_heatmap_with_new_colours_is_recorded_as_its_full_draw(panel):
    """Only the pixels change under a slider: the quick recording equals `AxesImage.draw`'s."""
    state = State().resized(4)
    dashboard = Dashboard(compute(state), canvas=DisplayListCanvas)
    image = dashboard.panels[panel].image
    renderer = dashboard.figures[panel].canvas.get_renderer()
    renderer.shortcuts.remember_image(image, _recorded(renderer, lambda: image.draw(renderer)))
    thetas = [(0.3, 0.1, 0.9, 0.5), (2.9, -3.0, 0.0, 1.0), (-0.4, -0.4, -0.4, -0.4)]
    for theta in thetas:
        dashboard.update(compute(state.replace(theta=theta)))
        for data in (image.get_array(), np.where(np.eye(4, dtype=bool), np.nan, 0.5)):
            image.set_data(data)  # (the second: NaN cells, drawn in the colormap's "bad" colour)
            quick = _recorded(renderer, lambda: renderer.shortcuts.new_pixels(image))
            assert quick
            assert quick == _recorded(renderer, lambda: image.draw(renderer))


def test_a_heatmap_placed_anew_is_drawn_in_full():
    state = State().resized(4)
    dashboard = Dashboard(compute(state), canvas=DisplayListCanvas)
    panel = dashboard.panels["jacobian"]
    renderer = dashboard.figures["jacobian"].canvas.get_renderer()
    renderer.shortcuts.remember_image(
        panel.image, _recorded(renderer, lambda: panel.image.draw(renderer))
    )
    assert renderer.shortcuts.new_pixels(panel.image)
    for change in (
        lambda: panel.image.set_extent((-0.5, 2.5, 3.5, -0.5)),
        lambda: panel.ax.set_xlim(-1, 4),
        lambda: panel.image.set_data(np.ones((3, 3))),
        lambda: panel.image.set_alpha(0.5),
    ):
        change()
        assert not renderer.shortcuts.new_pixels(panel.image)


def _refused(draw) -> list[str]:
    """The display-list warnings one full draw of a figure made by ``draw(fig, ax)`` gives."""
    fig = Figure(figsize=(2, 1.5), dpi=50, label="demo")
    ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
    draw(fig, ax)
    canvas = DisplayListCanvas(fig)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        canvas.draw()
        canvas.draw()  # once per figure, not per draw
    return [str(w.message) for w in caught if issubclass(w.category, DisplayListWarning)]


@pytest.mark.parametrize(
    ("feature", "draw"),
    [
        ("a hatch", lambda fig, ax: ax.bar([0, 1], [1, 2], hatch="//")),
        (
            "a non-rectangular clip path",
            lambda fig, ax: ax.plot([0, 1], [0, 1])[0].set_clip_path(Circle((0.5, 0.5), 0.3)),
        ),
        (
            "a sketch (xkcd) style",
            lambda fig, ax: ax.plot([0, 1], [0, 1], sketch_params=(1, 100, 2)),
        ),
        (
            "Gouraud shading",
            lambda fig, ax: ax.tripcolor([0, 1, 0], [0, 0, 1], [0, 1, 2], shading="gouraud"),
        ),
    ],
)
def test_a_refused_feature_warns_once_naming_itself_and_the_figure(feature, draw):
    messages = _refused(draw)
    assert len(messages) == 1, messages
    assert messages[0].startswith(f"figure demo: {feature} is not drawn")


def test_supported_features_draw_without_a_warning():
    def draw(fig, ax):
        ax.plot([1, 2, 3], [1, 10, 100], "o--", alpha=0.5, label="line")
        ax.set_yscale("log")
        ax.annotate("peak", (3, 100), (1.5, 50), arrowprops={"arrowstyle": "->"})
        ax.text(2, 10, r"$\alpha^2$", rotation=30)
        fig.colorbar(ax.imshow([[0, 1], [1, 0]], extent=(1, 3, 1, 100)), ax=ax)
        ax.legend()

    assert _refused(draw) == []


def test_a_failing_deferred_draw_warns_instead_of_raising():
    fig = Figure(figsize=(2, 1), dpi=50, label="broken")
    canvas = DisplayListCanvas(fig)
    fig.draw = lambda renderer: 1 / 0

    async def in_a_kernel():
        canvas.draw_idle()
        await asyncio.sleep(0)

    with pytest.warns(DisplayListWarning, match=r"figure broken: its draw failed \(ZeroDivision"):
        asyncio.run(in_a_kernel())


def test_an_axes_redrawn_alone_is_spliced_into_the_background_as_a_full_draw_records_it():
    fig = Figure(figsize=(4, 2), dpi=100)
    canvas = DisplayListCanvas(fig)
    left, middle, right = fig.subplots(1, 3)
    middle.set_gid("middle")
    right.set_gid("right")
    for ax in (left, middle, right):
        ax.plot([0, 1], [0, 1])
    canvas.draw()
    renderer = canvas.get_renderer()
    renderer.copy_from_bbox(fig.bbox)
    renderer.commands.append(["text", "animated"])

    def full_draw() -> list:
        other = DisplayListRenderer(renderer.width, renderer.height, renderer.dpi)
        fig.draw(other)
        return other.commands

    for ax, change in (
        (middle, lambda: middle.set_yticks(np.linspace(0, 1, 11))),  # a longer part
        (right, lambda: right.set_title("a title")),  # after the part that changed length
        (middle, lambda: middle.set_yticks([0, 1])),  # a shorter one
        (right, lambda: right.set_title("")),
    ):
        change()
        assert canvas.redraw(ax)
        assert canvas.background == full_draw()
        assert renderer.commands == canvas.background  # the commands after it are dropped
    assert not canvas.redraw(left)  # no gid: not recorded as a part, nothing changed
    assert renderer.commands == canvas.background


def test_a_redrawn_part_goes_with_the_next_frame_then_the_background_is_not_sent_again():
    frames = []
    fig = Figure(figsize=(2, 2), dpi=50)
    canvas = DisplayListCanvas(fig, show=lambda background, _: frames.append(background))
    ax = fig.subplots()
    ax.set_gid("axes")
    canvas.draw()
    canvas.get_renderer().copy_from_bbox(fig.bbox)
    ax.set_ylim(0, 10)
    assert canvas.redraw(ax)
    canvas.blit()
    canvas.blit()
    assert frames[1] == canvas.background
    assert frames[2] is None


@pytest.mark.parametrize("panel", ["jacobian", "error"])
def test_new_colour_limits_redraw_only_the_colourbar(panel, monkeypatch):
    """Limits that change alone (a temperature step, a dtype) re-record the colourbar's axes
    within the background, which equals a full draw of the figure; a new variable draws it all."""
    state = State().resized(6)
    dashboard = Dashboard(compute(state), canvas=DisplayListCanvas)
    canvas = dashboard.figures[panel].canvas
    full_draws = []
    draw = DisplayListCanvas.draw
    monkeypatch.setattr(DisplayListCanvas, "draw", lambda c: full_draws.append(c) or draw(c))
    limits = dashboard.panels[panel].image.get_clim()
    changes = {"jacobian": {"temperature": 0.2}, "error": {"dtype": "float32"}}[panel]
    dashboard.update(compute(state.replace(**changes)))
    assert dashboard.panels[panel].image.get_clim() != limits
    assert canvas not in full_draws
    spliced = list(canvas.background)
    foreground = list(canvas.foreground)
    canvas.draw()
    assert spliced == canvas.background
    assert foreground == canvas.foreground
    full_draws.clear()
    dashboard.update(compute(state.replace(**changes, wrt="x")))
    assert canvas in full_draws
