"""The sampler's distribution, the entropy and draws, against references written from the
definitions (tests/reference.py, mpmath at 60 digits) and the finite-difference engine."""

import re

import mpmath as mp
import numpy as np
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import softmax_explorer as se
from softmax_explorer import special

from . import reference as ref
from .test_model import SEED_THETA, SEED_X

LOGITS = hnp.arrays(np.float64, st.integers(1, 12), elements=st.floats(-50, 50, width=64))
OPTIONS = st.fixed_dictionaries(
    {
        "temperature": st.floats(0.05, 20),
        "top_k": st.none() | st.integers(1, 14),
        "top_p": st.none() | st.floats(0.01, 1.0),
        "min_p": st.none() | st.floats(0.001, 1.0),
        "temperature_last": st.booleans(),
    }
)


@given(LOGITS, OPTIONS)
@example(np.array([2.0, 1.0, 1.0, -3.0]), {"temperature": 1.0, "top_k": 2, "top_p": None,
                                            "min_p": None, "temperature_last": False})  # fmt: skip
def test_sampling_probs_match_the_definitions(z, options):
    expected, margin = ref.sampling_probs(
        z, options["temperature"], options["top_k"], options["top_p"], options["min_p"],
        options["temperature_last"],
    )  # fmt: skip
    assume(margin > 1e-9)  # a decision rounding could tip is left out
    got = special.sampling_probs(z, **options)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, [float(v) for v in expected], rtol=1e-12, atol=1e-300)
    removed = np.array([v == 0 for v in expected])
    assert np.all(got[removed] == 0)  # exactly 0 (a kept class may underflow to 0 as well)
    assert got.max() > 0
    assert float(np.sum(got)) == pytest.approx(1.0, abs=1e-12)


def test_the_order_of_the_stages_changes_what_is_kept():
    """top-p 0.8: at T = 2 (applied first) three classes make up 80%; at T = 1, where the
    temperature comes last, two do, and the temperature then flattens those two."""
    z = [3.0, 2.0, 1.0, 0.0]
    first = special.sampling_probs(z, 2.0, top_p=0.8)
    last = special.sampling_probs(z, 2.0, top_p=0.8, temperature_last=True)
    np.testing.assert_array_equal(first > 0, [True, True, True, False])
    np.testing.assert_array_equal(last > 0, [True, True, False, False])
    np.testing.assert_allclose(last[:2], special.softmax([1.5, 1.0]), rtol=1e-15)


def test_each_stage_on_a_hand_example():
    z = np.log([0.5, 0.3, 0.15, 0.05])
    np.testing.assert_allclose(special.sampling_probs(z, top_k=2), [0.625, 0.375, 0, 0])
    np.testing.assert_allclose(special.sampling_probs(z, top_p=0.5), [1, 0, 0, 0])  # 0.5 reaches
    np.testing.assert_allclose(special.sampling_probs(z, top_p=0.6), [0.625, 0.375, 0, 0])
    kept = np.array([0.5, 0.3, 0.15, 0]) / 0.95  # min-p 0.25: at least 0.125
    np.testing.assert_allclose(special.sampling_probs(z, min_p=0.25), kept)
    ties = special.sampling_probs([1.0, 1.0, 1.0, 0.0], top_k=1)  # ties with the k-th are kept
    np.testing.assert_allclose(ties, [1 / 3, 1 / 3, 1 / 3, 0])
    assert special.sampling_probs(z, top_p=1.0, min_p=1.0).tolist() == [1, 0, 0, 0]


def test_stable_for_huge_logits_float32_kept_batches_and_axes():
    huge = np.array([1e300, -1e300, 1e300 - 1e290, 0.0])
    probs = special.sampling_probs(huge, 0.5, top_p=0.9, min_p=0.5)
    assert np.all(np.isfinite(probs))
    assert probs.tolist() == [1.0, 0.0, 0.0, 0.0]
    z32 = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 5.0]], dtype=np.float32)
    out = special.sampling_probs(z32, 0.7, top_k=2)
    assert out.dtype == np.float32
    for row, got in zip(z32, out, strict=True):  # a batch is its rows
        np.testing.assert_allclose(got, special.sampling_probs(row, 0.7, top_k=2), rtol=1e-6)
    np.testing.assert_allclose(
        special.sampling_probs(z32.T, 0.7, top_k=2, axis=0), out.T, rtol=1e-6
    )
    minus = special.sampling_probs([0.0, -np.inf, 1.0], top_k=3)
    assert minus[1] == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"temperature": 0.0}, "temperature must be > 0"),
        ({"temperature": float("nan")}, "temperature must be a finite number"),
        ({"top_k": 0}, "top_k must be a whole number >= 1"),
        ({"top_k": 2.5}, "top_k must be a whole number"),
        ({"top_p": 0.0}, r"top_p must be in \(0, 1\]"),
        ({"top_p": 1.5}, r"top_p must be in \(0, 1\]"),
        ({"min_p": -0.1}, r"min_p must be in \(0, 1\]"),
        ({"top_p": True}, r"top_p must be in \(0, 1\]"),
    ],
)
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        special.sampling_probs([1.0, 2.0], **kwargs)


@given(hnp.arrays(np.float64, st.integers(1, 10), elements=st.floats(-1e300, 1e300)))
@example(np.zeros(7))
def test_the_entropy_of_plain_logits_matches_mpmath(z):
    got = float(special.entropy(z))
    expected = float(ref.entropy(z))
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-14)
    assert -1e-15 <= got <= np.log(z.size) + 1e-12


