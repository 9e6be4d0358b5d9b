"""The dashboard as an ipywidgets panel: `Explorer`, composed of a controller and views.

- `controller`: the state, the coalescing of pending changes and the results cache (no widgets);
- `controls`: every control declared once, and the column that builds, observes and syncs them;
- `views`: the status line, the formula panel, the export buttons and the share link;
- `lesson_view`: a lesson's step over the panels, with Previous and Next;
- `predict`: "predict, then reveal": a change held back until the class has answered;
- `host`: what the page tells the dashboard (its theme and address) and the page's side of the
  controls (``static/host.js``);
- `layout`: the controls beside the two-column grid of plots;
- `safe`: widgets that refuse what a browser should not send, callbacks that never raise;
- `explorer`: `Explorer`, which composes them with the figures' `Dashboard`.

`Explorer` is imported lazily, so that the controller imports without ipywidgets.
"""

__all__ = ["Explorer"]


def __getattr__(name: str):
    """``Explorer``, imported on first use."""
    if name == "Explorer":
        from .explorer import Explorer

        return Explorer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
