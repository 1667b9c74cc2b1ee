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
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path
from matplotlib.ticker import Formatter, FuncFormatter, MaxNLocator, MultipleLocator, PercentFormatter

from ..engine.results import Results
from ..model.calendar import month_name
from ..model.scenario import Scenario
from .formats import MINUS, money, percent, pounds_short
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
    legend_texts,
    new_figure,
    same_room,
    set_title,
    style_axes,
    style_figure,
    text_width_in,
    width_in,
)


class PoundFormatter(Formatter):
    """Tick labels in pounds: £40k, −£20k, £1.5m; whole pounds with commas when the span is small."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        lo, hi = self.axis.get_view_interval() if self.axis is not None else (x, x)
        return pounds_short(x, abs(hi - lo))


def _no_results(ax: Axes, title: str, k: float = 1.0) -> None:
    set_title(ax, title, k)
    ax.text(0.5, 0.5, "Run the simulation to see this chart.", ha="center", va="center",
            fontsize=NOTE_SIZE * k, color=ZERO_GREY, transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def _months(horizon: int) -> np.ndarray:
    return np.arange(1, horizon + 1, dtype=float)


def _month_axis(ax: Axes, horizon: int, first_month: str | None = None) -> None:
    """Months 1..horizon along x; with the scenario's first month, named by the calendar
    ("Apr 2027"), which takes about twice a number's room, so half as many ticks."""
    ax.set_xlim(0.5 if horizon == 1 else 1, horizon + (0.5 if horizon == 1 else 0))
    most = max(3, min(12, int(width_in(ax) * (0.75 if first_month else 1.5))))
    step = next((s for s in (1, 2, 3, 6, 12, 24, 60) if horizon / s <= most), 120)
    ax.xaxis.set_major_locator(MultipleLocator(step))
    if first_month:
        def name(x: float, _pos: int | None = None) -> str:
            m = round(x)
            return month_name(first_month, m) if abs(x - m) < 1e-6 and 1 <= m <= horizon else ""
        ax.xaxis.set_major_formatter(FuncFormatter(name))


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


class Chart:
    """One chart on one Axes, built in full once, then updated in place for each new answer.

    The app shows a first estimate and then the full run within a second of every edit, and
    clearing and rebuilding the artists (ticks, legend, texts) cost more than drawing them.
    ``show`` rebuilds only when the chart's shape changes (which artists it has, its width,
    which fits its titles and legend); otherwise it moves the same artists to the new
    figures.  Building always ends with the same update, so an updated chart is the chart a
    fresh build would draw (tests check it pixel for pixel)."""

    title = ""

    def __init__(self, ax: Axes, font_scale: float = 1.0):
        self.ax = ax
        self.k = font_scale
        self._shape: tuple | None = None
        self._legend_labels: list[str] | None = None

    def forget(self) -> None:
        """Build afresh next time (the Axes was cleared by someone else)."""
        self._shape = None

    @property
    def fitted_width(self) -> float | None:
        """The chart's width, in inches, its titles and legend were last fitted to."""
        return None if self._shape is None else self._shape[1]

    def show(self, scenario: Scenario, results: Results | None, **options) -> bool:
        """Draw ``results``; True when the chart was built afresh (its layout may change)."""
        if results is None:
            self.ax.clear()
            _no_results(self.ax, self.title, self.k)
            self._shape = None
            return True
        shape = (self.shape(scenario, results, **options), round(width_in(self.ax), 2))
        rebuilt = shape != self._shape
        if rebuilt:
            self.ax.clear()
            self._legend_labels = None
            self.build(scenario, results, **options)
            self._shape = shape
        self.update(scenario, results, **options)
        return rebuilt

    def shape(self, scenario: Scenario, results: Results, **options) -> tuple:
        raise NotImplementedError

    def build(self, scenario: Scenario, results: Results, **options) -> None:
        raise NotImplementedError

    def update(self, scenario: Scenario, results: Results, **options) -> None:
        raise NotImplementedError

    def legend(self, handles: list, ncol: int) -> None:
        """The legend below the chart, made again only when its words need other room:
        a new figure in a label ("12%" to "13%"), even in a wrapped label, is set in place."""
        labels = [h.get_label() for h in handles]
        if labels == self._legend_labels:
            return
        legend = self.ax.get_legend()
        # Labels that take the same room fit the same columns and wrap at the same words (the
        # chart's width is part of its shape), so only their words are set again.
        if (legend is not None and self._legend_labels is not None
                and [same_room(t) for t in labels] == [same_room(t) for t in self._legend_labels]):
            for text, words in zip(legend.get_texts(), legend_texts(self.ax, labels, ncol, self.k)[1]):
                text.set_text(words)
        else:
            legend_below(self.ax, handles=handles, ncol=ncol, k=self.k)
        self._legend_labels = labels


