"""The model against mpmath references, the seed's printed numbers and its contract."""

import subprocess
import sys

import mpmath as mp
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import softmax_explorer as se

from . import reference as ref

EPS64 = np.finfo(np.float64).eps
EPS32 = np.finfo(np.float32).eps

SEED_X = [1, 4, 3, 2]
SEED_THETA = [0.3, 0.1, 0.9, 0.5]
# printed by the seed notebook the project grew from (notebooks/tutorial.ipynb quotes them)
SEED_SOFTMAX = [
    0.066041037873964384,
    0.072986634457837832,
    0.72798200884534181,
    0.13299031882285606,
]


def random_cases(count, n_max=12, scale=3.0, seed=0):
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(count):
        n = int(rng.integers(1, n_max + 1))
        x = rng.uniform(-scale, scale, n)
        theta = rng.uniform(-scale, scale, n)
        temperature = float(np.exp(rng.uniform(np.log(0.25), np.log(4))))
        cases.append((x, theta, temperature))
    return cases


def assert_close_rel(actual, expected, rtol, atol=0.0):
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    err = np.abs(actual - expected)
    bound = rtol * np.abs(expected) + atol
    assert np.all(err <= bound), f"max excess {np.max(err - bound):.3e}\n{actual}\n{expected}"


def conditioning(x, theta, temperature):
    """Rounding x*theta/T to float moves g by about |z| eps relative: the input's own error."""
    return max(1.0, float(np.max(np.abs(np.asarray(x) * np.asarray(theta) / temperature))))


class TestAgainstMpmath:
    @pytest.mark.parametrize(("x", "theta", "temperature"), random_cases(40))
    def test_softmax_and_log_softmax(self, x, theta, temperature):
        tol = 8 * EPS64 * conditioning(x, theta, temperature)
        g = se.softmax(x, theta, temperature)
        assert g.dtype == np.float64
        assert_close_rel(g, ref.to_float(ref.softmax(x, theta, temperature)), tol)
        assert_close_rel(
            se.log_softmax(x, theta, temperature),
            ref.to_float(ref.log_softmax(x, theta, temperature)),
            tol,
            atol=tol,
        )

    @pytest.mark.parametrize(("x", "theta", "temperature"), random_cases(25, seed=1))
    @pytest.mark.parametrize("wrt", ["theta", "x", "z"])
    def test_jacobians(self, x, theta, temperature, wrt):
        tol = 16 * EPS64 * conditioning(x, theta, temperature)
        expected = ref.to_float(ref.jacobian(x, theta, wrt, temperature))
        assert_close_rel(se.jacobian(x, theta, wrt, temperature), expected, tol)

    @pytest.mark.parametrize(("x", "theta", "temperature"), random_cases(25, seed=2))
    def test_temperature_derivative(self, x, theta, temperature):
        # dg_i/dT = -(g_i/T)(z_i - mean z): the difference cancels when z_i is near the mean, so
        # the error bound is relative to the terms, g_i (|z_i| + max|z|) / T, not to the result
        expected = ref.to_float(ref.jacobian(x, theta, "temperature", temperature))
        z = np.abs(x * theta / temperature)
        g = se.softmax(x, theta, temperature)
        terms = g * (z + z.max()) / temperature
        tol = 16 * EPS64 * conditioning(x, theta, temperature)
        actual = se.jacobian(x, theta, "temperature", temperature)
        assert_close_rel(actual, expected, tol, atol=tol * terms)

    @pytest.mark.parametrize(("x", "theta", "temperature"), random_cases(25, seed=3))
    @pytest.mark.parametrize("wrt", ["theta", "x"])
    def test_cross_entropy_and_gradient(self, x, theta, temperature, wrt):
        n = len(x)
        rng = np.random.default_rng(n)
        for target in (int(rng.integers(n)), rng.dirichlet(np.ones(n))):
            tol = 16 * EPS64 * conditioning(x, theta, temperature)
            c = se.cross_entropy(x, theta, target, temperature)
            assert c >= 0
            assert c == pytest.approx(
                float(ref.cross_entropy(x, theta, target, temperature)), rel=tol
            )
            expected = ref.to_float(ref.cross_entropy_grad(x, theta, target, wrt, temperature))
            actual = se.cross_entropy_grad(x, theta, target, wrt, temperature)
            assert_close_rel(actual, expected, tol, atol=tol * np.max(np.abs(expected)))

    @pytest.mark.parametrize("wrt", ["theta", "x", "temperature"])
    def test_reference_closed_forms_match_high_precision_differences(self, wrt):
        """The formulas themselves (the README's) agree with 60-digit finite differences."""
        x, theta, t = [0.7, -1.3, 2.1], [1.1, 0.4, -0.6], 0.8
        closed = ref.to_float(ref.jacobian(x, theta, wrt, t))
        if wrt == "temperature":
            numeric = ref.numerical(lambda v: ref.softmax(x, theta, v[0]), [t])
        elif wrt == "theta":
            numeric = ref.numerical(lambda v: ref.softmax(x, v, t), theta)
        else:
            numeric = ref.numerical(lambda v: ref.softmax(v, theta, t), x)
        np.testing.assert_allclose(closed, ref.to_float(numeric).reshape(closed.shape), rtol=1e-25)

    def test_cross_entropy_gradient_matches_high_precision_differences(self):
        x, theta, target = [0.7, -1.3, 2.1], [1.1, 0.4, -0.6], 1
        numeric = ref.numerical(lambda v: [ref.cross_entropy(x, v, target)], theta)
        expected = ref.to_float(numeric)[0]
        np.testing.assert_allclose(se.cross_entropy_grad(x, theta, target), expected, rtol=1e-14)


