"""The sampling view in the Explorer panel, driven from code and through the widget protocol."""

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from softmax_explorer import Explorer, special
from softmax_explorer.figures import SAMPLING
from softmax_explorer.results import compute
from softmax_explorer.state import State

from .test_app import from_browser

QUERY = "sampling=true&top_p=0.8&temperature=2"


def heights(patch):
    return patch.get_path().vertices[2::5, 1]


def test_the_view_is_made_only_when_it_is_shown():
    explorer = Explorer()
    assert not set(SAMPLING) & set(explorer.dashboard.figures)  # the default page pays nothing
    assert explorer.sampling.box.layout.display == "none"
    assert explorer.controls["top_p"].layout.display == "none"
    explorer.controls["sampling"].value = True
    assert set(SAMPLING) <= set(explorer.dashboard.figures)
    canvases = [explorer.dashboard.canvases[name] for name in SAMPLING]
    assert explorer.sampling.box.children == tuple(canvases)
    assert explorer.sampling.box.layout.display == "grid"
    assert explorer.controls["top_p"].layout.display == ""
    explorer.controls["sampling"].value = False
    assert explorer.sampling.box.layout.display == "none"


def test_the_panels_show_the_cuts_the_sampler_and_the_draws():
    explorer = Explorer(query=QUERY)
    cuts, sampler = (explorer.dashboard.panels[name] for name in SAMPLING)
    state = explorer.state
    u = np.multiply(state.x, state.theta)
    seen = special.softmax(u / 2)
    probs = special.sampling_probs(u, 2.0, top_p=0.8)
    order = np.argsort(-seen, kind="stable")
    kept = probs > 0
    np.testing.assert_allclose(heights(cuts.kept_bars), np.where(kept, seen, 0)[order])
    np.testing.assert_allclose(heights(cuts.removed_bars), np.where(kept, 0, seen)[order])
    np.testing.assert_allclose(heights(sampler.sampler_bars), probs[order])
    draws = special.draw(probs, state.samples, state.seed)
    np.testing.assert_allclose(sampler.frequencies.get_ydata(), draws.counts[order] / 1000)
    assert cuts.top_p_line.get_ydata()[0] == 0.8
    np.testing.assert_allclose(cuts.cumulative.get_ydata(), np.cumsum(seen[order]))
    names = [str(k + 1) for k in order]
    for panel in (cuts, sampler):
        assert [t.get_text() for t in panel.class_labels] == names
    assert f"H = {special.entropy(u / 2):.3g}" in cuts.heading.get_text()
    assert (
        f"H = {special.entropy(np.where(kept, u / 2, -np.inf)):.3g}" in sampler.heading.get_text()
    )
    assert cuts.note.get_text().endswith("T last would differ: class 2")  # T = 1 keeps 3, 4
    assert sampler.draws_note.get_text().startswith("○ 1000 draws, seed 0")


@pytest.mark.parametrize("name", SAMPLING)
def test_the_class_names_sit_where_tick_labels_would_and_follow_the_order_without_a_full_draw(
    name,
):
    explorer = Explorer(query=QUERY)
    dashboard = explorer.dashboard
    panel, fig = dashboard.panels[name], dashboard.figures[name]
    sent = []
    fig.canvas.show = lambda background, foreground: sent.append(background)
    before = [t.get_text() for t in panel.class_labels]
    explorer.controls.thetas[0].value = 3.0  # class 1 becomes the most probable
    after = [t.get_text() for t in panel.class_labels]
    assert after[0] == "1" != before[0]
    assert sent
    assert all(background is None for background in sent)  # blits only
    # matplotlib's own tick labels with these names: the same places, the axis label unmoved
    agg = FigureCanvasAgg(fig)
    renderer = agg.get_renderer()
    ours = [t.get_window_extent(renderer) for t in panel.class_labels]
    xlabel = panel.ax.xaxis.label.get_window_extent(renderer)
    panel.ax.set_xticks(range(panel.n), after)
    agg.draw()
    ticks = [t.get_window_extent(renderer) for t in panel.ax.get_xticklabels()]
    for box, tick in zip(ours, ticks, strict=True):
        np.testing.assert_allclose(box.extents, tick.extents, atol=0.5)
    np.testing.assert_allclose(
        panel.ax.xaxis.label.get_window_extent(renderer).extents, xlabel.extents, atol=0.5
    )


