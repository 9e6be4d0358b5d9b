"""The live formula panel: the model's formulas with the current numbers, as HTML with LaTeX.

Pure functions of `Results`; the app puts the text in an ``HTMLMath`` widget. Only the standard
library and numpy are imported here.
"""

from __future__ import annotations

import html

import numpy as np

from ..results import Results
from ..special.kernels import softmax_and_complement_last
from ..state import INDEX_BASE

__all__ = ["entry_value", "formula_html"]

_SYMBOL = {"theta": r"\theta", "x": "x"}
#: The gradient check's verdict, coloured (each at least 4.5:1 against white).
VERDICT_COLOURS = {
    "passed": "#1a7f37",
    "failed": "#b00020",
    "inconclusive": "#8a4b00",
    "nondifferentiable": "#6f42c1",
}


def _num(value: float, digits: int | None = 4) -> str:
    """A number for LaTeX, 10^k for tiny and huge values.

    ``digits`` significant digits; None keeps them all (the shortest text that reads back).
    """
    value = float(value) + 0.0  # -0.0 shows as 0
    if not np.isfinite(value):
        return r"\mathrm{NaN}" if np.isnan(value) else (r"-\infty" if value < 0 else r"\infty")
    text = repr(value).removesuffix(".0") if digits is None else f"{value:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


def _breakable(first: str, *rest: str) -> str:
    """Math in inline pieces, so that a line breaks between them to fit its column.

    ``rest`` each starts its own piece; the first piece is ``first``.
    """
    return " ".join(f"${piece}$" for piece in (first, *rest))


def _equation(latex: str) -> str:
    """A chain ``a = b = c`` that may break before each ``=``."""
    first, *rest = latex.split(" = ")
    return _breakable(first, *(f"= {part}" for part in rest))


def _html_num(value: float, digits: int = 4) -> str:
    """A number as HTML text (``5.977×10<sup>−8</sup>``), as `_num` writes it for LaTeX."""
    text = _num(value, digits)
    if text.startswith(("\\", "-\\")):  # NaN and infinities
        text = {r"\mathrm{NaN}": "NaN", r"\infty": "∞", r"-\infty": "−∞"}[text]
    mantissa, _, exponent = text.partition(r" \times 10^")
    if exponent:
        text = f"{mantissa}×10<sup>{exponent.strip('{}')}</sup>"
    return text.replace("-", "\N{MINUS SIGN}")


def _vector(lead: str, values) -> str:
    """``lead [v_1, ..., v_n]``, the numbers as text.

    Text wraps at any comma and costs no typesetting pass per number.
    """
    return f"{lead} [{', '.join(_html_num(v) for v in values)}]"


def _holding(values: list[float], holds, digits: int = 3) -> list[str]:
    """``values`` with the fewest significant digits (at least ``digits``) that keep ``holds``.

    ``holds(*shown)`` is tested on the numbers as displayed (a product that adds up, a
    comparison that does not read as a tie).
    """
    for d in range(digits, 18):
        if holds(*(float(f"{v:.{d}g}") for v in values)):
            break
    return [_num(v, d) for v in values]


def _factors(
    exact: float, factors: list[float], value: float, digits: int = 4, powers=None
) -> list[str]:
    """``factors`` with the fewest significant digits (at least ``digits``) that add up.

    ``exact`` (shown with all its digits) times the factors as displayed, each to its power in
    ``powers`` (1 or -1 for a divisor; all 1 by default), matches ``value`` to its displayed
    precision: within half a unit of its last displayed digit.
    """
    powers = np.ones(len(factors)) if powers is None else np.asarray(powers, dtype=float)
    unit = 10.0 ** (np.floor(np.log10(abs(value))) - digits + 1) if value else 0.0

    def adds_up(*shown: float) -> bool:
        return abs(exact * float(np.prod(np.power(shown, powers))) - value) <= unit / 2

    return _holding(factors, adds_up, digits)


#: Per sparse mapping: its formula, the weight of its Jacobian (the support's indicator s, or
#: w = sqrt(g)) and the weight's name.
_SPARSE = {
    "sparsemax": (r"g_i = \max(z_i - \tau, 0)", "s"),
    "entmax15": (r"g_i = \max(z_i/2 - \tau, 0)^2", "w"),
}
_NAMES = {"softmax": "Softmax", "sparsemax": "Sparsemax", "entmax15": "1.5-entmax"}
#: The cross-entropy's gradient, per mapping (a sparse one's through its Jacobian).
_LOSS_GRADIENT = {
    "softmax": r"\dfrac{\partial C}{\partial \theta_k} = \dfrac{x_k}{T}(g_k - t_k) =",
    **dict.fromkeys(
        ("sparsemax", "entmax15"),
        r"\dfrac{\partial C}{\partial \theta_k} = -\dfrac{x_k}{T}\sum_i \dfrac{t_i}{g_i}"
        r"\dfrac{\partial g_i}{\partial z_k} =",
    ),
}


