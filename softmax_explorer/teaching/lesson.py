r"""Lessons: a story a teacher steps through, each step a state, a short text and a question.

A lesson is a JSON file::

    {"title": "The seed notebook, retold",
     "steps": [{"title": "The model", "state": {"preset": "seed"},
                "text": "The bars show $g_i = e^{z_i}/\\sum_j e^{z_j}$ ...",
                "question": "Before you move θ₁ up: which bars will grow?",
                "predict": "gains_most"}, ...]}

A step's ``state`` holds share-link fields (`softmax_explorer.state.LINK_FIELDS`: ``preset``,
``n``, ``x``, ``theta``, ``temperature``, ... with ``target`` numbered as the page shows the
classes); ``question`` is optional, and ``$...$`` in a text is typeset as math. ``predict``,
optional, is a kind of question (a key of `softmax_explorer.teaching.questions.QUESTIONS`) the class
answers before the step's next change is shown ("predict, then reveal"). Steps are
numbered from 1, as the page shows them (``step 4 of 9``, ``?lesson=seed&step=4``). The lessons
that ship with the package are in `LESSONS`. Beyond the standard library, only `state` and the
names of the questions are imported.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from ..state import LINK_FIELDS, State, StateError, query_fields
from .questions import QUESTIONS

__all__ = ["LESSONS", "Lesson", "LessonError", "Place", "Step", "load_lesson", "open_link"]

_SHIPPED = files(__package__) / "lessons"
#: The names of the lessons that ship with the package (``seed``: the seed notebook, retold).
LESSONS: tuple[str, ...] = tuple(
    sorted(p.name.removesuffix(".json") for p in _SHIPPED.iterdir() if p.name.endswith(".json"))
)
#: The largest lesson file read (bytes): a lesson is a few pages of text.
MAX_BYTES = 1_000_000
_LESSON_KEYS = {"title": True, "steps": True}  # key: required
_STEP_KEYS = {"title": True, "text": True, "state": True, "question": False, "predict": False}
_STATE_KEYS = dict.fromkeys(LINK_FIELDS, False)


@dataclass(frozen=True)
class Place:
    """Where in a lesson: its file (or name), a step (from 1) and a part of the step."""

    source: str | None = None
    step: int | None = None
    part: str | None = None

    def __str__(self) -> str:
        text = ": ".join(p for p in (self.source, self.step and f"step {self.step}") if p)
        return f"{text}, {self.part}" if self.part else text


class LessonError(ValueError):
    """A lesson that cannot be shown.

    ``str(err)`` names the place, the field and the reason
    (``week3.json: step 2: title: expected some text``).

    Attributes
    ----------
    place : Place
        The file (or the lesson's name), the step and the part of it (``state``).
    field : str or None
        The field that is wrong (``title``, ``steps``, ``predict``; ``lesson`` and ``step`` in
        a link).
    reason : str
        Why, in words; for a step's state, the state's own message (the `StateError` is the
        error's ``__cause__``).
    """

    def __init__(self, reason: str, place: Place = Place(), field: str | None = None) -> None:
        self.place, self.field, self.reason = place, field, reason
        text = f"{field}: {reason}" if field else reason
        super().__init__(f"{place}: {text}" if str(place) else text)


@dataclass(frozen=True)
class Step:
    """One step of a lesson.

    Attributes
    ----------
    title, text : str
        Its heading and what it says (``$...$`` is math).
    state : State
        The state it shows.
    question : str or None
        What it asks the class before they change anything.
    predict : str or None
        The kind of question the class answers before its next change is shown.
    """

    title: str
    text: str
    state: State
    question: str | None = None
    predict: str | None = None


@dataclass(frozen=True)
class Lesson:
    """A titled sequence of steps.

    Attributes
    ----------
    name : str
        How a share link names it (``?lesson=seed``): a shipped lesson's name, or a file's stem.
    title : str
        Its heading.
    steps : tuple of Step
        ``steps[0]`` is step 1.
    """

    name: str
    title: str
    steps: tuple[Step, ...]

    def __len__(self) -> int:
        return len(self.steps)

    def step(self, number: int) -> Step:
        """Step ``number``, counted from 1.

        Raises
        ------
        LessonError
            If there is no such step.
        """
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= len(self):
            raise LessonError(
                f"{number!r} is not a step of this lesson (1..{len(self)})", field="step"
            )
        return self.steps[number - 1]

    def query(self, number: int) -> str:
        """The share link's query of step ``number``: ``lesson=seed&step=4``."""
        self.step(number)
        return urlencode({"lesson": self.name, "step": number})

    @classmethod
    def from_dict(cls, data: Any, name: str, source: str | None = None) -> Lesson:
        """A lesson from parsed JSON; ``source`` (default ``name``) begins any error message.

        Raises
        ------
        LessonError
            Naming the step (from 1) and the field that is wrong.
        """
        where = source or name
        fields_ = _checked(data, _LESSON_KEYS, Place(where))
        title = _text(fields_, "title", Place(where))
        steps = fields_["steps"]
        if not isinstance(steps, list) or not steps:
            raise LessonError(
                f"expected a list of steps, got {steps!r:.60}", Place(where), field="steps"
            )
        return cls(name, title, tuple(_step(s, Place(where, k)) for k, s in enumerate(steps, 1)))


def _checked(data: Any, keys: dict[str, bool], place: Place) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise LessonError(f"expected a JSON object, got {type(data).__name__}", place)
    unknown = sorted(set(data) - set(keys))
    if unknown:
        raise LessonError(
            f"unknown field(s) {', '.join(unknown)}; expected {', '.join(keys)}", place
        )
    missing = [key for key, required in keys.items() if required and key not in data]
    if missing:
        raise LessonError(f"{', '.join(missing)} missing", place)
    return data


def _text(data: dict[str, Any], key: str, place: Place) -> str:
    value = data[key]
    if not isinstance(value, str) or not value.strip():
        raise LessonError(f"expected some text, got {value!r:.60}", place, field=key)
    return value.strip()


def _step(data: Any, place: Place) -> Step:
    fields_ = _checked(data, _STEP_KEYS, place)
    question = _text(fields_, "question", place) if "question" in fields_ else None
    predict = fields_.get("predict")
    if predict is not None and (not isinstance(predict, str) or predict not in QUESTIONS):
        raise LessonError(
            f"{predict!r} is not a kind of question; expected one of {', '.join(QUESTIONS)}",
            place,
            field="predict",
        )
    return Step(
        _text(fields_, "title", place),
        _text(fields_, "text", place),
        _state(fields_["state"], Place(place.source, place.step, "state")),
        question,
        predict,
    )


def _state(data: Any, place: Place) -> State:
    """A state from share-link fields given as JSON values (lists for x and theta)."""
    _checked(data, _STATE_KEYS, place)
    try:
        return State.from_query(urlencode({k: _link_value(v) for k, v in data.items()}))
    except StateError as err:
        raise LessonError(str(err), place) from err


def _link_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "none"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def load_lesson(source: str | os.PathLike) -> Lesson:
    """A shipped lesson by name (see `LESSONS`), or a lesson file.

    Raises
    ------
    LessonError
        If the file cannot be read or is not a valid lesson; the message names the file, the
        step and the field.
    """
    if isinstance(source, str) and source in LESSONS:
        name, path, where = source, _SHIPPED / f"{source}.json", source
    else:
        path = Path(source)
        name, where = path.stem, str(source)
        if not path.is_file():
            raise LessonError(
                f"no such file, and not a shipped lesson ({', '.join(LESSONS)})", Place(where)
            )
        if path.stat().st_size > MAX_BYTES:
            raise LessonError(f"larger than {MAX_BYTES // 1000} kB: not a lesson", Place(where))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise LessonError(f"cannot be read ({err})", Place(where)) from None
    except json.JSONDecodeError as err:
        raise LessonError(f"not valid JSON: {err}", Place(where)) from None
    return Lesson.from_dict(data, name, where)


def open_link(query: str, lesson: Lesson | None = None) -> tuple[Lesson | None, int, State]:
    """The lesson, step (from 1; 0 without a lesson) and state a share link's query opens.

    ``lesson=NAME`` names a shipped lesson, or ``lesson`` (the one already shown, which may come
    from a file); never a path. ``step`` defaults to 1. The step's state is shown unless the
    query has state fields too (a state changed since the step was opened).

    Raises
    ------
    LessonError, StateError
        For an unknown lesson, a step it does not have, or an invalid state.
    """
    raw = query_fields(query)
    if "lesson" not in raw:
        return None, 0, State.from_query(query)
    name = raw["lesson"]
    if lesson is None or lesson.name != name:
        if name not in LESSONS:
            known = sorted({*LESSONS, *([lesson.name] if lesson else [])})
            raise LessonError(f"{name!r} is not one of {', '.join(known)}", field="lesson")
        lesson = load_lesson(name)
    try:
        number = int(raw.get("step", "1"))
    except ValueError:
        raise LessonError(f"{raw['step']!r} is not a whole number", field="step") from None
    step = lesson.step(number)
    state = State.from_query(query) if set(raw) & set(LINK_FIELDS) else step.state
    return lesson, number, state
