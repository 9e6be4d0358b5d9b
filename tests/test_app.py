"""The Explorer panel, driven from code and through the widget protocol (no browser)."""

import asyncio
import base64
import itertools
import json
import math
import re

import numpy as np
import pytest

import softmax_explorer as se
from softmax_explorer import Explorer
from softmax_explorer.app import controller as controller_module
from softmax_explorer.state import PRESETS, State

from .clock import ManualClock
from .test_model import SEED_SOFTMAX


@pytest.fixture
def explorer():
    return Explorer()


def bar_heights(explorer):
    return explorer.dashboard.panels["bars"].heights


def count_updates(explorer):
    """Wrap the dashboard's update to count the figure updates."""
    calls = []
    update = explorer.dashboard.update

    def counting(results):
        calls.append(results.state)
        return update(results)

    explorer.dashboard.update = counting
    return calls


def from_browser(widget, value):
    """What a browser sends: a state message through the widget protocol."""
    widget.set_state({"value": value})


def test_first_render_shows_the_seed(explorer):
    np.testing.assert_allclose(bar_heights(explorer), SEED_SOFTMAX, rtol=1e-15)
    assert explorer.controller.renders == 1
    assert [s.value for s in explorer.controls.thetas] == [0.3, 0.1, 0.9, 0.5]
    assert explorer.controls["x"].value == "1, 4, 3, 2"
    assert explorer.link.widget.value == "?n=4&x=1,4,3,2&theta=0.3,0.1,0.9,0.5"
    assert "gradcheck passed" in explorer.formula.widget.value


def test_theta_slider_updates_state_artists_and_readouts(explorer):
    explorer.controls["target"].value = 2
    explorer.controls.thetas[0].value = 1.25
    state = explorer.state
    assert state.theta == (1.25, 0.1, 0.9, 0.5)
    g = se.softmax(state.x, state.theta)
    np.testing.assert_allclose(bar_heights(explorer), g, rtol=1e-15)
    jac = se.jacobian(state.x, state.theta)
    np.testing.assert_array_equal(explorer.dashboard.panels["jacobian"].image.get_array(), jac)
    loss = se.cross_entropy(state.x, state.theta, 2)
    assert f"{loss:.6g}" in explorer.controls.notes.target.value
    assert f"{loss:.4g}" in explorer.formula.widget.value
    grad = se.cross_entropy_grad(state.x, state.theta, 2)
    assert f"{grad[0]:.4g}" in explorer.formula.widget.value
    assert "theta=1.25,0.1,0.9,0.5" in explorer.link.widget.value


def test_formula_panel_works_out_the_selected_entry(explorer):
    explorer.formula.entry_i.value, explorer.formula.entry_k.value = 1, 2
    jac = se.jacobian([1, 4, 3, 2], [0.3, 0.1, 0.9, 0.5])
    text = explorer.formula.widget.value
    assert r"\partial g_{2}}{\partial \theta_{3}}" in text
    assert f"= {jac[1, 2]:.4g}$" in text
    explorer.controls["wrt"].value = "x"
    jac_x = se.jacobian([1, 4, 3, 2], [0.3, 0.1, 0.9, 0.5], wrt="x")
    assert f"= {jac_x[1, 2]:.4g}$" in explorer.formula.widget.value
    assert r"\partial x_{3}" in explorer.formula.widget.value


def test_scheme_step_wrt_and_dtype_reach_the_panels(explorer):
    explorer.controls["scheme"].value = "forward"
    explorer.controls["h"].value = 1e-4
    state = explorer.state
    numeric = se.numerical_jacobian(lambda t: se.softmax(state.x, t), state.theta, "forward", 1e-4)
    error = np.abs(numeric - se.jacobian(state.x, state.theta))
    np.testing.assert_allclose(
        explorer.dashboard.panels["error"].image.get_array(), error, rtol=1e-12
    )
    assert list(explorer.dashboard.panels["steps"].step_line.get_xdata()) == [1e-4, 1e-4]
    explorer.controls["wrt"].value = "x"
    np.testing.assert_array_equal(
        explorer.dashboard.panels["jacobian"].image.get_array(),
        se.jacobian(state.x, state.theta, "x"),
    )
    explorer.controls["dtype"].value = "float32"
    assert explorer.state.dtype == "float32"
    assert bar_heights(explorer).dtype == np.float64  # heights are floats; values float32-rounded
    np.testing.assert_allclose(
        bar_heights(explorer), se.softmax(np.float32(state.x), np.float32(state.theta)), rtol=0
    )


