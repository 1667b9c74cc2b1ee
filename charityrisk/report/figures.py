"""The charts trustees see, drawn once here for both the app and the PDF report.

Every ``draw_*`` function takes a matplotlib Axes, clears it and draws one chart, so the app
can call it again on the same Axes for live updates.  No pyplot: callers make their own
``matplotlib.figure.Figure`` (``new_figure`` here, or a Qt canvas's figure).

Style rules: an Okabe-Ito based, colour-blind-safe palette that also reads in black-and-white
print (bands differ in lightness, lines in dash style, the "ran out" bars are hatched), and
font sizes readable on a projector.  Words are plain English, not statistics.
"""
from __future__ import annotations

import math

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Patch
from matplotlib.textpath import TextToPath
from matplotlib.transforms import ScaledTranslation
from matplotlib.ticker import Formatter, MaxNLocator, MultipleLocator, PercentFormatter

from ..engine.results import Results
from ..model.scenario import Scenario

# Okabe-Ito colours, plus blues of clearly different lightness for the fan chart's bands.
BLUE = "#0072B2"
SKY = "#56B4E9"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
WINE = "#882255"  # dark in grey print
ORANGE = "#E69F00"
BLACK = "#000000"
BAND_OUTER = "#CFE3F3"  # 5-95%: very light
BAND_INNER = "#7FB2DC"  # 25-75%: mid
MEDIAN = "#08306B"  # typical future: near black in grey
ZERO_GREY = "#444444"

TITLE_SIZE = 13
LABEL_SIZE = 12
TICK_SIZE = 11
LEGEND_SIZE = 10.5
NOTE_SIZE = 11
LEGEND_DROP_IN = 0.52  # inches from the bottom of the Axes to the top of the legend

MINUS = "\u2212"


class PoundFormatter(Formatter):
    """Tick labels in pounds: £40k, −£20k, £1.5m; whole pounds with commas when the span is small."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        lo, hi = self.axis.get_view_interval() if self.axis is not None else (x, x)
        return pounds_short(x, abs(hi - lo))


def pounds_short(x: float, span: float | None = None) -> str:
    """Short money for axis ticks; ``span`` is the axis range, to choose the precision."""
    span = abs(x) if span is None else span
    sign = MINUS if round(x) < 0 else ""
    a = abs(x)
    if a < 0.5:
        return "£0"
    if span >= 5_000_000 or a >= 10_000_000:
        digits = 0 if span >= 5_000_000 else 1
        return f"{sign}£{a / 1e6:,.{digits}f}m"
    if span >= 10_000:
        digits = 0 if span >= 20_000 else 1
        text = f"{a / 1000:,.{digits}f}"
        return f"{sign}£{text}k"
    return f"{sign}£{a:,.0f}"


def _money(x: float) -> str:
    from .text import money

    return money(x)


def _percent_text(p: float) -> str:
    from .text import percent

    return percent(p)


def new_figure(width_in: float = 8.0, height_in: float = 4.5, dpi: float = 100) -> Figure:
    """A Figure (no pyplot) styled for these charts; give it an Agg canvas to save it."""
    fig = Figure(figsize=(width_in, height_in), dpi=dpi)
    style_figure(fig)
    return fig


def style_figure(fig: Figure) -> Figure:
    """Common styling: white background, constrained layout so labels are never clipped."""
    fig.set_facecolor("white")
    fig.set_layout_engine("constrained")
    return fig


def _wrapped_title(ax: Axes, title: str, size: float) -> str:
    """The title broken into lines that fit the chart's width (a narrow chart in the app)."""
    return _wrap_to(title, _width_in(ax) + 0.4, size, bold=True)


def _set_title(ax: Axes, title: str, k: float) -> None:
    size = TITLE_SIZE * k
    ax.set_title(_wrapped_title(ax, title, size), fontsize=size, fontweight="bold", loc="left")


