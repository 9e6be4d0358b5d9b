"""deploy/jupyterhub, run here: a real JupyterHub and proxy, three students in Chromium.

The hub loads the repository's jupyterhub_config.py and changes only what a test machine needs:
loopback ports, files in a temporary directory, JupyterHub's shared-password authenticator and
its local-process spawner (as this user), a short idle timeout, and a service token to ask the
hub's REST API what it runs.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

from harness.page import (
    bars_follow_a_key,
    link_state,
    share_link,
    wait_for_dashboard,
    wait_for_link,
)
from harness.proxy import find_proxy
from harness.server import app_kernels, free_port, running, start, wait_until

pytestmark = pytest.mark.browser

CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "jupyterhub" / "jupyterhub_config.py"
USERS = ("alice", "bob", "carol")
PASSWORD = "a shared test password"
IDLE = 60  # seconds; the culler looks every 5


def user_kernels(user: str) -> list[int]:
    """Pids of the app's kernels running for ``user`` (from their JUPYTERHUB_USER)."""
    found = []
    for pid in app_kernels():
        with contextlib.suppress(OSError):
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            if f"JUPYTERHUB_USER={user}".encode() in environ:
                found.append(pid)
    return found


@pytest.fixture
def hub(tmp_path):
    proxy = find_proxy()
    assert proxy, "no configurable-http-proxy: run `python -m harness.proxy`"
    token = secrets.token_hex(16)
    port, hub_port, api_port = free_port(), free_port(), free_port()
    (tmp_path / "test_config.py").write_text(
        textwrap.dedent(f"""
        c = get_config()
        load_subconfig({str(CONFIG)!r})
        c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
        c.JupyterHub.hub_bind_url = "http://127.0.0.1:{hub_port}"
        c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
        c.ConfigurableHTTPProxy.command = [{proxy!r}]
        c.JupyterHub.db_url = "sqlite:///{tmp_path}/hub.sqlite"
        c.JupyterHub.cookie_secret_file = "{tmp_path}/cookie_secret"
        c.ConfigurableHTTPProxy.pid_file = "{tmp_path}/proxy.pid"
        c.SharedPasswordAuthenticator.user_password = {PASSWORD!r}
        c.Authenticator.allowed_users = set({list(USERS)!r})
        c.Spawner.ip = "127.0.0.1"
        c.Spawner.args = ["--allow-root"]  # the spawner runs users as this user, root in CI
        c.SimpleLocalProcessSpawner.home_dir_template = "{tmp_path}/home/{{username}}"
        c.JupyterHub.services.append({{"name": "test", "api_token": {token!r}}})
        c.JupyterHub.load_roles.append(
            {{"name": "test", "scopes": ["admin:servers", "list:users", "read:users"],
              "services": ["test"]}}
        )
        """)
    )
    command = [sys.executable, "-m", "jupyterhub", "-f", str(tmp_path / "test_config.py")]
    server = start(
        command,
        tmp_path,
        timeout=120,
        port=port,
        SOFTMAX_HUB_AUTHENTICATOR="shared-password",
        SOFTMAX_HUB_SPAWNER="simple",
        SOFTMAX_HUB_IDLE_TIMEOUT=str(IDLE),
        SOFTMAX_HUB_CULL_EVERY="5",
    )
    server.token = token
    with running(server):
        # the proxy listens first; the hub is up once it answers through it
        wait_until(lambda: reachable(f"{server.url}hub/api/"), 60, "the hub answering")
        yield server


def reachable(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def api(hub, path: str, method: str = "GET") -> dict:
    request = urllib.request.Request(
        f"{hub.url}hub/api/{path}", method=method, headers={"Authorization": f"token {hub.token}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
    return json.loads(body) if body else {}


def log_in(browser, hub, user: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(180_000)
    page.goto(f"{hub.url}hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", PASSWORD)
    page.click("#login_submit")
    page.wait_for_url(f"{hub.url}user/{user}/**")
    wait_for_dashboard(page)
    return page


def test_students_on_jupyterhub_each_get_their_own_dashboard(hub, browser):
    pages = {user: log_in(browser, hub, user) for user in USERS}
    for user, page in pages.items():
        assert page.url.startswith(f"{hub.url}user/{user}/softmax/app/")
        assert link_state(page).n == 4
        bars_follow_a_key(page)
        assert len(user_kernels(user)) >= 1, f"no kernel for {user}"

    # a share link opens the same state on the server of whoever follows it
    bars_follow_a_key(pages["alice"])  # a state that is alice's alone
    state = wait_for_link(pages["alice"], lambda now: now != link_state(pages["carol"]))
    link = share_link(pages["alice"])
    assert link.startswith(f"{hub.url}hub/user-redirect/softmax/app/?")
    shared = pages["carol"].context.new_page()
    shared.goto(link)
    shared.wait_for_url(f"{hub.url}user/carol/softmax/app/?**")
    wait_for_dashboard(shared)
    assert link_state(shared) == state
    shared.close()

    # one student cannot open another's server
    intruder = pages["alice"].context.new_page()  # with alice's cookies
    response = intruder.goto(f"{hub.url}user/bob/softmax/app/")
    assert response.status == 403
    assert intruder.locator(".softmax-explorer").count() == 0
    intruder.close()

    # stopping a server ends its kernels
    assert user_kernels("carol")
    api(hub, "users/carol/server", method="DELETE")
    wait_until(lambda: not user_kernels("carol"), 60, "carol's kernels ending")

    # the culler stops a server nobody uses (bob closed his tab), not one in use (alice's)
    pages["bob"].context.close()
    deadline = time.monotonic() + 4 * IDLE + 60
    while api(hub, "users/bob").get("servers"):
        assert time.monotonic() < deadline, "bob's idle server was not culled"
        pages["alice"].keyboard.press("ArrowRight")  # her slider has the focus
        pages["alice"].wait_for_timeout(5000)
    assert not user_kernels("bob")
    assert api(hub, "users/alice")["servers"]
