"""The primitives on plain logits against scipy.special, mpmath and their own contract."""

import math

import mpmath as mp
import numpy as np
import pytest
import scipy.special as sp
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from softmax_explorer import special
from softmax_explorer.special import kernels

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
@example(np.array([0.9, 109.0]))  # 0.9 - 109 rounded: exp(-108.1) off by 1e-14, relative
@example(np.array([111.0, 0.0]))  # log1p(exp(-111)): 60 digits would not hold 1 + exp(-111)
def test_logsumexp_and_softmax_match_mpmath(z):
    # log(1 + t) keeps a t as small as exp(-745) (the smallest double's scale) at 400 digits
    with mp.workdps(400):
        peak, shifted, log_total = _mp_shifted(z)
        lse = float(peak + log_total)
        terms = float(abs(peak) + abs(log_total))
        expected = [float(mp.exp(s - log_total)) for s in shifted]
        log_expected = [float(s - log_total) for s in shifted]
        spread = max(abs(float(s)) for s in shifted if s > -750)
    # peak + log1p(rest): each term rounded, then their sum; where they cancel, the error is
    # relative to the terms, not to the result (Blanchard, Higham and Higham, 2021)
    assert abs(float(special.logsumexp(z)) - lse) <= max(2 * EPS * terms, 1e-300)
    # z_i - max(z) is rounded to a double: exp of it is off by up to |z_i - max(z)| * EPS / 2,
    # relative, for every class that contributes (the others' exp is 0)
    rtol = max(1e-14, 2 * EPS * (2 + spread))
    np.testing.assert_allclose(special.softmax(z), expected, rtol=rtol, atol=1e-300)
    np.testing.assert_allclose(special.log_softmax(z), log_expected, rtol=rtol, atol=1e-300)


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
        (lambda: special.softmax([]), ValueError, "empty along the axis"),
        (lambda: special.softmax(3.0, axis=1), ValueError, "out of bounds for a scalar z"),
        (lambda: special.softmax(np.ones((2, 3)), axis=(0, 0)), ValueError, "named twice"),
        (lambda: special.softmax(np.ones(2), axis=0.5), TypeError, "an int, a tuple of ints"),
        (lambda: special.logsumexp([np.nan]), ValueError, r"z has nan at \(0,\)"),
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


# scipy's own test cases (scipy/special/tests/test_logsumexp.py), with the expected values it
# takes from mpmath; scipy's default axis is None, so it is given
_X = np.arange(4.0)
_X2 = np.array([[-25.0, 0.0, 25.0, 50.0], [1.0, 325.0, 749.0, 750.0]])
_SOFTMAX_X = [0.03205860328008499, 0.08714431874203256, 0.23688281808991013, 0.6439142598879722]
_SOFTMAX_X2 = [
    [2.678636961770877e-33, 1.9287498479371314e-22, 1.3887943864771144e-11, 0.999999999986112],
    [0.0, 1.9444526359919372e-185, 0.2689414213699951, 0.7310585786300048],
]
_LOG_SOFTMAX_X = [-3.4401896985611953, -2.4401896985611953, -1.4401896985611953,
                  -0.44018969856119533]  # fmt: skip
SCIPY_CASES = [
    ("logsumexp", [], {"axis": None}, -np.inf),
    ("logsumexp", np.arange(200.0), {"axis": None}, np.log(np.sum(np.exp(np.arange(200.0))))),
    ("logsumexp", [1000.0, 1000.0], {"axis": None}, 1000.0 + np.log(2.0)),
    ("logsumexp", np.full(1000, 10000), {"axis": None}, 10000.0 + np.log(1000)),
    ("logsumexp", [-np.inf], {"axis": None}, -np.inf),
    ("logsumexp", [-np.inf, -np.inf], {"axis": None}, -np.inf),
    ("logsumexp", [[1e10, 1e-10], [-1e10, -np.inf]], {"axis": -1}, [1e10, -1e10]),
    ("logsumexp", [[1e10, 1e-10], [-1e10, -np.inf]], {"axis": -1, "keepdims": True},
     [[1e10], [-1e10]]),
    ("logsumexp", [[1e10, 1e-10], [-1e10, -np.inf]], {"axis": (-1, -2)}, 1e10),
    ("logsumexp", [0.0, -40.0], {"axis": None}, np.logaddexp(0.0, -40.0)),
    ("logsumexp", 3.0, {"axis": None}, 3.0),
    ("softmax", [1000.0, 0.0, 0.0, 0.0], {"axis": None}, [1.0, 0.0, 0.0, 0.0]),
    ("softmax", [1.0, 1.0], {"axis": None}, [0.5, 0.5]),
    ("softmax", [0.0, 1.0], {"axis": None}, np.array([1.0, np.e]) / (1 + np.e)),
    ("softmax", _X, {"axis": None}, _SOFTMAX_X),
    ("softmax", _X + 100, {"axis": None}, _SOFTMAX_X),
    ("softmax", _X.reshape(2, 2), {"axis": None}, np.reshape(_SOFTMAX_X, (2, 2))),
    ("softmax", [[1000.0, 0.0], [1000.0, 0.0]], {"axis": 0}, [[0.5, 0.5], [0.5, 0.5]]),
    ("softmax", [[1000.0, 0.0], [1000.0, 0.0]], {"axis": 1}, [[1.0, 0.0], [1.0, 0.0]]),
    ("softmax", _X2, {"axis": 1}, _SOFTMAX_X2),
    ("softmax", _X2.T, {"axis": 0}, np.transpose(_SOFTMAX_X2)),
    ("softmax", _X2.reshape(2, 2, 2), {"axis": (1, 2)}, np.reshape(_SOFTMAX_X2, (2, 2, 2))),
    ("softmax", [1000, 0, 0, 0], {"axis": None}, [1.0, 0.0, 0.0, 0.0]),
    ("softmax", 1000, {"axis": None}, 1.0),
    ("log_softmax", _X, {"axis": None}, _LOG_SOFTMAX_X),
    ("log_softmax", _X + 100, {"axis": None}, _LOG_SOFTMAX_X),
    ("log_softmax", _X.reshape(2, 2), {"axis": None}, np.reshape(_LOG_SOFTMAX_X, (2, 2))),
    ("log_softmax", [[1000.0, 1.0], [1000.0, 1.0]], {"axis": 0}, np.log(0.5) * np.ones((2, 2))),
    ("log_softmax", [[1000.0, 1.0], [1000.0, 1.0]], {"axis": 1}, [[0.0, -999.0], [0.0, -999.0]]),
    ("log_softmax", np.arange(8.0).reshape(2, 4), {"axis": 1}, [_LOG_SOFTMAX_X] * 2),
    ("log_softmax", np.arange(8.0).reshape(2, 4).T, {"axis": 0},
     np.transpose([_LOG_SOFTMAX_X] * 2)),
    ("log_softmax", np.arange(8.0).reshape(2, 2, 2), {"axis": (1, 2)},
     np.reshape([_LOG_SOFTMAX_X] * 2, (2, 2, 2))),
    ("log_softmax", 1000, {"axis": None}, 0.0),
]  # fmt: skip