def _band(ax: Axes, x: np.ndarray, colour: str, label: str | None = None):
    zero = np.zeros_like(x)
    return ax.fill_between(x, zero, zero, color=colour, linewidth=0, label=label)


def _level(ax: Axes, **style):
    """A horizontal line across the chart, placed by ``set_ydata`` on update."""
    return ax.axhline(0, **style)


def _months_x(horizon: int) -> np.ndarray:
    # One month is drawn 0.6 wide: a band needs width to be seen.
    return np.array([0.7, 1.3]) if horizon == 1 else _months(horizon)


def _per_x(values, horizon: int) -> np.ndarray:
    y = np.asarray(values, dtype=float)
    return np.repeat(y, 2) if horizon == 1 else y


class FanChart(Chart):
    """Balance at each month's end: 5-95% and 25-75% bands, the median, and the danger lines."""

    title = FAN_TITLE

    def shape(self, scenario: Scenario, results: Results, **options) -> tuple:
        org = scenario.organisation
        return (results.horizon_months, baseline_median(results) is not None, _noun(results),
                float(org.overdraft_facility) > 0, float(org.reserves_floor) != 0, scenario.first_month)

    def build(self, scenario: Scenario, results: Results, **options) -> None:
        ax, x = self.ax, _months_x(results.horizon_months)
        with_baseline = baseline_median(results) is not None
        self.outer = _band(ax, x, BAND_OUTER, "9 in 10 futures")
        self.inner = _band(ax, x, BAND_INNER, "Middle half of futures")
        self.median = ax.plot(x, x * 0, color=MEDIAN, linewidth=2.6, linestyle="-", gid="median",
                              label=(f"Typical (median), with the {_noun(results)}" if with_baseline
                                     else "Typical (median)"))[0]
        self.baseline = (ax.plot(x, x * 0, color=BASELINE_COLOUR, linewidth=2.0,
                                 linestyle=BASELINE_DASHES, gid="baseline_median",
                                 label=f"Typical without the {_noun(results)}")[0]
                         if with_baseline else None)
        if float(scenario.organisation.overdraft_facility) > 0:
            _level(ax, color=ZERO_GREY, linewidth=1.2, linestyle=":", label="£0", gid="zero")
            self.limit = _level(ax, color=VERMILLION, linewidth=2.2, linestyle="--", gid="overdraft")
        else:
            self.limit = _level(ax, color=VERMILLION, linewidth=2.2, linestyle="--",
                                label="£0: run out below this", gid="zero")
        self.floor = (_level(ax, color=WINE, linewidth=2.2, linestyle="-.", gid="floor")
                      if float(scenario.organisation.reserves_floor) != 0 else None)
        style_axes(ax, FAN_TITLE, "Month", "Balance", self.k)
        _month_axis(ax, results.horizon_months, scenario.first_month)
        ax.yaxis.set_major_formatter(PoundFormatter())

    def update(self, scenario: Scenario, results: Results, **options) -> None:
        org, horizon = scenario.organisation, results.horizon_months
        x = _months_x(horizon)
        bp = {k: _per_x(v, horizon) for k, v in results.balance_percentiles.items()}
        self.outer.set_data(x, bp["5"], bp["95"])
        self.inner.set_data(x, bp["25"], bp["75"])
        self.median.set_data(x, bp["50"])
        overdraft, floor = float(org.overdraft_facility), float(org.reserves_floor)
        self.limit.set_ydata([-overdraft, -overdraft])
        if overdraft > 0:
            self.limit.set_label(f"Overdraft limit {money(-overdraft)}: run out below")
        if self.floor is not None:
            self.floor.set_ydata([floor, floor])
            self.floor.set_label(f"Reserves floor {money(floor)}")
        # Keep the danger lines in view even when every future stays far above them.
        lo = min(float(np.min(bp["5"])), -overdraft, floor, 0.0)
        hi = max(float(np.max(bp["95"])), floor, 0.0)
        without = baseline_median(results)
        if self.baseline is not None and without is not None:
            without = _per_x(without, horizon)
            self.baseline.set_data(x, without)
            # the organisation on its own may do better or worse than every band
            lo, hi = min(lo, float(np.min(without))), max(hi, float(np.max(without)))
        pad = 0.06 * (hi - lo) if hi > lo else max(1000.0, abs(hi) * 0.1)
        self.ax.set_ylim(lo - pad, hi + pad)
        self.legend(self.ax.get_legend_handles_labels()[0], ncol=3)


