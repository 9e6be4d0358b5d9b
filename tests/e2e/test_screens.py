"""The screens a class uses, emulated in Chromium: phones, a tablet in portrait, a projector.

On each: every plot inside the viewport's width and nothing to scroll sideways, the page read
from its title down, touch targets of at least 24 px; on a phone a finger drags a bar without
moving the page. Each test keeps a screenshot in test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from matplotlib.text import Text

from harness.page import link_state, on_screen, panel, wait_for_link
from harness.server import running, start_app
from softmax_explorer.figures import DPI, SAMPLING, Dashboard
from softmax_explorer.results import compute
from softmax_explorer.state import State

from .conftest import save_screenshot

pytestmark = pytest.mark.browser

PHONES = ["Pixel 7", "iPhone 13"]
#: WCAG 2.5.8: the smallest target a pointer or a finger is given, in CSS px.
TARGET = 24
#: The smallest text the plots may show at 1024 x 768 with --context talk, in CSS px (the
#: tick labels and annotations; docs/deployment.md states it).
PROJECTED_TEXT = 14

#: Each thing the page lays out, as (class, left, top, right, bottom), in page order.
_LAYOUT = """() => {
  const box = (e) => {
    const b = e.getBoundingClientRect(), y = window.scrollY;
    return [b.left, b.top + y, b.right, b.bottom + y];
  };
  const one = (s) => box(document.querySelector(s));
  const panels = {};
  for (const c of document.querySelectorAll('.softmax-explorer-canvas')) {
    const name = [...c.classList].find((k) => k.startsWith('softmax-explorer-panel-'));
    if (name && c.offsetParent) panels[name.slice(23)] = box(c.querySelector('canvas'));
  }
  return {
    width: window.innerWidth,
    page_width: document.documentElement.scrollWidth,
    title: one('.softmax-explorer h3'),
    predict: one('.softmax-explorer-predict'),
    slider: one('.softmax-explorer-theta-1 .noUi-handle'),
    formulas: one('.softmax-explorer-formulas'),
    formulas_overflow: (() => { const f = document.querySelector('.softmax-explorer-formulas');
                                return f.scrollWidth - f.clientWidth; })(),
    link: one('.softmax-explorer-link input'),
    panels,
  };
}"""

#: The visible buttons, and each slider handle's reach: how far from its centre a pointer
#: still lands on it, left, right, up and down (CSS px).
_TARGETS = """() => {
  const shown = (e) => e.offsetParent !== null;
  const buttons = [...document.querySelectorAll('.softmax-explorer button')].filter(shown)
    .map((b) => { const r = b.getBoundingClientRect(); return [b.innerText, r.width, r.height]; });
  const reach = (h) => {
    const r = h.getBoundingClientRect(), x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2;
    const on = (dx, dy) => h.contains(document.elementFromPoint(x + dx, y + dy));
    return [-1, 1].flatMap((s) => [on(s * 11.5, 0), on(0, s * 11.5)]).every(Boolean);
  };
  const handles = [...document.querySelectorAll('.softmax-explorer .noUi-handle')]
    .filter(shown);
  handles[0].scrollIntoView({block: 'center'});
  return {buttons, handles: handles.length, reached: handles.slice(0, 3).map(reach)};
}"""


#: Every visible button, label, text and field that is cut off by its own width (an ellipsis)
#: or reaches past the viewport's sides.
_CUT = """() => {
  const width = window.innerWidth, cut = [];
  const parts = ['button', 'select', 'input', '.widget-label', '.widget-html-content',
                 '.widget-readout'].map((s) => `.softmax-explorer ${s}`).join(', ');
  for (const e of document.querySelectorAll(parts)) {
    const r = e.getBoundingClientRect();
    if (!e.offsetParent || r.width === 0) continue;
    const text = (e.innerText || e.value || '').slice(0, 40);
    if (r.left < -0.5 || r.right > width + 0.5) cut.push(['outside', text, r.left, r.right]);
    const own = !['INPUT', 'SELECT'].includes(e.tagName);  // a field's text may scroll
    if (own && e.scrollWidth > e.clientWidth + 1) cut.push(['cut', text, e.scrollWidth]);
  }
  return cut;
}"""


#: How far the page is scrolled (Voila's page scrolls inside ``#rendered_cells``) and zoomed.
_SCROLL = (
    "[window.scrollX, window.scrollY, window.visualViewport.scale,"
    " document.getElementById('rendered_cells')?.scrollTop ?? 0]"
)


def _inside(box, width: float) -> bool:
    return box[0] >= 0 and box[2] <= width + 0.5


_PANELS = {"bars", "jacobian", "error", "steps", "trace"}


def _check_screen(page, panels=_PANELS) -> dict:
    """What every screen must give; the layout, for each test's own checks."""
    layout = page.evaluate(_LAYOUT)
    width = layout["width"]
    assert layout["page_width"] <= width, layout  # nothing to scroll sideways
    assert set(layout["panels"]) == panels
    for name, box in layout["panels"].items():
        assert _inside(box, width), (name, box, width)
    assert _inside(layout["formulas"], width)
    assert layout["formulas_overflow"] <= 1  # the formulas wrap inside their box
    assert _inside(layout["link"], width)
    assert page.evaluate(_CUT) == []  # every control whole and on the screen
    # read from the title down: the title first, predict before the controls
    tops = [layout[k][1] for k in ("title", "predict", "slider")]
    assert tops == sorted(tops), layout
    assert layout["title"][1] <= min(box[1] for box in layout["panels"].values())
    targets = page.evaluate(_TARGETS)
    for text, w, h in targets["buttons"]:
        assert min(w, h) >= TARGET, (text, w, h)
    assert targets["handles"] >= 4
    assert all(targets["reached"]), targets
    return layout


