"""The primitives on plain logits against scipy.special, mpmath and their own contract."""

import mpmath as mp
import numpy as np
import pytest
import scipy.special as sp
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from softmax_explorer import special

from . import reference as ref

EPS = float(np.finfo(np.float64).eps)

FUNCTIONS = [
    (special.softmax, sp.softmax),
    (special.log_softmax, sp.log_softmax),
    (special.logsumexp, sp.logsumexp),
]
SHAPES = [(5,), (3, 4), (2, 3, 4)]


@pytest.mark.parametrize(("ours", "scipys"), FUNCTIONS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_agrees_with_scipy_along_every_axis(ours, scipys, shape, dtype):
    z = np.random.default_rng(len(shape)).normal(0, 30, shape).astype(dtype)
    for axis in [*range(-len(shape), len(shape)), None]:
        got = ours(z, axis=axis)
        assert got.dtype == dtype
        expected = scipys(z.astype(np.float64), axis=axis)
        assert got.shape == np.shape(expected)
        # log_softmax near 0 is -log1p(small) here, log(1 + small) in scipy: compare absolutely
        eps = np.finfo(dtype).eps
        np.testing.assert_allclose(got, expected, rtol=1000 * eps, atol=4 * eps)


@pytest.mark.parametrize("keepdims", [False, True])
def test_logsumexp_keepdims_agrees_with_scipy(keepdims):
    z = np.arange(24.0).reshape(2, 3, 4)
    for axis in (0, 1, -1, None):
        got = special.logsumexp(z, axis=axis, keepdims=keepdims)
        np.testing.assert_allclose(got, sp.logsumexp(z, axis=axis, keepdims=keepdims))


def _mp_shifted(row):
    """``z_i - max(z)`` exactly (any two doubles' difference), and ``log sum exp`` of those."""
    peak = mp.mpf(float(np.max(row)))
    shifted = [mp.fsub(mp.mpf(float(v)), peak, exact=True) for v in row]
    return peak, shifted, mp.log(mp.fsum(mp.exp(s) for s in shifted))


@given(
    hnp.arrays(
        np.float64,
        st.integers(1, 12),
        elements=st.floats(-1e300, 1e300, allow_nan=False, allow_infinity=False),
    )
)
@example(np.full(5, -1.5))  # peak + log1p(4) cancels to 0.109: error relative to the terms
def test_logsumexp_and_softmax_match_mpmath(z):
    peak, shifted, log_total = _mp_shifted(z)
    lse = float(peak + log_total)
    # peak + log1p(rest): each term rounded, then their sum; where they cancel, the error is
    # relative to the terms, not to the result (Blanchard, Higham and Higham, 2021)
    terms = float(abs(peak) + abs(log_total))
    assert abs(float(special.logsumexp(z)) - lse) <= max(2 * EPS * terms, 1e-300)
    expected = [float(mp.exp(s - log_total)) for s in shifted]
    np.testing.assert_allclose(special.softmax(z), expected, rtol=1e-14, atol=1e-300)
    log_expected = [float(s - log_total) for s in shifted]
    np.testing.assert_allclose(special.log_softmax(z), log_expected, rtol=1e-14, atol=1e-300)


def test_the_model_is_the_primitive_of_its_logits():
    x, theta = np.array([1.0, 4, 3, 2]), np.array([0.3, 0.1, 0.9, 0.5])
    np.testing.assert_allclose(
        special.softmax(x * theta), [float(v) for v in ref.softmax(x, theta)], rtol=1e-15
    )


def test_overflow_case_is_one_hot_and_shift_invariant():
    np.testing.assert_array_equal(special.softmax([1000.0, 0, 0, 0]), [1, 0, 0, 0])
    z = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(special.softmax(z + 700), special.softmax(z), rtol=1e-15)
    assert special.logsumexp(np.full(3, 1e308)) == pytest.approx(1e308 + np.log(3))


def test_minus_infinity_has_weight_zero_without_warnings():
    z = np.array([[0.0, -np.inf, 1.0], [-np.inf, 2.0, 2.0]])
    g = special.softmax(z)
    assert g[0, 1] == 0
    np.testing.assert_allclose(g[1], [0, 0.5, 0.5])
    assert special.log_softmax(z)[0, 1] == -np.inf
    np.testing.assert_allclose(special.logsumexp(z), sp.logsumexp(z, axis=-1))


def test_integers_become_float64_and_complex_is_accepted_by_softmax():
    assert special.softmax([1, 2, 3]).dtype == np.float64
    g = special.softmax(np.array([1.0, 2.0 + 1e-20j, 3.0]))
    assert g.dtype == np.complex128
    np.testing.assert_allclose(g.real, sp.softmax([1.0, 2.0, 3.0]), rtol=1e-15)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: special.softmax("1, 2"), TypeError, "must be numbers, got the text"),
        (lambda: special.softmax(3.0), ValueError, "got the scalar 3.0"),
        (lambda: special.softmax([]), ValueError, "empty along the axis"),
        (lambda: special.softmax([1.0, np.nan]), ValueError, r"z has nan at \(1,\)"),
        (lambda: special.logsumexp([np.inf, 0.0]), ValueError, "finite or -inf"),
        (lambda: special.softmax([-np.inf, -np.inf]), ValueError, "-inf everywhere"),
        (lambda: special.softmax(np.ones((2, 3)), axis=2), ValueError, "axis 2 is out of bounds"),
        (lambda: special.log_softmax([1j, 0]), TypeError, "real logits"),
    ],
)
def test_bad_input_raises_with_its_message(call, error, message):
    with pytest.raises(error, match=message):
        call()