def test_the_entropy_check_is_made_when_first_read_and_agrees_with_the_closed_form():
    state = State(sampling=True, temperature=2.0)
    sampled = compute(state).sampled
    assert "entropy_check" not in vars(sampled)  # not at every slider step
    u = np.multiply(state.x, state.theta)
    g = special.softmax(u / 2.0)
    expected = (np.sum(g * u**2) - np.sum(g * u) ** 2) / 2.0**3  # dH/dT = Var_g(u) / T^3
    check = sampled.entropy_check
    assert check.status == "passed"
    assert check.analytic[0, 0] == pytest.approx(expected, rel=1e-12)
    assert check.numeric[0, 0] == pytest.approx(expected, rel=1e-6)
    assert sampled.entropy_check is check  # worked out once


def test_a_cut_moved_in_the_browser_redraws_the_kept_classes():
    explorer = Explorer(query=QUERY)
    panel = explorer.dashboard.panels["sampler"]
    before = heights(panel.sampler_bars).copy()
    from_browser(explorer.controls["top_p"].slider, 0.5)
    assert explorer.state.top_p == 0.5
    assert np.count_nonzero(heights(panel.sampler_bars)) == 2  # 0.489, then the one crossing 0.5
    assert not np.array_equal(before, heights(panel.sampler_bars))
    from_browser(explorer.controls["top_p"].toggle, False)  # off
    assert explorer.state.top_p is None
    assert np.count_nonzero(heights(panel.sampler_bars)) == 4
    from_browser(explorer.controls["top_k"].toggle, True)  # on, at its starting value
    assert explorer.state.top_k == 3


def test_draw_takes_the_next_seed_and_the_same_seed_gives_the_same_counts():
    explorer = Explorer(query=QUERY)
    first = explorer.controller.results().sampled.draws.counts.copy()
    explorer.controls["draw_button"].click()
    assert explorer.state.seed == 1
    second = explorer.controller.results().sampled.draws.counts
    assert not np.array_equal(first, second)
    explorer.controls["seed"].value = 0
    np.testing.assert_array_equal(explorer.controller.results().sampled.draws.counts, first)


def test_a_link_reopens_the_same_view_and_the_same_draws():
    explorer = Explorer(query=QUERY)
    explorer.controls["draw_button"].click()
    explorer.controls["samples"].value = 250
    link = explorer.link.widget.value
    for field in ("seed=1", "samples=250", "top_p=0.8", "sampling=true"):
        assert field in link
    again = Explorer(query=link.split("?", 1)[1])
    assert again.state == explorer.state
    np.testing.assert_array_equal(
        again.controller.results().sampled.draws.classes,
        explorer.controller.results().sampled.draws.classes,
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("sampling=true&top_p=2", "top_p: 2 is outside (0..1"),
        ("sampling=true&top_k=0", "top_k: 0 is not a whole number between 1 and 32"),
        ("sampling=true&min_p=abc", "min_p: 'abc' is not a number"),
        ("sampling=true&sampling_order=sideways", "sampling_order: 'sideways' is not one of"),
        ("sampling=true&samples=-4", "samples: -4 is not a whole number"),
        ("sampling=true&seed=1.5", "seed: '1.5' is not a whole number"),
    ],
)
def test_bad_values_from_a_link_get_their_message_and_change_nothing(query, message):
    explorer = Explorer(query=query)
    assert message in explorer.status.widget.value.replace("&#x27;", "'")
    assert explorer.state == State()


def test_bad_values_from_the_browser_change_nothing():
    explorer = Explorer(query=QUERY)
    state = explorer.state
    explorer.controls["top_p"].slider.set_state({"value": 7.0})
    explorer.controls["samples"].set_state({"value": 10**9})
    explorer.controls["seed"].set_state({"value": "lots"})
    explorer.controls["sampling_order"].set_state({"index": 5})
    assert explorer.state == state
    assert "Ignored a value for" in explorer.status.widget.value
    assert "Traceback" not in explorer.status.widget.value
