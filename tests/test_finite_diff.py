"""Finite-difference schemes and the step sweep, on functions that are not the softmax model."""

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import softmax_explorer as se
from softmax_explorer.finite_diff import STEP_RANGE, default_steps, expected_error

from .test_model import SEED_THETA, SEED_X

EPS64 = np.finfo(np.float64).eps


def cubic(v):
    """f(a, b) = (a^3 b, sin(a) + b^2): an independent test function with a known Jacobian."""
    a, b = v[..., 0], v[..., 1]
    return np.stack([a**3 * b, np.sin(a) + b**2], axis=-1)


def cubic_jacobian(a, b):
    return np.array([[3 * a**2 * b, a**3], [np.cos(a), 2 * b]])


@pytest.mark.parametrize("method", se.METHODS)
@pytest.mark.parametrize("vectorized", [False, True])
def test_any_function(method, vectorized):
    v = np.array([0.7, -1.2])
    numeric = se.numerical_jacobian(cubic, v, method, vectorized=vectorized)
    assert numeric.shape == (2, 2)
    np.testing.assert_allclose(numeric, cubic_jacobian(*v), rtol=100 * expected_error(method))


def test_scalar_function_and_float32():
    numeric = se.numerical_jacobian(lambda v: np.sum(v**2), np.float32([1, 2, 3]), "central")
    assert numeric.dtype == np.float32
    assert numeric.shape == (1, 3)
    np.testing.assert_allclose(numeric[0], [2, 4, 6], rtol=1e-3)


def test_default_steps_are_the_theoretical_ones():
    eps = EPS64
    assert se.optimal_step("forward") == pytest.approx(eps**0.5)
    assert se.optimal_step("backward") == pytest.approx(eps**0.5)
    assert se.optimal_step("central") == pytest.approx(eps ** (1 / 3))
    assert se.optimal_step("richardson") == pytest.approx(eps ** (1 / 5))
    assert se.optimal_step("central", np.float32) == pytest.approx(
        np.finfo(np.float32).eps ** (1 / 3)
    )


def test_large_arguments_use_relative_steps():
    v = np.array([1e6])
    numeric = se.numerical_jacobian(lambda u: u**2, v, "central")
    assert numeric[0, 0] == pytest.approx(2e6, rel=1e-9)


def test_complex_step_reaches_machine_precision_at_tiny_steps():
    v = np.array([0.7, -1.2])
    for h in (1e-20, 1e-100):
        numeric = se.numerical_jacobian(cubic, v, "complex", h=h)
        np.testing.assert_allclose(numeric, cubic_jacobian(*v), rtol=2 * EPS64)


def test_seed_step_sweep_shows_the_v():
    f = lambda th: se.softmax(SEED_X, th)  # noqa: E731
    analytic = se.jacobian(SEED_X, SEED_THETA)
    sweep = se.step_sweep(f, SEED_THETA, analytic, vectorized=True)
    assert set(sweep.errors) == set(se.METHODS)
    for method in ("forward", "backward", "central", "richardson"):
        errors = sweep.errors[method]
        best = int(np.argmin(errors))
        assert 0 < best < len(errors) - 1, method  # a minimum inside the range: a V
        assert errors[0] > 100 * errors[best], method
        assert errors[-1] > 100 * errors[best], method
        # the measured best step lies within a factor 30 of the theory
        assert abs(np.log10(sweep.best_step(method) / se.optimal_step(method))) < 1.5, method
    assert np.max(sweep.errors["complex"][sweep.steps <= 1e-8]) <= 4 * EPS64
    # the sweep equals numerical_jacobian step by step
    for k in (0, 30, 60):
        est = se.numerical_jacobian(f, SEED_THETA, "central", h=sweep.steps[k])
        assert sweep.errors["central"][k] == np.max(np.abs(est - analytic))


def test_a_sweep_evaluates_the_real_schemes_points_in_one_call_with_the_same_values():
    calls = []

    def f(stack):
        calls.append(np.asarray(stack).shape)
        return se.softmax(SEED_X, stack)

    analytic = se.jacobian(SEED_X, SEED_THETA)
    sweep = se.step_sweep(f, SEED_THETA, analytic, vectorized=True)
    # the real schemes' points (the point itself and four offsets) at once, then the complex step
    s, n = sweep.steps.size, len(SEED_THETA)
    assert calls == [(4 * s * n + 1, n), (s * n, n)]
    # row by row the same values as a call per point (`vectorized=False`)
    one_by_one = se.step_sweep(lambda th: se.softmax(SEED_X, th), SEED_THETA, analytic)
    for method in se.METHODS:
        np.testing.assert_array_equal(sweep.errors[method], one_by_one.errors[method])