def test_x_text_and_n(explorer):
    explorer.controls["x"].value = "2, 4, 3, 1"
    assert explorer.state.x == (2, 4, 3, 1)
    explorer.controls["n"].value = 6
    assert explorer.state.n == 6
    assert len(explorer.controls.thetas) == 6
    assert len(explorer.dashboard.panels["bars"].heights) == 6
    assert explorer.controls["x"].value == "2, 4, 3, 1, 5, 6"
    assert [v for _, v in explorer.controls["target"].options] == [-1, 0, 1, 2, 3, 4, 5]
    explorer.controls["n"].value = 3
    assert explorer.state.x == (2, 4, 3)
    assert len(explorer.controls.theta_box.children) == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1, two, 3, 4", "x: value 2, &#x27;two&#x27; is not a number"),
        ("1, 2, 3", "x: 3 values, but n is 4"),
        ("1, 2, 3, 1e308", "is outside -10000..10000"),
        ("", "x: 0 values"),
    ],
)
def test_bad_x_text_shows_an_inline_message_and_changes_nothing(explorer, text, message):
    heights = bar_heights(explorer)
    renders = explorer.controller.renders
    explorer.controls["x"].value = text
    assert message in explorer.controls.notes.x.value
    assert explorer.state == State()
    assert explorer.controller.renders == renders
    np.testing.assert_array_equal(bar_heights(explorer), heights)
    explorer.controls["x"].value = "1, 4, 3, 3"  # the page keeps working
    assert explorer.state.x == (1, 4, 3, 3)
    assert explorer.controls.notes.x.value == ""


@pytest.mark.parametrize(
    ("widget", "key", "value", "message"),
    [
        ("temperature", "value", float("nan"), "temperature T: nan is outside 0.05..20"),
        ("temperature", "value", 1e308, "temperature T: 1e+308 is outside 0.05..20"),
        ("h", "value", -1.0, "step h: -1.0 is outside 1e-16..0.1"),
        ("learning_rate", "value", float("inf"), "learning rate: inf is outside 0.01..5"),
        ("n", "value", 1_000_000, "classes n: 1000000 is outside 2..32"),
        ("n", "value", -5, "classes n: -5 is outside 2..32"),
        ("n", "value", "many", "classes n: value &#x27;many&#x27; is not one this control takes"),
        ("temperature", "value", "hot", "temperature T: value &#x27;hot&#x27; is not one this"),
        ("scheme", "index", 17, "FD scheme: index 17 is not one this control takes"),
        ("dtype", "index", "float16", "Ignored a value for dtype"),
        ("target", "index", -3, "target class: index -3 is not one this control takes"),
        ("target", "index", 99, "target class: index 99 is not one this control takes"),
        ("stable", "value", "yes", "max-shift (stable softmax): value &#x27;yes&#x27; is not one"),
    ],
)
def test_values_sent_through_the_widget_protocol_are_rejected(
    explorer, widget, key, value, message
):
    heights = bar_heights(explorer)
    control = explorer.controls[widget]
    before = control.value
    control.set_state({key: value})
    assert (
        f"Ignored a value for {message}" in explorer.status.widget.value
        or message in explorer.status.widget.value
    )
    assert explorer.state == State()
    np.testing.assert_array_equal(bar_heights(explorer), heights)
    assert control.value == before
    assert "Traceback" not in explorer.status.widget.value
    control.set_state({key: before if key == "value" else control.index})  # still works
    assert explorer.state == State()


def test_theta_nan_from_the_browser(explorer):
    from_browser(explorer.controls.thetas[1], float("nan"))
    assert "Ignored a value for θ₂: nan is outside -3..3" in explorer.status.widget.value
    assert explorer.controls.thetas[1].value == 0.1
    assert explorer.state == State()
    from_browser(explorer.controls.thetas[1], 0.7)
    assert explorer.state.theta[1] == 0.7
    assert explorer.status.widget.value == ""


