"""The Explorer a served page gets: the command line's options and the page's URL combined."""

from __future__ import annotations

import asyncio
import html
import json
import subprocess
import sys

import pytest

from softmax_explorer.serving.kernel_page import PREHEAT_VARIABLE, link_base, served_explorer
from softmax_explorer.state import PRESETS
from softmax_explorer.teaching.lesson import load_lesson

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
        explorer = served_explorer()
        explorer.host.set_state({"address": "http://127.0.0.1:8866/"})  # as the page reports it
        return explorer

    return opened


def test_a_served_lesson_starts_at_step_one_or_the_urls_step(page):
    assert (page("", lesson="seed").lesson_view.number, page("", lesson="seed").state) == (
        1,
        SEED.step(1).state,
    )
    explorer = page("lesson=seed&step=3", lesson="seed")
    assert (explorer.lesson_view.number, explorer.state) == (3, SEED.step(3).state)
    assert explorer.link.widget.value == "http://127.0.0.1:8866/?lesson=seed&step=3"


def test_the_share_link_starts_with_the_address_the_browser_reports(page):
    explorer = page("n=6")
    assert explorer.link.widget.value == "http://127.0.0.1:8866/?" + explorer.state.to_query()
    behind_a_proxy = "https://class.example.org/softmax/app/"
    explorer.host.set_state({"address": behind_a_proxy})
    assert explorer.link.widget.value == behind_a_proxy + "?" + explorer.state.to_query()
    for bad in ("javascript:alert(1)", "/app/", "http://a/?n=3", "http://" + "a" * 3000, 7, None):
        explorer.host.set_state({"address": bad})
        assert explorer.link.widget.value.startswith(behind_a_proxy + "?")


def test_behind_jupyterhub_a_share_link_opens_the_followers_own_server():
    hub = {"JUPYTERHUB_SERVICE_PREFIX": "/user/alice/", "JUPYTERHUB_BASE_URL": "/"}
    page = "https://hub.example.org/user/alice/softmax/app/"
    assert link_base(page, hub) == "https://hub.example.org/hub/user-redirect/softmax/app/"
    under = {"JUPYTERHUB_SERVICE_PREFIX": "/jh/user/alice/", "JUPYTERHUB_BASE_URL": "/jh/"}
    assert (
        link_base("http://h/jh/user/alice/softmax/app/", under)
        == "http://h/jh/hub/user-redirect/softmax/app/"
    )
    assert link_base("http://127.0.0.1:8866/", {}) == "http://127.0.0.1:8866/"


def test_a_bad_lesson_file_stays_named_when_the_page_has_a_query(page, tmp_path):
    path = tmp_path / "week3.json"
    path.write_text('{"title": "Week 3"}')
    explorer = page("n=6", lesson=str(path))
    assert explorer.state.n == 6
    assert f"Lesson not shown: {path}" in html.unescape(explorer.status.widget.value)


def test_the_command_lines_preset_yields_to_a_lesson_in_the_url(page):
    assert page("lesson=seed&step=2", preset="hot").state == SEED.step(2).state
    assert page("n=6", preset="hot").state == PRESETS["hot"].state.resized(6)
    assert page("preset=cold", preset="hot").state == PRESETS["cold"].state


def test_a_pooled_kernel_draws_its_figures_before_it_waits_for_a_page(monkeypatch):
    """In Voila's pool the cell waits for a page's query: the figures are drawn before that."""
    import voila.utils
    from ipywidgets.widgets.widget import _instances

    from softmax_explorer.canvas.widget import PanelCanvas

    before = set(_instances)
    backgrounds_when_asked = []

    def get_query_string():
        canvases = [w for k, w in _instances.items() if k not in before]
        canvases = [w for w in canvases if isinstance(w, PanelCanvas)]
        backgrounds_when_asked.extend(json.loads(w.background) for w in canvases)
        return ""

    monkeypatch.setattr(voila.utils, "get_query_string", get_query_string)
    monkeypatch.setenv("VOILA_PREHEAT", "True")

    async def in_a_kernel():  # the cell runs inside the kernel's event loop
        return served_explorer()

    explorer = asyncio.run(in_a_kernel())
    assert len(backgrounds_when_asked) == len(explorer.dashboard.figures)
    assert all(background for background in backgrounds_when_asked)


def test_a_page_s_kernel_does_not_import_voila_to_read_its_request():
    """Voila's import costs a kernel a second: a page's kernel reads Voila's variables by name."""
    from voila.utils import ENV_VARIABLE

    assert PREHEAT_VARIABLE == ENV_VARIABLE.VOILA_PREHEAT
    code = (
        "import sys; from softmax_explorer.serving.kernel_page import served_explorer; "
        "served_explorer(); print(sorted(m for m in sys.modules if m.split('.')[0] == 'voila'))"
    )
    env = {"QUERY_STRING": "preset=cold", "PATH": "/usr/bin:/bin", "MPLBACKEND": "agg"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["[]"]