def test_float32_sweep_moves_the_v():
    x, theta = np.float32(SEED_X), np.float32(SEED_THETA)
    sweep = se.step_sweep(
        lambda th: se.softmax(x, th), theta, se.jacobian(x, theta), vectorized=True
    )
    assert sweep.dtype == np.float32
    best = sweep.best_step("central")
    assert 1e-4 < best < 1e-1  # float64's best central step is ~6e-6
    assert np.nanmin(sweep.errors["central"]) > 1e-7


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: se.numerical_jacobian(np.sin, [1.0], "secant"), r"unknown method='secant'"),
        (lambda: se.numerical_jacobian(np.sin, [1.0], h=0), r"step h must be finite and > 0"),
        (lambda: se.numerical_jacobian(np.sin, [1.0], h=np.nan), r"step h must be finite"),
    ],
)
def test_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_default_steps_span_the_step_range():
    steps = default_steps(21)
    assert (steps[0], steps[-1]) == pytest.approx(STEP_RANGE, rel=1e-12)
    assert np.all(np.diff(np.log10(steps)) == pytest.approx(0.75))


@given(st.integers(0, 2**32 - 1))
@example(0)
def test_forward_difference_error_is_a_v(seed):
    """Error at h=1e-1 (truncation) and at h=1e-14 (round-off) both >= 100x the default step's.

    The states are generic (|x_k| in [0.5, 2], random theta): where x is near 0 the function is
    nearly flat and no step size has anything to show.
    """
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 9))
    x = rng.uniform(0.5, 2, n) * rng.choice([-1, 1], n)
    theta = rng.uniform(-2, 2, n)
    sweep = se.step_sweep(
        lambda th: se.softmax(x, th),
        theta,
        se.jacobian(x, theta),
        steps=[1e-1, se.optimal_step("forward"), 1e-14],
        methods=["forward"],
        vectorized=True,
    )
    big, best, tiny = sweep.errors["forward"]
    assert big >= 100 * best
    assert tiny >= 100 * best


def test_step_below_resolution_is_refused():
    with pytest.raises(ValueError, match=r"step h=1.0e-10 is below the resolution of float32"):
        se.numerical_jacobian(np.sin, np.float32([1.0]), "forward", h=1e-10)


def test_a_sweep_marks_the_steps_it_cannot_take():
    v = np.float32([4.0, 0.5])
    sweep = se.step_sweep(
        lambda p: np.sin(p), v, np.diag(np.cos(v)), steps=[1e-9, 1e-8, 1e-6, 1e-3]
    )
    # float32 at 4: its spacing is 4.8e-7, so relative steps of 1e-9 and 1e-8 (4e-9, 4e-8) vanish
    np.testing.assert_array_equal(sweep.resolved, [False, False, True, True])
    for method in ("forward", "backward", "central", "richardson"):
        assert np.all(np.isnan(sweep.errors[method][:2]))
        assert np.all(np.isfinite(sweep.errors[method][2:]))
    assert np.all(np.isfinite(sweep.errors["complex"]))
    assert sweep.best_step("central") in (1e-6, 1e-3)
    assert np.isnan(sweep.error_at("forward", 1e-9))
    assert np.isfinite(sweep.error_at("forward", 1e-5))


def test_a_step_below_the_resolution_is_refused_with_its_numbers():
    from softmax_explorer.finite_diff import StepError

    with pytest.raises(StepError) as refused:
        se.numerical_jacobian(np.sin, np.array([0.3, 1e4], dtype=np.float32), "forward", h=1e-10)
    err = refused.value
    assert (err.h, err.dtype, err.index, err.value) == (1e-10, "float32", 0, pytest.approx(0.3))
    assert err.reason == "step h=1.0e-10 is below the resolution of float32 at v[0]=0.3"
    assert str(err).startswith(err.reason + ": v + h == v")
