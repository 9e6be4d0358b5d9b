"""`LessonView`: a lesson's step over the dashboard: its title, text and question, and buttons.

Hidden until a lesson is shown. It holds the lesson and the step shown, and reports which step
the class asked for; the `Explorer` changes the state. Imports ipywidgets.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as W

from ..state import State
from ..teaching.lesson import Lesson, Step

__all__ = ["LessonView"]


def _paragraphs(text: str) -> str:
    """Text as HTML paragraphs (blank lines between them); markup is shown as text."""
    return "".join(f"<p>{html.escape(p.strip())}</p>" for p in text.split("\n\n") if p.strip())


class LessonView:
    """Previous and Next, "step k of n", and the step's text (``$...$`` typeset as math).

    Parameters
    ----------
    on_step : callable
        ``on_step(number)`` when a button asks for step ``number`` (from 1).

    Attributes
    ----------
    lesson : Lesson or None
        The lesson shown.
    number : int
        The step shown, from 1 (0 without a lesson).
    """

    def __init__(self, on_step: Callable[[int], None]) -> None:
        self.lesson: Lesson | None = None
        self.number = 0
        self.heading = W.HTML()
        self.counter = W.Label()
        self.text = W.HTMLMath()
        self.previous = W.Button(
            description="Previous", icon="arrow-left", tooltip="The previous step of the lesson"
        )
        self.next = W.Button(
            description="Next", icon="arrow-right", tooltip="The next step of the lesson"
        )
        for name, button, delta in (("previous", self.previous, -1), ("next", self.next, 1)):
            button.add_class(f"softmax-explorer-lesson-{name}")
            button.on_click(lambda _b, delta=delta: on_step(self.number + delta))
        self.counter.add_class("softmax-explorer-lesson-counter")
        self.heading.add_class("softmax-explorer-lesson-title")
        self.text.add_class("softmax-explorer-lesson-text")
        # the buttons and the counter keep their width; the title takes the rest of the row,
        # or a row of its own on a phone
        for widget in (self.previous, self.next, self.counter):
            widget.layout.flex = "0 0 auto"
        self.heading.layout.flex = "1 1 16em"
        row = W.HBox(
            [self.previous, self.next, self.counter, self.heading],
            layout=W.Layout(flex_flow="row wrap", align_items="center"),
        )
        self.box = W.VBox([row, self.text], layout=W.Layout(display="none", width="100%"))
        self.box.add_class("softmax-explorer-lesson")

    def show(self, lesson: Lesson, number: int) -> None:
        """Show step ``number`` (from 1) of ``lesson``."""
        step = lesson.step(number)
        self.lesson, self.number = lesson, number
        self.counter.value = f"step {number} of {len(lesson)}"
        self.heading.value = f"<b>{html.escape(lesson.title)}</b>: {html.escape(step.title)}"
        question = (
            f"<p class='softmax-explorer-lesson-question'><b>Question:</b> "
            f"<i>{html.escape(step.question)}</i></p>"
            if step.question
            else ""
        )
        self.text.value = _paragraphs(step.text) + question
        self.previous.disabled = number <= 1
        self.next.disabled = number >= len(lesson)
        self.box.layout.display = "flex"

    @property
    def step(self) -> Step | None:
        """The step shown (None without a lesson)."""
        return self.lesson.step(self.number) if self.lesson else None

    @property
    def state(self) -> State | None:
        """The state of the step shown (None without a lesson)."""
        return self.step.state if self.lesson else None
