"""The model of the dashboard: softmax of an elementwise product, its derivatives, the loss.

::

    u_k = x_k * theta_k,   z_k = u_k / T,   g_i = exp(z_i) / sum_j exp(z_j)

Built on the primitives of `softmax_explorer.special`. A `Model` is one validated point ``(x,
theta, T)``: every quantity of that point (softmax, Jacobians, cross-entropy and its gradient,
the model as a function of one variable for the finite differences) comes from it without
validating again. The module-level functions are the same quantities for array-likes, validated
on each call.

``x`` and ``theta`` are array-likes of equal length ``n >= 1``; `softmax` and `log_softmax` also
accept stacks of shape ``(..., n)`` that broadcast against each other, so a batch of perturbed
inputs is evaluated in one call. Integers are promoted to float64; float32 stays float32; complex
input is accepted (for the complex-step derivative). Only numpy is imported here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .inputs import product, target_distribution, validated
from .special import logsumexp
from .special.kernels import (
    entropy_last,
    log_softmax_last,
    shifted_last,
    softmax_and_complement_last,
    softmax_last,
)
from .special.sparse import (
    MAPPINGS,
    entmax15_jacobian_last,
    entmax15_last,
    entmax15_tau_last,
    sparsemax_jacobian_last,
    sparsemax_last,
    sparsemax_tau_last,
)

__all__ = [
    "WRT_VARIABLES",
    "Model",
    "cross_entropy",
    "cross_entropy_grad",
    "descent_step",
    "entropy",
    "entropy_gradient",
    "jacobian",
    "log_softmax",
    "logits",
    "probabilities",
    "softmax",
    "theta_for_probability",
]

Wrt = Literal["theta", "x", "z", "temperature"]
#: Variables ``jacobian`` differentiates with respect to.
WRT_VARIABLES: tuple[str, ...] = ("theta", "x", "z", "temperature")


def logits(x: ArrayLike, theta: ArrayLike, temperature: float = 1.0) -> NDArray:
    """Validate the inputs and return the logits ``z = x * theta / temperature``.

    Parameters
    ----------
    x, theta : array_like, shape (..., n)
        Inputs and coefficients; the last axes must have the same length ``n >= 1``.
    temperature : float, optional
        ``T > 0``.

    Returns
    -------
    ndarray, shape (..., n)
        The logits, in the common dtype of ``x`` and ``theta`` (integers become float64).

    Raises
    ------
    TypeError
        If an input is not numeric.
    ValueError
        On empty input, different lengths, NaN or inf, a non-positive temperature, or when
        ``x * theta / T`` overflows.
    """
    return validated(x, theta, temperature)[0]


def _unstable_softmax(z: NDArray) -> NDArray:
    """The textbook ``exp(z) / sum(exp(z))``: NaN once a logit overflows ``exp``."""
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z)
        return e / np.sum(e, axis=-1, keepdims=True)


def softmax(
    x: ArrayLike, theta: ArrayLike, temperature: float = 1.0, *, stable: bool = True
) -> NDArray:
    """Softmax of ``x * theta / temperature``.

    Parameters
    ----------
    x, theta : array_like, shape (..., n)
        Inputs and coefficients.
    temperature : float, optional
        ``T > 0``; small values sharpen towards the argmax, large ones flatten towards uniform.
    stable : bool, optional
        Subtract the maximum logit before exponentiating (default). ``False`` computes the
        textbook ``exp(z) / sum(exp(z))``, which overflows to NaN once a logit passes about 709
        (float64) or 88 (float32); it exists to demonstrate that failure and warns nothing.

    Returns
    -------
    ndarray, shape (..., n)
        ``g``, non-negative and summing to 1 along the last axis.

    Examples
    --------
    >>> softmax([1000.0, 0, 0, 0], [1, 1, 1, 1])
    array([1., 0., 0., 0.])
    """
    z = logits(x, theta, temperature)
    return softmax_last(z) if stable else _unstable_softmax(z)


def log_softmax(x: ArrayLike, theta: ArrayLike, temperature: float = 1.0) -> NDArray:
    """Logarithm of the softmax, ``z - logsumexp(z)``, computed without ``log(softmax)``.

    Parameters
    ----------
    x, theta : array_like, shape (..., n)
        Inputs and coefficients.
    temperature : float, optional
        ``T > 0``.

    Returns
    -------
    ndarray, shape (..., n)
        ``log g``; finite wherever the exact value is representable, ``-inf`` only when it is
        below the most negative float.
    """
    return log_softmax_last(logits(x, theta, temperature))


def _scaled(values: NDArray, factor: NDArray | None, temperature: float) -> NDArray:
    """``values * factor / temperature`` (factor per column): multiply first, so 0 * huge is 0."""
    with np.errstate(over="ignore"):
        if factor is not None:
            values = values * factor
        if temperature != 1.0:
            values = values / values.real.dtype.type(temperature)
    return values


def _check_wrt(wrt: str, choices: tuple[str, ...] = WRT_VARIABLES) -> None:
    if wrt not in choices:
        raise ValueError(f"unknown wrt={wrt!r}: choose one of {', '.join(choices)}")


Mapping = Literal["softmax", "sparsemax", "entmax15"]
#: Each mapping's kernel along the last axis (real or complex logits) and its Jacobian dp/dz.
_KERNELS = {"softmax": softmax_last, "sparsemax": sparsemax_last, "entmax15": entmax15_last}
_JACOBIANS = {"sparsemax": sparsemax_jacobian_last, "entmax15": entmax15_jacobian_last}
_TAUS = {"sparsemax": sparsemax_tau_last, "entmax15": entmax15_tau_last}


def _check_mapping(mapping: str) -> str:
    if mapping not in MAPPINGS:
        raise ValueError(f"unknown mapping={mapping!r}: choose one of {', '.join(MAPPINGS)}")
    return mapping


@dataclass(frozen=True, eq=False)
class Model:
    """The model at one validated point: every quantity of it without validating again.

    Build it with `Model.at`; the attributes are then arrays of one real or complex dtype.

    Attributes
    ----------
    x, theta : ndarray, shape (n,)
        Inputs and coefficients.
    temperature : float
        ``T > 0``.
    z : ndarray, shape (n,)
        The logits ``x * theta / T``.
    mapping : {"softmax", "sparsemax", "entmax15"}
        What turns the logits into probabilities ``g`` (`softmax_explorer.special.MAPPINGS`).
    """

    x: NDArray
    theta: NDArray
    temperature: float
    z: NDArray
    mapping: Mapping = "softmax"

    @classmethod
    def at(
        cls, x: ArrayLike, theta: ArrayLike, temperature: float = 1.0, mapping: Mapping = "softmax"
    ) -> Model:
        """Validate a point (see `logits` for what is refused); ``x`` and ``theta`` are 1-D.

        Raises
        ------
        TypeError, ValueError
            As `logits`, for inputs that are not 1-D and for an unknown ``mapping``.
        """
        _check_mapping(mapping)
        z, x_arr, theta_arr, t = validated(x, theta, temperature)
        if z.ndim != 1:
            raise ValueError(f"x and theta must be 1-D here, got shape {z.shape}")
        return cls(x=x_arr, theta=theta_arr, temperature=t, z=z, mapping=mapping)

    @property
    def n(self) -> int:
        """The number of classes."""
        return self.z.size

    def softmax(self, *, stable: bool = True) -> NDArray:
        """The softmax of the logits (whatever the mapping); see the module-level `softmax`."""
        return softmax_last(self.z) if stable else _unstable_softmax(self.z)

    def probs(self) -> NDArray:
        """``g``, the mapping's probabilities; see the module-level `probabilities`."""
        return _KERNELS[self.mapping](self.z)

    def tau(self) -> float | None:
        """The sparse mapping's threshold, in its own variable; None for softmax.

        Sparsemax gives ``max(z_i - tau, 0)``, 1.5-entmax ``max(z_i / 2 - tau, 0)^2``: a class
        is outside the support when its ``z_i`` is at most ``tau`` (sparsemax) or ``2 tau``.
        """
        if self.mapping == "softmax":
            return None
        _, tau = _TAUS[self.mapping](self.z[None, :])
        scale = 1.0 if self.mapping == "sparsemax" else 0.5
        return float(tau[0, 0]) + scale * float(np.max(self.z))

    def jacobian_z(self) -> NDArray:
        """``dg_i / dz_k`` of the mapping (one-sided where a class is on the support's edge)."""
        if self.mapping == "softmax":
            return self.jacobian("z")
        return _JACOBIANS[self.mapping](self.probs())

    def log_softmax(self) -> NDArray:
        """``log g``; see the module-level `log_softmax`."""
        return log_softmax_last(self.z)

    def jacobian(self, wrt: Wrt = "theta") -> NDArray:
        """``dg_i / dwrt_k``; see the module-level `jacobian`."""
        _check_wrt(wrt)
        if self.mapping != "softmax":
            jac = self.jacobian_z()
            if wrt == "temperature":  # dz/dT = -z/T; J 1 = 0, so J z = J (z - max z)
                return _scaled(-(jac @ shifted_last(self.z)), None, self.temperature)
            if wrt == "z":
                return jac
            return _scaled(jac, self.x if wrt == "theta" else self.theta, self.temperature)
        t = self.temperature
        if wrt == "temperature":  # dg_i/dT = -(g_i / T) (z_i - sum_j g_j z_j)
            g, centred = self._centred()
            return _scaled(-(g * centred), None, t)
        g, complement = softmax_and_complement_last(self.z)
        jac = -np.outer(g, g)
        np.fill_diagonal(jac, g * complement)
        if wrt == "z":
            return jac
        return _scaled(jac, self.x if wrt == "theta" else self.theta, t)

    def _sparse_target(self, target: int | ArrayLike) -> tuple[NDArray, NDArray]:
        """The target distribution and ``g``, refusing a target class outside the support."""
        t = target_distribution(target, self.n, self.z.dtype)
        g = self.probs()
        outside = (t > 0) & (g <= 0)
        if outside.any():
            k = int(np.argmax(outside))
            raise ValueError(
                f"class {k + 1} has probability 0 under {self.mapping}: its cross-entropy is "
                "infinite (choose a target class in the support)"
            )
        return t, g

    def cross_entropy(self, target: int | ArrayLike) -> float:
        """``C``; see the module-level `cross_entropy`."""
        if self.mapping != "softmax":
            t, g = self._sparse_target(target)
            used = t > 0
            return float(-np.sum(t[used] * np.log(g[used])))
        t = target_distribution(target, self.n, self.z.dtype)
        log_g = log_softmax_last(self.z)
        used = t > 0
        return float(-np.sum(t[used] * log_g[used]))

    def cross_entropy_grad(
        self, target: int | ArrayLike, wrt: Literal["theta", "x", "z"] = "theta"
    ) -> NDArray:
        """``dC / dwrt``; see the module-level `cross_entropy_grad`."""
        _check_wrt(wrt, ("theta", "x", "z"))
        if self.mapping != "softmax":  # dC/dz = -J^T (t / g), J symmetric
            t, g = self._sparse_target(target)
            ratio = np.where(t > 0, t / np.where(g > 0, g, 1), 0)
            residual = -(self.jacobian_z() @ ratio)
        else:
            t = target_distribution(target, self.n, self.z.dtype)
            g, complement = softmax_and_complement_last(self.z)
            # g - t as g (1 - t) - t (1 - g): exact for a one-hot target even when g_k ~ 1
            residual = g * (1 - t) - t * complement
        if wrt == "z":
            return residual
        return _scaled(residual, self.x if wrt == "theta" else self.theta, self.temperature)

    def _centred(self) -> tuple[NDArray, NDArray]:
        """``g`` and ``z - sum_j g_j z_j``.

        The latter from the shifted logits (differences of nearby values are exact), and 0
        where ``g_j`` underflowed, whose shifted logit may be -inf (``g_j s_j`` is exactly 0).
        """
        g = softmax_last(self.z)
        shifted = shifted_last(self.z)
        weighted = g > 0
        centred = np.zeros_like(g)
        centred[weighted] = shifted[weighted] - np.sum(g[weighted] * shifted[weighted])
        return g, centred

    def entropy(self) -> float:
        """``H``; see the module-level `entropy`."""
        return float(entropy_last(self.z)[0])

    def entropy_gradient(self, wrt: Literal["theta", "x", "z", "temperature"] = "temperature"):
        """``dH / dwrt``; see the module-level `entropy_gradient`."""
        _check_wrt(wrt)
        g, centred = self._centred()
        if wrt == "temperature":  # dH/dT = Var_g(z) / T
            return float(np.sum(g * centred * centred)) / self.temperature
        dz = -(g * centred)  # dH/dz_k = -g_k (z_k - sum_j g_j z_j)
        if wrt == "z":
            return dz
        return _scaled(dz, self.x if wrt == "theta" else self.theta, self.temperature)

    def logits_of(self, wrt: Wrt) -> tuple[Callable[[NDArray], NDArray], NDArray]:
        """``(z_of, v)``: the logits as a function of ``wrt`` alone, and the point ``v``.

        ``z_of`` maps a stack of shape (p, n) (or (p, 1) for the temperature), real or complex,
        to the logits of each row, without validating it again.
        """
        _check_wrt(wrt)
        x, theta, t, z = self.x, self.theta, self.temperature, self.z
        if wrt == "theta":
            return (lambda th: product(x, th, t, np.result_type(x, th))), theta
        if wrt == "x":
            return (lambda xs: product(xs, theta, t, np.result_type(xs, theta))), x
        if wrt == "z":
            return (lambda zs: zs), z
        # z = u * (1/T): differentiable in T, complex-step included, for a stack of temperatures
        u = product(x, theta, 1.0, z.dtype)
        return (lambda ts: u * (1 / ts)), np.array([t], dtype=z.dtype)

    def function(self, wrt: Wrt) -> tuple[Callable[[NDArray], NDArray], NDArray]:
        """``(f, v)``: the mapping as a function of ``wrt`` alone, and the point ``v``.

        ``f`` maps a stack (see `logits_of`) to the probabilities of each row: what the finite
        differences of this point evaluate.
        """
        z_of, v = self.logits_of(wrt)
        kernel = _KERNELS[self.mapping]
        return (lambda stack: kernel(z_of(stack))), v

    def entropy_function(self, wrt: Wrt) -> tuple[Callable[[NDArray], NDArray], NDArray]:
        """``(f, v)``: the entropy as a function of ``wrt`` alone, and the point ``v``.

        As `function`, but ``f`` maps a stack to shape (p, 1).
        """
        z_of, v = self.logits_of(wrt)
        return (lambda stack: _entropy_rows(z_of(stack))), v


