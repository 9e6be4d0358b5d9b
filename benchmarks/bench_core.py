"""Closed-form Jacobian vs the seed notebook's approach vs a finite-difference Jacobian.

The seed computes each entry with its own Python call, and each call recomputes the softmax
(its ``dsoftmaxz``, retold in notebooks/tutorial.ipynb). Run: ``python benchmarks/bench_core.py``
(``--quick`` for a smoke run). Prints a markdown table; all numbers come from this one run.
"""

from __future__ import annotations

import argparse

import numpy as np
from timing import fmt_seconds, markdown_table, median_time

from softmax_explorer import jacobian, numerical_jacobian, softmax


def seed_softmax(x, z, i):
    return np.exp(x[i] * z[i]) / np.sum(np.exp(x * z))


def seed_dsoftmaxz(x, z, ix_eval, ix_deriv):
    """The seed's per-entry derivative, with its arguments used (the seed read globals)."""
    g_i = seed_softmax(x, z, ix_eval)
    if ix_eval == ix_deriv:
        return x[ix_eval] * g_i * (1 - g_i)
    return -x[ix_deriv] * g_i * seed_softmax(x, z, ix_deriv)


def seed_jacobian_rows(x, z, rows):
    n = len(x)
    return np.array([[seed_dsoftmaxz(x, z, i, k) for k in range(n)] for i in range(rows)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes and repeats (smoke run)")
    args = parser.parse_args()
    sizes = [4, 32] if args.quick else [4, 32, 256, 1000]
    repeats = 1 if args.quick else 5
    rng = np.random.default_rng(0)
    rows = []
    for n in sizes:
        x, theta = rng.uniform(-2, 2, n), rng.uniform(-2, 2, n)
        closed = median_time(lambda x=x, theta=theta: jacobian(x, theta), repeats)
        # the seed's approach is O(n^3) Python work: time a sample of rows at large n, scale up
        sample = n if n <= 256 else 25
        seed = median_time(
            lambda x=x, theta=theta, s=sample: seed_jacobian_rows(x, theta, s),
            repeats=max(1, repeats // 2),
            min_seconds=0.0,
        ) * (n / sample)
        np.testing.assert_allclose(
            seed_jacobian_rows(x, theta, 2), jacobian(x, theta)[:2], rtol=1e-9, atol=1e-300
        )
        numeric = median_time(
            lambda x=x, theta=theta: numerical_jacobian(
                lambda t: softmax(x, t), theta, vectorized=True
            ),
            repeats,
        )
        rows.append(
            [
                str(n),
                fmt_seconds(closed),
                fmt_seconds(numeric) + f" ({numeric / closed:.0f}x)",
                fmt_seconds(seed) + f" ({seed / closed:,.0f}x)" + ("" if sample == n else " ¹"),
            ]
        )
    print(
        markdown_table(
            [
                "n",
                "closed form",
                "central differences, vectorised (ratio)",
                "seed approach (ratio)",
            ],
            rows,
        )
    )
    print("\n¹ seed approach timed on 25 rows, scaled by n/25 (every row costs the same).")


if __name__ == "__main__":
    main()