def test_a_preset_or_reset_is_one_figure_update(explorer):
    calls = count_updates(explorer)
    explorer.controls["preset"].value = "cold"
    assert len(calls) == 1
    assert explorer.state == PRESETS["cold"].state
    assert PRESETS["cold"].explanation[:30] in explorer.controls.notes.preset.value
    assert explorer.controls["temperature"].value == pytest.approx(0.05)
    explorer.controls.thetas[0].value = 2.0
    calls.clear()
    explorer.controls["reset_button"].click()
    assert len(calls) == 1
    assert explorer.state == PRESETS["cold"].state
    calls.clear()
    explorer.controls["preset"].value = "float32"
    assert len(calls) == 1
    assert explorer.controls["dtype"].value == "float32"
    assert explorer.controls["scheme"].value == "forward"
    calls.clear()
    explorer.controls["n"].value = 7
    assert len(calls) == 1


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_sets_its_documented_state(explorer, name):
    explorer.controls["preset"].value = name
    assert explorer.state == PRESETS[name].state
    assert [s.value for s in explorer.controls.thetas] == list(PRESETS[name].state.theta)


def test_gradient_descent_lowers_the_loss_and_reaches_the_target(explorer):
    explorer.controls["target"].value = 0  # the least likely class of the seed
    explorer.controls["learning_rate"].value = 0.1
    losses = [se.cross_entropy(explorer.state.x, explorer.state.theta, 0)]
    for _ in range(60):
        explorer.controls["step_button"].click()
        losses.append(se.cross_entropy(explorer.state.x, explorer.state.theta, 0))
    assert all(b < a for a, b in itertools.pairwise(losses))
    assert np.argmax(se.softmax(explorer.state.x, explorer.state.theta)) == 0
    assert explorer.controller.losses == pytest.approx(losses)
    line = explorer.dashboard.panels["trace"].line
    np.testing.assert_allclose(line.get_ydata(), losses)


def test_play_animates_the_descent(explorer):
    explorer.controls["target"].value = 1
    before = explorer.state.theta
    for value in range(1, 4):
        from_browser(explorer.controls["play"], value)
    assert explorer.state.theta != before
    assert len(explorer.controller.losses) == 4


def test_descent_without_a_target_says_why(explorer):
    explorer.controls["step_button"].click()
    assert "Choose a target class first" in explorer.status.widget.value
    assert explorer.state == State()


@pytest.mark.parametrize("kind", ["png", "svg", "json"])
def test_exports_are_download_links(explorer, kind):
    explorer.controls["target"].value = 2
    explorer.export.buttons[kind].click()
    match = re.search(r"href='data:([^;]+);base64,([^']+)'", explorer.export.download.value)
    assert match
    data = base64.b64decode(match.group(2))
    if kind == "png":
        assert data.startswith(b"\x89PNG")
    elif kind == "svg":
        assert b"<svg" in data[:500]
    else:
        assert State.from_dict(json.loads(data)) == explorer.state


def test_share_link_reopens_the_same_state():
    first = Explorer()
    first.controls["preset"].value = "negative"
    first.controls.thetas[2].value = -1.0
    first.controls["target"].value = 3
    query = first.link.widget.value.split("?", 1)[1]
    second = Explorer(query=query)
    assert second.state == first.state
    np.testing.assert_array_equal(bar_heights(second), bar_heights(first))


def test_invalid_query_falls_back_to_defaults_with_a_message():
    explorer = Explorer(query="n=3&x=1,2")
    assert explorer.state == State()
    assert "Link not applied: x: 2 values, n is 3" in explorer.status.widget.value


def test_unstable_overflow_is_explained(explorer):
    explorer.controls["preset"].value = "overflow"
    assert "overflows float64" in explorer.dashboard.panels["bars"].warning.get_text().replace(
        "\n", " "
    )
    explorer.controls["stable"].value = True
    assert not explorer.dashboard.panels["bars"].warning.get_visible()