def _sparse_entry(results: Results, i: int, k: int) -> tuple[str, float]:
    """``J[i, k]`` of a sparse mapping, worked out.

    ``(c_k / T)(u_i delta_ik - u_i u_k / sum u)``, ``u`` the support's indicator (sparsemax) or
    ``sqrt(g)`` (1.5-entmax).
    """
    s = results.state
    g = np.asarray(results.g, dtype=np.float64)
    u = (g > 0).astype(float) if s.mapping == "sparsemax" else np.sqrt(g)
    name = _SPARSE[s.mapping][1]
    factor = (s.x if s.wrt == "theta" else s.theta)[k]
    value = float(results.jacobian[i, k])
    sym, coefficient = _SYMBOL[s.wrt], "x" if s.wrt == "theta" else r"\theta"
    a, b = i + INDEX_BASE, k + INDEX_BASE
    total = r"|S|" if s.mapping == "sparsemax" else rf"\sum_j {name}_j"
    text = (
        rf"\frac{{\partial g_{{{a}}}}}{{\partial {sym}_{{{b}}}}}"
        rf" = \frac{{{coefficient}_{{{b}}}}}{{T}}\, \left({name}_{{{a}}}\delta_{{{a}{b}}}"
        rf" - \frac{{{name}_{{{a}}} {name}_{{{b}}}}}{{{total}}}\right)"
        rf" = \frac{{{_num(factor, None)}}}{{{_num(s.temperature, None)}}}\left("
        rf"{_num(u[i])} \cdot {int(i == k)} - \frac{{{_num(u[i])} \cdot {_num(u[k])}}}"
        rf"{{{_num(float(np.sum(u)))}}}\right) = {_num(value)}"
    )
    return text, value


def entry_value(results: Results, i: int, k: int) -> tuple[str, float]:
    """The closed form of ``J[i, k]`` with the current numbers substituted, and its value.

    ``g_i (delta_ik - g_k)`` is shown with ``1 - g_k`` as one number, the sum of the other
    classes' probabilities, which keeps its digits when ``g_k`` is close to 1.
    """
    if results.state.mapping != "softmax":
        return _sparse_entry(results, i, k)
    s = results.state
    g, complement = (
        np.asarray(a, dtype=float) for a in softmax_and_complement_last(results.model.z)
    )
    factor = (s.x if s.wrt == "theta" else s.theta)[k]
    value = float(results.jacobian[i, k])
    sym = _SYMBOL[s.wrt]
    coefficient = "x" if s.wrt == "theta" else r"\theta"
    a, b = i + INDEX_BASE, k + INDEX_BASE  # the math's numbering
    last = float(complement[k]) if i == k else -float(g[k])
    g_i, last_text = _factors(float(factor) / s.temperature, [float(g[i]), last], value)
    text = (
        rf"\frac{{\partial g_{{{a}}}}}{{\partial {sym}_{{{b}}}}}"
        rf" = \frac{{{coefficient}_{{{b}}}}}{{T}}\, g_{{{a}}}"
        rf"(\delta_{{{a}{b}}} - g_{{{b}}})"
        rf" = \frac{{{_num(factor, None)}}}{{{_num(s.temperature, None)}}} \cdot {g_i}"
        rf" \cdot ({last_text}) = {_num(value)}"
    )
    return text, value


def _removal(results: Results, k: int) -> str:
    """Why the sampler's cuts removed class ``k``, with the numbers they compared."""
    r, s = results.sampled, results.state
    a = k + INDEX_BASE
    by = r.removed_by[k]
    if by == "top-k":
        z = np.asarray(results.model.z, dtype=np.float64)
        z_k, kth = _holding([z[k], np.sort(z)[-s.top_k]], lambda a, b: a < b, 4)
        return _breakable(rf"z_{{{a}}} = {z_k} < {kth}") + f", the {_ordinal(s.top_k)} largest"
    if by == "top-p":
        (reached,) = _holding([r.top_p_reached], lambda v: v >= s.top_p)
        total = _breakable(rf"{reached} \geq {_num(s.top_p, None)}")
        return f"the classes before it in the order already total {total}"
    g_k, peak, level = _holding(
        [r.seen[k], r.seen.max(), r.min_p_level], lambda g, _, level: g < level
    )
    at = "" if s.sampling_order == "temperature_first" else " (g at T = 1, as the cuts see it)"
    return _breakable(rf"g_{{{a}}} = {g_k} < {_num(s.min_p, None)} \cdot {peak} = {level}") + at


