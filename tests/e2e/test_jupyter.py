"""The dashboard where students run it: real JupyterLab 4 and Notebook 7 servers on loopback,
the explorer notebook run in them, its sliders moved by the keyboard, its theme followed."""

from __future__ import annotations

import json
import re
import shutil
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.page import (
    bars_follow_a_key,
    link_state,
    panel,
    wait_for_dashboard,
    wait_for_link,
)
from harness.server import Server, fetch, running, start, wait_until

from .conftest import PAGE_TIMEOUT_MS, ROOT, save_screenshot

pytestmark = pytest.mark.browser

#: Per application: its own start page (what it shows with no notebook of ours) and the
#: notebook's address.
APPS = {"lab": ("lab", "lab/tree/explorer.ipynb"), "notebook": ("tree", "notebooks/explorer.ipynb")}


def _jupyter(app: str, root: Path) -> Server:
    """``jupyter lab`` or ``jupyter notebook`` serving ``root``, with settings of its own."""
    command = [
        sys.executable, "-m", "jupyter", app, "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=", "--ServerApp.password=",
        "--ServerApp.disable_check_xsrf=True",  # the tests end sessions through the REST API
        f"--ServerApp.root_dir={root}",
    ]  # fmt: skip
    env = {
        "JUPYTER_CONFIG_DIR": str(root / ".config"),
        "JUPYTERLAB_SETTINGS_DIR": str(root / ".settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(root / ".workspaces"),
    }
    return start(command, root, timeout=120, **env)


@pytest.fixture(scope="module", params=list(APPS))
def jupyter(request, tmp_path_factory) -> Iterator[tuple[str, Server]]:
    root = tmp_path_factory.mktemp(request.param)
    shutil.copy(ROOT / "notebooks" / "explorer.ipynb", root)
    with running(_jupyter(request.param, root)) as server:
        yield request.param, server


def _open(browser, url: str, viewport=(1920, 1080), server: Server | None = None):
    """A new context's page at ``url``; with ``server``, its sessions ended first."""
    if server is not None:
        _end_sessions(server)
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url)
    return context, page, errors


def _own_errors(browser, server: Server, start_page: str) -> set[str]:
    """The errors the application's own page logs, with no notebook of ours open."""
    context, page, errors = _open(browser, server.url + start_page)
    try:
        page.wait_for_selector(".jp-DirListing-content")
        page.wait_for_timeout(3000)
        return set(errors)
    finally:
        context.close()


def _end_sessions(server: Server) -> None:
    """Shut down the server's sessions and their kernels: a page opened next starts its own."""
    for session in json.loads(fetch(server.url + "api/sessions", timeout=10)):
        request = urllib.request.Request(
            server.url + f"api/sessions/{session['id']}", method="DELETE"
        )
        urllib.request.urlopen(request, timeout=30).close()


def _run_notebook(page, server: Server) -> None:
    """Run the notebook's cell once its kernel is up and idle (a key pressed while the page is
    still starting its session can be lost). The kernel is the page's own: the test that opened
    a page before it ended that page's session (`_open`)."""

    def idle() -> bool:
        sessions = json.loads(fetch(server.url + "api/sessions", timeout=10))
        return any(s["kernel"]["execution_state"] == "idle" for s in sessions)

    wait_until(idle, 120, "the notebook's kernel to be idle")
    page.locator(".jp-CodeCell .jp-InputArea-editor").first.click()
    page.keyboard.press("Shift+Enter")
    wait_for_dashboard(page)


#: Whether every panel's top-left pixel (its figure's background) passes ``test`` on ``d``.
_EVERY_PANEL_IS = (
    "[...document.querySelectorAll('.softmax-explorer-canvas canvas')].every((c) => {{"
    " const d = c.getContext('2d').getImageData(2, 2, 1, 1).data; return {test}; }})"
)


def test_the_notebook_runs_and_its_sliders_answer_the_keyboard(jupyter, browser):
    app, server = jupyter
    start_page, notebook = APPS[app]
    expected = _own_errors(browser, server, start_page)
    context, page, errors = _open(browser, server.url + notebook, server=server)
    try:
        _run_notebook(page, server)
        if app == "lab":  # beside the file browser, the sliders and the bars are seen together
            assert page.locator(".jp-FileBrowser").is_visible()
        boxes = [
            page.locator(s).bounding_box()
            for s in (
                ".softmax-explorer-theta-1 .noUi-handle",
                ".softmax-explorer-panel-bars canvas",
            )
        ]
        for box in boxes:
            assert box["y"] >= 0
            assert box["y"] + box["height"] <= 1080
            assert box["x"] + box["width"] <= 1920
        assert boxes[1]["x"] > boxes[0]["x"] + boxes[0]["width"]  # beside, not below
        bars_follow_a_key(page)
        assert link_state(page).theta[0] == pytest.approx(0.35)
        # the focused bars take the arrow keys too (in Notebook 7, before its command mode)
        panel(page, "bars").focus()
        page.keyboard.press("ArrowUp")
        wait_for_link(page, lambda state: state.theta[0] == pytest.approx(0.40))
        assert set(errors) <= expected, set(errors) - expected
    finally:
        context.close()


def _choose_theme(page, theme: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Settings").click()
    page.locator(".lm-Menu-itemLabel", has_text="Theme").first.hover()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{theme}$")).click()


@pytest.mark.parametrize("jupyter", ["lab"], indirect=True)
def test_the_panels_follow_jupyterlabs_theme_and_back(jupyter, browser):
    _app, server = jupyter
    context, page, _errors = _open(browser, server.url + APPS["lab"][1], server=server)
    try:
        _run_notebook(page, server)
        assert page.evaluate(_EVERY_PANEL_IS.format(test="d[0] > 230"))
        _choose_theme(page, "JupyterLab Dark")
        page.wait_for_selector("body[data-jp-theme-light='false']", state="attached")
        # each panel is its own widget, repainted as its message arrives: wait for all five
        page.wait_for_function(_EVERY_PANEL_IS.format(test="d[0] < 60"))
        _choose_theme(page, "JupyterLab Light")
        page.wait_for_selector("body[data-jp-theme-light='true']", state="attached")
        page.wait_for_function(_EVERY_PANEL_IS.format(test="d[0] > 230"))
    finally:
        context.close()


#: Each plot's right edge, the notebook's, and how far the output area overflows sideways.
_FIT = """() => {
  const right = (e) => e.getBoundingClientRect().right;
  const output = document.querySelector('.softmax-explorer').closest('.jp-OutputArea-output');
  return {
    plots: [...document.querySelectorAll('.softmax-explorer-canvas canvas')].map(right),
    notebook: right(document.querySelector('.jp-NotebookPanel')),
    overflow: output.scrollWidth - output.clientWidth,
  };
}"""


@pytest.mark.parametrize("jupyter", ["lab"], indirect=True)
def test_in_jupyterlab_at_1280x800_beside_the_file_browser_every_plot_fits(jupyter, browser):
    _app, server = jupyter
    context, page, _errors = _open(browser, server.url + APPS["lab"][1], (1280, 800), server)
    try:
        _run_notebook(page, server)
        assert page.locator(".jp-FileBrowser").is_visible()
        fit = page.evaluate(_FIT)
        assert len(fit["plots"]) >= 5
        assert max(fit["plots"]) <= min(fit["notebook"], 1280), fit
        assert fit["overflow"] <= 1, fit
        save_screenshot(page, "screen-jupyterlab-1280x800")
        bars_follow_a_key(page)
    finally:
        context.close()