def _entropy_rows(z: NDArray) -> NDArray:
    """The entropy of each row of logits, real or complex (the complex step), shape (..., 1).

    ``H = log S - sum_j e_j s_j / S`` with ``s = z - peak``, ``e = exp(s)``, ``S = sum e``:
    analytic in the logits, which the complex step needs.
    """
    if not np.iscomplexobj(z):
        return entropy_last(z)
    s = shifted_last(z)
    e = np.exp(s)
    total = np.sum(e, axis=-1, keepdims=True)
    return np.log(total) - np.sum(e * s, axis=-1, keepdims=True) / total


def probabilities(
    x: ArrayLike, theta: ArrayLike, temperature: float = 1.0, mapping: Mapping = "softmax"
) -> NDArray:
    """``g = mapping(x * theta / T)``: softmax, sparsemax or 1.5-entmax of the model's logits.

    Parameters
    ----------
    x, theta : array_like, shape (n,)
        Inputs and coefficients.
    temperature : float, optional
        ``T > 0``.
    mapping : {"softmax", "sparsemax", "entmax15"}
        See `softmax_explorer.special.sparsemax` and `softmax_explorer.special.entmax15`: the
        sparse two give exact zeros.

    Returns
    -------
    ndarray, shape (n,)
        Non-negative, summing to 1.

    Examples
    --------
    >>> probabilities([1, 4, 3, 2], [0.3, 0.1, 0.9, 0.5], mapping="sparsemax").tolist()
    [0.0, 0.0, 1.0, 0.0]
    """
    return Model.at(x, theta, temperature, mapping).probs()


