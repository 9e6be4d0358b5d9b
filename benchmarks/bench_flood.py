"""A flood that changes nothing: many page requests against `--max-kernels` while students work.

1. A `softmax-explorer --max-kernels K` server (default 20); ``--students`` of them (default 5,
   lightweight clients: harness/student.py) open the dashboard and move a slider every 0.2 s
   for the whole run.
2. After ``--calm`` seconds, one client requests the page ``--requests`` times (default 200),
   ``--concurrency`` at a time, as fast as the server answers; each response is read and
   dropped (a page that never connects: its kernel stays until culled).
3. ``--calm`` seconds more; then the report: pages served and refused (503, with Retry-After),
   the most kernels seen alive, the memory of the server, its zygote and its kernels (their
   proportional set sizes: a page they share counts once) before, at the peak and after, and
   for the students the moves made and lost (no redraw within 60 s) and the redraw median and
   p90 before, during and after the flood.

Loopback only, bounded in count and time: every request and move has a timeout. Run:
``python benchmarks/bench_flood.py`` (``--requests 20 --max-kernels 4 --students 2`` for a
smoke run). Writes ``benchmarks/results/flood.json`` and prints a markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from timing import markdown_table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the shared helpers, harness/
from harness.server import kernels, running, start_app, tree_memory_mb  # noqa: E402
from harness.student import Refused, Student, arrive  # noqa: E402

MOVE_EVERY = 0.2  # seconds between a student's moves
MOVE_TIMEOUT = 60  # a move whose redraw takes longer is lost
REQUEST_TIMEOUT = 180


class Sampler(threading.Thread):
    """Kernels alive and memory (server, zygote and kernels, MB) every 0.2 s, until stopped."""

    def __init__(self, server_pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = server_pid
        self.samples: list[tuple[float, int, float]] = []
        self.done = threading.Event()

    def sample(self) -> tuple[float, int, float]:
        return time.monotonic(), len(kernels(self.pid)), tree_memory_mb(self.pid)

    def run(self) -> None:
        while not self.done.wait(0.2):
            self.samples.append(self.sample())


async def keep_moving(student: Student, stop: asyncio.Event, moves: list) -> None:
    """Move the slider every `MOVE_EVERY` s until ``stop``; ``(time, seconds or None)`` each."""
    while not stop.is_set():
        start = time.monotonic()
        try:
            moves.append((start, await student.move(timeout=MOVE_TIMEOUT)))
        except (TimeoutError, ConnectionError):
            moves.append((start, None))
        await asyncio.sleep(max(0.0, MOVE_EVERY - (time.monotonic() - start)))


async def flood(url: str, count: int, concurrency: int) -> list[Refused | None]:
    """``count`` page requests, ``concurrency`` at a time: a Refused each, or None if served."""
    from tornado.httpclient import AsyncHTTPClient

    http = AsyncHTTPClient(max_clients=concurrency)
    limit = asyncio.Semaphore(concurrency)

    async def one() -> Refused | None:
        async with limit:
            page = await http.fetch(url, raise_error=False, request_timeout=REQUEST_TIMEOUT)
        return None if page.code == 200 else Refused(page.code, page.headers.get("Retry-After"))

    return await asyncio.gather(*(one() for _ in range(count)))


def window(moves: list, start: float, end: float) -> dict:
    """Moves started in [start, end): made, lost, redraw median and p90 in ms."""
    inside = [m for t, m in moves if start <= t < end]
    done = [m * 1000 for m in inside if m is not None]
    return {
        "moves": len(inside),
        "lost": sum(m is None for m in inside),
        "median_ms": float(np.median(done)) if done else None,
        "p90_ms": float(np.percentile(done, 90)) if done else None,
    }


async def scenario(url: str, args: argparse.Namespace, sampler: Sampler) -> dict:
    students = await asyncio.gather(*(arrive(url) for _ in range(args.students)))
    assert all(isinstance(s, Student) for s in students), students
    stop, moves = asyncio.Event(), [[] for _ in students]
    movers = [
        asyncio.ensure_future(keep_moving(s, stop, m)) for s, m in zip(students, moves, strict=True)
    ]
    await asyncio.sleep(args.calm)
    flood_start = time.monotonic()
    answers = await flood(url, args.requests, args.concurrency)
    flood_end = time.monotonic()
    await asyncio.sleep(args.calm)
    stop.set()
    await asyncio.gather(*movers)
    for student in students:
        student.close()
    everyone = [m for ms in moves for m in ms]
    refused = [a for a in answers if a is not None]
    return {
        "flood_seconds": flood_end - flood_start,
        "served": sum(a is None for a in answers),
        "refused": len(refused),
        "refusals": sorted({f"{a.status} Retry-After={a.retry_after}" for a in refused}),
        "students": {
            "before": window(everyone, 0, flood_start),
            "during": window(everyone, flood_start, flood_end),
            "after": window(everyone, flood_end, float("inf")),
            "lost": sum(m is None for _, m in everyone),
            "each_moved_after": all(
                any(t >= flood_end and m is not None for t, m in ms) for ms in moves
            ),
        },
    }


def table(report: dict) -> str:
    memory = report["memory_mb"]
    students = report["students"]
    rows = [
        ["requests (served / refused)", f"{report['config']['requests']} "
         f"({report['served']} / {report['refused']})"],
        ["refusals", ", ".join(report["refusals"]) or "none"],
        ["kernels alive, most", f"{report['kernels_max']} (cap {report['config']['max_kernels']})"],
        ["memory MB: before / peak / after",
         f"{memory['before']:.0f} / {memory['peak']:.0f} / {memory['after']:.0f}"],
        ["flood duration", f"{report['flood_seconds']:.1f} s"],
        ["students' moves lost", f"{students['lost']} of "
         f"{sum(students[w]['moves'] for w in ('before', 'during', 'after'))}"],
    ]  # fmt: skip
    for name in ("before", "during", "after"):
        w = students[name]
        if w["median_ms"] is not None:
            rows.append([f"redraw {name} flood: median / p90",
                         f"{w['median_ms']:.0f} / {w['p90_ms']:.0f} ms"])  # fmt: skip
    return markdown_table(["", "measured"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--max-kernels", type=int, default=20)
    parser.add_argument("--students", type=int, default=5)
    parser.add_argument("--calm", type=float, default=10, help="seconds before and after")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "flood.json")
    args = parser.parse_args()
    if args.students >= args.max_kernels:
        sys.exit("--students must be fewer than --max-kernels")
    report: dict = {"config": vars(args) | {"out": str(args.out)}}
    workdir = Path(tempfile.mkdtemp(prefix="bench-flood-"))
    server = start_app(workdir, f"--max-kernels={args.max_kernels}", "--cull-after=600")
    with running(server):
        sampler = Sampler(server.process.pid)
        before = sampler.sample()[2]
        sampler.start()
        report |= asyncio.run(scenario(server.url, args, sampler))
        sampler.done.set()
        sampler.join()
        report["kernels_max"] = max(n for _, n, _ in sampler.samples)
        report["memory_mb"] = {
            "before": before,
            "peak": max(mb for _, _, mb in sampler.samples),
            "after": sampler.sample()[2],
        }
        report["server_alive"] = server.process.poll() is None
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1))
    print(table(report))


if __name__ == "__main__":
    main()