def test_float32_overflow_of_the_logits_is_refused(explorer):
    explorer.controls["x"].value = "1000, 1, 1, 1"
    explorer.controls.thetas[0].value = 3.0
    explorer.controls["temperature"].value = 0.05
    state = explorer.state
    explorer.controls["dtype"].value = "float32"  # 1000 * 3 / 0.05 = 6e4 is fine in float32
    assert explorer.state.dtype == "float32"
    assert np.all(np.isfinite(bar_heights(explorer)))
    assert state.replace(dtype="float32") == explorer.state


def test_callback_errors_never_escape(explorer, monkeypatch):
    def broken(results):
        raise RuntimeError("boom")

    monkeypatch.setattr(explorer.dashboard, "update", broken)
    explorer.controls.thetas[0].value = 1.0  # must not raise
    assert "Something went wrong (RuntimeError)" in explorer.status.widget.value
    assert "boom" not in explorer.status.widget.value


def test_browser_bursts_are_coalesced_into_one_render(explorer, monkeypatch):
    """Ten slider messages queued behind each other: one render, at the last value.

    (On the event loop; the first step of a movement, drawn at once, is the controller's test.)
    """
    monkeypatch.setattr(controller_module, "QUIET", float("inf"))

    async def burst():
        for k in range(10):
            from_browser(explorer.controls.thetas[0], 0.1 * k)
        renders = explorer.controller.renders
        await asyncio.sleep(0)
        return renders

    renders_during = asyncio.run(burst())
    assert renders_during == 1  # nothing rendered while messages were pending
    assert explorer.controller.renders == 2
    assert explorer.state.theta[0] == pytest.approx(0.9)
    np.testing.assert_allclose(
        bar_heights(explorer), se.softmax([1, 4, 3, 2], [0.9, 0.1, 0.9, 0.5])
    )


def click(widget, x: float, y: float, changes: dict | None = None) -> None:
    """A mouse press as the browser sends it: pixels from the canvas's top left."""
    message = {"event": "button_press", "x": x, "y": y, "button": 1, **(changes or {})}
    widget._handle_custom_msg(message, [])


def test_heatmap_click_selects_the_entry(explorer):
    widget = explorer.dashboard.canvases["jacobian"]
    click(widget, *explorer.dashboard.cell_position(1, 3))
    assert explorer.formula.entry == (1, 3)
    assert (explorer.formula.entry_i.value, explorer.formula.entry_k.value) == (1, 3)
    assert r"\partial g_{2}}{\partial \theta_{4}}" in explorer.formula.widget.value


@pytest.mark.parametrize(
    "changes",
    [{"x": "12"}, {"x": float("nan")}, {"y": True}, {"x": -5}, {"y": 10_000}, {"button": 9},
     {"event": "key_press"}],
    ids=["text", "nan", "bool", "left-of-canvas", "below-canvas", "button", "event"],
)  # fmt: skip
def test_malformed_clicks_change_nothing(explorer, changes):
    widget = explorer.dashboard.canvases["jacobian"]
    click(widget, *explorer.dashboard.cell_position(1, 3), changes)
    widget._handle_custom_msg(["not", "a", "dict"], [])
    assert explorer.formula.entry == (0, 0)


def test_the_browser_cannot_set_a_panel_canvas(explorer):
    widget = explorer.dashboard.canvases["bars"]
    before = (widget.width, widget.foreground)
    widget.set_state({"width": -5, "foreground": '[["text", "injected"]]'})
    assert (widget.width, widget.foreground) == before


def test_preset_in_the_link_selects_the_dropdown():
    explorer = Explorer(query="preset=hot")
    assert (
        explorer.controller.renders == 1
    )  # built in the link's state: no render of the defaults first
    assert explorer.state == PRESETS["hot"].state
    assert explorer.controls["preset"].value == "hot"
    assert PRESETS["hot"].explanation[:20] in explorer.controls.notes.preset.value
    assert explorer.controls["target"].value == -1
    assert dict(explorer.controls["target"].options)["none"] == -1


