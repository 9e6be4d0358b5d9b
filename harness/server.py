"""Servers on free loopback ports, started and stopped by the test or benchmark that needs them."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from softmax_explorer.serving.voila_fixes import FIXES
from softmax_explorer.serving.zygote import KERNEL_NAME

PR_SET_CHILD_SUBREAPER = 36  # <linux/prctl.h>


def adopt_orphans() -> None:
    """Make this process the parent of its descendants' orphans (Linux's child subreaper).

    A process whose parent dies (a server killed outright) then stays among this process's
    descendants, where `tree` finds it, instead of becoming init's.
    """
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition: Callable[[], object], timeout: float, what: str) -> object:
    """Poll ``condition`` every 50 ms until it returns something true, and return that.

    Raises AssertionError after ``timeout`` seconds, naming ``what`` was awaited.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what} did not happen within {timeout:g} s")
        time.sleep(0.05)


@dataclass
class Server:
    """A running server process, in its own process group."""

    url: str
    process: subprocess.Popen
    log: Path

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self.url.rstrip("/").rsplit(":", 1)[1].split("/")[0])

    def stop(self) -> None:
        """Stop it and every process it started, in any session.

        Its process group gets SIGTERM, then SIGKILL after 20 s; then each process that
        descended from it when the stop began and still runs (a JupyterHub's single-user servers
        and services, which it starts in sessions of their own) gets the same.
        """
        started = tree(self.process.pid) if self.process.poll() is None else {}
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        end(started)

    def log_text(self) -> str:
        """Everything it printed so far."""
        return self.log.read_text(errors="replace")

    def kernels(self) -> list[tuple[int, float, float]]:
        """``(pid, start time, RSS MB)`` of each kernel it started."""
        return kernels(self.process.pid)


