"""Hostile-input fuzz of the numerics core: many random extreme inputs, every invariant checked.

Magnitudes 1e-300..1e300 (float32: 1e-37..1e37), mixed signs, zeros, ties, n from 1 to 1000,
temperature 1e-3..1e3. Results must be finite where the math is finite, sum to 1, keep the
Jacobian identities, warn nothing, and refuse only the documented overflow of x*theta/T.
Run: ``python benchmarks/fuzz_numerics.py --examples 100000`` (the tests run a small profile).
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared helpers, harness/
from harness.invariants import check, random_case


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    outcomes: collections.Counter[str] = collections.Counter()
    start = time.perf_counter()
    for i in range(args.examples):
        x, theta, temperature = random_case(rng)
        try:
            outcomes[check(x, theta, temperature)] += 1
        except AssertionError as err:
            print(f"example {i} failed: n={x.size} {x.dtype} T={temperature}: {err}")
            np.savez(f"fuzz-failure-{i}.npz", x=x, theta=theta, temperature=temperature)
            raise SystemExit(1) from err
    seconds = time.perf_counter() - start
    total = sum(outcomes.values())
    print(f"{total} examples in {seconds:.0f} s: {dict(outcomes)}; 0 failures")


if __name__ == "__main__":
    main()
