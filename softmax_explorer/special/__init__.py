"""Functions of plain logits, any shape, along any axes: in `scipy.special`'s shape.

- `softmax`, `log_softmax`, `logsumexp` (scipy's names and results) and `entropy`;
- `sparsemax` and `entmax15`, which give exact zeros (`MAPPINGS` names all three);
- `sampling_probs`, what a language model's sampler draws from (temperature, top-k, top-p,
  min-p, in either engine's order), `sampling_kept`, the classes it may draw, and `draw`,
  reproducible draws from a distribution.

``axis`` is an int, a tuple of ints (normalised together) or None (all values); a scalar is one
logit. The default axis is the last, not scipy's None: logits come as a stack of
distributions, one per row, as in every machine-learning library. Where scipy gives a result,
these give the same one (``logsumexp`` of an empty axis is -inf); they refuse, naming the
argument, NaN and +inf logits (a logit of -inf is a weight of 0) and a softmax of nothing.
Integers become float64; float32 stays float32. Only numpy is imported here.

Modules: `checks` (inputs and axes), `kernels` (the unchecked computations along the last axis,
which the model uses on logits it has validated), `normalize` (the softmax family), `sparse`
(sparsemax and 1.5-entmax, with their kernels and Jacobians) and `sampling`.
"""

from .normalize import entropy, log_softmax, logsumexp, softmax
from .sampling import Draws, draw, sampling_kept, sampling_probs
from .sparse import MAPPINGS, entmax15, sparsemax

__all__ = [
    "MAPPINGS",
    "Draws",
    "draw",
    "entmax15",
    "entropy",
    "log_softmax",
    "logsumexp",
    "sampling_kept",
    "sampling_probs",
    "softmax",
    "sparsemax",
]