def test_slider_rounding_from_the_browser_keeps_the_exact_state(explorer):
    """The browser snaps 0.3 to its 0.05 grid and echoes 0.30000000000000004: not a change."""
    from_browser(explorer.controls.thetas[0], 0.30000000000000004)
    from_browser(explorer.controls["learning_rate"], 0.5000000000000001)
    from_browser(explorer.controls["temperature"], 0.9999999999999998)
    from_browser(explorer.controls["h"], 1.0000000000000042e-06)
    assert explorer.state == State()
    from_browser(explorer.controls.thetas[0], 0.35)  # one step: a hand on the slider
    assert explorer.state.theta[0] == 0.35
    from_browser(explorer.controls["temperature"], 10**0.01)  # one step of the log slider
    assert explorer.state.temperature == pytest.approx(10**0.01)


def test_formula_panel_follows_the_hand_after_it_pauses():
    """While a slider moves, MathJax is spared: the formulas update once the hand pauses."""
    from softmax_explorer.app.views import FORMULA_DELAY

    clock = ManualClock()
    explorer = Explorer(clock=clock)
    before = explorer.formula.widget.value
    for k in range(1, 4):
        from_browser(explorer.controls.thetas[0], 0.3 + 0.05 * k)
        clock.advance(0.01)
    during = explorer.formula.widget.value  # the last move was drawn 0.01 s ago
    clock.advance(FORMULA_DELAY - 0.02)
    assert explorer.formula.widget.value == before  # the hand paused for less than the delay
    clock.advance(0.02)
    assert during == before  # plots redrawn, formulas not yet
    assert explorer.state.theta[0] == pytest.approx(0.45)
    g = se.softmax(explorer.state.x, explorer.state.theta)
    assert f"{g[0]:.4g}" in explorer.formula.widget.value
    assert explorer.formula.widget.value != before


def test_apply_query_reopens_a_link_in_a_running_panel(explorer):
    calls = count_updates(explorer)
    assert explorer.apply_query("preset=negative&target=2")  # class 2, as the dropdown says
    assert explorer.state == PRESETS["negative"].state.replace(target=1)
    assert explorer.controls["target"].label == "class 2"
    assert explorer.controls["preset"].value == "negative"
    assert len(calls) == 1
    assert not explorer.apply_query("n=abc")
    assert (
        "Link not applied: n: &#x27;abc&#x27; is not a whole number" in explorer.status.widget.value
    )
    assert explorer.state == State()


def test_the_page_numbers_classes_from_one_everywhere_it_names_them(explorer):
    explorer.controls["target"].value = 2  # the API's class 2 is the page's class 3
    explorer.controls["scheme"].value = "forward"
    text = explorer.formula.widget.value
    check = explorer.controller.results().check
    i, k = check.worst
    assert f"worst entry dg_{i + 1}/dtheta_{k + 1} (from 1)" in text
    assert "(0-based)" in str(check)
    assert r"-\log g_{3}" in text
    assert "target=3" in explorer.link.widget.value
    assert explorer.controls["target"].label == "class 3"
    labels = [t.get_text() for t in explorer.dashboard.panels["bars"].ax.get_xticklabels()]
    assert labels == ["x₁", "x₂", "x₃", "x₄"]


def test_the_gradient_check_line_colours_its_verdict():
    explorer = Explorer(query="preset=float32")
    text = explorer.formula.widget.value
    assert "softmax-explorer-verdict-inconclusive" in text
    assert "inconclusive: round-off dominates at h = 1e-6; try h ≈ 3e-4" in text
    explorer.controls["h"].value = 10**-3.5
    assert "softmax-explorer-verdict-passed" in explorer.formula.widget.value


@pytest.mark.parametrize("name", list(PRESETS))
def test_sliders_land_exactly_on_every_presets_values(name):
    """Each slider's grid holds the preset's value, so the browser shows it as it is."""
    explorer = Explorer(query=f"preset={name}")
    state = explorer.state
    sliders = [(explorer.controls[f], getattr(state, f)) for f in ("temperature", "h")]
    sliders += [(explorer.controls["learning_rate"], state.learning_rate)]
    sliders += list(zip(explorer.controls.thetas, state.theta, strict=True))
    for slider, value in sliders:
        position = math.log(value, slider.base) if hasattr(slider, "base") else value
        steps = (position - slider.min) / slider.step
        assert steps == pytest.approx(round(steps), abs=1e-6), (slider.description, value)
        shown = f"{value:{slider.readout_format}}"
        on_grid = slider.min + round(steps) * slider.step
        on_grid = slider.base**on_grid if hasattr(slider, "base") else on_grid
        assert f"{on_grid:{slider.readout_format}}" == shown, (slider.description, value)


