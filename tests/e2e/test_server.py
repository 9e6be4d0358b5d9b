"""The `softmax-explorer` server: page loads that never hang, its options, the Voila fixes."""

from __future__ import annotations

import base64
import contextlib
import ctypes
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
from pathlib import Path

import pytest

from harness.server import fetch, parent_pid, running, start_app, wait_until
from softmax_explorer.serving.classroom import default_max_kernels
from softmax_explorer.serving.cli import build_argv, parse_args
from softmax_explorer.serving.zygote import KERNEL_NAME
from softmax_explorer.teaching.lesson import LESSONS

LOADS = 50
LOAD_TIMEOUT = 60  # seconds; a load that takes longer counts as a hang


def load_many(url: str, count: int) -> list[float]:
    """Fetch the page ``count`` times in a row; return the durations (a hang raises)."""
    durations = []
    for i in range(count):
        start = time.monotonic()
        try:
            html = fetch(url, timeout=LOAD_TIMEOUT)
        except (TimeoutError, urllib.error.URLError) as err:
            raise AssertionError(f"page load {i + 1} of {count} hung or failed: {err}") from err
        durations.append(time.monotonic() - start)
        assert "application/vnd.voila.cell-output+json" in html or "jupyter-widgets" in html
    return durations


@pytest.mark.parametrize("options", [(), ("--preheat=2",)], ids=["cold", "preheat"])
def test_fifty_page_loads_in_a_row_never_hang(tmp_path, options):
    server = start_app(tmp_path, "--cull-after=4", *options)
    try:
        if options:
            wait_until(lambda: len(server.kernels()) >= 2, 90, "the pool of 2 kernels filling")
        durations = load_many(server.url, LOADS)
    finally:
        server.stop()
    assert len(durations) == LOADS
    median = sorted(durations)[LOADS // 2]
    print(f"{options or 'cold'}: median {median:.2f}s, max {max(durations):.2f}s")


def test_help_explains_every_option():
    out = subprocess.run(
        [sys.executable, "-m", "softmax_explorer", "--help"],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    for option in (
        "--port",
        "--host",
        "--no-browser",
        "--theme",
        "--context",
        "--preset",
        "--lesson",
        "--preheat",
        "--cull-after",
        "--max-kernels",
        "--token",
        "--no-token",
    ):
        assert option in out
    assert "8866" in out
    assert "127.0.0.1" in out
    assert "passed to Voila unchanged" in out
    words = " ".join(out.split())  # argparse wraps the help at the terminal's width
    assert "requires a token" in words  # binding elsewhere is explained with its guard
    assert "Safe only behind a reverse proxy that authenticates" in words
    assert "class is full" in words
    assert "no page has arrived for 5 s" in words
    shipped = f"a shipped one ({', '.join(LESSONS)}) or a lesson file (JSON)"
    assert f"{shipped}; ?lesson={LESSONS[0]}&step=4 opens a step" in words


def test_safe_defaults_and_pass_through():
    args, extra = parse_args(["--preheat", "3", "--VoilaConfiguration.show_tracebacks=True"])
    argv = build_argv(args, extra)
    assert argv[0].endswith("app.ipynb")
    assert "--port=8866" in argv
    assert "--Voila.ip=127.0.0.1" in argv
    assert "--strip_sources=True" in argv
    assert "--show_tracebacks=False" not in argv  # replaced by the one passed through
    assert "--MappingKernelManager.cull_idle_timeout=300" in argv
    assert "--MappingKernelManager.cull_connected=False" in argv
    assert "--preheat_kernel=True" in argv
    assert "--pool_size=3" in argv
    assert "--ClassroomKernelManager.refill_quiet=5" in argv  # refills wait for a lull
    assert "--ClassroomKernelManager.fork_kernels=True" in argv  # kernels forked by a zygote
    assert "--VoilaExecutor.iopub_timeout=120" in argv  # a class's kernels' output all arrives
    assert f"--ClassroomKernelManager.max_kernels={default_max_kernels()}" in argv
    assert "--template=softmax" in argv
    (allow,) = (o.split("=", 1)[1] for o in argv if o.startswith("--VoilaConfiguration.file_"))
    assert re.fullmatch(allow, "figure.png")
    assert not re.fullmatch(allow, "app.ipynb")
    assert not re.fullmatch(allow, "cli.py")
    # pass-through comes last, in place of our setting (aliases resolved)
    assert argv[-1] == "--VoilaConfiguration.show_tracebacks=True"
    argv = build_argv(*parse_args(["--show_tracebacks", "True", "--base_url=/softmax/"]))
    assert argv[-3:] == ["--show_tracebacks", "True", "--base_url=/softmax/"]
    assert not [o for o in argv[:-3] if "show_tracebacks" in o]


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (["--theme", "sepia"], ["invalid choice: 'sepia'", "light", "dark"]),
        (["--context", "huge"], ["invalid choice: 'huge'", "paper", "notebook", "talk", "poster"]),
        (["--preheat", "-1"], ["-1 is negative"]),
        (["--max-kernels", "ten"], ["--max-kernels", "invalid"]),
        (["--max-kernels", "2", "--preheat", "3"], ["--preheat 3 is more than --max-kernels 2"]),
        (["--lesson", "seed", "--preset", "hot"], ["--preset: not allowed with argument --lesson"]),
    ],
)
def test_bad_options_are_refused_naming_the_choices(options, named):
    result = subprocess.run(
        [sys.executable, "-m", "softmax_explorer", *options],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    for text in named:
        assert text in result.stderr


def test_preset_theme_and_context_options_set_every_page(tmp_path, open_page):
    import seaborn as sns

    from softmax_explorer.figures.style import DPI, PANEL_SIZE
    from softmax_explorer.state import PRESETS

    from .test_browser import link_state, panel

    server = start_app(tmp_path, "--preset=hot", "--theme=dark", "--context=talk")
    try:
        page, log = open_page(server.url, viewport=(1920, 1080))
        assert link_state(page) == PRESETS["hot"].state
        assert page.locator("body.theme-dark").count() == 1
        # a projector's wide screen shows the talk context's larger figures at their own size
        fonts = [sns.plotting_context(c)["font.size"] for c in ("talk", "notebook")]
        width = panel(page, "bars").bounding_box()["width"]
        assert width == pytest.approx(PANEL_SIZE[0] * DPI * fonts[0] / fonts[1], abs=1)
        page2, _ = open_page(f"{server.url}?preset=cold")  # the URL wins
        assert link_state(page2) == PRESETS["cold"].state
        assert log.console_errors == []
    finally:
        server.stop()


def server_socket_nodelay(pid: int, port: int, peer_port: int) -> bool | None:
    """TCP_NODELAY of the server's end of the connection from ``peer_port`` (None: not found).

    Reads the option on a duplicate of the server process's socket (``pidfd_getfd``, Linux).
    """
    row = next(
        (
            line.split()
            for line in Path(f"/proc/{pid}/net/tcp").read_text().splitlines()[1:]
            if line.split()[1].endswith(f":{port:04X}")
            and line.split()[2].endswith(f":{peer_port:04X}")
        ),
        None,
    )
    if row is None:
        return None
    link = f"socket:[{row[9]}]"
    fds = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(FileNotFoundError):  # closed since the listing
            if os.readlink(fd) == link:
                fds.append(fd)
    if not fds:
        return None
    pidfd = os.pidfd_open(pid)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        duplicate = libc.syscall(438, pidfd, int(fds[0].name), 0)  # SYS_pidfd_getfd
        assert duplicate >= 0, os.strerror(ctypes.get_errno())
    finally:
        os.close(pidfd)
    with socket.socket(fileno=duplicate) as sock:
        return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))


