"""softmax-explorer: the softmax function and its derivatives, as a library and a dashboard.

The numerics (numpy only) are importable without any widget or plotting library::

    from softmax_explorer import softmax, jacobian, numerical_jacobian, gradcheck
"""

from .core import cross_entropy, cross_entropy_grad, jacobian, log_softmax, logits, softmax
from .numdiff import (
    METHODS,
    GradcheckResult,
    StepSweep,
    gradcheck,
    numerical_jacobian,
    optimal_step,
    step_sweep,
)

__all__ = [  # noqa: RUF022 (Explorer is imported lazily)
    "Explorer",
    "METHODS",
    "GradcheckResult",
    "StepSweep",
    "cross_entropy",
    "cross_entropy_grad",
    "gradcheck",
    "jacobian",
    "log_softmax",
    "logits",
    "numerical_jacobian",
    "optimal_step",
    "softmax",
    "step_sweep",
]
__version__ = "0.1.0"


def __getattr__(name: str):
    """Import the dashboard lazily: the numerics stay importable without widgets or matplotlib."""
    if name == "Explorer":
        from .app import Explorer

        return Explorer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
