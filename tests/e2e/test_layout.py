"""The page's layout at the sizes people use: the sliders and the bars in view together, the
panels scaled to their column and still sharp, the formula panel inside its column."""

from __future__ import annotations

import pytest

from harness.page import panel, settled_pixels, wait_for_link
from softmax_explorer.figures import Dashboard
from softmax_explorer.results import compute
from softmax_explorer.state import State

pytestmark = pytest.mark.browser

#: What a page lays out, each as its box in the viewport (left, top, right, bottom).
_BOXES = """() => {
  const box = (s) => { const b = document.querySelector(s).getBoundingClientRect();
                       return [b.left, b.top, b.right, b.bottom]; };
  const formulas = document.querySelector('.softmax-explorer-formulas');
  const column = formulas.parentElement;
  return {
    slider: box('.softmax-explorer-theta-1 .noUi-handle'),
    bars: box('.softmax-explorer-panel-bars canvas'),
    jacobian: box('.softmax-explorer-panel-jacobian canvas'),
    formulas: box('.softmax-explorer-formulas'),
    trace: box('.softmax-explorer-panel-trace canvas'),
    page_width: document.documentElement.scrollWidth,
    cut: [...formulas.querySelectorAll('mjx-container, .MathJax, code')].filter((e) => {
      const b = e.getBoundingClientRect(), c = column.getBoundingClientRect();
      return b.right > c.right + 1 || b.left < c.left - 1;
    }).length,
    math: formulas.querySelectorAll('mjx-container, .MathJax').length,
    overflow: column.scrollWidth - column.clientWidth,
  };
}"""


def _inside(box, width, height) -> bool:
    left, top, right, bottom = box
    return left >= 0 and top >= 0 and right <= width and bottom <= height


@pytest.mark.parametrize("n", [4, 32])
@pytest.mark.parametrize(
    "viewport", [(1280, 800), (1920, 1080)], ids=lambda v: "x".join(map(str, v))
)
def test_sliders_and_bars_are_in_view_together_and_nothing_is_cut(server, open_page, viewport, n):
    width, height = viewport
    page, log = open_page(f"{server.url}?n={n}&target=2", viewport=viewport)
    page.wait_for_function(
        "document.querySelector('.softmax-explorer-formulas').innerText.includes('gradcheck')"
    )
    boxes = page.evaluate(_BOXES)
    assert _inside(boxes["slider"], width, height), boxes
    assert _inside(boxes["bars"], width, height), boxes
    assert boxes["page_width"] <= width  # no sideways scrolling
    assert boxes["bars"][0] > boxes["slider"][2]  # the plots beside the controls, not below
    # the formulas are typeset, each piece within the column, left of the trace panel
    assert boxes["math"] >= 5
    assert boxes["cut"] == 0, boxes
    assert boxes["overflow"] <= 1, boxes
    assert boxes["formulas"][2] <= boxes["trace"][0]
    assert log.console_errors == []
    assert log.page_errors == []


def test_a_narrow_column_scales_the_panel_sharply_and_clicks_still_find_their_cell(
    server, open_page
):
    page, log = open_page(server.url, viewport=(1280, 800))
    jacobian = panel(page, "jacobian")
    box = jacobian.bounding_box()
    dash = Dashboard(compute(State()))
    figure_width, figure_height = dash.figures["jacobian"].bbox.size
    scale = box["width"] / figure_width
    assert 0.8 < scale < 1, box  # narrower than the figure, at its aspect ratio
    assert box["height"] == pytest.approx(figure_height * scale, abs=1)
    # the backing store follows the displayed size times the device pixel ratio: sharp
    backing = jacobian.evaluate("(c) => [c.width, c.height, window.devicePixelRatio]")
    assert backing[0] == round(box["width"] * backing[2])
    settled_pixels(page, "jacobian")
    x, y = dash.cell_position(1, 3)  # in figure pixels: the page scales the click back
    jacobian.click(position={"x": x * scale, "y": y * scale})
    page.wait_for_function(
        "document.querySelector('.softmax-explorer-entry-i select').selectedOptions[0].text === '2'"
    )
    assert (
        page.locator(".softmax-explorer-entry-k select").evaluate(
            "(s) => s.selectedOptions[0].text"
        )
        == "4"
    )
    wait_for_link(page, lambda s: s == State())
    assert log.console_errors == []
    assert log.page_errors == []


def test_too_narrow_for_both_the_plots_go_below_the_controls(server, open_page):
    page, log = open_page(server.url, viewport=(900, 800))
    boxes = page.evaluate(_BOXES)
    assert boxes["bars"][1] > boxes["slider"][3]
    assert boxes["page_width"] <= 900
    assert log.console_errors == []
    assert log.page_errors == []