def _style_axes(ax: Axes, title: str, xlabel: str, ylabel: str, k: float = 1.0) -> None:
    ax.set_facecolor("white")
    _set_title(ax, title, k)
    ax.set_xlabel(_wrap_to(xlabel, _width_in(ax) + 0.3, LABEL_SIZE * k), fontsize=LABEL_SIZE * k)
    ax.set_ylabel(ylabel, fontsize=LABEL_SIZE * k)
    ax.tick_params(labelsize=TICK_SIZE * k)
    ax.grid(True, axis="y", color="#DDDDDD", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _width_in(ax: Axes) -> float:
    """The Axes' width in inches (before layout), to fit ticks and legend columns to it."""
    try:
        return max(1.0, ax.get_position().width * ax.get_figure().get_figwidth())
    except (AttributeError, TypeError):
        return 6.0


_TEXT_TO_PATH = TextToPath()


def _text_width_in(text: str, size: float, bold: bool = False) -> float:
    """The width of a label in inches, from the font itself (no renderer needed)."""
    try:
        props = FontProperties(size=size, weight="bold" if bold else "normal")
        width, _, _ = _TEXT_TO_PATH.get_text_width_height_descent(text, props, ismath=False)
        return width / 72
    except Exception:  # an unusual font setup must never stop a chart being drawn
        return len(text) * 0.56 * size / 72


def _legend_columns(labels: list[str], width_in: float, size: float, most: int) -> int:
    """As many legend columns as fit the chart's width (estimated from the labels' lengths)."""
    for ncol in range(min(most, len(labels)), 1, -1):
        rows = math.ceil(len(labels) / ncol)
        columns = [labels[i * rows:(i + 1) * rows] for i in range(ncol)]  # filled column-first
        needed = sum(max(_text_width_in(label, size) for label in column) + 3.8 * size / 72
                     for column in columns if column)
        if needed <= width_in:
            return ncol
    return 1


def _wrap_to(text: str, width_in: float, size: float, bold: bool = False) -> str:
    """Break text into lines no wider than width_in (a single long word stays whole)."""
    lines: list[str] = []
    for word in text.split():
        trial = f"{lines[-1]} {word}" if lines else word
        if lines and _text_width_in(trial, size, bold) > width_in:
            lines.append(word)
        elif lines:
            lines[-1] = trial
        else:
            lines.append(word)
    return "\n".join(lines)


def _legend_below(ax: Axes, handles=None, ncol: int = 3, k: float = 1.0) -> None:
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    else:
        labels = [h.get_label() for h in handles]
    size = LEGEND_SIZE * k
    width = _width_in(ax)
    # Plain-English labels are long: fewer columns when the chart is narrow, and labels
    # wrapped onto two lines when even one column is too wide, so the legend never
    # squeezes the chart or runs off the canvas.
    ncol = _legend_columns(labels, width, size, ncol)
    if ncol == 1:
        labels = [_wrap_to(label, width - 3.8 * size / 72, size) for label in labels]
    # A fixed distance below the Axes (under the tick labels and the axis label), whatever
    # the chart's height, so the app's layout engine and the PDF's fixed layout both work.
    below = ax.transAxes + ScaledTranslation(0, -LEGEND_DROP_IN * k, ax.get_figure().dpi_scale_trans)
    ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0), bbox_transform=below,
              ncol=ncol, fontsize=size, frameon=False, handlelength=2.4, columnspacing=1.2,
              borderaxespad=0)


