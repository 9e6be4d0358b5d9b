"""Security checks against the real served app: what a curious student can reach."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest

import softmax_explorer
from harness.page import link_state, wait_for_dashboard
from harness.server import fetch, running, start_app
from softmax_explorer.state import PRESETS

from .conftest import PAGE_TIMEOUT_MS

PACKAGE = Path(softmax_explorer.__file__).parent
HOSTILE_PATHS = [
    "app.ipynb",
    "voila/files/app.ipynb",
    "voila/files/cli.py",
    "voila/files/../cli.py",
    "voila/files/%2e%2e/cli.py",
    "voila/files/%2e%2e%2fcli.py",
    "voila/files/..%2f..%2fsoftmax_explorer%2fcli.py",
    "voila/files/share/voila/templates/softmax/index.html.j2",
    "voila/render/app.ipynb",
    "voila/static/../../../etc/passwd",
    "voila/templates/softmax/static/..%2f..%2f..%2fcli.py",
    "voila/templates/softmax/index.html.j2",
    "static/../cli.py",
    "api/contents",
    "api/contents/app.ipynb",
    "api/kernels",
    "api/sessions",
    "api/kernelspecs",
    "tree",
    "voila/tree",
    "files/app.ipynb",
    "nbconvert/html/app.ipynb",
]
SECRETS = [
    # the first line of the CLI module's docstring
    (PACKAGE / "serving" / "cli.py").read_text().splitlines()[0],
    "served_explorer",
    "softmax_explorer.serving.kernel_page",
    "root:x:0:0",
]


def get(url: str) -> tuple[int, str]:
    request = urllib.request.Request(url)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(errors="replace")


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_no_source_file_or_listing_is_served(server, path):
    status, body = get(server.url + path)
    for secret in SECRETS:
        assert secret not in body, (path, status)
    assert "Traceback" not in body
    assert '"kernels"' not in body
    assert not body.lstrip().startswith("[{")  # no JSON listing of kernels or sessions


def test_listens_on_loopback_only(server):
    port = int(server.url.rsplit(":", 1)[1].strip("/"))
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if int(hex_port, 16) == port and state == "0A":  # LISTEN
                listening.append(address)
    assert listening == ["0100007F"]  # 127.0.0.1, and nothing on IPv6 or other interfaces


def test_the_page_has_no_traceback_and_no_source(server):
    html = fetch(server.url + "?n=abc", timeout=60)  # an invalid link: handled, not raised
    assert "Traceback" not in html
    assert "served_explorer" not in html


def test_off_loopback_a_class_token_is_asked_once_and_kept_in_a_cookie(tmp_path, browser):
    """Bound to every interface (reached here through loopback only): without the token, a
    clear 403 page and no kernel; with it, the dashboard, and a cookie that lets links in."""
    with running(start_app(tmp_path, "--host=0.0.0.0", "--token=class-7b")) as server:
        assert ":" + str(server.port) + "/?token=class-7b" in server.log_text()
        status, body = get(server.url + "?preset=cold")
        assert status == 403
        assert "This class needs its link" in body
        assert '<input type="hidden" name="preset" value="cold">' in body
        assert server.kernels() == []
        assert get(server.url + "api/kernels")[0] == 403

        context = browser.new_context()
        page = context.new_page()
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        page.goto(server.url + "?preset=cold")
        page.get_by_label("Class token").fill("class-7b")
        page.get_by_role("button", name="Open").click()
        wait_for_dashboard(page)
        assert link_state(page) == PRESETS["cold"].state  # the form kept the link's query
        page.wait_for_function("!location.search.includes('token')")  # the share link's query
        page.goto(server.url + "?preset=hot")  # a link without the token: the cookie lets it in
        wait_for_dashboard(page)
        assert link_state(page) == PRESETS["hot"].state
        context.close()

        stranger = browser.new_context()
        page = stranger.new_page()
        response = page.goto(server.url + "?preset=hot")
        assert response.status == 403
        assert page.get_by_role("heading").inner_text() == "This class needs its link"
        stranger.close()


def test_off_loopback_the_token_is_new_at_each_start_unless_opted_out(tmp_path):
    with running(start_app(tmp_path, "--host=0.0.0.0")) as server:
        token = server.log_text().split("?token=")[1].split()[0]
        assert get(server.url)[0] == 403
        status, body = get(server.url + f"?token={token}")
        assert status == 200
        assert "softmax-explorer" in body
    with running(start_app(tmp_path, "--host=0.0.0.0", "--no-token")) as server:
        assert "?token=" not in server.log_text()
        assert get(server.url)[0] == 200
