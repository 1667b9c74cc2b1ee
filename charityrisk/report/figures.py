"""The charts trustees see, drawn once here for both the app and the PDF report.

Every ``draw_*`` function takes a matplotlib Axes, clears it and draws one chart, so the app
can call it again on the same Axes for live updates.  No pyplot: callers make their own
``matplotlib.figure.Figure`` (``new_figure`` here, or a Qt canvas's figure).

The look (palette, font sizes and scale, titles, the legend rule) is ``report.style``'s,
shared with the decision charts.  Words are plain English, not statistics.
"""
from __future__ import annotations

import math

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Patch
from matplotlib.ticker import Formatter, MaxNLocator, MultipleLocator, PercentFormatter

from ..engine.results import Results
from ..model.scenario import Scenario
from .style import (
    BAND_INNER,
    BAND_OUTER,
    BLACK,
    BLUE,
    LEGEND_DROP_IN,
    MEDIAN,
    NOTE_SIZE,
    SKY,
    TICK_SIZE,
    VERMILLION,
    WINE,
    ZERO_GREY,
    legend_below,
    new_figure,
    set_title,
    style_axes,
    style_figure,
    text_width_in,
    width_in,
)

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


def _no_results(ax: Axes, title: str, k: float = 1.0) -> None:
    set_title(ax, title, k)
    ax.text(0.5, 0.5, "Run the simulation to see this chart.", ha="center", va="center",
            fontsize=NOTE_SIZE * k, color=ZERO_GREY, transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def _months(horizon: int) -> np.ndarray:
    return np.arange(1, horizon + 1, dtype=float)


def _month_axis(ax: Axes, horizon: int) -> None:
    ax.set_xlim(0.5 if horizon == 1 else 1, horizon + (0.5 if horizon == 1 else 0))
    most = max(3, min(12, int(width_in(ax) * 1.5)))
    step = next((s for s in (1, 2, 3, 6, 12, 24, 60) if horizon / s <= most), 120)
    ax.xaxis.set_major_locator(MultipleLocator(step))


FAN_TITLE = "Cash balance at the end of each month"

# The organisation without its contracts: a long-dashed black line, apart from the solid
# median by its dashes and from the short-dashed danger lines by its darkness in grey print.
BASELINE_COLOUR = BLACK
BASELINE_DASHES = (0, (7, 2.5))


def _noun(results: Results) -> str:
    return "contract" if len(results.contract_names) == 1 else "contracts"


def baseline_median(results: Results) -> np.ndarray | None:
    """The typical balance of the organisation without its contracts, each month; None when
    there are no contracts (the run is its own baseline) or the run has no baseline."""
    b = results.baseline
    if not results.contract_names or b is None:
        return None
    return np.asarray(b.balance_percentiles["50"], dtype=float)


def _draw_baseline(ax: Axes, x: np.ndarray, y: np.ndarray, label: str, gid: str) -> None:
    ax.plot(x, y, color=BASELINE_COLOUR, linewidth=2.0, linestyle=BASELINE_DASHES, label=label,
            gid=gid)


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
    without = baseline_median(results)
    ax.plot(x, bp["50"], color=MEDIAN, linewidth=2.6, linestyle="-",
            label="Typical (median)" if without is None else f"Typical (median), with the {_noun(results)}",
            gid="median")
    if without is not None:
        if horizon == 1:
            without = np.repeat(without, 2)
        _draw_baseline(ax, x, without, f"Typical without the {_noun(results)}", "baseline_median")

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

    style_axes(ax, FAN_TITLE, "Month", "Balance", font_scale)
    _month_axis(ax, horizon)
    # Keep the danger lines in view even when every future stays far above them.
    lo = min(float(np.min(bp["5"])), -overdraft, floor, 0.0)
    hi = max(float(np.max(bp["95"])), floor, 0.0)
    if without is not None:  # the organisation on its own may do better or worse than every band
        lo, hi = min(lo, float(np.min(without))), max(hi, float(np.max(without)))
    pad = 0.06 * (hi - lo) if hi > lo else max(1000.0, abs(hi) * 0.1)
    ax.set_ylim(lo - pad, hi + pad)
    ax.yaxis.set_major_formatter(PoundFormatter())
    legend_below(ax, ncol=3, k=font_scale)


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
    if baseline_median(results) is not None and results.baseline is not None:
        q = np.asarray(results.baseline.p_run_out_by_month, dtype=float)
        q = np.repeat(q, 2) if horizon == 1 else q
        _draw_baseline(ax, x, q, f"Without the {_noun(results)} "
                       f"({_percent_text(float(q[-1])) if q[-1] > 0 else 'none'})", "baseline_run_out")
        top = max(top, float(np.max(q)))
    if appetite is not None:
        ax.axhline(appetite, color=VERMILLION, linewidth=2.2, linestyle="--",
                   label=f"Trustees' risk appetite ({_percent_text(appetite)})", gid="appetite")
        top = max(top, appetite)
    top = min(1.0, max(top * 1.15, 0.02))
    ax.set_ylim(0, top)
    style_axes(ax, RUN_OUT_TITLE, "Month", "Chance", font_scale)
    _month_axis(ax, horizon)
    decimals = 0 if top >= 0.04 else 1
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=decimals))
    legend_below(ax, ncol=2, k=font_scale)


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
    style_axes(ax, HISTOGRAM_TITLE,
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
    label_in = text_width_in(MINUS + pounds_short(edges[0], edges[-1] - edges[0]), TICK_SIZE * font_scale)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=max(2, min(8, int(width_in(ax) / (1.5 * label_in))))))
    ax.set_ylim(0, max(float(share.max()) * 1.15, 0.01))
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0 if share.max() >= 0.05 else 1))
    legend_below(ax, handles=handles, ncol=3, k=font_scale)


__all__ = [
    "BASELINE_COLOUR",
    "BASELINE_DASHES",
    "LEGEND_DROP_IN",
    "PoundFormatter",
    "baseline_median",
    "draw_fan_chart",
    "draw_lowest_balance_histogram",
    "draw_run_out_curve",
    "new_figure",
    "pounds_short",
    "style_figure",
]
