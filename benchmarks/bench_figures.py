"""Per-update cost of the figures: recorded for the browser, rasterised in place, rebuilt.

Each step moves theta_1 by 0.1, as a slider does. Three ways, side by side: updated in place and
recorded as display lists (what the app sends the browser), updated in place and rasterised by
Agg (blitting; pixels ready, before any PNG encoding), and built again from scratch and
rasterised (the seed notebook's way). Compute (the numerics) is done beforehand and timed
separately.
Run: ``python benchmarks/bench_figures.py`` (``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import statistics
import time

from timing import fmt_seconds, markdown_table

from softmax_explorer.canvas import DisplayListCanvas
from softmax_explorer.figures import Dashboard
from softmax_explorer.results import compute
from softmax_explorer.state import State


def slider_states(n: int, steps: int) -> list[State]:
    base = State().resized(n)
    first = [base.theta[0] + 0.1 * (k % 20 - 10) for k in range(steps)]
    return [base.replace(theta=(t, *base.theta[1:])) for t in first]


def per_update(func, items) -> float:
    samples = []
    for item in items:
        start = time.perf_counter()
        func(item)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def rebuild(results) -> None:
    dash = Dashboard(results)
    for fig in dash.figures.values():
        fig.canvas.draw()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3 updates per case (smoke run)")
    args = parser.parse_args()
    steps = 3 if args.quick else 40
    rows = []
    for n in (4, 32):
        states = slider_states(n, steps)
        compute_time = per_update(compute, states)  # fills the sweep cache too
        results = [compute(s) for s in states]
        timings = []
        for canvas in (DisplayListCanvas, None):
            dash = Dashboard(results[0]) if canvas is None else Dashboard(results[0], canvas=canvas)
            for fig in dash.figures.values():
                fig.canvas.draw()
            timings.append(per_update(dash.update, results[1:] + results[:1]))
        recorded, rasterised = timings
        rebuilt = per_update(rebuild, results)
        rows.append([
            str(n), fmt_seconds(recorded), fmt_seconds(rasterised), fmt_seconds(rebuilt),
            f"{rasterised / recorded:.1f}x", f"{rebuilt / recorded:.0f}x",
            fmt_seconds(compute_time),
        ])  # fmt: skip
    header = [
        "n", "recorded (app)", "Agg in place", "Agg rebuilt", "Agg in place /", "rebuilt /",
        "compute (numerics)",
    ]  # fmt: skip
    print(markdown_table(header, rows))


if __name__ == "__main__":
    main()