def test_the_entropy_of_equal_logits_is_log_n_in_either_dtype():
    for dtype in (np.float64, np.float32):
        h = special.entropy(np.full((2, 5), 3.0, dtype=dtype))
        assert h.dtype == dtype
        np.testing.assert_allclose(h, np.log(5), rtol=4 * np.finfo(dtype).eps)


def _mp_entropy_of(x, theta, t):
    """The model's entropy in mpmath, its arguments kept at mpmath's precision (for mp.diff)."""
    z = [mp.mpf(a) * mp.mpf(b) / mp.mpf(t) for a, b in zip(x, theta, strict=True)]
    peak = max(z)
    e = [mp.exp(v - peak) for v in z]
    total = mp.fsum(e)
    return -mp.fsum((v / total) * mp.log(v / total) for v in e)


def test_the_models_entropy_and_its_gradients_match_mpmath():
    x, theta, t = SEED_X, SEED_THETA, 0.7
    assert se.entropy(x, theta, t) == pytest.approx(float(_mp_entropy_of(x, theta, t)), rel=1e-14)
    with mp.workdps(60):
        dt = mp.diff(lambda tt: _mp_entropy_of(x, theta, tt), mp.mpf(t))
        dtheta = [
            mp.diff(lambda v, k=k: _mp_entropy_of(x, [*theta[:k], v, *theta[k + 1 :]], t),
                    mp.mpf(theta[k]))
            for k in range(4)
        ]  # fmt: skip
        dx = [
            mp.diff(lambda v, k=k: _mp_entropy_of([*x[:k], v, *x[k + 1 :]], theta, t),
                    mp.mpf(x[k]))
            for k in range(4)
        ]  # fmt: skip
    assert se.entropy_gradient(x, theta, t) == pytest.approx(float(dt), rel=1e-13)
    np.testing.assert_allclose(
        se.entropy_gradient(x, theta, t, wrt="theta"), [float(v) for v in dtheta], rtol=1e-12
    )
    np.testing.assert_allclose(
        se.entropy_gradient(x, theta, t, wrt="x"), [float(v) for v in dx], rtol=1e-12
    )


def test_dh_dt_is_the_variance_of_u_over_t_cubed_and_never_negative():
    rng = np.random.default_rng(3)
    for _ in range(20):
        x, theta, t = rng.normal(size=6), rng.normal(size=6), float(rng.uniform(0.1, 5))
        g = se.softmax(x, theta, t)
        u = x * theta
        variance = np.sum(g * (u - np.sum(g * u)) ** 2)
        assert se.entropy_gradient(x, theta, t) == pytest.approx(variance / t**3, rel=1e-12)
        assert se.entropy_gradient(x, theta, t) >= 0


@pytest.mark.parametrize("wrt", ["temperature", "theta", "x", "z"])
@pytest.mark.parametrize("method", ["central", "complex", "richardson"])
def test_the_entropys_derivatives_pass_the_gradient_check(wrt, method):
    result = se.gradcheck(SEED_X, SEED_THETA, wrt, method, temperature=0.8, of="entropy")
    assert result.status == "passed", result.report()
    analytic = se.entropy_gradient(SEED_X, SEED_THETA, 0.8, wrt)
    np.testing.assert_array_equal(result.analytic.ravel(), np.ravel(analytic))
    wrong = np.multiply(analytic, 1.01)  # a derivative off by 1% fails
    failed = se.gradcheck(SEED_X, SEED_THETA, wrt, method, temperature=0.8, of="entropy",
                          analytic=wrong)  # fmt: skip
    assert failed.status == "failed"
    if wrt == "temperature":
        assert "worst entry dH/dT" in failed.report()
    else:
        assert re.search(rf"worst entry dH/d{wrt}_\d", failed.report())


def test_gradcheck_of_the_entropy_refuses_what_it_cannot_check():
    with pytest.raises(ValueError, match="of must be one of"):
        se.gradcheck(SEED_X, SEED_THETA, of="loss")
    with pytest.raises(
        ValueError, match=r"analytic has shape \(3,\); dH/dtheta needs shape \(4,\)"
    ):
        se.gradcheck(SEED_X, SEED_THETA, of="entropy", analytic=[1.0, 2.0, 3.0])


def test_draws_are_reproducible_and_near_their_expectation():
    probs = special.sampling_probs(np.log([0.5, 0.3, 0.15, 0.05]), top_k=3)
    first, again = special.draw(probs, 1000, seed=7), special.draw(probs, 1000, seed=7)
    np.testing.assert_array_equal(first.classes, again.classes)
    assert first.counts.sum() == 1000
    assert first.counts[3] == 0  # a removed class is never drawn
    np.testing.assert_allclose(first.expected, 1000 * probs)
    assert first.distance < 0.05
    assert special.draw(probs, 1000, seed=8).classes.tolist() != first.classes.tolist()
    many = special.draw(probs, 1_000_000, seed=1)
    assert many.distance < 0.003  # the law of large numbers at work
    assert special.draw(probs, 0, seed=1).distance == 0.0
    # the distance is the total variation between frequencies and probabilities
    assert first.distance == pytest.approx(0.5 * np.abs(first.counts / 1000 - probs).sum())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([0.5, 0.6], 10), "sums to 1.1"),
        (([-0.5, 1.5], 10), "finite and >= 0"),
        (([[0.5, 0.5]], 10), "1-D array"),
        (([0.5, 0.5], -1), "samples must be a whole number"),
        (([0.5, 0.5], 10**8), "samples must be a whole number from 0 to"),
        (([0.5, 0.5], 10, -3), "seed must be a whole number >= 0"),
        (([0.5, 0.5], 10, "x"), "seed must be a whole number"),
    ],
)
def test_bad_draws_are_named(args, message):
    with pytest.raises(ValueError, match=message):
        special.draw(*args)
