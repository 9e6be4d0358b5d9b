"""`Frames`: the canvases drawn together reach the page in one message, and keep their state."""

from __future__ import annotations

import json
from types import SimpleNamespace

import comm
import ipywidgets as W
import pytest
from matplotlib.figure import Figure

from softmax_explorer import Explorer
from softmax_explorer.canvas.frames import Frames
from softmax_explorer.canvas.widget import PanelCanvas
from softmax_explorer.figures.blit import Blitter


@pytest.fixture
def sent(monkeypatch) -> list[tuple[W.Widget, dict]]:
    """Every message a widget made from now on sends to the page: ``(widget, message)``.

    Its comm is one that sends (outside a kernel, whatever another test imported).
    """
    monkeypatch.setattr(comm, "create_comm", comm.DummyComm)
    messages: list[tuple[W.Widget, dict]] = []
    monkeypatch.setattr(
        W.Widget, "_send", lambda self, msg, buffers=None: messages.append((self, msg))
    )
    return messages


def canvas(frames: Frames | None = None) -> PanelCanvas:
    """A drawn canvas with one animated line, blitted by ``widget.blitter``."""
    fig = Figure(figsize=(2, 2), dpi=50)
    (line,) = fig.add_subplot().plot([0, 1], [0, 1])
    widget = PanelCanvas(fig, frames=frames)
    widget.blitter = Blitter(fig, SimpleNamespace(animated=[line]))
    widget.canvas.draw()
    return widget


def move(widget: PanelCanvas, y: float) -> None:
    widget.figure.axes[0].lines[0].set_ydata([0, y])


def state(widget: PanelCanvas, *names: str) -> dict[str, str]:
    return {name: getattr(widget, name) for name in names}


def test_canvases_drawn_together_reach_the_page_in_one_message(sent):
    frames = Frames()
    a, b = canvas(frames), canvas(frames)
    sent.clear()
    move(a, 0.5)
    a.figure.axes[0].set_title("a new background")
    move(b, 0.25)
    with frames.together():
        a.canvas.draw()
        b.blitter.blit()
        assert sent == []  # nothing before the end
    assert sent == [
        (
            frames,
            {
                "method": "custom",
                "content": {
                    "frames": {
                        a.model_id: state(a, "foreground", "background"),
                        b.model_id: state(b, "foreground"),
                    }
                },
            },
        )
    ]
    # the state a page that loads later reads is the one sent
    assert json.loads(a.get_state()["foreground"]) == a.canvas.foreground
    assert json.loads(a.get_state()["background"]) == a.canvas.background
    assert json.loads(b.get_state()["foreground"]) == b.canvas.foreground


def test_a_canvas_drawn_twice_is_sent_once_when_the_outermost_ends(sent):
    frames = Frames()
    a = canvas(frames)
    sent.clear()
    with frames.together():
        a.figure.axes[0].set_title("a new background")
        a.canvas.draw()
        background = a.background
        with frames.together():
            move(a, 0.75)
            a.blitter.blit()
        assert sent == []
    ((widget, message),) = sent
    assert widget is frames
    assert message["content"]["frames"] == {
        a.model_id: {"foreground": a.foreground, "background": background}
    }


def test_frames_held_when_a_draw_fails_are_still_sent(sent):
    frames = Frames()
    a = canvas(frames)
    sent.clear()

    def render() -> None:
        with frames.together():
            move(a, 0.5)
            a.blitter.blit()
            raise RuntimeError("a later panel failed")

    with pytest.raises(RuntimeError):
        render()
    # the canvas's state changed without a message of its own: the group's must still go
    assert [message["content"]["frames"] for _, message in sent] == [
        {a.model_id: {"foreground": a.foreground}}
    ]


def test_outside_together_or_without_a_group_a_canvas_sends_its_own_update(sent):
    frames = Frames()
    grouped, alone = canvas(frames), canvas()
    sent.clear()
    for widget in (grouped, alone):
        move(widget, 0.5)
        widget.canvas.draw()
    assert [(widget, message["method"]) for widget, message in sent] == [
        (grouped, "update"),
        (alone, "update"),
    ]
    assert sent[0][1]["state"] == state(grouped, "foreground")  # the background is unchanged
    with frames.together():
        alone.blitter.blit()
    assert sent[-1][0] is alone  # not in the group: its own message, at once


def test_a_step_of_the_explorer_sends_its_plots_in_one_message(sent):
    explorer = Explorer(query="n=32&sampling=true&top_p=0.9&samples=1000")
    canvases = explorer.dashboard.canvases
    sent.clear()
    explorer.controls["temperature"].set_state({"value": 1.1})  # as the browser sends it
    assert explorer.state.temperature == 1.1
    frames = [message["content"]["frames"] for widget, message in sent if widget is explorer.frames]
    assert len(frames) == 1
    # every plot changes with T; each arrives with the state the widget now holds
    assert frames[0] == {
        canvases[name].model_id: state(canvases[name], "foreground")
        for name in ("bars", "jacobian", "error", "steps", "cuts", "sampler")
    }
    assert [
        w for w, message in sent if w in canvases.values() and "foreground" in str(message)
    ] == []
