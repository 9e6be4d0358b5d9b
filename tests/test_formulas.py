"""The formula panel: the worked-out Jacobian entry's digits add up, in the math's numbering."""

import re

import numpy as np
import pytest

from softmax_explorer.figures.formulas import entry_value, formula_html, sampler_lines
from softmax_explorer.results import compute
from softmax_explorer.state import PRESETS, State

from . import reference as ref

_NUMBER = r"(-?[\d.]+(?: \\times 10\^\{-?\d+\})?)"
_WORKED = re.compile(
    rf"= \\frac\{{{_NUMBER}\}}\{{{_NUMBER}\}} \\cdot {_NUMBER} \\cdot \({_NUMBER}\) = {_NUMBER}$"
)


def _float(latex: str) -> float:
    return float(re.sub(r" \\times 10\^\{(-?\d+)\}", r"e\1", latex))


def _worked(state: State, i: int, k: int) -> tuple[list[float], float, float]:
    """The four factors and the result as the panel shows them, and the exact value."""
    text, value = entry_value(compute(state), i, k)
    match = _WORKED.search(text)
    assert match, text
    *factors, shown = (_float(m) for m in match.groups())
    return factors, shown, value


def _states():
    rng = np.random.default_rng(7)
    yield from (p.state for p in PRESETS.values() if p.state.mapping == "softmax")
    for _ in range(40):
        n = int(rng.integers(2, 9))
        yield State(
            x=tuple(np.round(rng.uniform(-50, 50, n), 2)),
            theta=tuple(np.round(rng.uniform(-3, 3, n), 2)),
            temperature=float(10 ** rng.uniform(-1.3, 1.3)),
            wrt=str(rng.choice(["theta", "x"])),
        )


@pytest.mark.parametrize("state", list(_states()), ids=lambda s: f"n{s.n}-T{s.temperature:.3g}")
def test_the_factors_shown_multiply_to_the_result_shown(state):
    for i in range(state.n):
        for k in range(state.n):
            (numerator, denominator, g_i, last), shown, value = _worked(state, i, k)
            product = numerator / denominator * g_i * last
            assert f"{shown:.4g}" == f"{value + 0.0:.4g}", (i, k)
            # the product matches the result shown, within half a unit of its last digit
            unit = 10.0 ** (np.floor(np.log10(abs(shown))) - 3) if shown else 0.0
            assert abs(product - value) <= unit / 2 * (1 + 1e-9), (i, k)


def test_one_minus_a_dominant_probability_keeps_its_digits():
    """The overflow preset's g_1 is 1 - 4.54e-5: shown as 4.54e-5, not as 1 - 1."""
    (numerator, denominator, g_1, complement), _shown, value = _worked(
        PRESETS["overflow"].state, 0, 0
    )
    text = entry_value(compute(PRESETS["overflow"].state), 0, 0)[0]
    assert r"(4.54 \times 10^{-5})" in text
    assert complement == pytest.approx(4.54e-5, rel=1e-3)
    assert numerator / denominator * g_1 * complement == pytest.approx(value, rel=1e-3)


def test_the_panel_names_entries_and_the_target_from_one():
    text = formula_html(compute(State(target=2)), entry=(2, 0))
    assert r"\partial g_{3}}{\partial \theta_{1}}" in text
    assert r"-\log g_{3}" in text
    assert "(from 1)" in text
    assert "(0-based)" not in text


def test_vectors_are_text_that_wraps_with_powers_of_ten_and_minus_signs():
    text = formula_html(compute(PRESETS["overflow"].state))
    assert "<i>g</i> = [1, 4.54×10<sup>−5</sup>, 0, 0]" in text
    text = formula_html(compute(State(target=2)))
    assert "[0.06604, 0.2919, −0.8161, 0.266]" in text  # dC/dtheta, with U+2212


@pytest.mark.parametrize("name", ["kink", "near_kink"])
@pytest.mark.parametrize("mapping", ["sparsemax", "entmax15"])
def test_a_sparse_mappings_entry_is_worked_out_with_its_weights(name, mapping):
    """(c_k / T)(u_i delta_ik - u_i u_k / sum u), u the support's indicator or sqrt(g)."""
    state = PRESETS[name].state.replace(mapping=mapping, temperature=2.0)
    results = compute(state)
    g = results.g
    u = (g > 0).astype(float) if mapping == "sparsemax" else np.sqrt(g)
    total = r"{|S|}" if mapping == "sparsemax" else r"{\sum_j w_j}"
    for i in range(state.n):
        for k in range(state.n):
            text, value = entry_value(results, i, k)
            expected = state.x[k] / 2.0 * (u[i] * (i == k) - u[i] * u[k] / u.sum())
            assert value == pytest.approx(expected, abs=1e-15)
            assert total in text
            # the weights shown, the sum under the fraction, and the value they give
            assert f"{u[i]:.4g} \\cdot {int(i == k)}" in text
            assert f"{{{u.sum():.4g}}}" in text
            assert float(text.rsplit("= ", 1)[1]) == pytest.approx(value, rel=5e-4, abs=1e-12)