def _lesson_and_preset_states():
    from softmax_explorer.teaching.lesson import LESSONS, load_lesson

    yield from (p.state for p in PRESETS.values())
    for name in LESSONS:
        yield from (step.state for step in load_lesson(name).steps)


def test_a_logarithmic_sliders_readout_is_the_states_value_not_the_grids():
    """T = 0.5 (a lesson's) lies between two points of the slider's grid: the browser's own
    readout would say 0.501. The readout beside the slider is the kernel's."""
    explorer = Explorer()
    for state in _lesson_and_preset_states():
        explorer.apply_query(state.to_query())
        for name in ("temperature", "h"):
            slider = explorer.controls[name]
            assert not slider.readout
            fmt = explorer.controls.controls[name].setting.slider.readout
            assert explorer.controls.readouts[name].value == f"{getattr(state, name):{fmt}}"
    explorer.apply_query("temperature=0.5")
    assert explorer.controls.readouts["temperature"].value == "0.5"
    from_browser(explorer.controls["temperature"], 0.7)  # a hand on the slider
    assert explorer.state.temperature == 0.7
    assert explorer.controls.readouts["temperature"].value == "0.7"


def test_a_projector_context_grows_the_panels_and_a_bad_one_names_the_choices():
    notebook, talk = Explorer(), Explorer(context="talk")
    for name, canvas in talk.dashboard.canvases.items():
        assert canvas.width == round(1.5 * notebook.dashboard.canvases[name].width)
        assert canvas.layout.max_width == f"{canvas.width}px"  # the page scales it to fit
    with pytest.raises(ValueError, match="unknown context 'huge': choose one of paper, notebook"):
        Explorer(context="huge")


def test_the_figures_follow_the_pages_theme_and_ignore_a_bad_one():
    explorer = Explorer()
    host = explorer.host
    assert host in explorer.widget.children
    host.set_state({"theme": "dark"})  # as JupyterLab's dark theme reports it
    assert explorer.dashboard.theme == "dark"
    assert explorer.dashboard.panels["jacobian"].image.get_cmap().name == "icefire"
    for bad in ("sepia", 3, None, ["dark"]):
        host.set_state({"theme": bad})
        assert host.theme == "dark"
    host.set_state({"theme": "light"})
    assert explorer.dashboard.theme == "light"
    fixed = Explorer(theme="dark")  # a theme chosen in code stays
    fixed.host.set_state({"theme": "light"})
    assert fixed.dashboard.theme == "dark"


def test_every_field_has_a_control_derived_from_its_setting(explorer):
    from softmax_explorer.app.controls import CONTROLS
    from softmax_explorer.settings import Choice, Flag, Number
    from softmax_explorer.state import SETTINGS

    fields = [c.state_field for c in CONTROLS if c.state_field is not None]
    assert fields == list(SETTINGS)  # one control per field, in the table's order
    for control in CONTROLS:
        if control.state_field is None or control.per_class:
            continue
        widget, setting = explorer.controls[control.name], SETTINGS[control.state_field]
        assert widget.description == setting.label
        assert widget.tooltip == setting.tooltip
        if isinstance(setting.kind, Number):
            slider = setting.slider
            ends = (widget.base**widget.min, widget.base**widget.max) if slider.log else (
                widget.min, widget.max)  # fmt: skip
            assert ends == pytest.approx((slider.low, slider.high))
        if isinstance(setting.kind, Choice):
            assert [value for _, value in widget.options] == list(setting.kind.options)
        if isinstance(setting.kind, Flag):
            assert isinstance(widget.value, bool)
    theta = SETTINGS["theta"].slider
    assert {(s.min, s.max, s.step) for s in explorer.controls.thetas} == {
        (theta.low, theta.high, theta.step)
    }


def test_a_control_that_acts_needs_a_handler():
    from softmax_explorer.app.controls import Controls

    with pytest.raises(KeyError, match="'preset' has no handler"):
        Controls({}, lambda *_: None, lambda *_: None, lambda *_: None)