def start(
    command: Sequence[str], workdir: Path, timeout: float = 90, port: int | None = None, **env: str
) -> Server:
    """Run ``command`` in ``workdir`` with ``--port=N``; return once it listens.

    ``port`` is a free one unless given.

    Raises
    ------
    RuntimeError
        If it exits first or does not listen within ``timeout`` seconds; the message has its log.
    """
    port = port or free_port()
    log = workdir / f"server-{port}-{time.monotonic_ns()}.log"
    process = subprocess.Popen(
        [*command, f"--port={port}"],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        cwd=workdir,
        env={**os.environ, **env},
        start_new_session=True,
    )
    server = Server(f"http://127.0.0.1:{port}/", process, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{command[0]} exited early:\n{server.log_text()}")
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{command[0]} did not listen within {timeout}s:\n{server.log_text()}")


def start_app(workdir: Path, *options: str, timeout: float = 90, port: int | None = None) -> Server:
    """``softmax-explorer --no-browser`` with ``options``, on a free port by default."""
    command = [sys.executable, "-m", "softmax_explorer", "--no-browser", *options]
    return start(command, workdir, timeout, port)


def plain_voila(notebook: Path) -> list[str]:
    """The command of a stock Voila server for ``notebook``, with the app's page template.

    It has the one fix that only keeps a page load from hanging (``sliced-poll`` in
    docs/voila-patches.md): a baseline page that never loads measures nothing.
    """
    (sliced,) = (fix for fix in FIXES if fix.name == "sliced-poll")
    return [
        sys.executable, "-m", "voila", str(notebook), "--Voila.ip=127.0.0.1",
        "--template=softmax", "--strip_sources=True", "--no-browser", *sliced.install(),
    ]  # fmt: skip


@contextlib.contextmanager
def running(server: Server) -> Iterator[Server]:
    """Stop ``server`` on leaving the block."""
    try:
        yield server
    finally:
        server.stop()


def fetch(url: str, timeout: float) -> str:
    """The body of a GET request, decoded."""
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode()


def rss_mb(pid: int) -> float:
    """Resident memory of process ``pid`` in MB (Linux)."""
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    return next(int(x.split()[1]) for x in status if x.startswith("VmRSS:")) / 1024


def parent_pid(pid: int) -> int:
    """The pid of process ``pid``'s parent (Linux)."""
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    return next(int(x.split()[1]) for x in status if x.startswith("PPid:"))


def _rollup_kb(pid: int) -> dict[str, int]:
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    return {line.split(":")[0]: int(line.split()[1]) for line in rollup[1:]}


def private_mb(pid: int) -> float:
    """Memory of process ``pid`` shared with no other process, in MB (Linux).

    What a kernel forked by the zygote adds: its resident memory also counts the pages it still
    shares with the zygote and the other kernels.
    """
    fields = _rollup_kb(pid)
    return (fields["Private_Clean"] + fields["Private_Dirty"]) / 1024


def tree_memory_mb(server_pid: int) -> float:
    """Memory a server holds with its zygote and kernels, in MB (Linux).

    The sum of their proportional set sizes, which counts a page shared by several of them once.
    """
    total = 0
    for pid in {server_pid, *_descendants(_processes(), server_pid)}:
        with contextlib.suppress(OSError, KeyError):
            total += _rollup_kb(pid)["Pss"]
    return total / 1024


def _processes() -> dict[int, tuple[int, float, bytes, bytes]]:
    """``pid -> (parent pid, start time, name, command line)`` of every process (Linux)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            name, fields = stat[stat.index("(") + 1 : stat.rindex(")")], stat.rsplit(")", 1)[1]
            ppid, started = int(fields.split()[1]), float(fields.split()[19])
            cmdline = (entry / "cmdline").read_bytes()
            found[int(entry.name)] = (ppid, started, name.encode(), cmdline)
        except (OSError, ValueError, IndexError):
            continue
    return found


def tree(root: int) -> dict[int, tuple[float, str]]:
    """``pid -> (start time, command line)`` of each process descending from ``root`` (Linux)."""
    processes = _processes()
    return {
        pid: (processes[pid][1], processes[pid][3].replace(b"\0", b" ").decode(errors="replace"))
        for pid in _descendants(processes, root)
        if _same(pid)
    }


def _stat(pid: int) -> tuple[str, float] | None:
    """A process's state letter (``Z`` for a zombie) and start time, or None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[0], float(fields[19])


def _same(pid: int, started: float | None = None) -> bool:
    """Whether ``pid`` runs (not ended, not a zombie), and is the process started at ``started``."""
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z" and started in (None, stat[1])


def end(processes: dict[int, tuple[float, str]], grace: float = 10) -> list[str]:
    """End the processes of a `tree` still running: SIGTERM, SIGKILL after ``grace`` s.

    Returns the command lines of those that were still running.
    """
    running_now = {pid: info for pid, info in processes.items() if _same(pid, info[0])}
    for pid in running_now:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(_same(p, i[0]) for p, i in running_now.items()):
        time.sleep(0.1)
    for pid, (started, _) in running_now.items():
        if _same(pid, started):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    return [command for _, command in running_now.values()]


def _descendants(processes: dict[int, tuple], root: int) -> set[int]:
    """The pids in ``processes`` (as `_processes` gives them) that descend from ``root``."""
    found: set[int] = set()
    parents = {root}
    while parents:
        parents = {pid for pid, (ppid, *_) in processes.items() if ppid in parents} - found
        found |= parents
    return found


def _is_kernel(name: bytes, cmdline: bytes) -> bool:
    """A stock kernel, ours launched as usual, or ours forked by the zygote (named so)."""
    return (
        b"ipykernel" in cmdline
        or b"softmax_explorer.serving.kernel" in cmdline
        or name == KERNEL_NAME.encode()
    )


def app_kernels() -> list[int]:
    """Pids of every kernel running on this machine (see `kernels` for one server's)."""
    return [pid for pid, (_, _, name, cmd) in _processes().items() if _is_kernel(name, cmd)]


def kernels(server_pid: int) -> list[tuple[int, float, float]]:
    """``(pid, start time, RSS MB)`` of every kernel a server started (ours or a stock one).

    Its children, and its zygote's, whose forked kernels are the server's grandchildren.
    """
    processes = _processes()
    found = []
    for pid in _descendants(processes, server_pid):
        _, started, name, cmdline = processes[pid]
        if _is_kernel(name, cmdline):
            with contextlib.suppress(OSError, StopIteration):
                found.append((pid, started, rss_mb(pid)))
    return found
