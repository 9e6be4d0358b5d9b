"""Independent reference values: the model evaluated in mpmath at 60 significant digits.

Inputs are converted exactly (a float is a dyadic rational), so the references carry no rounding
of their own: x*theta/T is formed in high precision, not in floating point.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np

mp.mp.dps = 60


def _mp(values):
    if isinstance(values, list) and values and isinstance(values[0], mp.mpf):
        return values
    return [mp.mpf(float(v)) for v in np.asarray(values, dtype=np.float64).ravel()]


def _scalar(value):
    return value if isinstance(value, mp.mpf) else mp.mpf(float(value))


def logits(x, theta, temperature=1.0):
    t = _scalar(temperature)
    return [xi * ti / t for xi, ti in zip(_mp(x), _mp(theta), strict=True)]


def softmax(x, theta, temperature=1.0):
    z = logits(x, theta, temperature)
    peak = max(z)
    e = [mp.exp(zi - peak) for zi in z]
    total = mp.fsum(e)
    return [ei / total for ei in e]


def log_softmax(x, theta, temperature=1.0):
    z = logits(x, theta, temperature)
    peak = max(z)
    log_total = mp.log(mp.fsum(mp.exp(zi - peak) for zi in z))
    return [(zi - peak) - log_total for zi in z]


def jacobian(x, theta, wrt="theta", temperature=1.0):
    """The closed forms of the README's model section in mpmath; an (n, n) or (n,) list of mpf."""
    g = softmax(x, theta, temperature)
    n = len(g)
    t = _scalar(temperature)
    if wrt == "temperature":
        u = [xi * ti for xi, ti in zip(_mp(x), _mp(theta), strict=True)]
        mean_u = mp.fsum(gj * uj for gj, uj in zip(g, u, strict=True))
        return [-(g[i] / t**2) * (u[i] - mean_u) for i in range(n)]
    factor = {"theta": [v / t for v in _mp(x)], "x": [v / t for v in _mp(theta)]}.get(
        wrt, [mp.mpf(1)] * n
    )
    return [[g[i] * ((1 if i == k else 0) - g[k]) * factor[k] for k in range(n)] for i in range(n)]


def cross_entropy(x, theta, target, temperature=1.0):
    logg = log_softmax(x, theta, temperature)
    t = _target(target, len(logg))
    return -mp.fsum(tj * lj for tj, lj in zip(t, logg, strict=True) if tj != 0)


def cross_entropy_grad(x, theta, target, wrt="theta", temperature=1.0):
    g = softmax(x, theta, temperature)
    t = _target(target, len(g))
    tt = _scalar(temperature)
    factor = _mp(x) if wrt == "theta" else _mp(theta)
    return [f / tt * (gk - tk) for f, gk, tk in zip(factor, g, t, strict=True)]


def _target(target, n):
    if isinstance(target, int):
        return [mp.mpf(1 if k == target else 0) for k in range(n)]
    return _mp(target)


def to_float(values):
    """mpf (nested lists) -> float64 array, rounding once."""
    return np.array(values, dtype=object).astype(float)


def numerical(f, v, h="1e-30"):
    """Central difference in 60-digit arithmetic: an independent check of the closed forms."""
    h = mp.mpf(h)
    v = [mp.mpf(float(a)) for a in v]
    cols = []
    for k in range(len(v)):
        up = [a + (h if j == k else 0) for j, a in enumerate(v)]
        dn = [a - (h if j == k else 0) for j, a in enumerate(v)]
        cols.append([(a - b) / (2 * h) for a, b in zip(f(up), f(dn), strict=True)])
    return [list(row) for row in zip(*cols, strict=True)]


def entropy(logits):
    """-sum g log g of the softmax of plain logits, in mpmath (g = 0 adds nothing)."""
    z = _mp(logits)
    peak = max(z)
    e = [mp.exp(zi - peak) for zi in z]
    total = mp.fsum(e)
    return -mp.fsum((ei / total) * mp.log(ei / total) for ei in e if ei != 0)


def _softmax_of(values, kept):
    peak = max(values[i] for i in kept)
    e = {i: mp.exp(values[i] - peak) for i in kept}
    total = mp.fsum(e.values())
    return {i: e[i] / total for i in kept}


def sampling_probs(logits, temperature=1.0, top_k=None, top_p=None, min_p=None, last=False):
    """The sampler's distribution, written from the definitions with sets and mpmath.

    Also returns ``margin``: how close the decisions came to a tie (a kept class to a removed
    one, a cumulative total to top_p, a ratio to min_p, in relative terms), so a caller can
    leave out the cases that rounding decides.
    """

    def gap(a, b):
        return abs(a - b) / max(abs(a), abs(b), mp.mpf(1e-300))

    z = _mp(logits)
    t = _scalar(temperature)
    seen = z if last else [v / t for v in z]
    kept = set(range(len(z)))
    margin = mp.inf
    if top_k is not None:
        kth = sorted(seen, reverse=True)[min(top_k, len(z)) - 1]
        kept = {i for i in kept if seen[i] >= kth}
        margin = min([margin, *(gap(seen[i], kth) for i in range(len(z)) if i not in kept)])
    if top_p is not None:
        probs = _softmax_of(seen, kept)
        total, threshold = mp.mpf(0), None
        for i in sorted(kept, key=lambda i: -probs[i]):
            total += probs[i]
            margin = min(margin, abs(total - top_p))
            if total >= top_p:
                threshold = probs[i]
                break
        if threshold is None:  # reached only with all of them
            threshold = min(probs.values())
        margin = min([margin, *(gap(p, threshold) for p in probs.values() if p < threshold)])
        kept = {i for i in kept if probs[i] >= threshold}
    if min_p is not None:
        probs = _softmax_of(seen, kept)
        largest = max(probs.values())
        for i in kept:
            margin = min(margin, abs(probs[i] / largest - min_p))
        kept = {i for i in kept if probs[i] >= min_p * largest}
    final = _softmax_of([v / t for v in z], kept)
    return [final.get(i, mp.mpf(0)) for i in range(len(z))], margin


def _tau_by_bisection(z, mass):
    """The tau with sum(mass(z_i - tau)) = 1, by 300 bisections (mass grows as tau falls)."""
    z = _mp(z)
    low, high = max(z) - 2, max(z)  # mass is >= 1 at low (the peak alone) and 0 at high
    for _ in range(300):
        middle = (low + high) / 2
        if mp.fsum(mass(v - middle) for v in z) > 1:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def sparsemax(z):
    """max(z - tau, 0), tau by bisection (Martins and Astudillo's definition)."""
    tau = _tau_by_bisection(z, lambda d: max(d, 0))
    return [max(v - tau, 0) for v in _mp(z)]


def entmax15(z):
    """max(z/2 - tau, 0)^2, tau by bisection (the entmax package's entmax15)."""
    half = [v / 2 for v in _mp(z)]
    tau = _tau_by_bisection(half, lambda d: max(d, 0) ** 2)
    return [max(v - tau, 0) ** 2 for v in half]
