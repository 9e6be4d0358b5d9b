"""A class at once: many browser sessions on one `softmax-explorer --preheat K` server.

1. ``--sessions`` pages (default 30) are opened within a few seconds (one headless Chromium, one
   context each); page-open times and failures are recorded.
2. ``--active`` of them (default 10) move a slider for ``--seconds`` (default 60), in rounds
   where every active page gets a key press at once, while the rest stay idle:
   slider-to-repaint median and p90 under load.
3. Sizing: the same with 1, 5, 10, 20, ... active sessions for a shorter time each, to find how
   many active sessions keep p90 <= 1 s on this machine.
4. All pages close; the script waits for the server to cull their kernels (``--cull-after``) and
   reports how long that took and the memory before and after.

Loopback only, bounded in count and time; it stops by itself. Run:
``python benchmarks/bench_load.py`` (``--sessions 3 --active 2 --seconds 5`` for a smoke run).
Writes ``benchmarks/results/load.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from bench_browser import (
    CHROMIUM_ARGS,
    DASHBOARD_READY,
    INSTRUMENT,
    ROOT,
    find_chromium,
    serve,
    settle,
)

from harness.server import kernels, private_mb, rss_mb, tree_memory_mb

SLIDER = ".softmax-explorer-theta-1 .noUi-handle"


def open_sessions(browser, url: str, count: int) -> tuple[list, list[float], int]:
    """Open ``count`` pages back to back, then wait for each dashboard; (pages, times, failed)."""
    pages, starts = [], []
    for _ in range(count):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.add_init_script(INSTRUMENT)
        page = context.new_page()
        page.set_default_timeout(180_000)
        starts.append(time.monotonic())
        page.goto(url, wait_until="commit")
        pages.append(page)
    times, failed, ready = [], 0, []
    deadline = time.monotonic() + 300  # all sessions together
    for page, start in zip(pages, starts, strict=True):
        try:
            remaining_ms = max(1000, (deadline - time.monotonic()) * 1000)
            page.wait_for_function(DASHBOARD_READY, timeout=remaining_ms)
            times.append((time.monotonic() - start) * 1000)
            ready.append(page)
        except Exception:  # a session that never showed its dashboard
            failed += 1
    return ready, times, failed


def move_sliders(pages: list, seconds: float) -> tuple[list[float], int]:
    """Rounds of key presses: every active page gets one, then each page's repaint is awaited.

    The presses of one round reach the server together, so the kernels work concurrently, as
    a class does. Returns (latency of each press in ms, lost presses).
    """
    for page in pages:
        page.locator(SLIDER).focus()
    latencies, lost, rounds = [], 0, 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        key = "ArrowRight" if (rounds // 20) % 2 == 0 else "ArrowLeft"
        pressed = []
        for page in pages:
            page.keyboard.press(key)
            pressed.append(page.evaluate("window.__keydowns[window.__keydowns.length - 1]"))
        for page, at in zip(pages, pressed, strict=True):
            last = settle(page, at)
            if last is None:
                lost += 1
            else:
                latencies.append(last - at)
        rounds += 1
    return latencies, lost


def summary(values: list[float]) -> dict:
    if not values:
        return {"count": 0}
    return {
        "count": len(values),
        "median": statistics.median(values),
        "p90": float(np.percentile(values, 90)),
        "max": max(values),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--active", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--preheat", type=int, default=4)
    # long enough for a page that opens slowly under load to connect before its kernel is culled
    parser.add_argument("--cull-after", type=int, default=120)
    parser.add_argument("--sizing", type=int, nargs="*", default=[1, 5, 10, 20, 30])
    parser.add_argument("--sizing-seconds", type=float, default=20)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "load.json")
    args = parser.parse_args()
    chromium = find_chromium()
    if chromium is None:
        sys.exit("no Chromium found: run `python -m harness.chromium`")
    from playwright.sync_api import sync_playwright

    command = [
        sys.executable, "-m", "softmax_explorer", "--host=127.0.0.1",
        f"--preheat={args.preheat}", f"--cull-after={args.cull_after}",
    ]  # fmt: skip
    report: dict = {"config": vars(args) | {"out": str(args.out)}}
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    with serve(command, workdir) as (url, server_pid), sync_playwright() as p:
        time.sleep(10)  # the preheated pool fills
        report["idle_server_mb"] = rss_mb(server_pid)
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        pages, open_times, failed = open_sessions(browser, url, args.sessions)
        report["page_open_ms"] = summary(open_times)
        report["failed_sessions"] = failed
        print(f"opened {len(pages)} sessions, {failed} failed: {report['page_open_ms']}")
        latencies, lost = move_sliders(pages[: args.active], args.seconds)
        report["under_load"] = summary(latencies) | {"lost": lost, "active": args.active}
        print(f"{args.active} active for {args.seconds:.0f} s: {report['under_load']}")
        report["server_mb"] = rss_mb(server_pid)
        found = kernels(server_pid)
        report["kernels_mb"] = [rss for _, _, rss in found]
        report["kernels_private_mb"] = [private_mb(pid) for pid, _, _ in found]
        report["all_mb"] = tree_memory_mb(server_pid)  # server, zygote, kernels; shared once
        print(f"memory: {report['all_mb']:.0f} MB in all (server, zygote, kernels)")
        sizing = []
        for active in args.sizing:
            if active > len(pages):
                break
            lat, lost = move_sliders(pages[:active], args.sizing_seconds)
            sizing.append(summary(lat) | {"active": active, "lost": lost})
            print(f"sizing, {active} active: {sizing[-1]}")
        report["sizing"] = sizing
        for page in pages:
            page.context.close()
        browser.close()
        closed = time.monotonic()
        before = len(kernels(server_pid))
        while time.monotonic() - closed < args.cull_after * 3 + 60:
            if len(kernels(server_pid)) <= args.preheat:
                break
            time.sleep(2)
        report["culling"] = {
            "kernels_before": before,
            "kernels_after": len(kernels(server_pid)),
            "seconds": time.monotonic() - closed,
            "server_mb_after": rss_mb(server_pid),
            "kernels_mb_after": sum(rss for _, _, rss in kernels(server_pid)),
        }
        print(f"culling: {report['culling']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
