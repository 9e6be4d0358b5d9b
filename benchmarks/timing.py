"""Timing helpers shared by the benchmarks: medians of repeats, measured side by side."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable


def pin_apart(pin: bool | None) -> list[str]:
    """Keep the servers apart from the pages; returns the prefix that starts a server on its core.

    ``pin`` None: where there are two cores or more. Pinned, this process and what it starts
    from now on (the browser, the clients) keep off the first core, and a command that starts
    with the prefix (``taskset``) runs there with the kernels it starts, as a class's browsers
    run on their own devices. Not pinned (or one core): an empty prefix.
    """
    cores = sorted(os.sched_getaffinity(0))
    if pin is False or len(cores) < 2:
        return []
    os.sched_setaffinity(0, cores[1:])
    return ["taskset", "-c", str(cores[0])]


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
