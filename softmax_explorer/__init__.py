"""softmax-explorer: the softmax function and its derivatives, as a library and a dashboard.

The numerics (numpy only) are importable without any widget or plotting library::

    from softmax_explorer import softmax, jacobian, numerical_jacobian, gradcheck

``softmax`` and ``entropy`` here are the model's, of ``x * theta / T``; the functions of plain
logits, along any axes, are in `softmax_explorer.special` (``softmax``, ``log_softmax``,
``logsumexp``, ``entropy``, ``sampling_probs``).
"""

from . import special
from .finite_diff import METHODS, StepSweep, numerical_jacobian, optimal_step, step_sweep
from .gradcheck import GradcheckResult, check_jacobian, gradcheck
from .model import (
    Model,
    cross_entropy,
    cross_entropy_grad,
    descent_step,
    entropy,
    entropy_gradient,
    jacobian,
    log_softmax,
    logits,
    probabilities,
    softmax,
)

__all__ = [  # noqa: RUF022 (Explorer is imported lazily)
    "Explorer",
    "METHODS",
    "GradcheckResult",
    "Model",
    "StepSweep",
    "check_jacobian",
    "cross_entropy",
    "cross_entropy_grad",
    "descent_step",
    "entropy",
    "entropy_gradient",
    "gradcheck",
    "jacobian",
    "log_softmax",
    "logits",
    "numerical_jacobian",
    "optimal_step",
    "probabilities",
    "softmax",
    "special",
    "step_sweep",
]
__version__ = "0.1.0"


def __getattr__(name: str):
    """Import the dashboard lazily: the numerics stay importable without widgets or matplotlib."""
    if name == "Explorer":
        from .app.explorer import Explorer

        return Explorer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