def connect(port: int, request: str) -> tuple[socket.socket, bytes]:
    """A client connection that sent ``request`` and read the response's head."""
    client = socket.create_connection(("127.0.0.1", port), timeout=30)
    client.sendall(request.encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = client.recv(65536)
        assert chunk, head
        head += chunk
    return client, head


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="reads socket options via pidfd (Linux)")
def test_kernel_websocket_sends_small_messages_at_once(server):
    """Nagle's algorithm is off on kernel websockets (voila_fixes, fix 3), and only there."""
    port = int(server.url.rsplit(":", 1)[1].strip("/"))
    pid = server.process.pid
    kernel = re.search(r'"kernelId": "([0-9a-f-]{36})"', fetch(server.url, timeout=60))
    assert kernel, "no kernel id in the page"
    key = base64.b64encode(os.urandom(16)).decode()
    websocket, head = connect(
        port,
        f"GET /api/kernels/{kernel[1]}/channels HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n",
    )
    page, page_head = connect(  # a keep-alive HTTP connection: Tornado leaves Nagle on there
        port, f"GET /static/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"
    )
    with contextlib.closing(websocket), contextlib.closing(page):
        assert head.startswith(b"HTTP/1.1 101"), head
        assert page_head.startswith(b"HTTP/1.1 "), page_head
        deadline = time.monotonic() + 10  # ``open`` runs just after the 101 reply is written
        while not server_socket_nodelay(pid, port, websocket.getsockname()[1]):
            assert time.monotonic() < deadline, "TCP_NODELAY not set on the kernel websocket"
            time.sleep(0.05)
        assert server_socket_nodelay(pid, port, page.getsockname()[1]) is False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_pages_run_in_the_apps_kernel_forked_by_the_zygote(server):
    """The served notebook names the kernelspec the CLI provides (softmax_explorer.serving.kernel),
    whose kernels the server's zygote forks."""
    fetch(server.url, timeout=60)
    pids = [pid for pid, _, _ in server.kernels()]
    assert pids
    for pid in pids:
        assert Path(f"/proc/{pid}/comm").read_text().strip() == KERNEL_NAME
        zygote = parent_pid(pid)
        command = Path(f"/proc/{zygote}/cmdline").read_bytes().split(b"\0")
        assert command[1:3] == [b"-m", b"softmax_explorer.serving.zygote"], command
        assert parent_pid(zygote) == server.process.pid


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_kernels_can_be_launched_as_new_processes_instead(tmp_path):
    """With fork_kernels off, a page's kernel is the kernelspec's command, the server's child."""
    with running(start_app(tmp_path, "--ClassroomKernelManager.fork_kernels=False")) as server:
        page = fetch(server.url, timeout=90)
        assert "softmax-explorer" in page
        (pid, _, _), *others = server.kernels()
        assert not others
        assert parent_pid(pid) == server.process.pid
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        assert command[1:3] == [b"-m", b"softmax_explorer.serving.kernel"], command
        children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
        for child in children.read_text().split():
            assert (
                b"softmax_explorer.serving.zygote"
                not in Path(f"/proc/{child}/cmdline").read_bytes()
            )
