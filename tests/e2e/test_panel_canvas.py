"""The browser's replay of a display list against matplotlib's own (Agg) rendering.

Each panel is recorded by `DisplayListCanvas` and drawn by ``panel_canvas.js`` in Chromium (the
module the widget loads, given a minimal stand-in for the widget model); the same panel drawn
by Agg is the reference. Glyph rasterisers and antialiasing differ at edges, so a pixel counts as
different only when no pixel within one of it in the reference is close, and only a small
fraction may differ.
"""

from __future__ import annotations

import numpy as np
import pytest

from harness.replay import MODULE, differ, replayed
from softmax_explorer.canvas import DisplayListCanvas
from softmax_explorer.figures import PANELS, Dashboard
from softmax_explorer.results import compute
from softmax_explorer.state import PRESETS, State

pytestmark = pytest.mark.browser


def recorded(results, theme: str = "light") -> Dashboard:
    """A dashboard drawn now (Playwright's event loop would defer ``draw_idle``)."""
    dash = Dashboard(results, theme=theme, canvas=DisplayListCanvas)
    for fig in dash.figures.values():
        fig.canvas.draw()
    return dash


def agg_pixels(results, theme: str) -> dict[str, np.ndarray]:
    dash = Dashboard(results, theme=theme)
    out = {}
    for name, fig in dash.figures.items():
        fig.canvas.draw()
        out[name] = np.asarray(fig.canvas.buffer_rgba()).copy()
    return out


@pytest.mark.parametrize(
    ("state", "theme"),
    [(State(), "light"), (PRESETS["overflow"].state, "dark"), (State().resized(12), "light")],
    ids=["seed-light", "overflow-dark", "n12"],
)
def test_replay_matches_agg(blank_page, state, theme):
    page, errors = blank_page
    results = compute(state)
    reference = agg_pixels(results, theme)
    dash = recorded(results, theme)
    for name in PANELS:
        got, want = replayed(page, dash.figures[name].canvas), reference[name]
        assert got.shape == want.shape, name
        assert differ(got, want) < 0.01, f"{name}: {differ(got, want):.1%} of the pixels differ"
    assert errors == []


def test_a_blit_replays_over_the_same_background(blank_page):
    page, errors = blank_page
    dash = recorded(compute(State()))
    moved = State(theta=(2.0, 0.1, 0.9, 0.5))
    reference = agg_pixels(compute(moved), "light")
    for name in ("bars", "jacobian"):  # the comparison tells the two states apart
        assert differ(replayed(page, dash.figures[name].canvas), reference[name]) > 0.02
    dash.update(compute(moved))
    for name in ("bars", "jacobian"):
        got = replayed(page, dash.figures[name].canvas)
        assert differ(got, reference[name]) < 0.01, name
    assert errors == []


def test_a_high_dpi_screen_gets_twice_the_pixels(browser):
    context = browser.new_context(device_scale_factor=2)
    try:
        page = context.new_page()
        results = compute(State())
        reference = agg_pixels(results, "light")
        dash = recorded(results)
        for name in ("bars", "jacobian"):
            got = replayed(page, dash.figures[name].canvas)
            h, w = reference[name].shape[:2]
            assert got.shape[:2] == (2 * h, 2 * w)
            halved = got.reshape(h, 2, w, 2, 4).mean(axis=(1, 3)).round().astype(np.uint8)
            assert differ(halved, reference[name]) < 0.01, name
    finally:
        context.close()


#: ``static/frames.js`` given a stand-in model whose widget manager knows canvases ``a``, ``b``,
#: ``late`` (found only when the test says so) and ``broken`` (whose ``set`` throws), not
#: ``missing``; the messages below are sent in order and what each canvas was set to is logged.
FRAMES = """
async (source) => {
  const url = URL.createObjectURL(new Blob([source], {type: 'text/javascript'}));
  const widget = (await import(url)).default;
  const log = [];
  const canvas = (id) => ({set(state) {
    if (id === 'broken') throw new Error('broken canvas');
    log.push([id, state.foreground]);
  }});
  let findLate;
  const manager = {get_model(id) {
    if (id === 'missing') return Promise.reject(new Error('widget model not found'));
    if (id === 'late') return new Promise((resolve) => { findLate = () => resolve(canvas(id)); });
    return Promise.resolve(canvas(id));
  }};
  let receive;
  widget.initialize({model: {widget_manager: manager, on(_, f) { receive = f; }, off() {}}});
  const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
  receive({frames: {a: {foreground: '1'}, missing: {foreground: '1'}, b: {foreground: '1'}}});
  await settle();
  receive({frames: {late: {foreground: '2'}, a: {foreground: '2'}}});
  receive({frames: {a: {foreground: '3'}}});
  receive('not frames');
  receive({frames: null});
  await settle();
  const waiting = log.length;
  findLate();
  await settle();
  receive({frames: {broken: {foreground: '4'}, a: {foreground: '4'}}});
  receive({frames: {b: {foreground: '5'}}});
  await settle();
  return {waiting, log};
}
"""


def test_frames_reach_each_canvas_in_the_order_sent(blank_page):
    page, errors = blank_page
    module = MODULE.with_name("frames.js").read_text()
    result = page.evaluate(FRAMES, module)
    # a canvas the page does not have is skipped; the frames behind a lookup wait for it
    assert result["waiting"] == 2
    assert result["log"] == [
        ["a", "1"], ["b", "1"], ["late", "2"], ["a", "2"], ["a", "3"], ["a", "4"], ["b", "5"],
    ]  # fmt: skip
    (error,) = errors  # logged, and the rest still shown
    assert "broken" in error
