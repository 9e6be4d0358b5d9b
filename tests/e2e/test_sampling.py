"""The sampling view in headless Chromium against a real server: a class exploring a sampler."""

from __future__ import annotations

import pytest

from harness.page import (
    link_state,
    panel,
    settled_pixels,
    wait_for_change,
    wait_for_link,
)

from .conftest import save_screenshot

pytestmark = pytest.mark.browser

QUERY = "?sampling=true&top_p=0.8&temperature=2"


def test_the_view_follows_the_cuts_and_the_draws_come_back_with_the_link(server, open_page):
    page, log = open_page(server.url + QUERY)
    cuts, sampler, bars = (panel(page, name).bounding_box() for name in ("cuts", "sampler", "bars"))
    # the two plots side by side above the others, in the same columns
    assert sampler["x"] >= cuts["x"] + cuts["width"]
    assert sampler["y"] == pytest.approx(cuts["y"], abs=1)
    assert cuts["width"] == pytest.approx(bars["width"], abs=1)
    assert bars["y"] >= cuts["y"] + cuts["height"]
    before = settled_pixels(page, "cuts")

    # top-p moved by the keyboard on its slider: the kept classes are drawn again
    handle = page.locator(".softmax-explorer-top-p .noUi-handle")
    handle.focus()
    for _ in range(30):
        page.keyboard.press("ArrowLeft")
    # thirty steps of 0.01 down from 0.8: the page ends at 0.5 (the slider's own value)
    state = wait_for_link(page, lambda s: s.top_p == pytest.approx(0.5, abs=1e-9))
    wait_for_change(page, "cuts", before)
    assert state.sampling

    # Draw: the next seed, new counts on screen; the link holds the seed
    drawn = settled_pixels(page, "sampler")
    page.locator(".softmax-explorer-draw-button").click()
    wait_for_link(page, lambda s: s.seed == 1)
    seed_1 = wait_for_change(page, "sampler", drawn)
    save_screenshot(page, "sampling-view")

    # the link reopens the same view with the same draws, pixel for pixel
    link = page.locator(".softmax-explorer-link input").input_value()
    again, _ = open_page(link)
    assert link_state(again) == link_state(page)
    assert settled_pixels(again, "sampler") == seed_1
    assert not log.page_errors
    assert not log.foreign_requests()


def test_the_view_is_hidden_until_asked_for_and_a_bad_cut_is_named(server, open_page):
    page, _ = open_page(server.url + "?top_p=3&sampling=true")
    assert "top_p: 3 is outside (0..1" in page.locator(".softmax-explorer-status").inner_text()
    assert not panel(page, "cuts").count()  # the link was refused: the defaults, no view
    page.locator(".softmax-explorer-sampling input").check()
    wait_for_link(page, lambda s: s.sampling)
    for name in ("cuts", "sampler"):
        page.wait_for_selector(f".softmax-explorer-panel-{name} canvas")
        assert panel(page, name).is_visible()


def test_the_temperature_reads_as_the_lesson_says_and_follows_a_hand(server, open_page):
    """The lesson's T = 0.5 is between two points of the log slider's grid (0.4994 and 0.5009):
    the page reads 0.5, as the lesson's text does, and then what the hand sets."""
    page, log = open_page(server.url + "?lesson=sampling&step=2")
    readout = page.locator(".softmax-explorer-temperature-readout")
    assert readout.inner_text() == "0.5"
    assert "At T = 0.5" in page.locator(".softmax-explorer-lesson-text").inner_text()
    page.locator(".softmax-explorer-temperature .noUi-handle").focus()
    page.keyboard.press("ArrowRight")
    moved = wait_for_link(page, lambda s: 0.5 < s.temperature < 0.6)  # one step of the grid
    page.wait_for_function(
        "([q, text]) => document.querySelector(q)?.innerText === text",
        arg=[".softmax-explorer-temperature-readout", f"{moved.temperature:.3g}"],
    )
    assert not log.page_errors
