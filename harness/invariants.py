"""What must hold for any input to the numerics: shared by the tests and the fuzz benchmark."""

from __future__ import annotations

import warnings

import numpy as np

import softmax_explorer as se


def random_case(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, float]:
    """Hostile inputs ``(x, theta, T)``.

    n from 1 to 1000, magnitudes 1e-300..1e300 (float32: its own range), mixed signs, zeros,
    ties, temperature 1e-3..1e3.
    """
    n = int(rng.choice([1, 2, 3, 4, 8, 32, 256, 1000]))
    dtype = rng.choice([np.float64, np.float32])
    top = 300 if dtype == np.float64 else 37

    def values():
        v = rng.choice([-1, 1], n) * 10.0 ** rng.uniform(-top, top, n)
        v[rng.random(n) < 0.05] = 0
        if n > 1 and rng.random() < 0.2:
            v[: n // 2] = v[0]  # ties
        return v.astype(dtype)

    return values(), values(), float(10 ** rng.uniform(-3, 3))


def check(x: np.ndarray, theta: np.ndarray, temperature: float) -> str:
    """Run every public function; return "ok" or "overflow" (the documented refusal).

    Raises AssertionError on any violated invariant, and on any warning.
    """
    dtype = x.dtype
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="ignore"):
            z = x * theta / dtype.type(temperature) if temperature != 1 else x * theta
        if not np.all(np.isfinite(z)):
            try:
                se.softmax(x, theta, temperature)
            except ValueError as err:
                assert "overflows" in str(err), err  # noqa: PT017 (also runs outside pytest)
                return "overflow"
            raise AssertionError("x*theta/T overflows but softmax did not refuse it")
        n = x.size
        eps = float(np.finfo(dtype).eps)
        g = se.softmax(x, theta, temperature)
        assert g.dtype == dtype
        assert np.all(np.isfinite(g))
        assert np.all(g >= 0)
        assert abs(float(np.sum(g, dtype=np.float64)) - 1) <= 4 * n * eps
        log_g = se.log_softmax(x, theta, temperature)
        assert not np.isnan(log_g).any()
        assert np.all(log_g <= 0)
        assert g[np.argmax(log_g)] >= g.max() * (1 - 4 * eps)  # the same winner, up to ties
        if n <= 256:
            jz = se.jacobian(x, theta, "z", temperature)
            assert not np.isnan(jz).any()
            np.testing.assert_array_equal(jz, jz.T)
            assert np.all(np.abs(jz.sum(axis=1, dtype=np.float64)) <= 4 * n * eps)
            for wrt in ("theta", "x", "temperature"):
                assert not np.isnan(se.jacobian(x, theta, wrt, temperature)).any(), wrt
        c = se.cross_entropy(x, theta, 0, temperature)
        assert c >= 0
        assert not np.isnan(c)
        assert not np.isnan(se.cross_entropy_grad(x, theta, 0, "theta", temperature)).any()
    return "ok"
