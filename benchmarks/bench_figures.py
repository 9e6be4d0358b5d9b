"""Per-update cost of the figures: update in place (blitting) vs building the figures again.

Each step moves theta_1 by 0.1, as a slider does; both approaches render to Agg buffers, so the
pixels are ready to send. Compute (the numerics) is done beforehand and timed separately.
Run: ``python benchmarks/bench_figures.py`` (``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import statistics
import time

from timing import fmt_seconds, markdown_table

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
        dash = Dashboard(results[0])
        for fig in dash.figures.values():
            fig.canvas.draw()
        in_place = per_update(dash.update, results[1:] + results[:1])
        rebuilt = per_update(rebuild, results)
        ratio = f"{rebuilt / in_place:.1f}x"
        rows.append(
            [str(n), fmt_seconds(in_place), fmt_seconds(rebuilt), ratio, fmt_seconds(compute_time)]
        )
    header = ["n", "update in place", "rebuild figures", "speed-up", "compute (numerics)"]
    print(markdown_table(header, rows))


if __name__ == "__main__":
    main()
