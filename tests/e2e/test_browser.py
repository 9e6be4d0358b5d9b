"""The served dashboard in headless Chromium: what a teacher and a class see and do."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from pathlib import Path

import matplotlib.image as mpimg
import nbformat
import numpy as np
import pytest

import softmax_explorer as se
from harness.page import (
    link_state,
    panel,
    panel_pixels,
    select,
    settled_pixels,
    wait_for_change,
    wait_for_dashboard,
    wait_for_link,
)
from harness.server import fetch, running, start_app
from softmax_explorer.figures import DPI, Dashboard
from softmax_explorer.figures.dashboard import _MAIN_RECT
from softmax_explorer.results import compute
from softmax_explorer.serving.cli import EXTENSIONS
from softmax_explorer.state import PRESETS, State

from .conftest import save_screenshot

pytestmark = pytest.mark.browser

PANEL_NAMES = ("bars", "jacobian", "error", "steps", "trace")


def test_page_renders_every_control_and_panel(server, open_page):
    page, log = open_page(server.url)
    for name in PANEL_NAMES:
        assert panel(page, name).count() == 1, name
        box = panel(page, name).bounding_box()
        assert box["width"] > 300
        assert box["height"] > 100
    for name in (
        "preset", "n", "x", "temperature", "stable", "dtype", "wrt", "scheme", "h", "target",
        "learning-rate", "step-button", "play", "reset-button", "export-png", "export-svg",
        "export-json", "link", "formulas",
    ):  # fmt: skip
        assert page.locator(f".softmax-explorer-{name}").count() == 1, name
    for k in range(1, 5):
        assert page.locator(f".softmax-explorer-theta-{k} .noUi-handle").count() == 1
    assert link_state(page) == State()
    assert "gradcheck passed" in page.locator(".softmax-explorer-formulas").inner_text()
    save_screenshot(page, "default")
    assert log.console_errors == []
    assert log.page_errors == []
    assert log.foreign_requests() == []
    # only the extensions the page needs, though JupyterLab, Notebook 7 and ipympl are installed
    assert _extensions_loaded(log.requests) == set(EXTENSIONS)


def _extensions_loaded(urls: list[str]) -> set[str]:
    names = set()
    for url in urls:
        if "/labextensions/" in url:
            parts = url.split("/labextensions/", 1)[1].split("/")
            names.add("/".join(parts[:2]) if parts[0].startswith("@") else parts[0])
    return names


def test_keyboard_on_a_theta_slider_updates_pixels_and_readouts(server, open_page):
    page, log = open_page(server.url)
    select(page, "target", "class 1")
    wait_for_link(page, lambda s: s.target == 0)
    bars, jacobian = settled_pixels(page, "bars"), settled_pixels(page, "jacobian")
    handle = page.locator(".softmax-explorer-theta-1 .noUi-handle")
    handle.focus()
    page.keyboard.press("ArrowRight")
    state = wait_for_link(page, lambda s: s.theta[0] != 0.3)
    assert state.theta[0] == pytest.approx(0.35)
    wait_for_change(page, "bars", bars)
    wait_for_change(page, "jacobian", jacobian)
    expected = se.cross_entropy(state.x, state.theta, 0)
    page.wait_for_function(
        f"document.querySelector('.softmax-explorer-loss').innerText.includes('{expected:.6g}')"
    )
    readout = page.locator(".softmax-explorer-theta-1 .widget-readout").inner_text()
    assert readout == "0.35"
    assert log.console_errors == []


def test_clicking_a_jacobian_cell_selects_its_entry(server, open_page):
    page, log = open_page(server.url)
    dash = Dashboard(compute(State()))  # the same layout, to find the cell on the canvas
    x, y = dash.cell_position(1, 3)
    panel(page, "jacobian").click(position={"x": x, "y": y})
    page.wait_for_function(
        "document.querySelector('.softmax-explorer-entry-i select').selectedOptions[0].text === '2'"
    )
    k = page.locator(".softmax-explorer-entry-k select")
    assert k.evaluate("(s) => s.selectedOptions[0].text") == "4"
    assert log.console_errors == []


def test_scheme_step_and_wrt_change_the_panels(server, open_page):
    page, log = open_page(server.url)
    error, steps, jacobian = (panel_pixels(page, n) for n in ("error", "steps", "jacobian"))
    select(page, "scheme", "forward")
    wait_for_link(page, lambda s: s.scheme == "forward")
    error = wait_for_change(page, "error", error)
    steps = wait_for_change(page, "steps", steps)
    handle = page.locator(".softmax-explorer-h .noUi-handle")
    handle.focus()
    page.keyboard.press("ArrowLeft")
    wait_for_link(page, lambda s: s.h < 1e-6)
    wait_for_change(page, "error", error)
    wait_for_change(page, "steps", steps)
    page.locator(".softmax-explorer-wrt button", has_text="∂g/∂x").click()
    wait_for_link(page, lambda s: s.wrt == "x")
    wait_for_change(page, "jacobian", jacobian)
    assert log.console_errors == []


@pytest.mark.parametrize("name", ["overflow", "float32"])
def test_preset_from_the_dropdown_equals_the_preset_in_the_url(server, open_page, name):
    page, log = open_page(server.url)
    select(page, "preset", PRESETS[name].title)
    from_dropdown = wait_for_link(page, lambda s: s == PRESETS[name].state)
    from_dropdown_pixels = settled_pixels(page, "bars")
    assert PRESETS[name].explanation[:30] in page.locator(
        ".softmax-explorer-preset"
    ).inner_text() or (
        PRESETS[name].explanation[:30] in page.locator(".softmax-explorer").inner_text()
    )
    url_page, url_log = open_page(f"{server.url}?preset={name}")
    assert link_state(url_page) == from_dropdown == PRESETS[name].state
    assert settled_pixels(url_page, "bars") == from_dropdown_pixels
    save_screenshot(url_page, f"preset-{name}")
    assert log.console_errors == url_log.console_errors == []


def test_bad_x_text_shows_the_message_and_the_page_keeps_working(server, open_page):
    page, log = open_page(server.url)
    field = page.locator(".softmax-explorer-x input")
    field.fill("1, two, 3, 4")
    field.press("Enter")
    message = page.locator(".softmax-explorer-x-error .softmax-explorer-error")
    message.wait_for()
    assert "x: value 2, 'two' is not a number" in message.inner_text()
    assert link_state(page) == State()
    bars = panel_pixels(page, "bars")
    field.fill("2, 4, 3, 1")
    field.press("Enter")
    wait_for_link(page, lambda s: s.x == (2, 4, 3, 1))
    wait_for_change(page, "bars", bars)
    assert page.locator(".softmax-explorer-x-error").inner_text() == ""
    assert log.console_errors == []


def test_invalid_link_shows_the_message_and_the_defaults(server, open_page):
    page, log = open_page(f"{server.url}?n=3&x=1,2")
    assert (
        "Link not applied: x: 2 values, n is 3"
        in page.locator(".softmax-explorer-status").inner_text()
    )
    assert link_state(page) == State()
    assert log.console_errors == []


def test_query_string_sets_n_and_temperature(server, open_page):
    page, _ = open_page(f"{server.url}?n=6&temperature=0.5")
    state = link_state(page)
    assert state == State(temperature=0.5).resized(6)
    assert page.locator(".softmax-explorer-theta-6").count() == 1


def test_page_contains_no_source_code(server):
    html = fetch(server.url, timeout=60)
    assert "softmax-explorer" in html or "softmax explorer" in html  # the page itself came
    notebook = nbformat.read(Path(se.__file__).parent / "serving" / "app.ipynb", as_version=4)
    for cell in notebook.cells:
        for line in cell.source.splitlines():
            if line.strip():
                assert html.find(line.strip()) == -1, line


def kernel_id(page) -> str:
    ids = page.evaluate(
        "performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => n.includes('/api/kernels/'))"
    )
    html = page.content()
    found = re.findall(r"api/kernels/([0-9a-f-]{36})", " ".join(ids) + html)
    assert found, "no kernel id in the page"
    return found[0]


async def _send_execute_request(ws_url: str, marker: str) -> dict:
    """Send kernel_info_request (must be answered) and execute_request (must not run)."""
    from tornado.websocket import websocket_connect

    conn = await websocket_connect(ws_url)

    def message(msg_type, content):
        return json.dumps(
            {
                "header": {
                    "msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "test",
                    "session": uuid.uuid4().hex, "version": "5.3", "date": "",
                },
                "parent_header": {}, "metadata": {}, "content": content, "channel": "shell",
                "buffers": [],
            }
        )  # fmt: skip

    await conn.write_message(message("kernel_info_request", {}))
    code = f"open({marker!r}, 'w').write('executed')"
    await conn.write_message(message("execute_request", {"code": code, "silent": False}))
    replies = {}
    deadline = asyncio.get_event_loop().time() + 8
    while asyncio.get_event_loop().time() < deadline:
        try:
            raw = await asyncio.wait_for(conn.read_message(), timeout=1)
        except TimeoutError:
            continue
        if raw is None:
            break
        if isinstance(raw, str):
            msg = json.loads(raw)
            replies.setdefault(msg["header"]["msg_type"], msg)
    conn.close()
    return replies


def test_execute_request_over_the_websocket_is_not_executed(server, open_page, tmp_path):
    page, _ = open_page(server.url)
    marker = tmp_path / "executed.txt"
    ws_url = (
        server.url.replace("http", "ws")
        + f"api/kernels/{kernel_id(page)}/channels?session_id={uuid.uuid4().hex}"
    )
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API owns this thread's event loop
        replies = pool.submit(asyncio.run, _send_execute_request(ws_url, str(marker))).result()
    assert "kernel_info_reply" in replies  # the socket works: the refusal below is real
    assert "execute_reply" not in replies
    assert not marker.exists()


def test_bars_show_the_softmax_of_the_state(server, open_page):
    """The bars' pixels: each bar as tall as the numerics say, measured on the screenshot.

    Heights are measured as blue coverage (partial pixels count in part) in one pixel column
    per bar, beside its value label, above the x axis. Bars keep seaborn's white 1 pt edge, which
    hides half its width at the top and at the bottom.
    """
    page, _ = open_page(f"{server.url}?preset=negative")
    png = panel_pixels(page, "bars")
    pixels = mpimg.imread(BytesIO(png), format="png")[..., :3]
    height, width = pixels.shape[:2]
    bar_colour = np.array([1, 115, 178]) / 255
    towards_bar = 1 - bar_colour
    coverage = np.clip(((1 - pixels) @ towards_bar) / (towards_bar @ towards_bar), 0, 1)
    off_the_blend = np.linalg.norm((1 - pixels) - coverage[..., None] * towards_bar, axis=-1)
    coverage[off_the_blend > 0.05] = 0  # grey lines, text: not a blend of white and bar blue
    state = PRESETS["negative"].state
    g = se.softmax(state.x, state.theta)
    n = len(g)
    left, bottom, axes_width, axes_height = _MAIN_RECT["bars"]
    unit = axes_width * width / (n + 0.2)  # pixels per class: xlim is (-0.6, n - 0.4)
    axis_row = int((1 - bottom) * height)  # the x axis line and below: not bar
    edge = DPI / 72  # 1 pt of white edge, half at each end
    for k, gk in enumerate(g):
        centre = left * width + (k + 0.6) * unit
        beside_label = round(centre + 0.8 * 0.31 * unit)  # bars are 0.62 wide
        measured = coverage[:axis_row, beside_label].sum()
        expected = max(0.0, axes_height * gk * height - edge)
        assert measured == pytest.approx(expected, abs=1.0), k


def test_changing_n_in_the_page_rebuilds_the_sliders(server, open_page):
    page, log = open_page(server.url)
    field = page.locator(".softmax-explorer-n input")
    handles = "[class*='softmax-explorer-theta-'] .noUi-handle"
    for n in (32, 3, 9):
        field.fill(str(n))
        field.press("Enter")
        wait_for_link(page, lambda s, n=n: s.n == n)
        page.wait_for_function(f"document.querySelectorAll({handles!r}).length === {n}")
    assert page.locator(".softmax-explorer-theta-9 .noUi-handle").count() == 1
    assert log.console_errors == []


def test_the_page_keeps_its_state_in_its_url_and_says_when_its_kernel_is_gone(tmp_path, open_page):
    server = start_app(tmp_path)
    try:
        page, log = open_page(server.url + "?preset=cold")
        history = page.evaluate("history.length")
        handle = page.locator(".softmax-explorer-theta-1 .noUi-handle")
        handle.focus()
        page.keyboard.press("ArrowRight")
        state = wait_for_link(page, lambda s: s.theta[0] != PRESETS["cold"].state.theta[0])
        page.wait_for_function(f"location.search === '?{state.to_query()}'")
        assert page.evaluate("history.length") == history  # replaced, not pushed
        page.reload()
        wait_for_dashboard(page)
        assert link_state(page) == state  # a reload reopens the same state
        assert page.locator(".softmax-explorer-lost").count() == 0
        port = server.port
        server.stop()  # the server restarts: the page's kernel is gone
        page.locator(".softmax-explorer-lost").wait_for(timeout=30_000)
        assert "lost its kernel" in page.locator(".softmax-explorer-lost").inner_text()
        server = start_app(tmp_path, port=port)
        page.locator(".softmax-explorer-reload").click()
        wait_for_dashboard(page)
        assert link_state(page) == state
        assert log.page_errors == []
    finally:
        server.stop()


def _axe_serious(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [
        f"{v['impact']} {v['id']}: {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
        if v["impact"] in ("critical", "serious")
    ]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_page_is_accessible(tmp_path, open_page, theme):
    with running(start_app(tmp_path, f"--theme={theme}", "--preset=float32")) as server:
        page, log = open_page(server.url)
        assert _axe_serious(page) == []
        # every plot is an image with a name and a description of its current numbers
        canvases = page.locator(".softmax-explorer-canvas canvas")
        assert canvases.count() == 5
        for k in range(5):
            canvas = canvases.nth(k)
            assert canvas.get_attribute("role") == "img"
            assert canvas.get_attribute("aria-label")
        bars = page.locator(".softmax-explorer-panel-bars canvas")
        described = page.locator("#" + bars.get_attribute("aria-describedby"))
        g = se.softmax(*(np.float32(v) for v in (State().x, State().theta)))
        assert f"g = {g[0]:.3g}, {g[1]:.3g}, {g[2]:.3g}" in described.text_content()
        error = page.locator(".softmax-explorer-panel-error canvas")
        text = page.locator("#" + error.get_attribute("aria-describedby")).text_content()
        assert "gradient check inconclusive" in text
        # icon buttons and slider handles have names; the focus is visible
        names = [b.get_attribute("aria-label") for b in page.locator(".widget-play button").all()]
        assert {"Play", "Stop"} <= set(names)
        assert None not in names
        handle = page.locator(".softmax-explorer-temperature .noUi-handle")
        assert handle.get_attribute("aria-label") == "temperature T"
        handle.focus()
        page.keyboard.press("Tab")
        page.keyboard.press("Shift+Tab")
        outline = handle.evaluate("(e) => getComputedStyle(e).outlineStyle")
        assert outline == "solid"
        assert log.page_errors == []
