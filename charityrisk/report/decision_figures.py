"""Charts for the decision tools (tornado, compared run-out curves, the negotiation grid), for
app and report alike.

Each function starts with ax.clear() so the app can redraw on the same Axes.  The look is
``report.style``'s (palette, sizes, the legend rule), shared with ``report.figures``.
"""
from __future__ import annotations

import textwrap
from collections.abc import Mapping

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, PercentFormatter

from ..engine.decisions import Comparison, Sensitivity
from ..engine.decisions.negotiate import Negotiation
from ..engine.verdict import Verdict
from ..model.calendar import month_name
from . import style
from .decision_text import label, span
from .text import percent

LOW_COLOUR, HIGH_COLOUR = style.SKY, style.VERMILLION
APPETITE_COLOUR = style.ORANGE
CURVE_STYLES = style.SERIES

TORNADO_TITLE = "What drives the risk"
TORNADO_MIN_HEIGHT_IN = 4.0  # eight two-line bars, title, axis and legend at DENSE_SCALE
COMPARISON_MIN_HEIGHT_IN = 3.0  # six curves' legend below the chart, at DENSE_SCALE
MIN_WIDTH_IN = 4.2  # a decision canvas narrower than this scrolls
LABEL_SHARE = 0.6  # of the figure's width, at most, for a bar's label on one line
# ...and never wider than this on a wide page either: a budget line's name made a label wider
# than the room the board pack leaves left of its bars, and its start was cut off.
LABEL_MOST_IN = 2.6
COMPARISON_TITLE = "Payment structures compared on the same futures"
# An option's name in the comparison's legend is whole, over lines at most this wide (inches,
# at the legend's size): "Example: a small resett…" named no one.  Narrow enough for one
# column of the legend at MIN_WIDTH_IN, so the chart's height can be known before it is drawn.
LEGEND_NAME_IN = 2.6


def draw_tornado(ax: Axes, sens: Sensitivity, top: int = 8, *,
                 font_scale: float = style.DENSE_SCALE) -> None:
    """Bars from the risk with each input at its low end to its high end, biggest first."""
    ax.clear()
    k = font_scale
    bars = list(sens.bars[:top])
    several = len({b.contract_name for b in sens.bars if b.contract is not None}) > 1
    y = np.arange(len(bars))[::-1]
    base = sens.p_run_out
    for yi, bar in zip(y, bars):
        for p, colour, hatch in ((bar.p_low, LOW_COLOUR, None), (bar.p_high, HIGH_COLOUR, "//")):
            ax.barh(yi, p - base, left=base, color=colour, hatch=hatch, edgecolor="0.25", linewidth=0.6)
    ax.axvline(base, color=style.BLACK, linewidth=1.2)
    ax.axvline(sens.risk_appetite, color=APPETITE_COLOUR, linestyle="--", linewidth=1.5)
    style.style_axes(ax, TORNADO_TITLE, "Chance of running out", "", k, grid_axis="x")
    # The values tried go in the label, where they can never overlap a bar: on one line
    # (low to high, as the legend's colours say), or on a second line when the label
    # would take more than LABEL_SHARE of a narrow canvas's width.
    size = style.TICK_SIZE * k
    most = min(LABEL_SHARE * style.figure_of(ax).get_figwidth(), LABEL_MOST_IN)
    labels = []
    for b in bars:
        name, values = label(b, several), span(b.unit, b.low_value, b.high_value)
        one_line = f"{name}: {values}"
        labels.append(one_line if style.text_width_in(one_line, size) <= most
                      else f"{_wrapped(name, size, most)}\n{values}")
    ax.set_yticks(y, labels, fontsize=size)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    lo = min([b.p_low for b in bars] + [b.p_high for b in bars] + [base, sens.risk_appetite])
    hi = max([b.p_low for b in bars] + [b.p_high for b in bars] + [base, sens.risk_appetite])
    pad = max(0.04, 0.25 * (hi - lo))
    ax.set_xlim(max(0.0, lo - pad), min(1.0, hi + pad))
    style.legend_under_figure(ax, handles=[
        Patch(facecolor=LOW_COLOUR, edgecolor="0.25", label="Input at its low value"),
        Patch(facecolor=HIGH_COLOUR, hatch="//", edgecolor="0.25", label="Input at its high value"),
        Line2D([], [], color=style.BLACK, label="Now"),
        Line2D([], [], color=APPETITE_COLOUR, linestyle="--", label="Risk appetite")], ncol=4, k=k)


