"""A lesson served with ``--lesson``, stepped through in Chromium as a teacher would."""

from __future__ import annotations

import json

import pytest

from harness.page import bars_follow_a_key, settled_pixels, wait_for_change
from harness.server import running, start_app
from softmax_explorer.teaching.lesson import load_lesson, open_link

pytestmark = pytest.mark.browser

SEED = load_lesson("seed")


def _counter(page) -> str:
    return page.locator(".softmax-explorer-lesson-counter").inner_text()


def _link_opens(page):
    """The lesson, step and state the page's share link opens."""
    link = page.locator(".softmax-explorer-link input").input_value()
    return open_link(link.split("?", 1)[1])


def _wait_for_step(page, number: int) -> None:
    page.wait_for_function(
        "n => document.querySelector('.softmax-explorer-lesson-counter')?.innerText === n",
        arg=f"step {number} of {len(SEED)}",
    )
    page.wait_for_function("q => window.location.search === q", arg=f"?lesson=seed&step={number}")


def test_a_class_steps_through_the_seed_lesson(tmp_path, open_page):
    with running(start_app(tmp_path, "--lesson=seed")) as server:
        page, log = open_page(server.url)
        assert _counter(page) == "step 1 of 9"
        lesson = page.locator(".softmax-explorer-lesson")
        assert "The seed notebook, retold: The model" in lesson.inner_text()
        assert "Question: Before you move θ₁ up" in lesson.inner_text()
        # its math is typeset, in the page itself (no CDN)
        page.wait_for_selector(".softmax-explorer-lesson-text mjx-container, "
                               ".softmax-explorer-lesson-text .MathJax")  # fmt: skip
        assert page.locator(".softmax-explorer-lesson-previous button, "
                            "button.softmax-explorer-lesson-previous").is_disabled()  # fmt: skip
        _wait_for_step(page, 1)
        assert _link_opens(page) == (SEED, 1, SEED.step(1).state)
        before = settled_pixels(page, "bars")
        next_button = page.locator("button.softmax-explorer-lesson-next")
        for number in range(2, 7):
            next_button.click()
            _wait_for_step(page, number)
            assert _link_opens(page) == (SEED, number, SEED.step(number).state)
            assert SEED.step(number).title in page.locator(".softmax-explorer-lesson").inner_text()
        # step 6, overflow: the bars change and the page says why
        wait_for_change(page, "bars", before)
        page.wait_for_function(
            "document.querySelector('.softmax-explorer-panel-bars').innerText"
            ".includes('exp(800) overflows float64')"
        )
        # the keyboard reaches Next too
        next_button.focus()
        page.keyboard.press("Enter")
        _wait_for_step(page, 7)
        # a change to the state keeps the step in the link, and a reload reopens both
        page.locator(".softmax-explorer-stable input").click()
        page.wait_for_function("window.location.search.startsWith('?lesson=seed&step=7&')")
        changed = _link_opens(page)
        assert changed[:2] == (SEED, 7)
        assert changed[2] == SEED.step(7).state.replace(stable=False)
        page.reload()
        page.wait_for_function(
            "document.querySelector('.softmax-explorer-lesson-counter')?.innerText"
            " === 'step 7 of 9'"
        )
        page.wait_for_function(
            "document.querySelector('.softmax-explorer-link input')?.value.includes('stable')"
        )
        assert _link_opens(page) == changed
        # a step's own link, opened by a student
        student, student_log = open_page(f"{server.url}?lesson=seed&step=8")
        assert _counter(student) == "step 8 of 9"
        assert _link_opens(student) == (SEED, 8, SEED.step(8).state)
        for each in (log, student_log):
            assert each.console_errors == []
            assert each.page_errors == []
        assert "Traceback" not in server.log_text()


def test_an_invalid_lesson_file_is_named_on_the_page_and_the_app_works(tmp_path, open_page):
    steps = [{"title": "a", "text": "b", "state": {}}, {"title": "c", "text": "d",
             "state": {"dtype": "float16"}}]  # fmt: skip
    (tmp_path / "week3.json").write_text(json.dumps({"title": "W", "steps": steps}))
    with running(start_app(tmp_path, "--lesson=week3.json")) as server:
        page, log = open_page(server.url)
        status = page.locator(".softmax-explorer-status").inner_text()
        assert "Lesson not shown:" in status
        assert (
            "week3.json: step 2, state: dtype: 'float16' is not one of float64, float32" in status
        )
        assert not page.locator(".softmax-explorer-lesson").is_visible()
        bars_follow_a_key(page)
        assert log.console_errors == []
        assert log.page_errors == []
        assert "week3.json: step 2" in server.log_text()  # said at start, in the terminal