class TestExtremes:
    def test_overflow_case_is_one_hot(self):
        np.testing.assert_array_equal(se.softmax([1000.0, 0, 0, 0], [1, 1, 1, 1]), [1, 0, 0, 0])

    @pytest.mark.parametrize(
        ("x", "theta"),
        [
            ([1e300, -1e300, 5.0, 1e-300], [1.0, 1.0, 1.0, 1.0]),
            ([1e150, 1e150, -3.0], [1e150, 1e150, 2.0]),
            ([-1e300, -1e300 * (1 + 2**-52)], [1.0, 1.0]),
            ([710.0, 709.0, 0.0], [1.0, 1.0, 1.0]),
            ([2.0**-996, 2.0**-995], [2.0**996, -(2.0**996)]),  # tiny * huge, exact products
            ([1.7e308, -1.7e308], [1.0, 1.0]),
        ],
    )
    def test_huge_magnitudes_match_mpmath(self, x, theta):
        g = se.softmax(x, theta)
        assert np.all(np.isfinite(g))
        assert_close_rel(g, ref.to_float(ref.softmax(x, theta)), 4 * EPS64, atol=1e-300)
        logg = se.log_softmax(x, theta)
        expected = ref.to_float(ref.log_softmax(x, theta))
        finite = np.isfinite(expected)
        assert_close_rel(logg[finite], expected[finite], 4 * EPS64, atol=1e-300)
        # -inf only where the exact value is below -1.8e308
        assert np.all(logg[~finite] == -np.inf)
        for wrt in ("theta", "x", "z", "temperature"):
            jac = se.jacobian(x, theta, wrt)
            assert not np.isnan(jac).any(), wrt
            assert_close_rel(jac, ref.to_float(ref.jacobian(x, theta, wrt)), 8 * EPS64, atol=1e-300)
        c = se.cross_entropy(x, theta, 0)
        assert c == pytest.approx(float(ref.cross_entropy(x, theta, 0)), rel=4 * EPS64, abs=1e-300)

    def test_near_one_probability_keeps_its_complement(self):
        """g_0 = 1 - 1e-12: the diagonal g (1 - g) must not lose digits to cancellation."""
        x, theta = [30.0, 2.0], [1.0, 1.0]
        expected = ref.to_float(ref.jacobian(x, theta, "z"))
        assert_close_rel(se.jacobian(x, theta, "z"), expected, 4 * EPS64)
        grad = se.cross_entropy_grad(x, theta, 0, wrt="z")
        assert_close_rel(grad, ref.to_float(ref.cross_entropy_grad(x, theta, 0, "x")), 4 * EPS64)

    def test_float32_stays_float32_and_matches(self):
        rng = np.random.default_rng(5)
        x = rng.uniform(-2, 2, 6).astype(np.float32)
        theta = rng.uniform(-2, 2, 6).astype(np.float32)
        g = se.softmax(x, theta)
        assert g.dtype == np.float32
        assert_close_rel(g, ref.to_float(ref.softmax(x, theta)), 1e-6)
        assert se.log_softmax(x, theta).dtype == np.float32
        for wrt in ("theta", "x", "z", "temperature"):
            jac = se.jacobian(x, theta, wrt, 0.7)
            assert jac.dtype == np.float32
            expected = ref.to_float(ref.jacobian(x, theta, wrt, 0.7))
            assert_close_rel(jac, expected, 2e-6, atol=2e-6 * np.max(np.abs(expected)))
        assert se.cross_entropy_grad(x, theta, 1).dtype == np.float32

    def test_float32_overflow_of_exp_is_handled(self):
        """exp(89) overflows float32; the max-shift keeps the result exact."""
        g = se.softmax(np.float32([100, 89, 0]), np.float32([1, 1, 1]))
        assert g.dtype == np.float32
        assert_close_rel(g, ref.to_float(ref.softmax([100, 89, 0], [1, 1, 1])), 1e-6, atol=1e-45)

    def test_unstable_softmax_demonstrates_the_overflow(self):
        g = se.softmax([710.0, 0.0], [1.0, 1.0], stable=False)
        assert np.isnan(g[0])
        np.testing.assert_allclose(
            se.softmax([1.0, 2.0], [1, 1], stable=False), se.softmax([1.0, 2.0], [1, 1])
        )

    def test_integers_are_promoted(self):
        assert se.softmax([1, 2], [1, 1]).dtype == np.float64
        assert se.jacobian(np.int32([1, 2]), np.int32([3, 1])).dtype == np.float64

    def test_complex_input_is_accepted(self):
        z = se.softmax(np.array([1000 + 1e-20j, 0]), [1, 1])
        assert z.dtype == np.complex128
        np.testing.assert_allclose(z.real, [1, 0])

    @pytest.mark.parametrize("perturbed", ["one logit (a complex step)", "every logit"])
    def test_complex_softmax_matches_mpmath(self, perturbed):
        """Im g to a few ulps of itself when one logit moves by 1e-20 i: no cancellation.

        With every logit moved, a small Im g_i is a difference of larger terms: its error is a
        few ulps of the largest.
        """
        rng = np.random.default_rng(11)
        x, theta = rng.uniform(-3, 3, 6), rng.uniform(-3, 3, 6).astype(complex)
        if perturbed == "every logit":
            theta += 1j * rng.uniform(-1, 1, 6)
        else:
            theta[2] += 1e-20j
        z = [mp.mpf(float(xi)) * mp.mpc(complex(ti)) for xi, ti in zip(x, theta, strict=True)]
        e = [mp.exp(zi) for zi in z]
        want = np.array([complex(ei / mp.fsum(e)) for ei in e])
        got = se.softmax(x, theta)
        np.testing.assert_allclose(got.real, want.real, rtol=8 * EPS64)
        atol = 0 if perturbed.startswith("one") else 8 * EPS64 * np.abs(want.imag).max()
        np.testing.assert_allclose(got.imag, want.imag, rtol=8 * EPS64, atol=atol)

    def test_batched_softmax_equals_rows(self):
        rng = np.random.default_rng(7)
        theta = rng.normal(size=(5, 4))
        x = rng.normal(size=4)
        batch = se.softmax(x, theta, 0.5)
        for row, th in zip(batch, theta, strict=True):
            np.testing.assert_array_equal(row, se.softmax(x, th, 0.5))