def jacobian(
    x: ArrayLike,
    theta: ArrayLike,
    wrt: Wrt = "theta",
    temperature: float = 1.0,
    mapping: Mapping = "softmax",
) -> NDArray:
    """Closed-form derivatives of ``g = mapping(x * theta / T)`` (softmax by default).

    Parameters
    ----------
    x, theta : array_like, shape (n,)
        Inputs and coefficients.
    wrt : {"theta", "x", "z", "temperature"}
        The variable to differentiate with respect to.
    temperature : float, optional
        ``T > 0``.

    Returns
    -------
    ndarray
        For ``wrt`` in {"theta", "x", "z"}, the (n, n) matrix ``J[i, k] = dg_i / dwrt_k``:

        - ``dg_i/dz_k = g_i (delta_ik - g_k)``
        - ``dg_i/dtheta_k = (x_k / T) g_i (delta_ik - g_k)``
        - ``dg_i/dx_k = (theta_k / T) g_i (delta_ik - g_k)``

        For ``wrt="temperature"``, the (n,) vector ``dg_i/dT = -(g_i / T) (z_i - sum_j g_j z_j)``.
        An entry whose exact value exceeds the float range comes back as +-inf.

        For the sparse mappings ``dg/dz`` is ``diag(s) - s s^T / |S|`` (sparsemax, ``s`` the
        support's indicator) or ``diag(w) - w w^T / sum(w)`` (1.5-entmax, ``w = sqrt(g)``), and
        the others follow as for softmax (``dg/dT = -(dg/dz) z / T``). Where a class sits exactly
        on the support's edge sparsemax is not differentiable, and this is its derivative with
        that class outside; 1.5-entmax is differentiable there.

    Raises
    ------
    ValueError
        On invalid inputs (see `logits`) or an unknown ``wrt``.
    """
    _check_wrt(wrt)
    return Model.at(x, theta, temperature, mapping).jacobian(wrt)


