"""A class that arrives at once: N students request the page within 2 s of a full pool.

For each N of ``--arrivals`` (default 1, 10, 30) a fresh `softmax-explorer --preheat N` server
fills its pool and goes idle (its kernels have run the app); then N students request the page
within ``--window`` seconds (2): one real headless Chromium (the probe: what one student sees,
starting in the middle of the window) and N - 1 lightweight clients (harness/student.py: the
page, the kernel websocket and the widget states, as a browser's widget manager fetches them),
so that one machine stands for a class whose browsers run on their own laptops. With ``--pin``
(the default where there are two cores or more) the server and its kernels run on core 0 and
this process, its browser and its clients on the others, so that the server's share is seen
apart.

Reported per N: the probe's time from its request to the painted dashboard and its ratio to a
probe alone (N = 1, same run); the server's and its kernels' CPU seconds per arrival, from the
first request until every student was shown; the kernels started in that time; the browser's
CPU seconds for the probe's page open. Then, in the same run, the browser's CPU seconds for
opening our page and a bare Voila page with one slider (the floor of any Voila app), each the
first page of a fresh server with a ready pooled kernel, and their ratio: medians of
``--repeats`` opens.

Loopback only, bounded in count and time. Run: ``python benchmarks/bench_arrival.py``
(``--arrivals 1 3 --repeats 1`` for a smoke run). Writes ``benchmarks/results/arrival.json`` and
prints a markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench_browser import FLOOR, serve, write_notebook
from timing import markdown_table, pin_apart

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the shared helpers, harness/
from harness.chromium import CHROMIUM_ARGS, find_chromium  # noqa: E402
from harness.page import DASHBOARD_READY  # noqa: E402
from harness.server import kernels, plain_voila, running, start, wait_until  # noqa: E402
from harness.student import Student, arrive  # noqa: E402
from softmax_explorer.serving.cli import EXTENSIONS  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
TIMEOUT = 300  # seconds for one burst, all students shown
FLOOR_READY = "document.querySelector('.bench-target')"


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def server_cpu(server_pid: int) -> dict[int, float]:
    """CPU seconds of the server and of every kernel it has alive, by process."""
    pids = [server_pid, *(pid for pid, _, _ in kernels(server_pid))]
    return {pid: cpu_seconds(pid) for pid in pids}


def cpu_since(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two `server_cpu` readings (a new process from its start)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def wait_idle(server_pid: int, timeout: float) -> None:
    """Wait until the server's kernels use under a tenth of a core together, over a second.

    Voila reports its pool full when the kernels have started, before they have run the app.
    (The server itself polls each pooled kernel's pending reply, a steady few percent.)
    """
    deadline = time.monotonic() + timeout
    reading = server_cpu(server_pid)
    while time.monotonic() < deadline:
        time.sleep(1)
        previous, reading = reading, server_cpu(server_pid)
        previous.pop(server_pid)
        if cpu_since(previous, {k: v for k, v in reading.items() if k != server_pid}) < 0.1:
            return
    raise AssertionError(f"the server was still busy after {timeout:g} s")


def browser_cpu() -> float:
    """CPU seconds of the Chromium processes this process started (browser, renderers, GPU)."""
    parents: dict[int, int] = {}
    chromium = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat[1])
            if b"chrom" in cmdline.split(b"\0")[0]:
                chromium.add(int(entry.name))

    def ours(pid: int) -> bool:
        while pid > 1:
            if pid == os.getpid():
                return True
            pid = parents.get(pid, 1)
        return False

    return sum(cpu_seconds(pid) for pid in chromium if ours(pid))


def uptime_ticks() -> float:
    """Clock ticks since boot (the unit of a process's start time in /proc)."""
    return float(Path("/proc/uptime").read_text().split()[0]) * TICKS


def open_probe(browser, url: str, ready: str) -> tuple[object, float, float]:
    """Open ``url`` in a new context: (context, seconds to ``ready``, browser CPU seconds).

    The browser's CPU is counted until 1 s after ``ready``; the caller closes the context.
    """
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT * 1000)
    cpu, start = browser_cpu(), time.monotonic()
    page.goto(url)
    page.wait_for_function(ready, polling=50)
    shown = time.monotonic() - start
    page.wait_for_timeout(1000)
    return context, shown, browser_cpu() - cpu


def students_arrive(url: str, offsets: list[float], results: list) -> threading.Thread:
    """Start a thread in which a lightweight student arrives at each offset (seconds from now).

    Each student closes its websocket once all have been shown (its kernel stays).
    """

    async def one(offset: float) -> Student:
        await asyncio.sleep(offset)
        return await arrive(url, timeout=TIMEOUT)

    async def all_of_them() -> None:
        results.extend(await asyncio.gather(*(one(o) for o in offsets)))
        for student in results:
            student.close()

    thread = threading.Thread(target=asyncio.run, args=(all_of_them(),), daemon=True)
    thread.start()
    return thread


def burst(browser, workdir: Path, count: int, args: argparse.Namespace) -> dict:
    """One server with a full pool of ``count``; ``count`` arrivals within the window."""
    command = [
        *args.server_pin, sys.executable, "-m", "softmax_explorer", "--no-browser",
        f"--preheat={count}", f"--max-kernels={count + 5}",
    ]  # fmt: skip
    filled = f"filled with {count} kernel(s)"
    with running(start(command, workdir, timeout=120)) as server:
        wait_until(lambda: filled in server.log_text(), 60 + 10 * count, "the pool filling")
        pid = server.process.pid
        wait_idle(pid, 60 + 10 * count)
        rng = random.Random(count)
        offsets = sorted(rng.uniform(0, args.window) for _ in range(count - 1))
        cpu, ticks, start_time = server_cpu(pid), uptime_ticks(), time.monotonic()
        students: list = []
        thread = students_arrive(server.url, offsets, students)
        time.sleep(args.window / 2)
        probe, probe_s, probe_cpu = open_probe(browser, server.url, DASHBOARD_READY)
        thread.join(TIMEOUT)
        all_shown = time.monotonic() - start_time
        used = cpu_since(cpu, server_cpu(pid))
        started = sum(1 for _, begun, _ in kernels(pid) if begun > ticks)
        probe.close()
        assert all(isinstance(s, Student) for s in students), students
        slowest = max([s.shown_after + o for s, o in zip(students, offsets, strict=True)] or [0])
    return {
        "arrivals": count,
        "probe_s": probe_s,
        "probe_browser_cpu_s": probe_cpu,
        "students_shown_by_s": max(slowest, args.window / 2 + probe_s),
        "all_shown_s": all_shown,
        "server_kernels_cpu_per_arrival_s": used / count,
        "kernels_started_during": started,
    }


def page_opens(browser, workdir: Path, repeats: int) -> dict[str, list[float]]:
    """Browser CPU seconds of opening our page and a bare Voila page with one slider, alike.

    Each open is the first page of a fresh server whose pool of one kernel has run its
    notebook, so that both pages find their kernel ready and only the browser's work differs;
    both load the same front-end extensions and page template.
    """
    notebook = write_notebook(workdir / "floor.ipynb", FLOOR)
    ours = [sys.executable, "-m", "softmax_explorer", "--preheat=1"]
    floor = [
        *plain_voila(notebook), "--preheat_kernel=True", "--pool_size=1",
        *(f"--VoilaConfiguration.extension_allowlist={name}" for name in EXTENSIONS),
    ]  # fmt: skip
    pages = (("ours", ours, DASHBOARD_READY), ("floor", floor, FLOOR_READY))
    opened: dict[str, list[float]] = {"ours": [], "floor": []}
    for _ in range(repeats):
        for name, command, ready in pages:
            with serve(command, workdir) as (url, pid):
                wait_until(lambda pid=pid: kernels(pid), 60, "the pooled kernel starting")
                wait_idle(pid, 120)
                context, _, used = open_probe(browser, url, ready)
                context.close()
                opened[name].append(used)
    return opened


def table(report: dict) -> str:
    alone = report["bursts"][0]["probe_s"]
    rows = [
        [str(b["arrivals"]), f"{b['probe_s']:.1f} s ({b['probe_s'] / alone:.2f}x)",
         f"{b['server_kernels_cpu_per_arrival_s']:.2f}", str(b["kernels_started_during"]),
         f"{b['all_shown_s']:.1f} s"]
        for b in report["bursts"]
    ]  # fmt: skip
    browser = report["browser"]
    header = ["arrivals", "probe shown (vs alone)", "server + kernel CPU s / arrival",
              "kernels started", "all shown"]  # fmt: skip
    return (
        markdown_table(header, rows)
        + f"\n\nbrowser CPU s per page open: ours {browser['ours_s']:.2f}, bare Voila page "
        f"{browser['floor_s']:.2f} ({browser['ratio']:.2f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--arrivals", type=int, nargs="+", default=[1, 10, 30])
    parser.add_argument("--window", type=float, default=2.0, help="seconds the arrivals span")
    parser.add_argument("--repeats", type=int, default=3, help="page opens per browser figure")
    parser.add_argument("--pin", action=argparse.BooleanOptionalAction, default=None)
    out = ROOT / "benchmarks" / "results" / "arrival.json"
    parser.add_argument("--out", type=Path, default=out)
    args = parser.parse_args()
    chromium = find_chromium()
    if chromium is None:
        sys.exit("no Chromium found: run `python -m harness.chromium`")
    args.server_pin = pin_apart(args.pin)
    args.pin = bool(args.server_pin)
    from playwright.sync_api import sync_playwright

    workdir = Path(tempfile.mkdtemp(prefix="bench-arrival-"))
    report: dict = {"config": vars(args) | {"out": str(args.out)}}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        browser.new_page().close()  # the browser's own start is not a page open
        report["bursts"] = []
        for count in args.arrivals:
            report["bursts"].append(burst(browser, workdir, count, args))
            print(json.dumps(report["bursts"][-1]), flush=True)
        opened = page_opens(browser, workdir, args.repeats)
        browser.close()
    ours, bare = statistics.median(opened["ours"]), statistics.median(opened["floor"])
    report["browser"] = {"ours_s": ours, "floor_s": bare, "ratio": ours / bare} | opened
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1))
    print(table(report))


if __name__ == "__main__":
    main()