def _no_results(ax: Axes, title: str, k: float = 1.0) -> None:
    _set_title(ax, title, k)
    ax.text(0.5, 0.5, "Run the simulation to see this chart.", ha="center", va="center",
            fontsize=NOTE_SIZE * k, color=ZERO_GREY, transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def _months(horizon: int) -> np.ndarray:
    return np.arange(1, horizon + 1, dtype=float)


def _month_axis(ax: Axes, horizon: int) -> None:
    ax.set_xlim(0.5 if horizon == 1 else 1, horizon + (0.5 if horizon == 1 else 0))
    most = max(3, min(12, int(_width_in(ax) * 1.5)))
    step = next((s for s in (1, 2, 3, 6, 12, 24, 60) if horizon / s <= most), 120)
    ax.xaxis.set_major_locator(MultipleLocator(step))


FAN_TITLE = "Cash balance at the end of each month"


def draw_fan_chart(ax: Axes, scenario: Scenario, results: Results | None, *,
                   font_scale: float = 1.0) -> None:
    """Balance at each month's end: 5-95% and 25-75% bands, the median, and the danger lines."""
    ax.clear()
    if results is None:
        _no_results(ax, FAN_TITLE, font_scale)
        return
    org = scenario.organisation
    horizon = results.horizon_months
    bp = {k: np.asarray(v, dtype=float) for k, v in results.balance_percentiles.items()}
    x = _months(horizon)
    if horizon == 1:  # a band needs width to be seen
        x = np.array([0.7, 1.3])
        bp = {k: np.repeat(v, 2) for k, v in bp.items()}
    ax.fill_between(x, bp["5"], bp["95"], color=BAND_OUTER, linewidth=0,
                    label="9 in 10 futures")
    ax.fill_between(x, bp["25"], bp["75"], color=BAND_INNER, linewidth=0,
                    label="Middle half of futures")
    ax.plot(x, bp["50"], color=MEDIAN, linewidth=2.6, linestyle="-", label="Typical (median)",
            gid="median")

    overdraft = float(org.overdraft_facility)
    if overdraft > 0:
        ax.axhline(0, color=ZERO_GREY, linewidth=1.2, linestyle=":", label="£0", gid="zero")
        ax.axhline(-overdraft, color=VERMILLION, linewidth=2.2, linestyle="--",
                   label=f"Overdraft limit {_money(-overdraft)}: run out below",
                   gid="overdraft")
    else:
        ax.axhline(0, color=VERMILLION, linewidth=2.2, linestyle="--",
                   label="£0: run out below this", gid="zero")
    floor = float(org.reserves_floor)
    if floor != 0:
        ax.axhline(floor, color=WINE, linewidth=2.2, linestyle="-.",
                   label=f"Reserves floor {_money(floor)}", gid="floor")

    _style_axes(ax, FAN_TITLE, "Month", "Balance", font_scale)
    _month_axis(ax, horizon)
    # Keep the danger lines in view even when every future stays far above them.
    lo = min(float(np.min(bp["5"])), -overdraft, floor, 0.0)
    hi = max(float(np.max(bp["95"])), floor, 0.0)
    pad = 0.06 * (hi - lo) if hi > lo else max(1000.0, abs(hi) * 0.1)
    ax.set_ylim(lo - pad, hi + pad)
    ax.yaxis.set_major_formatter(PoundFormatter())
    _legend_below(ax, ncol=3, k=font_scale)


RUN_OUT_TITLE = "Chance of having run out, by month"


def draw_run_out_curve(ax: Axes, scenario: Scenario, results: Results | None,
                       appetite: float | None = None, *, font_scale: float = 1.0) -> None:
    """Cumulative chance of having run out by each month's end, with the risk appetite line."""
    ax.clear()
    if results is None:
        _no_results(ax, RUN_OUT_TITLE, font_scale)
        return
    horizon = results.horizon_months
    p = np.asarray(results.p_run_out_by_month, dtype=float)
    x = _months(horizon)
    if horizon == 1:
        x = np.array([0.7, 1.3])
        p = np.repeat(p, 2)
    ax.fill_between(x, 0, p, color=BAND_OUTER, linewidth=0, step="post" if horizon == 1 else None)
    final = float(results.p_run_out_by_month[-1]) if horizon else 0.0
    plural = "s" if horizon != 1 else ""
    summary = (f"{_percent_text(final)} by month {horizon}" if final > 0
               else f"none within {horizon} month{plural}")
    ax.plot(x, p, color=BLUE, linewidth=2.6, linestyle="-",
            label=f"Chance of having run out ({summary})", gid="run_out")
    top = float(np.max(p)) if p.size else 0.0
    if appetite is not None:
        ax.axhline(appetite, color=VERMILLION, linewidth=2.2, linestyle="--",
                   label=f"Trustees' risk appetite ({_percent_text(appetite)})", gid="appetite")
        top = max(top, appetite)
    top = min(1.0, max(top * 1.15, 0.02))
    ax.set_ylim(0, top)
    _style_axes(ax, RUN_OUT_TITLE, "Month", "Chance", font_scale)
    _month_axis(ax, horizon)
    decimals = 0 if top >= 0.04 else 1
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=decimals))
    _legend_below(ax, ncol=2, k=font_scale)


