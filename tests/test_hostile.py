"""Hostile input: extreme numerics and abusive widget-protocol messages (the small profile;
benchmarks/fuzz_numerics.py runs 100,000 numerics examples)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from ipywidgets.widgets.widget import _instances as live_widgets

from harness.invariants import check, random_case
from softmax_explorer import Explorer
from softmax_explorer.app.optional import OptionalSlider
from softmax_explorer.state import State


@given(st.integers(0, 2**32 - 1))
def test_extreme_numerics_hold_every_invariant(seed):
    x, theta, temperature = random_case(np.random.default_rng(seed))
    assert check(x, theta, temperature) in ("ok", "overflow")


HOSTILE_VALUES = [
    float("nan"), float("inf"), -float("inf"), 1e308, -1e308, 1e6, -5, 0, 10**6, "abc", "", None,
    [1, 2], {"a": 1}, True, "1, 2", "1,2,3,4,5,6,7,8,9", "nan, 1, 2, 3", "1e309, 1, 1, 1",
]  # fmt: skip


def controls(explorer):
    """Every widget the browser can send a value to (the buttons aside): an optional cut's
    checkbox and slider each."""
    found = []
    for widget in explorer.controls.widgets.values():
        if isinstance(widget, OptionalSlider):
            found += [widget.toggle, widget.slider]
        elif hasattr(widget, "value"):
            found.append(widget)
    return found + explorer.controls.thetas


@settings(max_examples=min(60, settings.default.max_examples))  # at most 60: each is slow
@given(st.lists(st.tuples(st.integers(0, 100), st.sampled_from(["value", "index"]),
                          st.sampled_from(HOSTILE_VALUES)), min_size=1, max_size=25))  # fmt: skip
def test_abusive_messages_leave_a_valid_state_and_bounded_memory(messages):
    explorer = Explorer(query="sampling=true")  # its controls are shown: all can be reached
    widgets_before = len(live_widgets)
    for which, key, value in messages:
        widgets = controls(explorer)
        widget = widgets[which % len(widgets)]
        widget.set_state({key: value})  # what a browser sends; must never raise
        state = explorer.state
        assert isinstance(state, State)
        assert State.from_dict(state.to_dict()) == state  # still valid
        assert len(explorer.controls.thetas) == state.n <= 32
        assert "Traceback" not in explorer.status.widget.value
        heights = explorer.dashboard.panels["bars"].heights
        assert len(heights) == state.n
    # memory bounded: resizing closes the old sliders instead of piling them up
    assert len(live_widgets) <= widgets_before + 64