@pytest.mark.parametrize(
    ("query", "name", "value"),
    [("temperature=0.001", "temperature", 0.001), ("learning_rate=50", "learning_rate", 50.0),
     ("h=1e-16", "h", 1e-16)],
)  # fmt: skip
def test_a_value_beyond_its_slider_is_shown_as_it_is(query, name, value):
    """A link may go beyond a slider's range (within what the field takes): the slider widens
    to show the value instead of clamping it, and moving it afterwards works."""
    explorer = Explorer(query=query)
    assert explorer.state == State().replace(**{name: value})
    widget = explorer.controls[name]
    assert widget.value == pytest.approx(value)
    explorer.controls[name].value = widget.value  # the browser's echo changes nothing
    assert getattr(explorer.state, name) == value


@pytest.mark.parametrize("mapping", ["sparsemax", "entmax15"])
def test_a_mapping_reaches_every_panel(explorer, mapping):
    explorer.controls["mapping"].value = mapping
    state = explorer.state
    assert state.mapping == mapping
    g = se.probabilities(state.x, state.theta, state.temperature, mapping)
    np.testing.assert_allclose(bar_heights(explorer), g, rtol=1e-15)
    bars = explorer.dashboard.panels["bars"]
    assert bars.softmax_outline.get_visible()  # softmax behind, for comparison
    softmax_heights = bars.softmax_outline.get_path().vertices[2::5, 1]
    np.testing.assert_allclose(softmax_heights, se.softmax(state.x, state.theta), rtol=1e-15)
    assert bars.logit_ax.get_visible()
    tau = explorer.controller.results().model.tau()
    assert bars.threshold.get_ydata()[0] == pytest.approx(
        tau if mapping == "sparsemax" else 2 * tau
    )
    jac = se.jacobian(state.x, state.theta, mapping=mapping)
    np.testing.assert_array_equal(explorer.dashboard.panels["jacobian"].image.get_array(), jac)
    label = {"sparsemax": "Sparsemax", "entmax15": "1.5-entmax"}[mapping]
    assert f"<b>{label}</b>" in explorer.formula.widget.value
    assert f"mapping={mapping}" in explorer.link.widget.value
    explorer.controls["mapping"].value = "softmax"
    assert not bars.softmax_outline.get_visible()
    assert not bars.logit_ax.get_visible()


def test_a_target_outside_the_support_says_why_and_descent_stops(explorer):
    explorer.controls["mapping"].value = "sparsemax"
    explorer.controls["target"].value = 0  # class 1: probability 0 under sparsemax
    assert "class 1 has probability 0 under sparsemax" in explorer.controls.notes.target.value
    assert "infinite" in explorer.formula.widget.value
    explorer.controls["step_button"].click()
    assert "No descent: class 1 has probability 0" in explorer.status.widget.value
    assert explorer.state.theta == State().theta  # nothing moved


def test_the_kink_preset_gets_the_nondifferentiable_verdict_on_the_page():
    explorer = Explorer(query="preset=kink")
    assert "not differentiable here" in explorer.formula.widget.value
    assert "one-sided slopes" in explorer.formula.widget.value


def test_the_page_starts_with_its_title_and_the_dragged_plots_take_a_finger():
    from softmax_explorer.app.layout import TITLE, _columns

    explorer = Explorer()
    assert TITLE in explorer.widget.children[0].value
    assert explorer.widget.children[3] is explorer.predict.view.box  # before the controls
    drags = {name: canvas.drags for name, canvas in explorer.dashboard.canvases.items()}
    assert drags == {"bars": True, "jacobian": False, "error": False, "steps": True, "trace": False}

    # the columns' narrowest width grows with the plotting context's sizes
    def grid(widget):
        if "softmax-explorer-plots" in widget._dom_classes:
            return widget
        return next(filter(None, map(grid, getattr(widget, "children", ()))), None)

    talk = Explorer(context="talk")
    columns = [grid(e.widget).layout.grid_template_columns for e in (explorer, talk)]
    assert columns == [_columns(300), _columns(450)]
    # the sampling view's plots take the same columns
    assert [e.sampling.box.layout.grid_template_columns for e in (explorer, talk)] == columns