def _wrapped(text: str, size: float, most: float) -> str:
    """A label's name over as many lines as it needs to keep within ``most`` inches: a budget
    line's own name ("Amount each time “Local authority grant (quarterly)”") left the bars no
    room on a narrow canvas, and the layout gave up."""
    wide = style.text_width_in(text, size)
    if wide <= most:
        return text
    return "\n".join(textwrap.wrap(text, max(12, int(len(text) * most / wide))))


def comparison_legend_names(comparison: Comparison, font_scale: float = style.DENSE_SCALE) -> list[str]:
    """Each option's name for the legend, whole (a bracketed tail dropped: the table beside
    the chart has it), over lines of at most LEGEND_NAME_IN, with its chance of running out."""
    size = style.LEGEND_SIZE * font_scale
    names = []
    for option in comparison.options:
        head = option.label.split(" (", 1)[0].strip() or option.label
        names.append(style.wrap_to(f"{head} ({percent(option.p_run_out)})", LEGEND_NAME_IN, size))
    return names


def comparison_height_in(comparison: Comparison, font_scale: float = style.DENSE_SCALE) -> float:
    """The comparison chart's least height: COMPARISON_MIN_HEIGHT_IN for names of one line,
    and a legend line more for each further line of a long name (the legend in one column,
    the narrowest canvas's), so the curves are never squeezed by it."""
    extra = sum(name.count("\n") for name in comparison_legend_names(comparison, font_scale))
    return COMPARISON_MIN_HEIGHT_IN + extra * style.LEGEND_SIZE * font_scale * 1.25 / 72


def draw_comparison_curves(ax: Axes, comparison: Comparison, *,
                           font_scale: float = style.DENSE_SCALE) -> None:
    """Each option's chance of having run out by each month, on the same futures.

    The legend goes below the chart, each name whole over as many lines as it needs
    (``comparison_legend_names``): a legend of full preset names beside the chart left the
    curves no width at 1024 x 768, and the layout gave up; cut short they named no one."""
    ax.clear()
    k = font_scale
    names = comparison_legend_names(comparison, k)
    for i, (option, name) in enumerate(zip(comparison.options, names)):
        colour, dashes = CURVE_STYLES[i % len(CURVE_STYLES)]
        curve = option.results.p_run_out_by_month
        months = np.arange(1, curve.size + 1)
        ax.plot(months, curve, color=colour, linestyle=dashes, linewidth=2, label=name)
    ax.axhline(comparison.risk_appetite, color="0.4", linestyle=(0, (2, 2)), linewidth=1,
               label=f"Risk appetite ({percent(comparison.risk_appetite)})")
    style.style_axes(ax, COMPARISON_TITLE, "Month", "Chance of having run out", k, grid_axis="both")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    first = comparison.options[0].scenario.first_month if comparison.options else None
    if first:  # months named by the calendar, as on the results' charts
        ax.xaxis.set_major_formatter(FuncFormatter(
            lambda x, _: month_name(first, round(x)) if abs(x - round(x)) < 1e-6 and x >= 1 else ""))
    else:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:.0f}"))
    ax.set_ylim(bottom=0)
    style.legend_under_figure(ax, ncol=3, k=k)


# -------------------------------------------------------------- negotiation grid

NEGOTIATION_TITLE = "Chance of running out with two terms at once"
NEGOTIATION_MIN_HEIGHT_IN = 3.6  # seven rows of figures, title, axis and legend at DENSE_SCALE
NEGOTIATION_CMAP = "cividis_r"  # lightness rises steadily: darker is riskier in greyscale too
SAFE_HATCH = "///"