def cross_entropy(
    x: ArrayLike,
    theta: ArrayLike,
    target: int | ArrayLike,
    temperature: float = 1.0,
    mapping: Mapping = "softmax",
) -> float:
    """Cross-entropy ``C = -sum_j t_j log g_j`` of the probabilities against a target.

    Parameters
    ----------
    x, theta : array_like, shape (n,)
        Inputs and coefficients.
    target : int or array_like, shape (n,)
        A class index (0-based), or a probability vector (non-negative, summing to 1).
    temperature : float, optional
        ``T > 0``.

    mapping : {"softmax", "sparsemax", "entmax15"}
        The mapping ``g`` comes from.

    Returns
    -------
    float
        ``C >= 0``; for softmax computed from `log_softmax`, so it is finite even when ``g``
        underflows to 0.

    Raises
    ------
    ValueError
        For a sparse mapping that gives a target class probability exactly 0 (C is infinite).
    """
    return Model.at(x, theta, temperature, mapping).cross_entropy(target)


def cross_entropy_grad(
    x: ArrayLike,
    theta: ArrayLike,
    target: int | ArrayLike,
    wrt: Literal["theta", "x", "z"] = "theta",
    temperature: float = 1.0,
    mapping: Mapping = "softmax",
) -> NDArray:
    """Gradient of `cross_entropy`.

    Parameters
    ----------
    x, theta : array_like, shape (n,)
        Inputs and coefficients.
    target : int or array_like, shape (n,)
        A class index (0-based), or a probability vector.
    wrt : {"theta", "x", "z"}
        ``dC/dtheta_k = (x_k / T) (g_k - t_k)``, ``dC/dx_k = (theta_k / T) (g_k - t_k)``,
        ``dC/dz_k = g_k - t_k``.
    temperature : float, optional
        ``T > 0``.
    mapping : {"softmax", "sparsemax", "entmax15"}
        The mapping ``g`` comes from; for a sparse one ``dC/dz = -J^T (t / g)`` over the support.

    Returns
    -------
    ndarray, shape (n,)
        The gradient, in the dtype of the inputs.
    """
    _check_wrt(wrt, ("theta", "x", "z"))
    return Model.at(x, theta, temperature, mapping).cross_entropy_grad(target, wrt)


