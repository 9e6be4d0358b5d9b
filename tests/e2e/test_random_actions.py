"""200 random UI actions in the served page: no console error, no kernel exception, still alive."""

from __future__ import annotations

import random

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from softmax_explorer.state import PRESETS, State

from .conftest import start_server
from .test_browser import link_state, select, wait_for_link

pytestmark = pytest.mark.browser

ACTIONS = 200
X_TEXTS = ["1, 4, 3, 2", "1, two, 3", "", "1e308, 1, 1", "5, 5, 5, 5, 5, 5", "-2, 0.5, 3, 1", "nan"]


def act(page, rng: random.Random) -> str:
    """One random action a student could take; returns its description."""
    kind = rng.choice(
        ["theta", "theta", "theta", "temperature", "h", "scheme", "target", "preset", "dtype",
         "wrt", "stable", "x", "n", "step", "reset", "play", "export", "entry"]
    )  # fmt: skip
    # choose among the controls the page shows now (a new n may still be on its way)
    if kind in ("theta", "temperature", "h"):
        name = (
            "[class*='softmax-explorer-theta-']" if kind == "theta" else f".softmax-explorer-{kind}"
        )
        handles = page.locator(f"{name} .noUi-handle")
        try:  # the slider may vanish meanwhile (a pending change of n): the hand moves on
            handles.nth(rng.randrange(handles.count())).focus(timeout=5000)
        except PlaywrightTimeout:
            return f"{kind} (vanished)"
        key = rng.choice(["ArrowRight", "ArrowLeft", "PageUp", "PageDown", "Home", "End"])
        for _ in range(rng.randint(1, 4)):
            page.keyboard.press(key)
        return f"{kind} {key}"
    if kind == "scheme":
        select(
            page, "scheme", rng.choice(["forward", "backward", "central", "complex", "richardson"])
        )
    elif kind == "target":
        options = page.locator(".softmax-explorer-target option").all_inner_texts()
        label = rng.choice(options).replace("\xa0", " ")
        try:  # the option may vanish meanwhile (a pending change of n)
            page.locator(".softmax-explorer-target select").select_option(label=label, timeout=5000)
        except PlaywrightTimeout:
            return "target (vanished)"
    elif kind == "preset":
        select(page, "preset", rng.choice([p.title for p in PRESETS.values()]))
    elif kind in ("dtype", "wrt"):
        buttons = page.locator(f".softmax-explorer-{kind} button")
        buttons.nth(rng.randrange(buttons.count())).click()
    elif kind == "stable":
        page.locator(".softmax-explorer-stable input").click()
    elif kind == "x":
        field = page.locator(".softmax-explorer-x input")
        field.fill(rng.choice(X_TEXTS))
        field.press("Enter")
    elif kind == "n":
        field = page.locator(".softmax-explorer-n input")
        field.fill(str(rng.choice([2, 3, 4, 6, 9, 12, 40, 1])))
        field.press("Enter")
    elif kind in ("step", "reset"):
        page.locator(f".softmax-explorer-{kind}-button").click()
    elif kind == "play":
        buttons = page.locator(".softmax-explorer-play button")
        buttons.first.click()
        page.wait_for_timeout(rng.randint(100, 700))
        buttons.nth(1).click()  # pause
    elif kind == "export":
        page.locator(f".softmax-explorer-export-{rng.choice(['png', 'svg', 'json'])}").click()
    elif kind == "entry":
        page.locator(".softmax-explorer-panel-jacobian canvas").last.click(
            position={"x": rng.randint(150, 380), "y": rng.randint(40, 280)}
        )
    return kind


def test_two_hundred_random_actions(tmp_path, open_page):
    server = start_server(tmp_path)
    try:
        page, log = open_page(server.url)
        rng = random.Random(20261129)
        done = [act(page, rng) for _ in range(ACTIONS)]
        assert len(done) == ACTIONS
        page.wait_for_timeout(1500)
        # still alive: one more slider step is drawn and reported
        state = link_state(page)
        page.locator(".softmax-explorer-theta-1 .noUi-handle").focus()
        page.keyboard.press("ArrowLeft" if state.theta[0] > -2.9 else "ArrowRight")
        wait_for_link(page, lambda s: s.theta[0] != state.theta[0])
        assert isinstance(link_state(page), State)
        assert log.console_errors == []
        assert log.page_errors == []
        assert "Traceback" not in page.locator(".softmax-explorer").inner_text()
    finally:
        server.stop()
    server_log = server.log_text()
    assert "Traceback" not in server_log
    assert "callback" not in server_log