def _touch_drag(page, start: tuple[float, float], end: tuple[float, float]) -> None:
    """A finger pressed at ``start``, moved to ``end`` and lifted (Chromium's touch events)."""
    cdp = page.context.new_cdp_session(page)
    points = np.linspace(start, end, 9)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [_at(points[0])]})
    for point in points[1:]:
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [_at(point)]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def _at(point) -> dict:
    return {"x": float(point[0]), "y": float(point[1])}


@pytest.mark.parametrize("name", PHONES)
def test_on_a_phone_every_plot_takes_the_full_width_and_a_finger_drags_the_handles(
    server, open_page, devices, name
):
    page, log = open_page(server.url, device=devices[name])
    layout = _check_screen(page)
    boxes = [layout["panels"][k] for k in ("bars", "jacobian", "error", "steps", "trace")]
    for box in boxes:  # one column, each plot as wide as the column (at most its own width)
        assert box[2] - box[0] >= layout["width"] - 40, (box, layout["width"])
    for above, below in itertools.pairwise(boxes):
        assert below[1] >= above[3] - 1
    assert boxes[0][1] > layout["slider"][3]  # the plots below the controls
    # the canvas's backing store follows its displayed size and the device's pixel ratio: sharp
    bars = panel(page, "bars")
    bars.scroll_into_view_if_needed()
    width, ratio = bars.evaluate("(c) => [c.width, window.devicePixelRatio]")
    assert width == round(bars.bounding_box()["width"] * ratio)
    # a finger drags bar 3 from g = 0.728 down to 0.3; the page neither scrolls nor zooms
    panels = Dashboard(compute(State())).panels
    scrolled = page.evaluate(_SCROLL)
    _touch_drag(page, *(on_screen(page, panels, "bars", 2, g) for g in (0.7, 0.3)))
    dragged = wait_for_link(page, lambda s: abs(compute(s).g[2] - 0.3) < 0.02)
    assert dragged.theta[:2] == State().theta[:2]
    assert page.evaluate(_SCROLL) == scrolled
    # and the step line, from h = 1e-6 to 1e-3
    panel(page, "steps").scroll_into_view_if_needed()
    scrolled = page.evaluate(_SCROLL)
    _touch_drag(page, *(on_screen(page, panels, "steps", h, 1e-8) for h in (1e-6, 1e-3)))
    wait_for_link(page, lambda s: abs(math.log10(s.h) + 3) < 0.1)
    assert page.evaluate(_SCROLL) == scrolled
    save_screenshot(page, f"screen-{name.lower().replace(' ', '-')}")
    assert log.page_errors == []


