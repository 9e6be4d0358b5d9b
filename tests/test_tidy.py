"""Tidy results: long-form pandas tables that seaborn plots directly."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import seaborn as sns

import softmax_explorer as se

from .test_finite_diff import cubic, cubic_jacobian
from .test_model import SEED_THETA, SEED_X


@pytest.fixture
def sweep():
    f = lambda th: se.softmax(SEED_X, th)  # noqa: E731
    return se.step_sweep(f, SEED_THETA, se.jacobian(SEED_X, SEED_THETA), vectorized=True)


def test_a_sweeps_frame_has_one_row_per_scheme_and_step(sweep):
    frame = sweep.to_frame()
    assert list(frame.columns) == ["scheme", "h", "error", "resolved", "dtype"]
    assert len(frame) == len(se.METHODS) * sweep.steps.size
    for method in se.METHODS:
        rows = frame[frame.scheme == method]
        np.testing.assert_array_equal(rows.h, sweep.steps)
        np.testing.assert_array_equal(rows.error, sweep.errors[method])
        np.testing.assert_array_equal(rows.resolved, sweep.resolved)
    assert set(frame.dtype) == {"float64"}


def test_seaborn_draws_the_v_from_a_sweeps_frame(sweep):
    grid = sns.relplot(data=sweep.to_frame(), x="h", y="error", hue="scheme", kind="line")
    try:
        grid.set(xscale="log", yscale="log")
        lines = {line.get_label(): line for line in grid.ax.get_lines()}
        drawn = [line for line in grid.ax.get_lines() if len(line.get_xdata()) > 1]
        assert len(drawn) == len(se.METHODS)
        for line, method in zip(drawn, se.METHODS, strict=True):
            np.testing.assert_allclose(line.get_xdata(), sweep.steps)
            np.testing.assert_allclose(line.get_ydata(), sweep.errors[method])
            if method != "complex":  # the V: its lowest point inside the range
                assert 0 < int(np.argmin(line.get_ydata())) < sweep.steps.size - 1
        assert lines  # the lines carry seaborn's hue legend
    finally:
        plt.close(grid.figure)


def test_a_checks_frame_has_one_row_per_entry_with_its_own_verdict():
    analytic = se.jacobian(SEED_X, SEED_THETA)
    analytic[2, 1] *= 1.02
    result = se.gradcheck(SEED_X, SEED_THETA, analytic=analytic)
    frame = result.to_frame(base=1)
    n = len(SEED_X)
    assert len(frame) == n * n
    assert {"i", "k", "analytic", "numeric", "abs_error", "status", "tolerance"} <= set(frame)
    jacobian = frame.pivot(index="i", columns="k", values="analytic")
    assert list(jacobian.index) == list(range(1, n + 1))
    np.testing.assert_array_equal(jacobian.to_numpy(), analytic)
    numeric = frame.pivot(index="i", columns="k", values="numeric").to_numpy()
    np.testing.assert_allclose(numeric, se.jacobian(SEED_X, SEED_THETA), rtol=1e-6, atol=1e-9)
    failed = frame[frame.status == "failed"]
    assert list(zip(failed.i, failed.k, strict=True)) == [(3, 2)]  # entry (2, 1) from 1
    assert set(frame.status) == {"passed", "failed"}
    assert set(frame.method) == {"central"}
    assert set(frame.wrt) == {"theta"}


def test_seaborn_heatmaps_a_jacobian_from_a_checks_frame():
    v = np.array([0.7, -1.2])
    result = se.check_jacobian(cubic, cubic_jacobian(*v), v)
    table = result.to_frame().pivot(index="i", columns="k", values="analytic")
    ax = sns.heatmap(table, annot=True, cmap="vlag", vmin=-3, vmax=3)
    try:
        np.testing.assert_array_equal(
            np.asarray(ax.collections[0].get_array()).reshape(2, 2), cubic_jacobian(*v)
        )
    finally:
        plt.close(ax.figure)


def test_a_temperature_checks_frame_has_no_variable_column():
    result = se.gradcheck(SEED_X, SEED_THETA, wrt="temperature")
    frame = result.to_frame()
    assert "k" not in frame
    assert list(frame.i) == list(range(len(SEED_X)))
    assert set(frame.status) == {"passed"}


def test_a_states_frame_has_one_row_per_class_numbered_from_one():
    from softmax_explorer.results import compute
    from softmax_explorer.state import State

    frame = compute(State(target=2)).to_frame()
    assert list(frame["class"]) == [1, 2, 3, 4]
    np.testing.assert_allclose(frame.g, se.softmax(SEED_X, SEED_THETA), rtol=1e-15)
    np.testing.assert_allclose(frame.z, np.multiply(SEED_X, SEED_THETA))
    np.testing.assert_array_equal(frame.target, [0, 0, 1, 0])
    np.testing.assert_allclose(
        frame["dC/dtheta"], se.cross_entropy_grad(SEED_X, SEED_THETA, 2), rtol=1e-15
    )
    assert compute(State()).to_frame()["dC/dtheta"].isna().all()
