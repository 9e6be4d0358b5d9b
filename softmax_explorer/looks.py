"""The looks a dashboard can take, by name: its themes and seaborn's plotting contexts.

Names only, so that the command line offers them without importing the plotting libraries;
`softmax_explorer.figures.style` gives them their values.
"""

from __future__ import annotations

__all__ = ["CONTEXTS", "THEMES", "checked"]

#: Page and figure colours.
THEMES = ("light", "dark")
#: seaborn's plotting contexts: the sizes of text and lines ("talk" for a projector).
CONTEXTS = ("paper", "notebook", "talk", "poster")


def checked(value: str, choices: tuple[str, ...], what: str) -> str:
    """``value`` if it is one of ``choices``.

    Raises
    ------
    ValueError
        Otherwise, naming the choices.
    """
    if value not in choices:
        raise ValueError(f"unknown {what} {value!r}: choose one of {', '.join(choices)}")
    return value