class TestSeedNumbers:
    """The seed notebook's printed values, reproduced by the corrected code."""

    def test_softmax_of_the_seed_inputs(self):
        np.testing.assert_allclose(se.softmax(SEED_X, SEED_THETA), SEED_SOFTMAX, rtol=2 * EPS64)

    def test_directional_derivative_along_ones(self):
        """The seed's last cells: dg_0 when every x_k moves together = (J_x @ 1)[0]."""
        directional = se.jacobian(SEED_X, SEED_THETA, wrt="x") @ np.ones(4)
        assert directional[0] == pytest.approx(-0.029638553568977453, rel=1e-14)
        g = se.softmax(SEED_X, SEED_THETA)
        closed = g[0] * (SEED_THETA[0] - np.dot(SEED_THETA, g))
        assert directional[0] == pytest.approx(closed, rel=1e-14)

    def test_forward_difference_error_of_the_seed(self):
        """The seed's forward difference, h = 1e-6, differs from dg_0/dtheta_0 by ~2.7e-8."""
        numeric = se.numerical_jacobian(
            lambda th: se.softmax(SEED_X, th), SEED_THETA, "forward", h=1e-6
        )
        analytic = se.jacobian(SEED_X, SEED_THETA, "theta")
        assert abs(numeric[0, 0] - analytic[0, 0]) == pytest.approx(
            2.6755783637255615e-08, rel=0.01
        )

    def test_seed_cost_had_the_wrong_sign(self):
        """The seed's C = sum t log g is <= 0; the cross-entropy is its negative."""
        seed_cost = float(np.sum(np.log(SEED_SOFTMAX) * np.eye(4)[2]))
        assert seed_cost < 0
        assert se.cross_entropy(SEED_X, SEED_THETA, 2) == pytest.approx(-seed_cost, rel=1e-14)


