"""The served page as a student meets it: readiness, the share link, panels' pixels, actions."""

from __future__ import annotations

import random

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from softmax_explorer.state import PRESETS, State

#: The formula panel filled and the five plots painted (a painted canvas has an opaque corner).
DASHBOARD_READY = """
(() => {
  const app = document.querySelector('.softmax-explorer');
  const canvases = [...document.querySelectorAll('.softmax-explorer-canvas canvas')];
  return app && app.innerText.includes('gradcheck') && canvases.length >= 5 &&
      canvases.every((c) => c.width > 0 && c.getContext('2d').getImageData(1, 1, 1, 1).data[3]);
})()
"""
#: The share link holds the page's state.
LINK_READY = "document.querySelector('.softmax-explorer-link input')?.value.includes('?')"


def wait_for_dashboard(page) -> None:
    """Until the five plots are painted, the formula panel is filled and the link is set."""
    page.wait_for_selector(".softmax-explorer")
    page.wait_for_function(DASHBOARD_READY)
    page.wait_for_function(LINK_READY)


def panel(page, name: str):
    """The canvas of one panel."""
    return page.locator(f".softmax-explorer-panel-{name} canvas")


def on_screen(page, panels: dict, name: str, x: float, y: float) -> tuple[float, float]:
    """Where data point (x, y) of panel ``name`` is on the screen, as the page scales it.

    ``panels`` are a `~softmax_explorer.figures.Dashboard`'s, laid out as the page's are.
    """
    ax = panels[name].ax
    (fx, fy) = ax.transAxes.inverted().transform(ax.transData.transform((x, y)))
    left, bottom, width, height = ax.get_position().bounds
    box = panel(page, name).bounding_box()
    return (
        box["x"] + box["width"] * (left + width * fx),
        box["y"] + box["height"] * (1 - (bottom + height * fy)),
    )


def panel_pixels(page, name: str) -> bytes:
    """A screenshot of one panel (PNG bytes)."""
    return panel(page, name).screenshot()


def link_state(page) -> State:
    """The state in the page's share link."""
    return State.from_query(_link(page).split("?", 1)[1])


def _link(page) -> str:
    return page.locator(".softmax-explorer-link input").input_value()


def select(page, name: str, label: str) -> None:
    """Choose ``label`` in the dropdown ``name``."""
    page.locator(f".softmax-explorer-{name} select").select_option(label=label)


def _poll(page, read, done, timeout_ms: int, what: str):
    """``read()`` every 100 ms of the page's clock until ``done(value)``; the last value."""
    waited = 0
    while True:
        value = read()
        if done(value):
            return value
        if waited >= timeout_ms:
            raise AssertionError(f"{what} within {timeout_ms} ms")
        page.wait_for_timeout(100)
        waited += 100


def wait_for_change(page, name: str, before: bytes, timeout_ms: int = 30_000) -> bytes:
    """A panel's pixels once they differ from ``before``."""
    return _poll(
        page, lambda: panel_pixels(page, name), lambda now: now != before, timeout_ms,
        f"panel {name} did not change",
    )  # fmt: skip


def settled_pixels(page, name: str, timeout_ms: int = 30_000) -> bytes:
    """A panel's pixels once two screenshots 100 ms apart agree (its redraws are over)."""
    previous = [b""]

    def same(now: bytes) -> bool:
        done, previous[0] = now == previous[0], now
        return done

    return _poll(
        page, lambda: panel_pixels(page, name), same, timeout_ms, f"panel {name} did not settle"
    )


def share_link(page, timeout_ms: int = 30_000) -> str:
    """A served page's share link, once it starts with an address (the page has said its own)."""
    return _poll(
        page, lambda: _link(page), lambda link: link.startswith("http"), timeout_ms,
        "the share link never started with the page's address",
    )  # fmt: skip


def wait_for_link(page, predicate, timeout_ms: int = 30_000) -> State:
    """The share link's state once ``predicate(state)`` holds."""
    return _poll(
        page, lambda: link_state(page), predicate, timeout_ms,
        "the share link never showed the expected state",
    )  # fmt: skip


def bars_follow_a_key(page, key: str = "ArrowRight") -> bytes:
    """Press ``key`` on the first theta slider; the bars' pixels once they have changed."""
    before = settled_pixels(page, "bars")
    page.locator(".softmax-explorer-theta-1 .noUi-handle").focus()
    page.keyboard.press(key)
    return wait_for_change(page, "bars", before)


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
        # the sliders may vanish meanwhile (their box is rebuilt for a new n): the hand waits
        # for them to come back, or moves on
        try:
            handles.first.wait_for(timeout=5000)
            handles.nth(rng.randrange(max(1, handles.count()))).focus(timeout=5000)
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