HISTOGRAM_TITLE = "Lowest balance in each future"


def _bin_edges(values: np.ndarray, line: float, bins: int = 40) -> np.ndarray:
    """Evenly spaced edges covering the values, with the run-out line on an edge."""
    lo = min(float(values.min()), line)
    hi = max(float(values.max()), line)
    if hi - lo < 1e-9:
        half = max(1000.0, abs(hi) * 0.05)
        lo, hi = lo - half, hi + half
    width = (hi - lo) / bins
    # Round the width to a tidy amount so bars read as whole pounds.
    magnitude = 10 ** math.floor(math.log10(width))
    width = math.ceil(width / magnitude) * magnitude
    first = line - math.ceil((line - lo) / width) * width
    count = max(1, math.ceil((hi - first) / width))
    edges = first + width * np.arange(count + 1)
    if edges[-1] <= hi:  # the last value belongs inside the last bin
        edges = np.append(edges, edges[-1] + width)
    return edges


def draw_lowest_balance_histogram(ax: Axes, scenario: Scenario, results: Results | None, *,
                                  font_scale: float = 1.0) -> None:
    """How low each future's balance goes; the futures below the run-out line are marked."""
    ax.clear()
    if results is None:
        _no_results(ax, HISTOGRAM_TITLE, font_scale)
        return
    overdraft = float(scenario.organisation.overdraft_facility)
    line = -overdraft
    lowest = np.asarray(results.lowest_balance, dtype=float)
    n = lowest.size
    months = results.horizon_months
    _style_axes(ax, HISTOGRAM_TITLE,
                f"Lowest balance over the {months} month{'s' if months != 1 else ''}",
                "Share of futures", font_scale)
    if n == 0:
        return
    edges = _bin_edges(lowest, line)
    counts, _ = np.histogram(lowest, bins=edges)
    share = counts / n
    lefts, widths = edges[:-1], np.diff(edges)
    ran_out = edges[1:] <= line  # whole bin below the line: balance < -overdraft
    ran_out_share = float(np.mean(lowest < line))
    ax.bar(lefts[~ran_out], share[~ran_out], width=widths[~ran_out], align="edge", color=SKY,
           edgecolor="white", linewidth=0.5, gid="stayed")
    ax.bar(lefts[ran_out], share[ran_out], width=widths[ran_out], align="edge", color=VERMILLION,
           edgecolor=BLACK, linewidth=0.5, hatch="///", gid="ran_out")
    line_label = (f"Overdraft limit ({_money(line)})" if overdraft > 0
                  else "£0 (no overdraft)")
    ax.axvline(line, color=BLACK, linewidth=2.2, linestyle="--", gid="run_out_line")
    handles = [
        Patch(facecolor=VERMILLION, edgecolor=BLACK, hatch="///",
              label=f"Ran out of money ({_percent_text(ran_out_share)} of futures)"),
        Patch(facecolor=SKY, edgecolor="white", label="Stayed in funds"),
        ax.lines[-1],
    ]
    ax.lines[-1].set_label(line_label)
    ax.set_xlim(edges[0], edges[-1])
    ax.xaxis.set_major_formatter(PoundFormatter())
    label_in = _text_width_in(MINUS + pounds_short(edges[0], edges[-1] - edges[0]), TICK_SIZE * font_scale)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=max(2, min(8, int(_width_in(ax) / (1.5 * label_in))))))
    ax.set_ylim(0, max(float(share.max()) * 1.15, 0.01))
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0 if share.max() >= 0.05 else 1))
    _legend_below(ax, handles=handles, ncol=3, k=font_scale)


__all__ = ["draw_fan_chart", "draw_run_out_curve", "draw_lowest_balance_histogram",
           "style_figure", "new_figure", "pounds_short", "PoundFormatter"]
