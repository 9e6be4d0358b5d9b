"""Sparsemax and 1.5-entmax beside softmax: the mappings against bisection in mpmath, their
Jacobians against finite differences away from kinks, the gradient check's kink verdict and the
Taylor remainder test."""

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import softmax_explorer as se
from softmax_explorer import special
from softmax_explorer.gradcheck import check_jacobian
from softmax_explorer.model import Model
from softmax_explorer.taylor import taylor_test

from . import reference as ref
from .test_model import SEED_THETA, SEED_X

SPARSE = ["sparsemax", "entmax15"]
LOGITS = hnp.arrays(np.float64, st.integers(1, 10), elements=st.floats(-30, 30))


@given(LOGITS)
@example(np.array([1.0, 0.0, -0.5]))  # a class exactly at sparsemax's tau
@example(np.array([3.0, 1.0, 0.2, -5.0]))  # a class exactly at entmax's tau
def test_the_mappings_match_bisection_in_mpmath(z):
    for name in SPARSE:
        got = getattr(special, name)(z)
        expected = [float(v) for v in getattr(ref, name)(z)]
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14, err_msg=name)
        assert float(np.sum(got)) == pytest.approx(1.0, abs=1e-12)
        assert np.all(got >= 0)


def test_exact_zeros_huge_logits_float32_and_any_axes():
    assert special.sparsemax([1.0, 0.5, -1.0]).tolist() == [0.75, 0.25, 0.0]
    huge = np.array([1e308, 1e308 - 1e292, -1e308, -np.inf])
    for name in SPARSE:
        mapping = getattr(special, name)
        out = mapping(huge)
        assert np.all(np.isfinite(out))
        assert out[2] == out[3] == 0  # far below: exactly 0
        z32 = np.array([[2.0, 1.0, 0.0], [0.5, 0.5, 0.5]], dtype=np.float32)
        assert mapping(z32).dtype == np.float32
        np.testing.assert_allclose(mapping(z32)[1], 1 / 3, rtol=1e-6)
        np.testing.assert_allclose(mapping(z32.T, axis=0), mapping(z32).T)
        assert mapping(5.0) == 1.0
        with pytest.raises(ValueError, match="z has nan"):
            mapping([np.nan, 1.0])


@pytest.mark.parametrize("mapping", SPARSE)
@pytest.mark.parametrize("wrt", ["theta", "x", "z", "temperature"])
@pytest.mark.parametrize("method", ["central", "complex", "richardson"])
def test_the_jacobians_pass_the_gradient_check_away_from_kinks(mapping, wrt, method):
    result = se.gradcheck(SEED_X, SEED_THETA, wrt, method, temperature=3.0, mapping=mapping)
    assert result.status == "passed", result.report()
    assert not result.kinks.any()


@pytest.mark.parametrize("mapping", SPARSE)
def test_a_wrong_jacobian_away_from_kinks_still_fails(mapping):
    model = Model.at(SEED_X, SEED_THETA, 3.0, mapping)
    wrong = model.jacobian("theta").copy()
    wrong[2, 1] += 0.01
    result = se.gradcheck(SEED_X, SEED_THETA, temperature=3.0, mapping=mapping, analytic=wrong)
    assert result.status == "failed"
    assert result.worst == (2, 1)
    assert result.taylor.conclusive
    assert not result.taylor.passed


def test_a_class_exactly_at_tau_is_a_kink_not_a_failure():
    """sparsemax([1, 0, -0.5]): tau = 0, class 2 sits on the support's edge; its one-sided
    slopes differ, and the check says so by name instead of reporting a wrong derivative."""
    z = np.array([1.0, 0.0, -0.5])
    model = Model.at(z, [1.0, 1.0, 1.0], 1.0, "sparsemax")
    result = se.gradcheck(z, [1.0, 1.0, 1.0], "z", mapping="sparsemax")
    assert model.probs().tolist() == [1.0, 0.0, 0.0]
    assert result.status == "nondifferentiable"
    assert result.kinks[1, 1]
    assert (result.forward[1, 1], result.backward[1, 1]) == pytest.approx((0.5, 0.0), abs=1e-6)
    report = result.report(base=1)
    assert report.startswith("gradcheck: not differentiable here (from 1): ")
    named = ["dg_1/dz_1", "dg_1/dz_2", "dg_2/dz_1"]  # the first three, in the matrix's order
    assert [report.index(f"{name}: one-sided slopes") for name in named] == sorted(
        report.index(f"{name}: one-sided slopes") for name in named
    )
    assert "dg_2/dz_1: one-sided slopes 0 and -0.5" in report  # named with both slopes
    assert "and 1 more" in report  # dg_2/dz_2, the fourth
    assert not result.kinks[:, 2].any()  # class 3, far below, has no kink
    # 1.5-entmax is differentiable on its support's edge: p = (z/2 - tau)^2 leaves it with a
    # slope of 0 from both sides ([3, 1, 0.2, -5] puts class 2 there); no kink is claimed
    edge = se.gradcheck([3.0, 1.0, 0.2, -5.0], [1, 1, 1, 1], "z", mapping="entmax15")
    assert not edge.kinks.any()
    assert edge.status != "failed"
    np.testing.assert_allclose(edge.forward, edge.backward, atol=1e-4)