def entropy(x: ArrayLike, theta: ArrayLike, temperature: float = 1.0) -> float:
    """The entropy ``H = -sum_i g_i log g_i`` of ``g = softmax(x * theta / T)``, in nats.

    Parameters
    ----------
    x, theta : array_like, shape (n,)
        Inputs and coefficients.
    temperature : float, optional
        ``T > 0``.

    Returns
    -------
    float
        ``0 <= H <= log n``: ``log n`` for equal logits, towards 0 as one class takes all (low
        T), towards ``log n`` as T grows. Computed as ``logsumexp(z) - sum_j g_j z_j`` from the
        shifted logits, so it is exact for huge logits.

    Examples
    --------
    >>> round(entropy([1, 4, 3, 2], [0.3, 0.1, 0.9, 0.5]), 6)
    0.86993
    """
    return Model.at(x, theta, temperature).entropy()


def entropy_gradient(
    x: ArrayLike,
    theta: ArrayLike,
    temperature: float = 1.0,
    wrt: Literal["temperature", "theta", "x", "z"] = "temperature",
) -> float | NDArray:
    """The derivative of `entropy` with respect to ``wrt``.

    With ``u = x * theta``, ``z = u / T`` and ``zbar = sum_j g_j z_j``:

    - ``dH/dz_k = -g_k (z_k - zbar)``
    - ``dH/dtheta_k = (x_k / T) dH/dz_k`` and ``dH/dx_k = (theta_k / T) dH/dz_k``
    - ``dH/dT = Var_g(u) / T^3 = (1/T) sum_k g_k (z_k - zbar)^2 >= 0``: the entropy never
      falls as the temperature rises.

    Parameters
    ----------
    x, theta : array_like, shape (n,)
        Inputs and coefficients.
    temperature : float, optional
        ``T > 0``.
    wrt : {"temperature", "theta", "x", "z"}
        The variable.

    Returns
    -------
    float or ndarray
        A float for the temperature; shape (n,) otherwise, in the dtype of the inputs.
    """
    _check_wrt(wrt)
    return Model.at(x, theta, temperature).entropy_gradient(wrt)


