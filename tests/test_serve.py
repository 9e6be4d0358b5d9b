"""The Explorer a served page gets: the command line's options and the page's URL combined."""

from __future__ import annotations

import pytest

from softmax_explorer.lesson import load_lesson
from softmax_explorer.serve import served_explorer
from softmax_explorer.state import PRESETS

SEED = load_lesson("seed")


@pytest.fixture
def page(monkeypatch):
    """``page(query, **options)``: the Explorer served for a page opened with ``?query``."""
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)

    def opened(query: str, **options: str):
        for name in ("PRESET", "LESSON"):
            monkeypatch.delenv(f"SOFTMAX_EXPLORER_{name}", raising=False)
        for name, value in options.items():
            monkeypatch.setenv(f"SOFTMAX_EXPLORER_{name.upper()}", value)
        monkeypatch.setenv("QUERY_STRING", query)
        monkeypatch.setenv("VOILA_REQUEST_URL", f"http://127.0.0.1:8866/?{query}")
        return served_explorer()

    return opened


def test_a_served_lesson_starts_at_step_one_or_the_urls_step(page):
    assert (page("", lesson="seed").lesson_view.number, page("", lesson="seed").state) == (
        1,
        SEED.step(1).state,
    )
    explorer = page("lesson=seed&step=3", lesson="seed")
    assert (explorer.lesson_view.number, explorer.state) == (3, SEED.step(3).state)
    assert explorer.link.widget.value == "http://127.0.0.1:8866/?lesson=seed&step=3"


def test_the_command_lines_preset_yields_to_a_lesson_in_the_url(page):
    assert page("lesson=seed&step=2", preset="hot").state == SEED.step(2).state
    assert page("n=6", preset="hot").state == PRESETS["hot"].state.resized(6)
    assert page("preset=cold", preset="hot").state == PRESETS["cold"].state
