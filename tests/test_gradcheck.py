"""The gradient check: its verdicts, its report, and the check of any function's Jacobian."""

import importlib

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import softmax_explorer as se
from softmax_explorer.model import Model
from softmax_explorer.taylor import taylor_test

from .test_finite_diff import cubic, cubic_jacobian
from .test_model import SEED_THETA, SEED_X


@pytest.mark.parametrize("method", se.METHODS)
@pytest.mark.parametrize("wrt", ["theta", "x", "z", "temperature"])
def test_gradcheck_passes_on_the_seed(method, wrt):
    result = se.gradcheck(SEED_X, SEED_THETA, wrt=wrt, method=method)
    assert result.passed, str(result)
    assert result.h == se.optimal_step(method)
    assert result.numeric.shape == result.analytic.shape


def test_gradcheck_report_names_the_worst_entry():
    result = se.gradcheck(SEED_X, SEED_THETA, method="forward", h=1e-6)
    report = str(result)
    i, k = result.worst
    bound = result.atol + result.rtol * np.abs(result.analytic) + result.error_estimate
    assert np.argmax(result.abs_error / bound) == i * 4 + k
    assert f"dg_{i}/dtheta_{k}" in report
    assert f"analytic {result.analytic[i, k]:.6e}" in report
    assert f"numeric {result.numeric[i, k]:.6e}" in report
    assert f"abs error {result.abs_error[i, k]:.1e}" in report
    assert result.max_abs_error == pytest.approx(np.max(np.abs(result.numeric - result.analytic)))


def test_gradcheck_finds_the_seeds_wrong_x_derivative():
    """The seed's markdown claims dg/dx = -[sum_j exp(x theta_j)]^-2: gradcheck rejects it."""
    x, theta = np.array(SEED_X, float), np.array(SEED_THETA)
    seed_claim = np.full((4, 4), -(np.sum(np.exp(x * theta)) ** -2.0))
    result = se.gradcheck(x, theta, wrt="x", analytic=seed_claim)
    assert not result.passed
    assert str(result).startswith("gradcheck FAILED")
    worst = np.unravel_index(np.argmax(result.abs_error), (4, 4))
    assert result.worst == tuple(int(i) for i in worst)
    assert f"dg_{worst[0]}/dx_{worst[1]}" in str(result)


@pytest.mark.parametrize("method", se.METHODS)
def test_gradcheck_points_at_a_single_wrong_entry(method):
    analytic = se.jacobian(SEED_X, SEED_THETA)
    analytic[2, 1] *= 1 + 1e-3
    result = se.gradcheck(SEED_X, SEED_THETA, method=method, analytic=analytic)
    assert not result.passed
    assert result.worst == (2, 1)
    assert "dg_2/dtheta_1" in str(result)


def test_gradcheck_temperature_report():
    result = se.gradcheck(SEED_X, SEED_THETA, wrt="temperature", method="central")
    assert str(result).startswith("gradcheck passed")
    assert f"dg_{result.worst[0]}/dT" in str(result)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: se.gradcheck([1, 2], [1, 2], wrt="w"), r"unknown wrt='w'"),
        (lambda: se.gradcheck([1, 2], [1, 2], method="exact"), r"unknown method='exact'"),
        (lambda: se.gradcheck([1, 2], [1], method="central"), r"x has 2 values, theta has 1"),
        (lambda: se.gradcheck([1, 2], [1, 2], analytic=[1, 2]), r"analytic has shape \(2,\)"),
        (
            lambda: se.check_jacobian(cubic, np.eye(3), [0.7, -1.2]),
            r"the Jacobian has shape \(3, 3\); f and v need \(2, 2\)",
        ),
    ],
)
def test_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


moderate = st.floats(-3, 3, allow_nan=False)


@st.composite
def states(draw):
    n = draw(st.integers(1, 8))
    x = draw(st.lists(moderate, min_size=n, max_size=n))
    theta = draw(st.lists(moderate, min_size=n, max_size=n))
    return np.array(x), np.array(theta), draw(st.floats(0.25, 4))


WRTS = ["theta", "x", "z", "temperature"]


@given(states(), st.sampled_from(se.METHODS), st.sampled_from(WRTS))
@example((np.array([3.0, -3.0]), np.array([3.0, 3.0]), 0.25), "forward", "theta")
@example((np.array([0.0, 0.0]), np.array([0.0, 2.22507386e-309]), 1.0), "complex", "x")
@example(
    (np.array([0.0, 3.0, 3.0, 0.0]), np.array([0.0, 3.0, 3.0, 0.0]), 0.5), "richardson", "theta"
)
def test_a_correct_derivative_never_fails_at_the_default_step(state, method, wrt):
    """Never "failed"; "inconclusive" only where the difference's own error is beyond tolerance.

    The last example is such a case: tied logits of 18, where Richardson's error at its
    default step (1e-10) is just beyond the default tolerance.
    """
    x, theta, temperature = state
    result = se.gradcheck(x, theta, wrt=wrt, method=method, temperature=temperature)
    assert result.status != "failed", str(result)
    if result.status == "inconclusive":
        tolerance = result.atol + result.rtol * np.abs(result.analytic)
        assert np.any(result.resolution > tolerance)
        assert "truncation dominates" in result.suggestion