finite = st.floats(-30, 30, allow_nan=False, allow_infinity=False)


@st.composite
def vectors(draw, n_max=16, elements=finite):
    n = draw(st.integers(1, n_max))
    x = np.array(draw(st.lists(elements, min_size=n, max_size=n)))
    theta = np.array(draw(st.lists(elements, min_size=n, max_size=n)))
    temperature = draw(st.floats(0.05, 20))
    return x, theta, temperature


class TestProperties:
    @given(vectors(elements=st.floats(-1e300, 1e300)))
    @example((np.array([1e300, -1e300]), np.array([1e-300, 1e300]), 0.05))
    def test_sums_to_one_and_finite(self, case):
        x, theta, temperature = case
        with np.errstate(over="ignore"):
            z = x * theta / temperature
        if not np.all(np.isfinite(z)):  # the documented overflow of x*theta/T
            with pytest.raises(ValueError, match="overflows"):
                se.softmax(x, theta, temperature)
            return
        g = se.softmax(x, theta, temperature)
        assert np.all(np.isfinite(g))
        assert np.all(g >= 0)
        assert abs(np.sum(g) - 1) <= 4 * len(g) * EPS64

    @given(vectors(), st.floats(-1e3, 1e3))
    def test_shift_invariance_in_z(self, case, shift):
        x, theta, temperature = case
        z = se.logits(x, theta, temperature)
        shifted = z + shift
        tol = 16 * EPS64 * max(1.0, float(np.max(np.abs(shifted))))
        np.testing.assert_allclose(
            se.softmax(np.ones_like(z), shifted),
            se.softmax(x, theta, temperature),
            rtol=tol,
            atol=tol,
        )

    @given(vectors())
    def test_jacobian_identities(self, case):
        x, theta, temperature = case
        jz = se.jacobian(x, theta, "z", temperature)
        np.testing.assert_array_equal(jz, jz.T)
        np.testing.assert_allclose(jz.sum(axis=1), 0, atol=4 * len(x) * EPS64)
        jt = se.jacobian(x, theta, "theta", temperature)
        np.testing.assert_allclose(jt, jz * (x / temperature), rtol=4 * EPS64, atol=1e-300)
        jx = se.jacobian(x, theta, "x", temperature)
        np.testing.assert_allclose(jx, jz * (theta / temperature), rtol=4 * EPS64, atol=1e-300)


BAD_INPUTS = [
    (dict(x=[1, 2, 3, 4], theta=[1, 2, 3]), ValueError, r"x has 4 values, theta has 3"),
    (dict(x=[], theta=[]), ValueError, r"x is empty"),
    (dict(x=[1, np.nan, 3], theta=[1, 2, 3]), ValueError, r"x\[1\] is nan"),
    (dict(x=[1, 2, 3], theta=[1, 2, np.inf]), ValueError, r"theta\[2\] is inf"),
    (dict(x=[0, 2], theta=[np.inf, 2]), ValueError, r"theta\[0\] is inf"),
    (dict(x=[1e200, np.nan], theta=[1e200, 1]), ValueError, r"x\[1\] is nan"),
    (
        dict(x=[1e200, 1], theta=[1e200, 1]),
        ValueError,
        r"x\*theta/temperature overflows float64 at index 0",
    ),
    (
        dict(x=np.float32([1e20, 1]), theta=np.float32([1e20, 1])),
        ValueError,
        r"overflows float32 at index 0",
    ),
    (
        dict(x=[1, 2], theta=[1, 2], temperature=0),
        ValueError,
        r"temperature must be finite and > 0, got 0",
    ),
    (
        dict(x=[1, 2], theta=[1, 2], temperature=-1.0),
        ValueError,
        r"temperature must be finite and > 0",
    ),
    (dict(x=[1, 2], theta=[1, 2], temperature=np.nan), ValueError, r"temperature must be finite"),
    (
        dict(x=[1, 2], theta=[1, 2], temperature="hot"),
        TypeError,
        r"temperature must be a real number",
    ),
    (dict(x="1, 2", theta=[1, 2]), TypeError, r"x must be numbers, got the text"),
    (dict(x=["a", "b"], theta=[1, 2]), TypeError, r"x must be numbers, got an array of dtype"),
    (dict(x=3.0, theta=[1, 2]), ValueError, r"x must be a 1-D array"),
]


