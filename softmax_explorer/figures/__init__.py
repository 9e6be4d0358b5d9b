"""The dashboard's panels, drawn once and updated in place.

- **bars**: softmax g per class with value labels, the 1/n line, the target outline, the loss;
- **jacobian**: the closed-form Jacobian as a diverging heatmap centred at 0;
- **error**: ``|numeric - analytic|`` per entry on a log scale, the worst entry framed;
- **steps**: each scheme's error against the step size (log-log), the current step, the
  theoretical best steps and machine epsilon;
- **trace**: the cross-entropy along gradient descent;
- **cuts** and **sampler**, the sampling view (made once it is first shown): the distribution
  the cuts see with the cut-offs, and the sampler's distribution with the draws.

Each panel is its own `~matplotlib.figure.Figure`, so a change redraws only the panels it touches.
`Dashboard.update` changes the existing artists (``set_path``, ``set_data``, norm limits, texts)
and blits them over a cached background, or calls ``draw_idle`` once per figure whose background
changed; a change of n rebuilds the panels whose shape changed. Figures are made with
`matplotlib.figure.Figure`, never through pyplot, so nothing is shown outside the layout. The
canvas is Agg unless the caller passes another (the app passes the browser-drawn
`~softmax_explorer.canvas.widget.PanelCanvas`). Imports matplotlib, never ipywidgets.

Modules: `style` (seaborn's style, contexts, palette and colour maps per theme), `ticks`
(labels and axis helpers), `panel` (the panel framework), `bars`, `heatmaps`, `steps`, `trace`
(the panels), `sampling` (the sampling view), `blit` (blitting), `handles` (the bars and the
step line dragged by a hand or moved by the arrow keys; `handles.DRAGGED` names their panels),
`dashboard` (the five figures and the export), `describe` (the panels
in words, for screen readers) and `formulas` (the formula panel's HTML, which the browser
typesets beside the plots).
"""

from .dashboard import PANELS, SAMPLING, Dashboard
from .style import CONTEXTS, DPI, THEMES, theme_rc
from .ticks import nice_limit

__all__ = ["CONTEXTS", "DPI", "PANELS", "SAMPLING", "THEMES", "Dashboard", "nice_limit", "theme_rc"]
