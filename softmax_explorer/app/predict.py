"""`Predict`: "predict, then reveal": the next change held back until the class has answered.

When it is on (its checkbox, or a lesson step's question), the next change's results are held: the
panels keep showing the old state while a question about the change is asked (see
`softmax_explorer.teaching.questions`). An answer is marked right or wrong, then the panels animate
from the old state to the new one, the old bars kept as a faint outline. "Show" reveals without an
answer. Imports ipywidgets.
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Callable, Iterator

import ipywidgets as W

from ..results import Results
from ..state import State
from ..teaching.questions import QUESTIONS, Question, ask, fitting
from .clock import Clock, LoopClock
from .safe import Checkbox, Dropdown

__all__ = ["FRAMES", "FRAME_DELAY", "Predict", "PredictView"]

#: The reveal's animation: frames from the old state to the new one, and seconds between them.
FRAMES = 8
FRAME_DELAY = 0.04
ANY = ""  # the kind "any question that fits the change"


class PredictView:
    """The checkbox and question kind, then the question, its answers and the verdict."""

    def __init__(self, on_answer: Callable[[int | None], None]) -> None:
        self.on = Checkbox(description="predict, then reveal", indent=False, value=False)
        self.on.add_class("softmax-explorer-predict-toggle")
        kinds = [(kind.label, name) for name, kind in QUESTIONS.items()]
        self.kind = Dropdown(
            options=[("any question that fits", ANY), *kinds], value=ANY, description="ask",
            style={"description_width": "30px"},
            layout=W.Layout(width="300px", max_width="100%"),
        )  # fmt: skip
        self.kind.add_class("softmax-explorer-predict-kind")
        self.question = W.HTML()
        self.question.add_class("softmax-explorer-predict-question")
        self.choices = W.HBox(layout=W.Layout(flex_flow="row wrap"))
        self.show = W.Button(description="Show", tooltip="Reveal the change without answering")
        self.show.add_class("softmax-explorer-predict-show")
        self.show.on_click(lambda _b: on_answer(None))
        self.verdict = W.HTML()
        self.verdict.add_class("softmax-explorer-predict-verdict")
        self._on_answer = on_answer
        # rows that wrap: on a phone the question kind goes below the checkbox
        wrap = W.Layout(flex_flow="row wrap")
        self.asking = W.VBox([self.question, W.HBox([self.choices, self.show], layout=wrap)])
        self.asking.layout.display = "none"
        self.box = W.VBox([W.HBox([self.on, self.kind], layout=wrap), self.asking, self.verdict])
        self.box.add_class("softmax-explorer-predict")

    def ask(self, question: Question) -> None:
        """Show ``question`` with one button per answer."""
        self.question.value = f"<b>Predict:</b> {html.escape(question.text)}"
        buttons = []
        for i, choice in enumerate(question.choices):
            button = W.Button(description=choice, layout=W.Layout(width="auto"))
            button.add_class("softmax-explorer-predict-choice")
            button.on_click(lambda _b, i=i: self._on_answer(i))
            buttons.append(button)
        self.choices.children = buttons
        self.verdict.value = ""
        self.asking.layout.display = "flex"

    def tell(self, message: str, right: bool | None = None) -> None:
        """Close the question and show ``message`` (marked right, wrong, or neither)."""
        self.asking.layout.display = "none"
        self.choices.children = ()
        mark = {True: "right", False: "wrong", None: "note"}[right]
        self.verdict.value = (
            f"<div class='softmax-explorer-predict-{mark}'>{html.escape(message)}</div>"
            if message
            else ""
        )


class Predict:
    """Holds a change back, asks about it, and reveals it as an animation.

    Parameters
    ----------
    compute : callable
        ``compute(state)``: the results of an animation frame (may raise ValueError).
    frame : callable
        ``frame(results)``: show one frame in the panels only.
    reveal : callable
        ``reveal(new, old)``: show ``new`` as the page shows any state, the bars of ``old``
        outlined.
    clock : Clock, optional
        Runs the animation's frames (default: the event loop's).

    Attributes
    ----------
    view : PredictView
        The widgets.
    question : Question or None
        The question waiting for an answer.
    """

    def __init__(
        self,
        compute: Callable[[State], Results],
        frame: Callable[[Results], None],
        reveal: Callable[[Results, Results], None],
        clock: Clock | None = None,
    ) -> None:
        self.view = PredictView(self.answer)
        self._clock = clock or LoopClock()
        self.view.on.observe(self._on_toggle, "value")
        self.question: Question | None = None
        self._compute, self._frame, self._reveal = compute, frame, reveal
        self._held: tuple[Results, Results] | None = None  # (shown, new)
        self._heading_to: Results | None = None  # where a running animation goes
        self._generation = 0  # a new change ends a running animation
        self._once = ""  # a lesson step's kind of question, for its next change
        self._passing = False
        self._asked = 0

    @property
    def on(self) -> bool:
        """Whether the next change is held back for a prediction."""
        return self.view.on.value or bool(self._once)

    def ask_next(self, kind: str) -> None:
        """Ask ``kind`` (a key of `QUESTIONS`) about the next change only (a lesson step)."""
        self._once = kind

    @contextlib.contextmanager
    def passing(self) -> Iterator[None]:
        """Let the states shown inside through at once (a reset, a link, a lesson step)."""
        self._drop()
        self._passing = True
        try:
            yield
        finally:
            self._passing = False

    def hold(self, shown: Results, new: Results) -> bool:
        """Whether ``new`` is held back, the panels still showing ``shown``."""
        if self._heading_to is not None:  # a change while an animation runs: it ends here
            shown, self._heading_to = self._heading_to, None
            self._generation += 1
        if self._held is not None:
            self._held = (self._held[0], new)
            if new.state.n != shown.state.n:  # no question compares different sizes: shown now
                self.answer(None)
            return True
        if self._passing or not self.on or new.state == shown.state:
            return False
        question = self._question(shown, new)
        if question is None:
            return False
        self._held, self.question = (shown, new), question
        self.view.ask(question)
        return True

    def _question(self, shown: Results, new: Results) -> Question | None:
        chosen = self._once or self.view.kind.value
        if chosen:
            question = ask(chosen, shown, new)
            if question is None:
                label = QUESTIONS[chosen].label
                self.view.tell(f'"{label}" has no single answer for this change.')
            return question
        kinds = fitting(shown, new)
        if not kinds:
            return None
        self._asked += 1  # take turns among the kinds that fit
        return ask(kinds[self._asked % len(kinds)], shown, new)

    def answer(self, choice: int | None) -> None:
        """Mark answer ``choice`` (an index into the question's choices; None: just show)."""
        if self._held is None or self.question is None:
            return
        old, new = self._held
        question = ask(self.question.kind, old, new)  # for the latest of the held changes
        if question is None:
            self.view.tell("After your further changes this question has no single answer.")
        elif choice is None:
            self.view.tell(f"The answer: {question.choices[question.answer]}. {question.because}")
        else:
            self.view.tell(question.verdict(choice), right=choice == question.answer)
        self._held = self.question = None
        self._once = ""
        self._animate(old, new)

    def _animate(self, old: Results, new: Results) -> None:
        self._generation += 1
        generation = self._generation
        self._heading_to = new
        states = []
        if old.state.n == new.state.n:
            states = [old.state.between(new.state, i / FRAMES) for i in range(1, FRAMES)]

        def step(i: int) -> None:
            if generation != self._generation:
                return
            if i == len(states):
                self._heading_to = None
                self._reveal(new, old)
                return
            with contextlib.suppress(ValueError):  # a frame the numerics refuse is skipped
                self._frame(self._compute(states[i]))
            self._clock.call_later(FRAME_DELAY, lambda: step(i + 1))

        step(0)

    def _drop(self) -> None:
        """Forget a held change and end an animation (the page shows another state)."""
        self._generation += 1
        self._held = self._heading_to = self.question = None
        self._once = ""
        self.view.tell("")

    def _on_toggle(self, change: dict) -> None:
        if not change["new"] and self._held is not None:
            self.answer(None)