@pytest.mark.parametrize(("name", "z", "kwargs", "expected"), SCIPY_CASES)
def test_scipys_own_cases(name, z, kwargs, expected):
    got = getattr(special, name)(z, **kwargs)
    np.testing.assert_allclose(got, expected, rtol=1e-13, atol=0)
    assert np.shape(got) == np.shape(getattr(sp, name)(z, **kwargs))  # scipy's shape too


AXES = [None, (), 0, -1, (0,), (0, 1), (1, 0), (-1, 0), (0, 2), (0, 1, 2)]


@pytest.mark.parametrize(("ours", "scipys"), FUNCTIONS)
@pytest.mark.parametrize("axis", AXES, ids=str)
def test_agrees_with_scipy_along_tuples_of_axes(ours, scipys, axis):
    z = np.random.default_rng(7).normal(0, 30, (2, 3, 4))
    got, expected = ours(z, axis=axis), scipys(z, axis=axis)
    assert np.shape(got) == np.shape(expected)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize(
    ("z", "axis"),
    [(np.zeros((2, 0)), 1), (np.zeros((2, 0)), 0), (np.zeros((0, 3)), None), (np.zeros(0), 0)],
)
def test_an_empty_axis_as_scipy_treats_it(z, axis):
    """logsumexp of nothing is -inf; softmax and log_softmax of nothing are refused (scipy's
    raise numpy's error), but an empty array whose axis is not empty is returned empty."""
    with np.errstate(divide="ignore"):  # log(0): what scipy gives (it fails on a (0, 3) whole)
        expected = np.log(np.sum(np.exp(z), axis=axis))
    np.testing.assert_array_equal(special.logsumexp(z, axis=axis), expected)
    for name in ("softmax", "log_softmax"):
        if np.prod([z.shape[a] for a in special.checks.normalize_axes(axis, z.ndim)]) == 0:
            with pytest.raises(ValueError, match=f"empty along the axis: {name} needs"):
                getattr(special, name)(z, axis=axis)
        else:
            assert getattr(special, name)(z, axis=axis).shape == z.shape


def test_scalars_are_one_logit():
    assert special.softmax(3.0) == 1.0
    assert special.log_softmax(-2) == 0.0
    assert special.logsumexp(np.float32(5.0)).dtype == np.float32
    assert special.logsumexp(3.0) == 3.0
    assert np.shape(special.softmax(3.0)) == np.shape(sp.softmax(3.0)) == ()


@given(
    hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=4, max_side=4),
               elements=st.floats(-1e3, 1e3)),
    st.data(),
)  # fmt: skip
def test_any_axes_match_scipy(z, data):
    axes = data.draw(st.none() | st.lists(st.integers(0, z.ndim - 1), unique=True).map(tuple))
    for name in ("softmax", "log_softmax", "logsumexp"):
        ours, scipys = getattr(special, name), getattr(sp, name)
        np.testing.assert_allclose(
            ours(z, axis=axes), scipys(z, axis=axes), rtol=1e-12, atol=1e-12, err_msg=name
        )


@pytest.mark.parametrize("layout", ["C", "F", "strided"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sum_of_others_is_the_correctly_rounded_sum_of_the_other_entries(layout, dtype):
    # rows where one entry is almost the whole sum (1 - g_i with g_i near 1), of either sign
    rng = np.random.default_rng(7)
    a = rng.uniform(1e-12, 1e-3, (3, 4, 9)) * rng.choice([-1, 1], (3, 4, 9))
    a[..., 2] = 1.0
    a[1, :, 2] = -1e4
    a = a.astype(dtype)
    if layout == "F":
        a = np.asfortranarray(a)
    elif layout == "strided":
        a = np.repeat(a, 2, axis=-1)[..., ::2]
    total = np.sum(a, axis=-1, keepdims=True)
    got = kernels.sum_of_others(a, total)
    assert got.dtype == dtype
    assert got.shape == a.shape
    exact = np.empty(a.shape)
    for index in np.ndindex(a.shape):
        row = a[index[:-1]].astype(np.float64)
        exact[index] = math.fsum(np.delete(row, index[-1]))
    # every entry to a few rounding errors of the exact sum, the dominant ones included (whose
    # total - a_i would keep only the rounding error of the total)
    np.testing.assert_allclose(got, exact, rtol=8 * np.finfo(dtype).eps, atol=0)