def descent_step(
    model: Model,
    target: int | ArrayLike,
    learning_rate: float,
    bounds: tuple[float, float] = (-np.inf, np.inf),
) -> NDArray:
    """One gradient-descent step on theta: ``theta - learning_rate * dC/dtheta``, clipped.

    Parameters
    ----------
    model : Model
        The current point.
    target : int or array_like
        As for `cross_entropy`.
    learning_rate : float
        The step's length, ``> 0``.
    bounds : (float, float), optional
        Where theta is clipped to (the dashboard's slider range).

    Returns
    -------
    ndarray, shape (n,)
        The new theta.
    """
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate}")
    theta = model.theta - learning_rate * model.cross_entropy_grad(target, "theta")
    return np.clip(theta, *bounds)


def theta_for_probability(model: Model, k: int, p: float) -> float:
    """The ``theta_k`` that gives class ``k`` the probability ``p``, x, T and the rest fixed.

    ``g_k = p`` when ``z_k = log(p / (1 - p)) + logsumexp_{j != k} z_j``, and
    ``theta_k = T z_k / x_k``; computed in float64 with the log-sum-exp, so it is exact for
    any ``p`` a float can hold.

    Parameters
    ----------
    model : Model
        The current point.
    k : int
        The class (0-based).
    p : float
        The probability wanted, ``0 < p < 1``.

    Raises
    ------
    ValueError
        If ``p`` is not strictly between 0 and 1, ``k`` is not a class, or ``x_k = 0`` (then
        ``theta_k`` does not change ``g``).
    """
    n = model.n
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 0 <= k < n:
        raise ValueError(f"class {k!r} does not exist (0..{n - 1})")
    if not 0 < p < 1:
        raise ValueError(f"p must be strictly between 0 and 1, got {p}")
    x_k = float(model.x[k])
    if x_k == 0:
        raise ValueError(f"x{k + 1} is 0: theta{k + 1} does not change the probabilities")
    others = np.delete(np.asarray(model.z, dtype=np.float64), k)
    z_k = np.log(p) - np.log1p(-p) + float(logsumexp(others))
    return float(model.temperature * z_k / x_k)
