"""Timing helpers shared by the benchmarks: medians of repeats, measured side by side."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

#: The command prefix that runs a server (and the kernels it starts) on core 0.
SERVER_PIN = ["taskset", "-c", "0"]


def pin_apart(pin: bool | None) -> bool:
    """Run the servers apart from the pages: whether they are (``pin`` None: where it can).

    With two cores or more, this process and what it starts from now on (the browser, the
    clients) keep off core 0, and a server started with `SERVER_PIN` before its command gets
    core 0 to itself with its kernels, as a class's browsers run on their own devices.
    """
    cores = sorted(os.sched_getaffinity(0))
    if pin is None:
        pin = len(cores) >= 2
    if pin:
        os.sched_setaffinity(0, cores[1:])
    return pin


def median_time(func: Callable[[], object], repeats: int = 7, min_seconds: float = 0.05) -> float:
    """Median seconds per call of ``func``, each repeat looping long enough to be measurable."""
    func()  # warm-up
    loops = 1
    while True:
        start = time.perf_counter()
        for _ in range(loops):
            func()
        if time.perf_counter() - start >= min_seconds or loops >= 1 << 20:
            break
        loops *= 2
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(loops):
            func()
        samples.append((time.perf_counter() - start) / loops)
    return statistics.median(samples)


def fmt_seconds(seconds: float) -> str:
    """Seconds in a readable unit."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A GitHub-flavoured markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