def test_the_step_v_shows_the_kinks_signature():
    """At a kink the central difference's error does not fall with the step: a flat line
    instead of the V's right arm."""
    from softmax_explorer.finite_diff import step_sweep

    z = np.array([1.0, 0.0, -0.5])
    model = Model.at(z, [1.0, 1.0, 1.0], 1.0, "sparsemax")
    f, v = model.function("z")
    steps = np.logspace(-8, -2, 7)
    sweep = step_sweep(f, v, model.jacobian("z"), steps, ("central",), vectorized=True)
    np.testing.assert_allclose(sweep.errors["central"], 0.25, rtol=1e-6)  # half the jump
    smooth = Model.at(z, [1.0, 1.0, 1.0], 1.0, "softmax")
    f, v = smooth.function("z")
    sweep = step_sweep(f, v, smooth.jacobian("z"), steps, ("central",), vectorized=True)
    assert sweep.errors["central"][-1] > 1e3 * sweep.errors["central"][3]  # truncation: the V


@pytest.mark.parametrize("mapping", ["softmax", *SPARSE])
def test_the_cross_entropy_and_its_gradient_where_defined(mapping):
    model = Model.at(SEED_X, SEED_THETA, 3.0, mapping)
    g = model.probs()
    target = int(np.argmax(g))
    assert model.cross_entropy(target) == pytest.approx(-np.log(g[target]), rel=1e-14)
    f, v = model.function("theta")
    loss = lambda th: -np.log(f(np.atleast_2d(th))[:, target]).reshape(-1, 1)  # noqa: E731
    grad = model.cross_entropy_grad(target, "theta").reshape(1, -1)
    assert check_jacobian(loss, grad, v, vectorized=True).status == "passed"


@pytest.mark.parametrize("mapping", SPARSE)
def test_a_target_outside_the_support_is_refused_by_name(mapping):
    g = se.probabilities(SEED_X, SEED_THETA, mapping=mapping)
    assert g[0] == 0
    with pytest.raises(ValueError, match=f"class 1 has probability 0 under {mapping}"):
        se.cross_entropy(SEED_X, SEED_THETA, 0, mapping=mapping)
    with pytest.raises(ValueError, match="its cross-entropy is infinite"):
        se.cross_entropy_grad(SEED_X, SEED_THETA, 0, mapping=mapping)


def test_an_unknown_mapping_is_named():
    with pytest.raises(ValueError, match="unknown mapping='hardmax': choose one of softmax"):
        se.jacobian(SEED_X, SEED_THETA, mapping="hardmax")


def test_the_taylor_test_for_any_function():
    f = lambda v: np.array([np.exp(v[0]) * v[1], v[1] ** 3])  # noqa: E731
    right = lambda v: np.array([[np.exp(v[0]) * v[1], np.exp(v[0])], [0, 3 * v[1] ** 2]])  # noqa: E731
    v = np.array([0.3, -1.2])
    good = taylor_test(f, right, v)
    assert good.passed
    assert good.slope == pytest.approx(2, abs=0.05)
    off = np.array([[0.0, 0.0], [0.1, 0.0]])  # one entry wrong by 0.1
    bad = taylor_test(f, lambda u: right(u) + off, v, direction=[1.0, 0.5])
    assert bad.conclusive
    assert not bad.passed
    assert bad.slope == pytest.approx(1, abs=0.05)
    # remainders halve (or quarter) with e: the ratio of consecutive ones says the same
    ratio = good.remainders[good.used][:-1] / good.remainders[good.used][1:]
    np.testing.assert_allclose(ratio, 4, rtol=0.05)
    linear = taylor_test(lambda u: 2 * u, 2 * np.eye(2), v)  # only round-off: no slope
    assert not linear.conclusive
    assert np.isnan(linear.slope)
    with pytest.raises(ValueError, match="direction must be a non-zero vector of 2"):
        taylor_test(f, right, v, direction=[0.0, 0.0])
    # a function of a stack of points gives the same test in one call
    calls = []
    stacked = lambda p: calls.append(p.shape) or np.stack([f(u) for u in p])  # noqa: E731
    batch = taylor_test(stacked, right, v, vectorized=True)
    assert len(calls) == 1
    np.testing.assert_array_equal(batch.remainders, good.remainders)


def test_a_step_that_reaches_a_kink_nearby_is_inconclusive_not_failed():
    """Next to a kink (the near_kink preset: class 2 is 0.05 inside the support), a right
    derivative checked with a step that reaches across the kink is not called wrong."""
    from softmax_explorer.results import compute
    from softmax_explorer.state import PRESETS

    near = PRESETS["near_kink"].state
    assert compute(near).check.status == "passed"  # h = 1e-6: one side only
    wide = compute(near.replace(h=0.1)).check
    assert wide.status == "inconclusive"
    assert wide.suggestion.startswith("a kink lies within h = 1e-1 of this point")
    assert not wide.kinks.any()  # differentiable here
    smooth = compute(near.replace(h=0.1, mapping="softmax")).check
    assert "kink" not in smooth.suggestion
    # a wrong derivative of a smooth function at a large step still fails
    model = Model.at(SEED_X, SEED_THETA, 1.0)
    wrong = model.jacobian("theta") * 1.2
    result = se.gradcheck(SEED_X, SEED_THETA, "theta", "central", h=1e-2, analytic=wrong)
    assert result.status == "failed"