def draw_fan_chart(ax: Axes, scenario: Scenario, results: Results | None, *,
                   font_scale: float = 1.0) -> None:
    """Balance at each month's end (see FanChart), drawn afresh on ``ax``."""
    FanChart(ax, font_scale).show(scenario, results)


RUN_OUT_TITLE = "Chance of having run out, by month"


class RunOutCurve(Chart):
    """Cumulative chance of having run out by each month's end, with the risk appetite line."""

    title = RUN_OUT_TITLE

    def shape(self, scenario: Scenario, results: Results, **options) -> tuple:
        appetite = options.get("appetite")
        return (results.horizon_months, baseline_median(results) is not None, _noun(results),
                appetite is None, scenario.first_month)

    def build(self, scenario: Scenario, results: Results, **options) -> None:
        appetite = options.get("appetite")
        ax, horizon = self.ax, results.horizon_months
        x = _months_x(horizon)
        zero = np.zeros_like(x)
        self.fill = ax.fill_between(x, 0, zero, color=BAND_OUTER, linewidth=0,
                                    step="post" if horizon == 1 else None)
        self.curve = ax.plot(x, zero, color=BLUE, linewidth=2.6, linestyle="-", gid="run_out")[0]
        self.baseline = (ax.plot(x, zero, color=BASELINE_COLOUR, linewidth=2.0,
                                 linestyle=BASELINE_DASHES, gid="baseline_run_out")[0]
                         if baseline_median(results) is not None else None)
        self.appetite = (None if appetite is None else
                         _level(ax, color=VERMILLION, linewidth=2.2, linestyle="--", gid="appetite"))
        style_axes(ax, RUN_OUT_TITLE, "Month", "Chance", self.k)
        _month_axis(ax, horizon, scenario.first_month)

    def update(self, scenario: Scenario, results: Results, **options) -> None:
        appetite = options.get("appetite")
        horizon = results.horizon_months
        x = _months_x(horizon)
        p = _per_x(results.p_run_out_by_month, horizon)
        self.fill.set_data(x, 0, p)
        self.curve.set_data(x, p)
        final = float(results.p_run_out_by_month[-1]) if horizon else 0.0
        plural = "s" if horizon != 1 else ""
        by = month_name(scenario.first_month, horizon) if scenario.first_month else f"month {horizon}"
        summary = (f"{percent(final)} by {by}" if final > 0
                   else f"none within {horizon} month{plural}")
        self.curve.set_label(f"Chance of having run out ({summary})")
        top = float(np.max(p)) if p.size else 0.0
        if self.baseline is not None and results.baseline is not None:
            q = _per_x(results.baseline.p_run_out_by_month, horizon)
            self.baseline.set_data(x, q)
            self.baseline.set_label(f"Without the {_noun(results)} "
                                    f"({percent(float(q[-1])) if q[-1] > 0 else 'none'})")
            top = max(top, float(np.max(q)))
        if self.appetite is not None and appetite is not None:
            self.appetite.set_ydata([appetite, appetite])
            self.appetite.set_label(f"Trustees' risk appetite ({percent(appetite)})")
            top = max(top, appetite)
        top = min(1.0, max(top * 1.15, 0.02))
        self.ax.set_ylim(0, top)
        self.ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0 if top >= 0.04 else 1))
        self.legend([a for a in (self.curve, self.baseline, self.appetite) if a is not None], ncol=2)


def draw_run_out_curve(ax: Axes, scenario: Scenario, results: Results | None,
                       appetite: float | None = None, *, font_scale: float = 1.0) -> None:
    """The chance of having run out by month (see RunOutCurve), drawn afresh on ``ax``."""
    RunOutCurve(ax, font_scale).show(scenario, results, appetite=appetite)


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


# A bar's look by whether its futures ran out: hatched as well as coloured, for grey print.
_BAR_STYLE: dict[bool, dict] = {
    True: dict(facecolor=VERMILLION, edgecolor=BLACK, hatch="///", gid="ran_out"),
    False: dict(facecolor=SKY, edgecolor="white", hatch=None, gid="stayed"),
}