def _ordinal(k: int) -> str:
    return f"{k}{'th' if 10 <= k % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(k % 10, 'th')}"


def sampler_lines(results: Results, k: int) -> list[str]:
    """The sampler's probability of class ``k`` worked out, and the entropy's check."""
    r = results.sampled
    a = k + INDEX_BASE
    z = np.asarray(results.model.z, dtype=np.float64)
    if r.kept[k]:
        # the max-shift, written out: every number shown is one the class can check
        peak = z[r.kept].max()
        numerator, total = np.exp(z[k] - peak), float(np.sum(np.exp(z[r.kept] - peak)))
        p = float(r.probs[k])
        numerator_text, total_text = _factors(1.0, [numerator, total], p, powers=[1, -1])
        work = _breakable(
            rf"p_{{{a}}} = \dfrac{{e^{{z_{{{a}}} - m}}}}{{\sum_{{j \in K}} e^{{z_j - m}}}}",
            rf"= \dfrac{{{numerator_text}}}{{{total_text}}} = {_num(p)},",
            rf"m = \max_{{j \in K}} z_j = {_num(peak)}",
        )
        kept = int(r.kept.sum())
        line = f"<b>Sampler</b> (K: the {kept} class{'es' if kept > 1 else ''} kept) {work}"
    else:
        line = (
            f"<b>Sampler</b>: class {a} is removed by {r.removed_by[k]}, "
            + _breakable(rf"p_{{{a}}} = 0")
            + f": {_removal(results, k)}"
        )
    lines = [line]
    check = r.entropy_check
    dh = _breakable(
        r"\dfrac{\partial H}{\partial T} = \dfrac{\mathrm{Var}_g(u)}{T^3}",
        rf"= {_num(float(check.analytic[0, 0]) if check else results.model.entropy_gradient())}",
    )
    verdict = (
        f"<code style='color: {VERDICT_COLOURS[check.status]}'>{check.status}</code> against the "
        f"{check.method} difference {_html_num(float(check.numeric[0, 0]), 6)}"
        if check
        else html.escape("no check at this step")
    )
    lines.append(f"<b>Entropy</b> {_breakable(f'H = {_num(r.entropy)}')} nats, {dh}: {verdict}")
    return lines


def formula_html(results: Results, entry: tuple[int, int] = (0, 0)) -> str:
    """The formula panel for ``results``, with Jacobian entry ``entry`` = (i, k) worked out."""
    s = results.state
    g = np.asarray(results.g, dtype=float)
    z = np.asarray(s.x) * np.asarray(s.theta) / s.temperature
    if s.mapping == "softmax":
        mapping = _breakable(r"g_i = \dfrac{e^{z_i}}{\sum_j e^{z_j}},")
    else:
        tau = results.model.tau()
        zero = "g = 0 where z_i <= tau" if s.mapping == "sparsemax" else "g = 0 where z_i <= 2 tau"
        mapping = _breakable(_SPARSE[s.mapping][0] + ",", rf"\tau = {_num(tau)},")
        mapping += f" <span style='white-space: nowrap'>({html.escape(zero)})</span>"
    lines = [
        f"<b>{_NAMES[s.mapping]}</b> {mapping} " + _breakable(r"z_i = \dfrac{x_i \theta_i}{T}"),
        _vector("<i>z</i> =", z),
        _vector("<i>g</i> =", g),
        f"<b>Jacobian entry</b> {_equation(entry_value(results, *entry)[0])}",
    ]
    if results.loss is not None and results.loss_grad is not None:
        t = s.target
        lines += [
            "<b>Cross-entropy</b> "
            + _equation(
                rf"C = -\sum_j t_j \log g_j = -\log g_{{{t + INDEX_BASE}}} = {_num(results.loss)}"
            ),
            _vector(_breakable(_LOSS_GRADIENT[s.mapping]), results.loss_grad),
        ]
    elif results.loss_message:
        lines.append(f"<b>Cross-entropy</b>: {html.escape(results.loss_message)}.")
    else:
        lines.append("<b>Cross-entropy</b>: choose a target class to see C and its gradient.")
    if results.check is not None:
        check = results.check
        report = html.escape(check.report(base=INDEX_BASE))
        lines.append(
            f"<b>Gradient check</b> <code class='softmax-explorer-verdict-{check.status}' "
            f"style='white-space: normal; color: {VERDICT_COLOURS[check.status]}'>{report}</code>"
        )
    else:
        lines.append(f"<b>Gradient check</b>: {html.escape(results.step_message)}")
    if results.sampled is not None:
        lines += sampler_lines(results, entry[0])
    return "<div style='overflow-wrap: anywhere'>" + "<br>".join(lines) + "</div>"