def test_gradcheck_passes_at_the_default_step_on_random_states():
    rng = np.random.default_rng(20261201)
    for _ in range(150):
        n = int(rng.integers(1, 9))
        x, theta = rng.uniform(-3, 3, n), rng.uniform(-3, 3, n)
        temperature = float(rng.uniform(0.25, 4))
        for method in se.METHODS:
            for wrt in WRTS:
                result = se.gradcheck(x, theta, wrt=wrt, method=method, temperature=temperature)
                assert result.passed, str(result)


def test_float32_cancellation_is_inconclusive_and_suggests_the_best_step():
    result = se.gradcheck(np.float32(SEED_X), np.float32(SEED_THETA), method="forward", h=1e-6)
    assert result.status == "inconclusive"
    assert not result.passed
    assert str(result).startswith(
        "gradcheck inconclusive: round-off dominates at h = 1e-6; try h ≈ 3e-4"
    )
    # round-off explains the whole discrepancy
    assert np.all(result.abs_error <= result.roundoff_estimate + result.truncation_estimate)
    better = se.gradcheck(np.float32(SEED_X), np.float32(SEED_THETA), method="forward", h=3e-4)
    assert better.passed, str(better)


def test_too_large_a_step_is_inconclusive_for_truncation():
    result = se.gradcheck(SEED_X, SEED_THETA, method="central", h=0.1)
    assert result.status == "inconclusive"
    assert result.suggestion == "truncation dominates at h = 1e-1; try h ≈ 6e-6"


@pytest.mark.parametrize("entry", [(i, k) for i in range(4) for k in range(4)])
def test_a_wrong_entry_fails_wherever_the_check_is_conclusive(entry):
    """A 2% error in one entry at h = 0.1 forward: never "passed"; "failed" wherever the
    error exceeds what the difference's own error explains."""
    analytic = se.jacobian(SEED_X, SEED_THETA)
    analytic[entry] *= 1.02
    result = se.gradcheck(SEED_X, SEED_THETA, method="forward", h=0.1, analytic=analytic)
    assert not result.passed
    tolerance = result.atol + result.rtol * np.abs(analytic)
    explained = result.abs_error <= tolerance + result.error_estimate
    assert (result.status == "failed") == (not explained.all())
    if entry == (2, 2):  # the largest entry: its 2% is beyond the difference's error
        assert result.status == "failed"
        assert result.worst == (2, 2)


@given(states(), st.sampled_from(["theta", "x", "z"]))
def test_complex_step_is_exact_to_machine_precision(state, wrt):
    x, theta, temperature = state
    result = se.gradcheck(x, theta, wrt=wrt, method="complex", temperature=temperature)
    scale = np.max(np.abs(result.analytic))
    assert result.max_abs_error <= 1e-13 * scale + 1e-300


@pytest.mark.parametrize("method", se.METHODS)
def test_check_jacobian_of_a_function_that_is_not_softmax(method):
    v = np.array([0.7, -1.2])
    right = se.check_jacobian(cubic, lambda p: cubic_jacobian(*p), v, method, vectorized=True)
    assert right.passed, str(right)
    assert right.entry_name((1, 0)) == "df_1/dv_0"
    wrong = cubic_jacobian(*v)
    wrong[0, 1] *= 1.02
    result = se.check_jacobian(cubic, wrong, v, method)
    assert not result.passed
    assert result.worst == (0, 1)
    assert "df_0/dv_1" in str(result)


def test_check_jacobian_of_a_scalar_function_in_float32():
    v = np.float32([0.5, 2.0])
    result = se.check_jacobian(
        lambda p: np.sum(p**2), lambda p: 2 * p[None, :], v, "central", wrt="w", of="loss"
    )
    assert result.passed, str(result)
    assert result.numeric.dtype == np.float32
    assert result.entry_name() in {"dloss/dw_0", "dloss/dw_1"}  # one output: no index


def test_the_taylor_test_runs_when_first_read_and_once(monkeypatch):
    module = importlib.import_module("softmax_explorer.gradcheck")
    calls = []

    def counted(*args, **kwargs):
        calls.append(args)
        return taylor_test(*args, **kwargs)

    monkeypatch.setattr(module, "taylor_test", counted)
    result = se.gradcheck(SEED_X, SEED_THETA)
    assert calls == []  # the report that quotes it is written once the hand pauses
    first = result.taylor
    assert result.taylor is first
    assert len(calls) == 1
    model = Model.at(SEED_X, SEED_THETA)
    f, v = model.function("theta")
    direct = taylor_test(f, model.jacobian("theta"), v, vectorized=True)
    np.testing.assert_array_equal(first.remainders, direct.remainders)
    assert first.slope == direct.slope
    assert first.conclusive
    assert str(first) in str(result)