def test_on_a_phone_the_sampling_lesson_reads_whole_and_its_plots_stack_at_the_others_size(
    server, open_page, devices
):
    """The lesson's buttons and counter whole, its title on a row of its own; the cuts and the
    sampler one above the other, each as wide as the column and scaled as the softmax bars
    are: their text as large as every other plot's."""
    page, log = open_page(server.url + "?lesson=sampling&step=7", device=devices["Pixel 7"])
    nav = [
        page.locator(f".softmax-explorer-lesson-{name}").bounding_box()
        for name in ("previous", "next", "counter")
    ]
    title = page.locator(".softmax-explorer-lesson-title").bounding_box()
    assert title["y"] >= max(box["y"] + box["height"] for box in nav) - 1  # below the buttons
    layout = _check_screen(page, _PANELS | set(SAMPLING))
    boxes = [layout["panels"][name] for name in (*SAMPLING, "bars")]
    for above, below in itertools.pairwise(boxes):
        assert below[1] >= above[3] - 1
    figures = Dashboard(compute(State(sampling=True, top_p=0.9))).figures
    scales = [
        (box[2] - box[0]) / figures[name].bbox.width for name, box in layout["panels"].items()
    ]
    assert min(scales) == pytest.approx(max(scales), rel=0.01), layout["panels"]
    smallest = min(_smallest_text_px(figures[name]) * scales[0] for name in SAMPLING)
    print(f"smallest text of the sampling view on a phone: {smallest:.1f} px")
    panel(page, "cuts").scroll_into_view_if_needed()
    save_screenshot(page, "screen-pixel-7-sampling-lesson")
    assert log.page_errors == []


def test_on_a_phone_a_question_its_answers_and_its_verdict_fit_the_screen(
    server, open_page, devices
):
    page, log = open_page(server.url + "?lesson=sampling&step=7", device=devices["iPhone 13"])
    page.locator(".softmax-explorer-predict-toggle input").check()
    page.locator(".softmax-explorer-sampling-order button", has_text="T last").click()
    page.locator(".softmax-explorer-predict-question").wait_for()
    choices = page.locator("button.softmax-explorer-predict-choice")
    assert choices.count() >= 2
    assert page.evaluate(_CUT) == []
    choices.first.click()
    page.locator(".softmax-explorer-predict-right, .softmax-explorer-predict-wrong").wait_for()
    assert page.evaluate(_CUT) == []
    save_screenshot(page, "screen-iphone-13-predict")
    assert log.page_errors == []


def test_on_a_tablet_in_portrait_the_plots_go_below_the_controls_in_two_columns(
    server, open_page, devices
):
    page, log = open_page(server.url, device=devices["iPad Mini"])
    layout = _check_screen(page)
    bars, jacobian = layout["panels"]["bars"], layout["panels"]["jacobian"]
    assert bars[1] > layout["slider"][3]
    assert jacobian[0] >= bars[2]  # two columns
    assert jacobian[1] == pytest.approx(bars[1], abs=1)
    save_screenshot(page, "screen-ipad-mini")
    assert log.page_errors == []


def _smallest_text_px(figure) -> float:
    """The smallest font size of the figure's visible text, in figure pixels."""
    sizes = [
        t.get_fontsize() for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()
    ]
    return min(sizes) * DPI / 72


def test_on_a_projector_the_plots_fill_the_width_beside_the_controls_readably(tmp_path, open_page):
    with running(start_app(tmp_path, "--context=talk")) as server:
        page, log = open_page(server.url, viewport=(1024, 768))
        layout = _check_screen(page)
        panels = layout["panels"]
        assert panels["bars"][0] > layout["slider"][2]  # beside the controls
        assert panels["jacobian"][2] >= 1024 - 40  # out to the right edge
        figures = Dashboard(compute(State()), context="talk").figures
        smallest = min(
            _smallest_text_px(figures[name]) * (box[2] - box[0]) / figures[name].bbox.width
            for name, box in panels.items()
        )
        print(f"smallest text on the projected plots: {smallest:.1f} px")
        assert smallest >= PROJECTED_TEXT
        save_screenshot(page, "screen-projector-1024x768-talk")
        assert link_state(page) == State()
        assert log.page_errors == []