_SAMPLER_KEPT = re.compile(
    rf"= \\dfrac\{{{_NUMBER}\}}\{{{_NUMBER}\}} = {_NUMBER},\$ \$m = \\max_\{{j \\in K\}} z_j "
    rf"= {_NUMBER}\$"
)
_SAMPLER_REMOVED = {
    "top-k": re.compile(rf"z_\{{\d+\}} = {_NUMBER} < {_NUMBER}\$, the \d+\w\w largest"),
    "top-p": re.compile(rf"already total \${_NUMBER} \\geq {_NUMBER}\$"),
    "min-p": re.compile(rf"g_\{{\d+\}} = {_NUMBER} < {_NUMBER} \\cdot {_NUMBER} = {_NUMBER}\$"),
}


def _sampling_states(count: int = 30):
    rng = np.random.default_rng(20261207)
    for _ in range(count):
        n = int(rng.integers(2, 9))
        yield State(
            x=tuple(np.round(rng.uniform(-5, 5, n), 2)),
            theta=tuple(np.round(rng.uniform(-3, 3, n), 2)),
            temperature=float(np.round(10 ** rng.uniform(-1, 1), 3)),
            sampling=True,
            top_k=int(rng.integers(1, n + 1)) if rng.random() < 0.5 else None,
            top_p=float(np.round(rng.uniform(0.3, 1), 2)) if rng.random() < 0.6 else None,
            min_p=float(np.round(rng.uniform(0.01, 0.6), 2)) if rng.random() < 0.5 else None,
            sampling_order=str(rng.choice(["temperature_first", "temperature_last"])),
        )


def _within_last_digit(shown: float, worked: float, value: float) -> bool:
    """``worked`` out from the numbers shown is within half a unit of ``shown``'s last digit
    of ``value``."""
    unit = 10.0 ** (np.floor(np.log10(abs(shown))) - 3) if shown else 0.0
    return abs(worked - value) <= unit / 2 * (1 + 1e-9)


@pytest.mark.parametrize("state", list(_sampling_states()), ids=lambda s: f"n{s.n}")
def test_the_sampler_line_works_out_each_class_with_digits_that_add_up(state):
    """Against the sampler written from the definitions in mpmath (tests/reference.py): a kept
    class's quotient, with the max-shift m, and a removed class's cut with what it compared."""
    u = [a * b for a, b in zip(state.x, state.theta, strict=True)]
    last = state.sampling_order == "temperature_last"

    def cut(**cuts):
        probs, margin = ref.sampling_probs(u, state.temperature, last=last, **cuts)
        return np.array([p != 0 for p in probs]), margin

    by_k, _ = cut(top_k=state.top_k)
    by_p, _ = cut(top_k=state.top_k, top_p=state.top_p)
    probs, margin = ref.sampling_probs(
        u, state.temperature, state.top_k, state.top_p, state.min_p, last
    )
    assert margin > 1e-9  # no cut so close to a tie that rounding decides it
    z = np.array(u) / state.temperature
    cuts_see = np.array(u) if last else z  # the logits the cuts see: at T = 1 or at T
    seen = np.exp(cuts_see - cuts_see.max())
    seen /= seen.sum()
    kept = np.array([p != 0 for p in probs])
    results = compute(state)
    for k in range(state.n):
        line = sampler_lines(results, k)[0]
        if kept[k]:
            numerator, total, shown, peak = (_float(m) for m in _SAMPLER_KEPT.search(line).groups())
            assert f"{shown:.4g}" == f"{float(probs[k]):.4g}", line
            value = float(results.sampled.probs[k])  # as the Jacobian entry's: within half a unit
            assert _within_last_digit(shown, numerator / total, value), line
            assert f"{peak:.4g}" == f"{z[kept].max():.4g}"
            assert numerator == pytest.approx(np.exp(z[k] - z[kept].max()), rel=1e-3)
            continue
        by = "top-k" if not by_k[k] else "top-p" if not by_p[k] else "min-p"
        assert f"removed by {by}" in line
        numbers = [_float(m) for m in _SAMPLER_REMOVED[by].search(line).groups()]
        if by == "top-k":
            expected = [z[k], np.sort(z)[-state.top_k]]
        elif by == "top-p":
            expected = [seen[by_p].sum() / seen[by_k].sum(), state.top_p]
        else:
            expected = [seen[k], state.min_p, seen.max(), state.min_p * seen.max()]
        np.testing.assert_allclose(numbers, expected, rtol=5e-3, atol=1e-12, err_msg=line)
        # the comparison reads as the cut made it
        assert numbers[0] >= numbers[1] if by == "top-p" else numbers[0] < numbers[-1], line