@pytest.mark.parametrize(("kwargs", "error", "message"), BAD_INPUTS)
@pytest.mark.parametrize("function", [se.softmax, se.log_softmax, se.jacobian])
def test_bad_input_raises_with_its_message(function, kwargs, error, message):
    with pytest.raises(error, match=message):
        function(**kwargs)


def test_a_nan_is_refused_even_in_an_empty_stack():
    with pytest.raises(ValueError, match=r"x\[0\] is nan"):
        se.softmax([np.nan, 1], np.empty((0, 2)))


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: se.jacobian([1, 2], [1, 2], wrt="y"), ValueError, r"unknown wrt='y'"),
        (
            lambda: se.cross_entropy([1, 2], [1, 2], 2),
            ValueError,
            r"target class 2 is out of range for 2 classes",
        ),
        (
            lambda: se.cross_entropy([1, 2], [1, 2], -1),
            ValueError,
            r"target class -1 is out of range",
        ),
        (
            lambda: se.cross_entropy([1, 2], [1, 2], [0.5, 0.6]),
            ValueError,
            r"target sums to 1.1, not 1",
        ),
        (
            lambda: se.cross_entropy([1, 2], [1, 2], [1.5, -0.5]),
            ValueError,
            r"target\[1\] is -0.5: probabilities must be >= 0",
        ),
        (
            lambda: se.cross_entropy([1, 2], [1, 2], [1.0]),
            ValueError,
            r"target has 1 values, softmax has 2",
        ),
        (lambda: se.cross_entropy([1, 2], [1, 2], 1.0), TypeError, r"target must be a class index"),
        (
            lambda: se.cross_entropy([1, 2], [1, 2], True),
            TypeError,
            r"target must be a class index",
        ),
        (
            lambda: se.cross_entropy_grad([1, 2], [1, 2], 0, wrt="temperature"),
            ValueError,
            r"unknown wrt",
        ),
    ],
)
def test_bad_arguments_raise_with_their_message(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_numerics_import_numpy_only():
    code = (
        "import sys, softmax_explorer.model, softmax_explorer.special,"
        " softmax_explorer.finite_diff, softmax_explorer.gradcheck;"
        "bad = [m for m in ('matplotlib', 'ipywidgets', 'seaborn', 'IPython') if m in sys.modules];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_mpmath_precision_is_high():
    assert mp.mp.dps >= 50


def test_descent_step_lowers_the_loss_and_stays_in_bounds():
    model = se.Model.at(SEED_X, SEED_THETA)
    theta = se.descent_step(model, 0, learning_rate=0.1)
    grad = se.cross_entropy_grad(SEED_X, SEED_THETA, 0)
    np.testing.assert_allclose(theta, np.asarray(SEED_THETA) - 0.1 * grad, rtol=1e-15)
    assert se.cross_entropy(SEED_X, theta, 0) < se.cross_entropy(SEED_X, SEED_THETA, 0)
    clipped = se.descent_step(model, 0, learning_rate=100.0, bounds=(-3, 3))
    assert np.all(np.abs(clipped) <= 3)
    with pytest.raises(ValueError, match="learning_rate must be > 0"):
        se.descent_step(model, 0, learning_rate=0.0)


def test_a_states_computation_validates_its_inputs_once(monkeypatch):
    from softmax_explorer import model, results
    from softmax_explorer.state import State

    calls = []
    validated = model.validated
    monkeypatch.setattr(model, "validated", lambda *a: calls.append(a) or validated(*a))
    state = State(x=(1.0, 4.0, 3.0, 2.1), theta=tuple(SEED_THETA), target=0, scheme="richardson")
    results.compute(state)
    assert len(calls) == 1
    results.compute(state.replace(scheme="forward", h=1e-3))  # the same point: no validation
    assert len(calls) == 1