def _rectangles(bars: np.ndarray) -> Path:
    """One path of the rectangles (left, right, bottom, top), one row each."""
    left, right, bottom, top = bars.T
    corners = np.stack([np.column_stack(c) for c in ((left, bottom), (left, top), (right, top),
                                                      (right, bottom), (left, bottom))], axis=1)
    codes = np.tile([Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY], len(bars))
    return Path(corners.reshape(-1, 2), codes.astype(Path.code_type))


def bar_rectangles(patch: PathPatch) -> np.ndarray:
    """(left, right, bottom, top) of each bar of a histogram's patch (the inverse of
    _rectangles): what the bars show, read back by the tests."""
    corners = np.asarray(patch.get_path().vertices).reshape(-1, 5, 2)
    return np.column_stack([corners[:, 0, 0], corners[:, 2, 0], corners[:, 0, 1], corners[:, 1, 1]])


def _bar_key(ran_out: bool, label: str) -> Patch:
    """The legend's sample of a bar."""
    look = _BAR_STYLE[ran_out]
    return Patch(facecolor=look["facecolor"], edgecolor=look["edgecolor"], hatch=look["hatch"], label=label)


class LowestBalances(Chart):
    """How low each future's balance goes; the futures below the run-out line are marked."""

    title = HISTOGRAM_TITLE

    def shape(self, scenario: Scenario, results: Results, **options) -> tuple:
        return (results.horizon_months, results.lowest_balance.size == 0,
                float(scenario.organisation.overdraft_facility) > 0)

    def build(self, scenario: Scenario, results: Results, **options) -> None:
        months = results.horizon_months
        style_axes(self.ax, HISTOGRAM_TITLE,
                   f"Lowest balance over the {months} month{'s' if months != 1 else ''}",
                   "Share of futures", self.k)
        # The bars of each kind are one shape made of rectangles: as many separate patches
        # they took a fifth of the app's drawing time.  Ran-out bars first, so that the
        # bars right of the line are drawn over them, as left to right.
        self.bars = {ran_out: PathPatch(_rectangles(np.zeros((0, 4))), linewidth=0.5, **_BAR_STYLE[ran_out])
                     for ran_out in (True, False)}
        for patch in self.bars.values():
            self.ax.add_patch(patch)
        self.line = self.ax.axvline(0, color=BLACK, linewidth=2.2, linestyle="--", gid="run_out_line")
        if results.lowest_balance.size == 0:  # nothing to split: no line either
            self.line.remove()

    def update(self, scenario: Scenario, results: Results, **options) -> None:
        lowest = np.asarray(results.lowest_balance, dtype=float)
        if lowest.size == 0:
            return
        overdraft = float(scenario.organisation.overdraft_facility)
        line = -overdraft
        edges = _bin_edges(lowest, line)
        counts, _ = np.histogram(lowest, bins=edges)
        share = counts / lowest.size
        ran_out = edges[1:] <= line  # whole bin below the line: balance < -overdraft
        bars = np.column_stack([edges[:-1], edges[1:], np.zeros_like(share), share])
        for kind, patch in self.bars.items():
            chosen = bars[ran_out == kind]
            patch.set_path(_rectangles(chosen))
            patch.set_visible(len(chosen) > 0)
        self.line.set_xdata([line, line])
        self.line.set_label(f"Overdraft limit ({money(line)})" if overdraft > 0 else "£0 (no overdraft)")
        ran_out_share = float(np.mean(lowest < line))
        handles = [_bar_key(True, f"Ran out of money ({percent(ran_out_share)} of futures)"),
                   _bar_key(False, "Stayed in funds"), self.line]
        ax = self.ax
        ax.set_xlim(edges[0], edges[-1])
        ax.xaxis.set_major_formatter(PoundFormatter())
        label_in = text_width_in(MINUS + pounds_short(edges[0], edges[-1] - edges[0]), TICK_SIZE * self.k)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=max(2, min(8, int(width_in(ax) / (1.5 * label_in))))))
        ax.set_ylim(0, max(float(share.max()) * 1.15, 0.01))
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0 if share.max() >= 0.05 else 1))
        self.legend(handles, ncol=3)


def draw_lowest_balance_histogram(ax: Axes, scenario: Scenario, results: Results | None, *,
                                  font_scale: float = 1.0) -> None:
    """The lowest balances (see LowestBalances), drawn afresh on ``ax``."""
    LowestBalances(ax, font_scale).show(scenario, results)


__all__ = [
    "BASELINE_COLOUR",
    "Chart",
    "bar_rectangles",
    "FanChart",
    "LowestBalances",
    "RunOutCurve",
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