def draw_negotiation(ax: Axes, n: Negotiation, *, font_scale: float = style.DENSE_SCALE,
                     names: Mapping[str, str] | None = None) -> None:
    """The grid of the chance of running out, its figure in every cell; the cells within
    the appetite hatched and the safe region outlined in bold (legible in grey), the terms
    as they are outlined dashed.  ``names``: an axis's name by its lever where the caller
    knows better than the field table (an item's own: "Price of “Job start”")."""
    from matplotlib.colors import Normalize
    from matplotlib.patches import Rectangle

    from .negotiate_text import axis_value, lever_label

    ax.clear()
    k = font_scale
    p = np.array(n.p, dtype=float)
    rows, cols = p.shape
    safe = n.safe()
    norm = Normalize(0.0, max(float(p.max()), 2 * n.risk_appetite, 1e-9))
    image = ax.imshow(p, cmap=NEGOTIATION_CMAP, norm=norm, aspect="auto", origin="lower",
                      extent=(-0.5, cols - 0.5, -0.5, rows - 0.5), interpolation="nearest")
    cmap = image.get_cmap()
    size = style.TICK_SIZE * k
    marks = {Verdict.TOO_CLOSE: "?"}
    for i in range(rows):
        for j in range(cols):
            r, g, b, _ = cmap(norm(p[i, j]))
            dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
            text_colour = "white" if dark else style.BLACK
            if safe[i, j]:
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch=SAFE_HATCH,
                                       edgecolor=text_colour, linewidth=0, alpha=0.55))
            label = percent(p[i, j]).replace("under ", "<") + marks.get(n.verdict(i, j), "")
            ax.text(j, i, label, ha="center", va="center", fontsize=size, color=text_colour,
                    fontweight="bold" if safe[i, j] else "normal",
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": cmap(norm(p[i, j])), "edgecolor": "none"})
    # The safe region's border: a bold line on each side of a safe cell whose neighbour is not.
    edges = []
    for i in range(rows):
        for j in range(cols):
            if not safe[i, j]:
                continue
            if i == 0 or not safe[i - 1, j]:
                edges.append(((j - 0.5, j + 0.5), (i - 0.5, i - 0.5)))
            if i == rows - 1 or not safe[i + 1, j]:
                edges.append(((j - 0.5, j + 0.5), (i + 0.5, i + 0.5)))
            if j == 0 or not safe[i, j - 1]:
                edges.append(((j - 0.5, j - 0.5), (i - 0.5, i + 0.5)))
            if j == cols - 1 or not safe[i, j + 1]:
                edges.append(((j + 0.5, j + 0.5), (i - 0.5, i + 0.5)))
    for xs, ys in edges:
        ax.plot(xs, ys, color=style.BLACK, linewidth=3.0, solid_capstyle="projecting")
    now = [(i, j) for i in range(rows) for j in range(cols)
           if n.rows.values[i] == n.rows.current and n.columns.values[j] == n.columns.current]
    for i, j in now:
        ax.add_patch(Rectangle((j - 0.45, i - 0.45), 0.9, 0.9, fill=False, edgecolor=style.VERMILLION,
                               linewidth=2.0, linestyle="--"))
    names = names or {}
    style.style_axes(ax, NEGOTIATION_TITLE, names.get(n.columns.input) or lever_label(n.columns.input),
                     names.get(n.rows.input) or lever_label(n.rows.input), k, grid_axis="both")
    ax.grid(False)
    ax.set_xticks(range(cols), [axis_value(n.columns, v) for v in n.columns.values], fontsize=size)
    ax.set_yticks(range(rows), [axis_value(n.rows, v) for v in n.rows.values], fontsize=size)
    ax.tick_params(length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    handles: list[Artist] = [Patch(facecolor="white", hatch=SAFE_HATCH, edgecolor=style.BLACK, linewidth=2.0,
                     label=f"Within the appetite ({percent(n.risk_appetite)})")]
    if now:
        handles.append(Patch(facecolor="none", edgecolor=style.VERMILLION, linestyle="--", linewidth=2.0,
                             label="Your terms now"))
    if any(n.verdict(i, j) is Verdict.TOO_CLOSE for i in range(rows) for j in range(cols)):
        handles.append(Line2D([], [], linestyle="none", marker="$?$", color=style.BLACK, label="Too close to call"))
    style.legend_under_figure(ax, handles=handles, ncol=3, k=k)


def negotiation_figure(n: Negotiation, width_in: float = 7.0, height_in: float = 4.2,
                       font_scale: float = 1.0) -> Figure:
    """The grid on a Figure of its own (no pyplot), for a report page: save it or draw it."""
    fig = style.new_figure(width_in, height_in)
    draw_negotiation(fig.add_subplot(), n, font_scale=font_scale)
    return fig
