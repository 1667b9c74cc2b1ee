"""The trustees' board pack: four A4 pages of PDF (and the budget's own pages when its lines
do not fit on the fourth), drawn with matplotlib (no pyplot).

1. The decision: the question, the answer against the risk appetite, what the contract itself
   adds to the risk over the organisation without it, and what would make it safe.  It has to
   stand on its own when projected in a board meeting, in grey.
2. The charts and a month-by-month summary (quarters up to 24 months, else years).
3. What drives the risk (the tornado), other payment structures compared on the same futures,
   and a short "how to read this" for trustees when it fits there.
4. Every input, labelled from the field table, what the model leaves out, and how the figures
   were made (futures, Monte Carlo error, seed, version), so they can be produced again.
   Every budget line is listed with its figures: where they do not all fit here, they are
   listed on pages of their own after it, as many to a page as fit at a readable size.

Lines of text break only at spaces, never inside a word or a money figure; a figure wider
than its column is set in smaller type instead (``_Page.place``).

Text is laid out top-down with a cursor; every block is measured after it is placed, so
long names and sentences wrap instead of overlapping, and a page that would overflow is
laid out again with smaller type.  The tries are dry runs (text measured, charts only given
their room); only the layout chosen is drawn, so a pack draws its four pages once each.
Charts come from ``figures.py`` and ``decision_figures.py``, the same code the app draws with.
"""
from __future__ import annotations

import datetime as _dt
import io
import math
import os
import textwrap
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Rectangle

from .. import APP_NAME, __version__
from ..engine import simulate
from ..engine.results import Results
from ..engine.simulate import Progress
from ..model.fields import spec_of
from ..model.fileformat import write_bytes_atomic
from ..model.scenario import BudgetLine, Scenario
from . import decision_figures, decision_text, figures, style
from .decision_text import comparison_rows, decision_sentences, risk_guesses_sentence
from .export import period_summary
from .formats import money, percent
from .formats import months as _months
from .formats import rate as _rate
from .glossary import REPORT_TERMS, report_terms, term
from .missing import budget_missing, missing_charts, verdict_level, verdict_line
from .terms import contract_table, organisation_rows
from .terms import guess as _range
from .text import (
    MONEY_NEEDS_HEADER,
    chance_with_error,
    contract_risk,
    decision_notes,
    headline,
    money_needs_rows,
    month_words,
    reserves_figures,
    reserves_policy,
    run_verdict,
)

A4_WIDTH_IN = 8.27
A4_HEIGHT_IN = 11.69
MARGIN_IN = 0.7
TOP_IN = 0.6
BOTTOM_IN = 0.75  # room for the footer
TEXT_WIDTH_IN = A4_WIDTH_IN - 2 * MARGIN_IN
PAGES = 4

INK = "#000000"
MUTED = "#333333"  # dark enough to survive a washed-out projector
RULE = "#999999"
ZEBRA = "#EEEEEE"
# Okabe-Ito edges with light fills.  The verdict is also in words and the box's edge differs in
# weight, so greyscale print and projectors lose nothing.
LEVEL_COLOURS = {name: (level.edge, level.fill, level.weight) for name, level in style.LEVELS.items()}
MAX_CONTRACT_COLUMNS = 3
WRAP_SAFETY = 0.94
CHART_FONT_SCALE = 0.88  # the app's projector-sized chart fonts, a little smaller on paper
GUTTER_IN = 0.1  # between table columns
TORNADO_BARS = 6
MAX_NOTES_CHARS = 700  # page 1 shows the notes' start; page 4 shows them whole, within reason
MAX_NOTES_IN_FULL = 1500
MAX_FOOTER_NAME = 60
DPI = 100

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")


def long_date(day: _dt.date) -> str:
    """5 March 2025, whatever the computer's locale."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def scenario_notes(s: Scenario) -> str:
    """The scenario's notes (or description), whichever version of the file format holds them."""
    for value in (getattr(s, "notes", None), s.extra.get("notes"), s.extra.get("description")):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _clip(text: str, most: int) -> str:
    """At most ``most`` characters, cut at a word where there is one."""
    if len(text) <= most:
        return text
    cut = text[:most - 1]
    if " " in cut[most // 2:]:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;:") + "\u2026"


def the_question(s: Scenario) -> str:
    horizon = _months(s.horizon_months)
    if not s.contracts:
        return f"How likely are we to run out of money in the next {horizon}?"
    this = "this contract" if len(s.contracts) == 1 else f"these {len(s.contracts)} contracts"
    return f"If we sign {this}, how likely are we to run out of money in the next {horizon}?"


def added_risk_sentence(s: Scenario, r: Results) -> str:
    """What the contract itself adds to the chance of running out, over the organisation
    without it on the same futures: the app's own sentence (``report.text.contract_risk``),
    so trustees read the same words on screen and on paper ("" when there is none)."""
    return contract_risk(r) or ""


def precision_sentence(r: Results) -> str:
    """How sure the chance is, and what reproduces it, in words a trustee can follow."""
    if r.p_run_out in (0.0, 1.0):
        sure = (f"With {r.paths:,} simulated futures the chance is {percent(r.p_run_out)}; "
                "a different set of futures could differ slightly.")
    else:
        sure = (f"With {r.paths:,} simulated futures the chance of {percent(r.p_run_out)} is good "
                f"to about \u00b1{100 * 2 * r.p_run_out_se:.1f} points: another set of futures "
                "would very likely land within that range (the Monte Carlo error).")
    return (f"{sure} Seed {r.seed}, {APP_NAME} {__version__}: the same scenario, number of "
            "futures and seed give exactly these figures again.")


def decision_key_figures(s: Scenario, r: Results) -> list[tuple[str, str]]:
    month = r.most_likely_run_out_month
    rows = [
        ("Chance of running out", chance_with_error(r)),
        ("Most likely month to run out", month_words(s, month) if month else "none run out"),
        ("Lowest balance, 1 in 20 worst futures", money(r.lowest_balance_percentiles["5"])),
        ("Extra working capital for 19 in 20 futures to stay in funds",
         money(r.working_capital_needed_95)),
        ("Chance of going below the reserves floor", percent(r.p_below_floor)),
        *reserves_figures(s, r),
    ]
    if r.baseline is not None and s.contracts:
        rows.insert(1, ("Chance of running out without the contract" +
                        ("" if len(s.contracts) == 1 else "s"), percent(r.baseline.p_run_out)))
    return rows


# ------------------------------------------------------------------ month by month

def summary_periods(horizon: int) -> tuple[str, list[tuple[int, int]]]:
    """Quarters for horizons up to 24 months, else years: (word, [(first, last) month])."""
    step, word = (3, "Quarter") if horizon <= 24 else (12, "Year")
    return word, [(start, min(start + step - 1, horizon)) for start in range(1, horizon + 1, step)]


MONTHLY_HEADER = ("Period", "Other income", "Other costs", "Contract income", "Contract costs",
                  "Average balance at end", "1 in 20 worst balance at end", "Run out by end")


def monthly_summary_rows(r: Results) -> list[list[str]]:
    """Average money in and out per period, and the balance at its end (average and the 5th
    percentile), with the chance of having run out by then: the same periods and sums as the
    app's month-by-month tab and the CSV (``export.period_summary``)."""
    _, periods = period_summary(r)
    rows = []
    for period in periods:
        income, costs, receipts, contract_costs, mean, worst, _typical = period.values
        span = f"month {period.first}" if period.first == period.last else f"months {period.first}\u2013{period.last}"
        label = f"{period.label.split(' (')[0]} ({span})"
        rows.append([label, *(money(x) for x in (income, costs, receipts, contract_costs, mean, worst)),
                     percent(float(r.p_run_out_by_month[period.last - 1]))])
    return rows


# ------------------------------------------------------------------ the inputs

BUDGET_COLUMNS = ("name", "kind", "amount", "start_month", "every_months", "growth_per_year", "probability")


def budget_header() -> list[str]:
    labels = {key: spec_of("organisation.budget[]", key).label for key in BUDGET_COLUMNS}
    return [labels["name"], labels["kind"], labels["amount"], f"{labels['start_month']} to last",
            labels["every_months"], labels["growth_per_year"], labels["probability"]]


def budget_row(line: BudgetLine, horizon: int) -> list[str]:
    end = line.end_month if line.end_month is not None else horizon
    every = ("every month" if line.every_months == 1 else
             "once a year" if line.every_months == 12 else f"every {_months(line.every_months)}")
    amount = (_range(line.amount, money) if line.monthly_amounts is None else
              f"{money(min(line.monthly_amounts))} to {money(max(line.monthly_amounts))} by month "
              f"(a pattern of {_months(len(line.monthly_amounts))}"
              + ("" if line.scale.is_fixed and line.scale.likely == 1 else f", scaled {_range(line.scale, _rate)}")
              + ")")
    return [line.name or "(no name)", line.kind, amount,
            f"{line.start_month} to {end}", every,
            _rate(line.growth_per_year) if line.growth_per_year else "none",
            percent(line.probability) if line.probability < 1 else "certain"]


def assumptions(s: Scenario, r: Results) -> list[str]:
    overdraft = s.organisation.overdraft_facility
    line = f"minus {money(overdraft)} (the overdraft limit)" if overdraft > 0 else "£0"
    together = ("The uncertain values are independent of each other." if s.correlation == 0 else
                "Bad surprises tend to come together, as set by the correlation above.")
    return [
        (f"These figures are estimates from {r.paths:,} simulated futures, not a forecast. "
         f"Running the same inputs again with another seed gives slightly different figures "
         f"(see the Monte Carlo error below)."),
        ("Each simulated future picks every uncertain value (other income, referrals a month, "
         f"success rate, budget amounts) once, from its low to high range, and keeps it for the "
         f"whole period. {together}"),
        ("Referrals vary at random from month to month around that future's average "
         "(a Poisson count), unless a contract says otherwise; the chance of no referrals at "
         "all is decided once per future."),
        ("No inflation (beyond any growth entered on budget lines), no interest on balances"
         + (" (interest on borrowing is charged at the rate above)" if s.organisation.overdraft_interest_per_year
            else " or borrowing") + ", and no tax or VAT. Fixed costs do not shrink when referrals fall."),
        ("The prime contractor is assumed to pay eventually: late payment delays payments but "
         "never cancels them. Payments due after the last month are not counted in the "
         f"balance (on average {money(r.expected_owed_after_horizon)} is still owed at the end)."),
        (f"Running out means a month-end balance below {line}. Shortfalls within a month, "
         "contract termination and renegotiation are not modelled unless entered as costs."),
    ]


def run_details(r: Results, day: _dt.date) -> str:
    return (f"Simulated futures: {r.paths:,}.  Seed: {r.seed}.  Monte Carlo error in the chance of "
            f"running out: standard error {100 * r.p_run_out_se:.2f} percentage points "
            f"(95% range ± {100 * 2 * r.p_run_out_se:.1f} points).  {APP_NAME} version {__version__}.  "
            f"Produced {long_date(day)}.")


LABEL_ROOM_IN = 0.55 * TEXT_WIDTH_IN - 0.12  # the most a chart's y tick labels may take
LABELS_SMALLEST = 0.75  # labels of many lines shrink to fit their rows down to this share
SMALLEST_WORD = 0.6  # a word too wide for its room is set down to this share of the size
WORD_SPILL_IN = 0.06  # how far a word alone on its line may run past its room (under GUTTER_IN)


def wrap_words(text: str, chars: int) -> str:
    """``text`` in lines of about ``chars`` characters, broken only at spaces (and its own
    line ends): never inside a word, a figure or after a minus sign, nor between "±" and its
    figure."""
    text = text.replace("\u00b1 ", "\u00b1\u00a0")  # a no-break space: textwrap keeps them together
    return "\n".join(textwrap.fill(part, chars, break_long_words=False, break_on_hyphens=False)
                     if part else "" for part in text.split("\n"))


class _Page:
    """One A4 page with a top-down cursor, in inches from the top edge."""

    def __init__(self, footer: str, scale: float = 1.0, renderer: Any = None, dry: bool = False,
                 wraps: dict[tuple, tuple[str, float, float]] | None = None):
        self.k = scale  # text sizes and spacing shrink together when a page is full
        # A dry run only finds where things go: charts take their room undrawn.  Its text is
        # measured, and ``wraps`` keeps each measurement (its wrapped lines and height), so
        # the page finally drawn at the same scale places its text without measuring again.
        self.dry = dry
        self.wraps = wraps if wraps is not None else {}
        self.fig = Figure(figsize=(A4_WIDTH_IN, A4_HEIGHT_IN), dpi=DPI)
        self.fig.set_facecolor("white")
        self.canvas = FigureCanvasAgg(self.fig)
        # One renderer for every attempt at every page: matplotlib caches text measurements
        # per renderer, and measuring text is most of the time a page takes.
        self.renderer = renderer if renderer is not None else self.canvas.get_renderer()
        self.y = TOP_IN
        self.budget_shown = 0  # page 4: how many budget lines it lists
        if footer:
            self.footer(footer)

    def footer(self, text: str) -> None:
        self.rule(A4_HEIGHT_IN - BOTTOM_IN + 0.12)
        self.fig.text(MARGIN_IN / A4_WIDTH_IN, 0.4 / A4_HEIGHT_IN, text, fontsize=8.5,
                      color=MUTED, va="baseline", ha="left")

    @property
    def room(self) -> float:
        return A4_HEIGHT_IN - BOTTOM_IN - self.y

    def _fx(self, x_in: float) -> float:
        return x_in / A4_WIDTH_IN

    def _fy(self, y_in: float) -> float:
        return 1 - y_in / A4_HEIGHT_IN

    def place(self, text: str, x_in: float, y_in: float, width_in: float, size: float,
              weight: str = "normal", color: str = INK, linespacing: float = 1.3) -> float:
        """Wrap ``text`` to ``width_in`` and place its top-left at (x, y); return its height.

        Lines break only at spaces, never inside a word: a money figure such as "-£115,509"
        stays whole.  A word wider than the room (a large figure in a narrow column) is set
        in smaller type, down to SMALLEST_WORD of the size, rather than split."""
        size *= self.k
        key = (text, width_in, size, weight, linespacing)
        known = self.wraps.get(key)
        if known is not None:
            wrapped, height, fitted = known
            if not self.dry:
                self.fig.text(self._fx(x_in), self._fy(y_in), wrapped, fontsize=fitted, fontweight=weight,
                              color=color, va="top", ha="left", linespacing=linespacing)
            return height
        chars = max(1, int(width_in * 72 / (0.55 * size)))
        longest = max((len(word) for word in text.split()), default=0)
        fitted, smallest = size, SMALLEST_WORD * size
        while True:
            wrapped = wrap_words(text, chars)
            artist = self.fig.text(self._fx(x_in), self._fy(y_in), wrapped, fontsize=fitted,
                                   fontweight=weight, color=color, va="top", ha="left",
                                   linespacing=linespacing)
            box = artist.get_window_extent(self.renderer)
            width = box.width / self.fig.dpi
            # Agg's hinted metrics run a few per cent narrower than the PDF's text: keep a margin.
            words_alone = chars <= max(1, longest)  # wrapping can do no more
            # A word alone on its line may run into the gutter a table leaves after a cell.
            if (width <= WRAP_SAFETY * width_in or (words_alone and fitted <= smallest)
                    or (words_alone and width <= WRAP_SAFETY * width_in + WORD_SPILL_IN)):
                self.wraps[key] = (wrapped, box.height / self.fig.dpi, fitted)
                return box.height / self.fig.dpi
            artist.remove()
            if words_alone:  # a word wider than the room: smaller type, never a split word
                fitted = max(smallest, fitted * WRAP_SAFETY * width_in / width - 0.05)
            else:
                chars = max(1, min(chars - 1, int(chars * WRAP_SAFETY * width_in / width) - 1))

    def text(self, text: str, size: float = 10, weight: str = "normal", color: str = INK,
             gap: float = 0.08, indent: float = 0.0) -> None:
        height = self.place(text, MARGIN_IN + indent, self.y, TEXT_WIDTH_IN - indent, size,
                            weight, color)
        self.y += height + gap * self.k

    def heading(self, text: str, size: float = 13, first: bool = False) -> None:
        if not first:
            self.y += 0.12 * self.k
        self.text(text, size=size, weight="bold", gap=0.07)

    def bullets(self, items: Sequence[str], size: float = 10, gap: float = 0.06) -> None:
        for item in items:
            self.place("\u2022", MARGIN_IN + 0.05, self.y, 0.2, size)
            self.text(item, size=size, gap=gap, indent=0.25)

    def rule(self, y_in: float, color: str = RULE, width: float = 0.6) -> None:
        self.fig.add_artist(Line2D([self._fx(MARGIN_IN), self._fx(A4_WIDTH_IN - MARGIN_IN)],
                                   [self._fy(y_in)] * 2, color=color, linewidth=width))

    def table(self, rows: Sequence[Sequence[str]], widths: Sequence[float], size: float = 9.5,
              header: Sequence[str] | None = None, pad: float = 0.04, bold_first: bool = True) -> None:
        """Rows of wrapped cells; the first column in bold; zebra shading for the eye."""
        pad *= self.k
        all_rows = ([list(header)] if header else []) + [list(r) for r in rows]
        for i, row in enumerate(all_rows):
            is_header = header is not None and i == 0
            top = self.y
            x = MARGIN_IN
            heights = []
            for j, (cell, width) in enumerate(zip(row, widths)):
                weight = "bold" if is_header or (j == 0 and bold_first) else "normal"
                heights.append(self.place(cell, x + pad, top + pad, width - 2 * pad - GUTTER_IN,
                                          size, weight))
                x += width
            height = max(heights) + 2 * pad
            if is_header:
                self.rule(top + height, color=INK, width=0.9)
            elif (i - (1 if header else 0)) % 2 == 1:
                self.fig.add_artist(Rectangle((self._fx(MARGIN_IN), self._fy(top + height)),
                                              sum(widths) / A4_WIDTH_IN, height / A4_HEIGHT_IN,
                                              facecolor=ZEBRA, edgecolor="none", zorder=-1))
            self.y = top + height
        self.rule(self.y)
        self.y += 0.1 * self.k

    def chart(self, draw: Callable[[Axes, float], Any], height_in: float, *,
              font_scale: float = CHART_FONT_SCALE, fit_labels: float = 0.0, title: bool = True) -> None:
        """An Axes for a draw_* function (called with the Axes and a font scale), sized so that
        its title, tick labels and legend all fit in ``height_in``.

        ``fit_labels``: the widest a y tick label may be (inches); longer ones go on two lines
        and the Axes starts after the widest (the tornado's input names).  ``title=False``
        drops the chart's own title where the page's heading already says it."""
        if self.dry:  # the room is all the layout needs
            self.y += height_in
            return
        k = font_scale
        left, right = MARGIN_IN + 0.85 * k, MARGIN_IN + 0.1
        title_room = 0.35 * k if title else 0.1
        ax = self.fig.add_axes((self._fx(left), 0.1, (A4_WIDTH_IN - left - right) / A4_WIDTH_IN, 0.2))
        draw(ax, k)
        if not title:
            ax.set_title("", loc="left")
        labels_size = 0.0
        if fit_labels:
            labels_size = self._fit_labels(ax, fit_labels)
            widest = max((self._width(tick) for tick in ax.get_yticklabels()), default=0.0)
            left = MARGIN_IN + min(widest + 0.12, LABEL_ROOM_IN + 0.12)
            # The final width first, so that the legend's columns are fitted to it.
            ax.set_position((self._fx(left), 0.1, (A4_WIDTH_IN - left - right) / A4_WIDTH_IN, 0.2))
        self._legend_under_axes(ax, k)
        legend = ax.get_legend()
        legend_in = (legend.get_window_extent(self.renderer).height / self.fig.dpi
                     if legend is not None else 0.0)
        below = figures.LEGEND_DROP_IN * k + legend_in + 0.08
        axes_height = max(0.5, height_in - title_room - below)
        bottom = self.y + title_room + axes_height
        ax.set_position((self._fx(left), self._fy(bottom),
                         (A4_WIDTH_IN - left - right) / A4_WIDTH_IN, axes_height / A4_HEIGHT_IN))
        if labels_size:
            self._labels_in_their_rows(ax, axes_height, labels_size)
        self.y += height_in

    def _fit_labels(self, ax: Axes, most: float) -> float:
        """The y tick labels (a tornado's input names and values) on as few lines as the
        page's room for them allows: a one-line label wider than ``most`` puts its values on
        a second line; a name the chart wrapped for a narrower canvas is wrapped again to
        LABEL_ROOM_IN.  Returns their font size."""
        ticks = ax.get_yticklabels()
        if not ticks:
            return 0.0
        size = float(ticks[0].get_fontsize())
        labels = []
        for tick in ticks:
            label = tick.get_text()
            if "\n" in label:
                lines = label.split("\n")
                label = f"{style.wrap_to(' '.join(lines[:-1]), LABEL_ROOM_IN, size)}\n{lines[-1]}"
            elif ": " in label and self._width(tick) > most:
                name, _, values = label.rpartition(": ")
                label = f"{style.wrap_to(name, LABEL_ROOM_IN, size)}\n{values}"
            labels.append(label)
        ax.set_yticks(ax.get_yticks(), labels, fontsize=size)
        return size

    def _labels_in_their_rows(self, ax: Axes, axes_height: float, size: float) -> None:
        """Labels of several lines each within their bar's row, never over the next label:
        smaller type where the rows are too short for them (at least LABELS_SMALLEST of it)."""
        ticks = ax.get_yticklabels()
        low, high = ax.get_ylim()
        row = axes_height / max(1.0, abs(high - low))  # inches between one bar and the next
        lines = max(tick.get_text().count("\n") + 1 for tick in ticks)
        needed = lines * size * 1.2 / 72  # matplotlib's line spacing
        if needed > 0.95 * row:
            fitted = max(LABELS_SMALLEST * size, size * 0.95 * row / needed)
            for tick in ticks:
                tick.set_fontsize(fitted)

    def _width(self, artist: Any) -> float:
        return artist.get_window_extent(self.renderer).width / self.fig.dpi

    def _legend_under_axes(self, ax: Axes, k: float) -> None:
        """The decision charts put their legend under the whole figure (right for a canvas of
        their own); on a page with other blocks it belongs under its own chart."""
        for legend in list(self.fig.legends):
            columns = getattr(legend, "_ncols", 3)  # as the chart asked for, at most
            handles = list(legend.legend_handles)
            for handle, label in zip(handles, legend.texts):
                if handle is not None:
                    handle.set_label(label.get_text())
            legend.remove()
            style.legend_below(ax, handles=handles, ncol=columns, k=k)

    def verdict_box(self, s: Scenario, r: Results) -> None:
        appetite = s.settings.risk_appetite
        judged = run_verdict(r, appetite)
        edge, fill, weight = LEVEL_COLOURS.get(verdict_level(s, judged), LEVEL_COLOURS["close"])
        pad = 0.16
        top = self.y
        inner = TEXT_WIDTH_IN - 2 * pad
        big = (f"{percent(r.p_run_out)} chance of running out" if r.p_run_out > 0
               else "No simulated future runs out")
        y = top + pad
        if not budget_missing(s):  # as the app's headline: a chance beside "no verdict" reads as one
            y += self.place(big, MARGIN_IN + pad, y, inner, 22, "bold") + 0.08 * self.k
            y += self.place(headline(s, r), MARGIN_IN + pad, y, inner, 11.5) + 0.1 * self.k
        y += self.place(verdict_line(s, judged, appetite), MARGIN_IN + pad, y, inner,
                        14, "bold")
        height = y - top + pad
        self.fig.add_artist(FancyBboxPatch(
            (self._fx(MARGIN_IN), self._fy(top + height)), TEXT_WIDTH_IN / A4_WIDTH_IN,
            height / A4_HEIGHT_IN, boxstyle="round,pad=0,rounding_size=0.006",
            facecolor=fill, edgecolor=edge, linewidth=weight, zorder=-1))
        self.y = top + height + 0.12 * self.k


@dataclass
class _Pack:
    """What every page of one board pack is drawn from."""

    s: Scenario
    r: Results
    decisions: Sequence[str] | None
    day: _dt.date
    analysis: Any
    comparison: Any
    renderer: Any
    variants: Any = None  # a Comparison of the scenario and its named variants
    dry: bool = False  # pages made now are layout tries (see ``try_at``)
    wraps: dict[tuple, tuple[str, float, float]] = field(default_factory=dict)  # text measured so far

    def page(self, number: int, k: float) -> _Page:
        """Page ``number`` at scale ``k``; its footer comes when the pages are counted."""
        return _Page("", k, self.renderer, dry=self.dry, wraps=self.wraps)

    def measure(self, block: Callable[[_Page], None], k: float) -> float:
        """The height ``block`` takes at scale ``k`` (laid out on a scratch page, not drawn)."""
        page = _Page("", k, self.renderer, dry=True, wraps=self.wraps)
        block(page)
        return page.y - TOP_IN

    def try_at(self, make: Callable[[float], _Page], k: float) -> _Page:
        """``make``'s page at scale ``k`` as a dry run: where everything goes, nothing drawn."""
        self.dry = True
        try:
            return make(k)
        finally:
            self.dry = False


AVAILABLE_IN = A4_HEIGHT_IN - TOP_IN - BOTTOM_IN
COMFORTABLE = 0.84  # below this scale a page is hard to read: try leaving something out first
SMALLEST = 0.6


def _fit(p: _Pack, make: Callable[[float], _Page], floor: float) -> tuple[float | None, float]:
    """The largest scale down to ``floor`` at which ``make``'s page fits: (that scale or None,
    the last scale tried).  Each try's overflow says how far to shrink next, so a page is
    laid out two or three times at most rather than once for every step of a fixed ladder;
    the tries are dry runs (``_Pack.try_at``), and the caller draws the page once."""
    k, too_big = 1.0, 0.0
    while True:
        page = p.try_at(make, k)
        if page.room >= -1e-6:
            # Shrinking text wraps onto fewer lines, so the guess overshoots: halve the gap to
            # the last size that did not fit, a few times, for the largest that does.
            for _ in range(3):
                middle = math.floor(50 * (k + too_big) / 2) / 50
                if not too_big or middle <= k:
                    break
                if p.try_at(make, middle).room >= -1e-6:
                    k = middle
                else:
                    too_big = middle
            return k, k
        too_big = k
        used = page.y - TOP_IN
        guess = math.floor(50 * k * AVAILABLE_IN / used) / 50  # to a step of 0.02, rounded down
        smaller = min(round(k - 0.02, 2), guess)
        if smaller < floor:
            if k <= floor:
                return None, k
            smaller = floor  # the smallest allowed, once
        k = smaller


def _fitted(p: _Pack, options: Sequence[Callable[[float], _Page]], floor: float = COMFORTABLE) -> _Page:
    """The first option that fits at a scale down to ``floor``, else the last at whatever scale
    it fits (down to SMALLEST; if even that overflows, the smallest tried), drawn once."""
    for make in options[:-1]:
        k, _ = _fit(p, make, floor)
        if k is not None:
            return make(k)
    k, last = _fit(p, options[-1], SMALLEST)
    return options[-1](last if k is None else k)


# ------------------------------------------------------------------ page 1: the decision

NO_DECISIONS = ("Not worked out for this report. In the app, open \u201cWhat would make it safe\u201d "
                "before exporting (or use the charityrisk report command, which works it out): it "
                "finds the share at risk, overdraft, outcome wait or price that would bring the "
                "chance of running out within the appetite.")


NEEDS_WIDTHS = (2.45, 0.75, 0.85, 1.1, TEXT_WIDTH_IN - 5.15)


def _page_one(p: _Pack, bullets: int, k: float, reserves: bool = True) -> _Page:
    s, r = p.s, p.r
    page = p.page(1, k)
    page.text("Board pack: cash-flow risk for the trustees", size=10.5, weight="bold", color=MUTED,
              gap=0.03)
    page.text(s.name or "Untitled scenario", size=18, weight="bold", gap=0.05)
    notes = scenario_notes(s)
    if notes:
        page.text(_clip(notes, MAX_NOTES_CHARS), size=9.5, color=MUTED, gap=0.05)
    page.text(f"Produced by {APP_NAME} {__version__} on {long_date(p.day)}.", size=9.5, color=MUTED,
              gap=0.1)
    page.heading("The question", size=12)
    page.text(the_question(s), size=14, weight="bold", gap=0.14)
    page.verdict_box(s, r)
    if budget_missing(s):  # as the app: no figures beside "no verdict" (report/missing.py)
        return page
    added = added_risk_sentence(s, r)
    # Said once: not where the verdict box says it.  When the budget alone is not safe the box
    # frames the decision as what signing changes; the points the contract adds or takes off
    # follow here, second.
    if added and added not in headline(s, r):
        page.heading("What the contract itself adds" if len(s.contracts) == 1
                     else "What the contracts themselves add", size=13)
        page.text(added, size=12.5)
    signing = decision_notes(s, r)
    if signing:
        page.heading("What signing means", size=13)
        page.text(" ".join(signing), size=10.5)
    page.heading("What would make it safe", size=13)
    if p.decisions:
        page.text(p.decisions[0], size=12, weight="bold", gap=0.08)
        page.bullets(list(p.decisions[1:1 + bullets]), size=10)
    elif not s.contracts:
        page.text("There is no contract in this scenario: these are the organisation's own figures, "
                  "the baseline any contract would add to.", size=11)
    else:
        page.text(NO_DECISIONS, size=11)
    if tuple(getattr(p.analysis, "needs", ()) or ()):
        page.text("The money needed, by the organisation anyway and with the contract: page 3.",
                  size=10, color=MUTED)
    page.heading("Key figures", size=12)
    page.table(decision_key_figures(s, r), widths=(4.4, TEXT_WIDTH_IN - 4.4), size=10.5)
    page.text(precision_sentence(r), size=9.5, color=MUTED)
    policy = reserves_policy(s, r)
    if policy and reserves:
        page.heading("For your reserves policy (Charity Commission, CC19)", size=11)
        page.text(policy, size=9.5)
    return page


# ------------------------------------------------------------------ page 2: charts and months

MONTHLY_WIDTHS = (1.27,) + ((TEXT_WIDTH_IN - 1.27) / 7,) * 7
MIN_FAN_IN, MIN_RUN_OUT_IN = 2.6, 2.0


def _monthly(page: _Page, r: Results) -> None:
    word, _ = summary_periods(r.horizon_months)
    page.heading(f"{word} by {word.lower()}: averages over the futures", size=12.5)
    page.text("Money in and out is the average over all the futures in each period (\u201cother\u201d: "
              "outside the contracts, including budget lines); balances are at the period's end. "
              "\u201c1 in 20 worst\u201d: only 1 future in 20 is lower.", size=9, color=MUTED, gap=0.05)
    page.table(monthly_summary_rows(r), MONTHLY_WIDTHS, size=8.5, header=list(MONTHLY_HEADER))


def _page_two(p: _Pack, terms: str, k: float) -> _Page:
    s, r = p.s, p.r
    page = p.page(2, k)
    page.heading("How the cash balance could move", size=13, first=True)

    def below(q: _Page) -> None:
        _monthly(q, r)
        if terms:
            _how_to_read(q, terms == "detail")

    if budget_missing(s):  # as the app: no charts of the contract's money alone
        page.text(missing_charts(), size=11, gap=0.1)
        below(page)
        return page
    charts_in = page.room - p.measure(below, k) - 0.1 * k
    fan_in = max(MIN_FAN_IN, min(4.3, 0.56 * charts_in))
    page.chart(lambda ax, f: figures.draw_fan_chart(ax, s, r, font_scale=f), fan_in)
    page.y += 0.1 * k
    page.chart(lambda ax, f: figures.draw_run_out_curve(ax, s, r, appetite=s.settings.risk_appetite,
                                                        font_scale=f),
               max(MIN_RUN_OUT_IN, min(3.6, charts_in - fan_in - 0.1 * k)))
    below(page)
    return page


# ------------------------------------------------------------------ page 3: drivers and options

def _how_to_read(page: _Page, detail: bool) -> None:
    page.heading("How to read this", size=12.5)
    if detail:
        rows = [[heading, paragraph] for heading, paragraph in report_terms()]
    else:  # each term in its one sentence (the app's Help explains them at length)
        rows = [[term(key).term, term(key).tooltip] for key in REPORT_TERMS]
    page.table(rows, (2.1, TEXT_WIDTH_IN - 2.1), size=8.5, pad=0.03)


TORNADO_IN = 3.3
TORNADO_MOST_IN = 5.5
TORNADO_LABEL_IN = 2.6  # a label wider than this on one line puts its values on a second


def tornado_height(sensitivity: Any, k: float) -> float:
    """The tornado's height on page 3: TORNADO_IN, or more where its labels (a budget line's
    long name) take several lines each, so that every label fits its bar's row in type of
    the chart's size.  Worked out from the labels' words, as ``_Page.chart`` will set them,
    so that the layout's dry runs give the chart the room it will take."""
    size = style.TICK_SIZE * 0.8 * k
    bars = sensitivity.bars[:TORNADO_BARS]
    if not bars:
        return TORNADO_IN * k
    several = len({b.contract_name for b in sensitivity.bars if b.contract is not None}) > 1
    lines = 1
    for bar in bars:
        name, values = decision_text.label(bar, several), decision_text.span(bar.unit, bar.low_value, bar.high_value)
        if style.text_width_in(f"{name}: {values}", size) > min(TORNADO_LABEL_IN, decision_figures.LABEL_MOST_IN):
            lines = max(lines, style.wrap_to(name, LABEL_ROOM_IN, size).count("\n") + 2)
    rows_in = (len(bars) + 0.5) * lines * size * 1.2 / 72 / 0.95  # the bars' rows, with the axes' margins
    return min(TORNADO_MOST_IN * k, max(TORNADO_IN * k, rows_in + TORNADO_IN * k - 2.2 * k))
COMPARISON_CHART_IN = 2.5
COMPARISON_WIDTHS = (2.4, 0.68, 0.85, 0.68, 0.8, 0.76, TEXT_WIDTH_IN - 6.17)


def _page_three(p: _Pack, terms: str, k: float) -> _Page:
    """``terms``: "" (how to read this goes elsewhere), "detail" or "short"."""
    page = p.page(3, k)
    analysis, comparison = p.analysis, p.comparison
    needs = tuple(getattr(analysis, "needs", ()) or ())
    if needs:
        # What the organisation needs anyway and what the contract adds: the screen's table.
        # Here rather than on page 1, which it shrank to about 0.7 of its type size.
        page.heading("What would make it safe, in money", size=13, first=True)
        page.table(money_needs_rows(needs, len(p.s.contracts)), widths=NEEDS_WIDTHS, size=8.5,
                   header=MONEY_NEEDS_HEADER, pad=0.025)
    page.heading("What drives the risk", size=13, first=not needs)
    if analysis is not None:
        page.text("Each bar shows the chance of running out with one input at its low and at its high "
                  "value, everything else as entered; the longest bars matter most.", size=9.5,
                  color=MUTED, gap=0.05)
        page.chart(lambda ax, f: decision_figures.draw_tornado(ax, analysis.sensitivity, top=TORNADO_BARS,
                                                               font_scale=f),
                   tornado_height(analysis.sensitivity, k), font_scale=0.8 * k, fit_labels=TORNADO_LABEL_IN,
                   title=False)
    elif not p.s.contracts:
        page.text("The scenario has no contract: there are no terms to test or compare.", size=10)
    else:
        page.text("Not worked out for this report: open \u201cWhat would make it safe\u201d in the app "
                  "before exporting to add the chart of what drives the risk.", size=10)
    page.heading("Other payment structures, on the same futures", size=13)
    if comparison is not None:
        page.chart(partial(_draw_comparison, comparison), comparison_height(comparison, k),
                   font_scale=0.8 * k, title=False)
        rows = comparison_rows(comparison)
        page.table(rows[1:], COMPARISON_WIDTHS, size=8, header=list(rows[0]))
        page.text(f"All options ran on the same {comparison.paths:,} futures (seed {comparison.seed}); "
                  "\u201cvs first\u201d is the difference from the first option, in percentage points, "
                  "with its Monte Carlo range. " + risk_guesses_sentence(comparison), size=8.5, color=MUTED)
    elif p.s.contracts:
        page.text("Not worked out for this report: use \u201cCompare payment terms\u201d in the app "
                  "before exporting (or the charityrisk report command) to compare structures.",
                  size=10)
    if p.variants is not None:
        _variants(page, p.variants)
    elif p.s.variants:
        page.heading("Your variants, on the same futures", size=13)
        page.text("Not worked out for this report: press \u201cCompare variants\u201d in the app before "
                  "exporting (or use the charityrisk report command) to set them side by side.", size=10)
    if terms:
        _how_to_read(page, terms == "detail")
    return page


LEGEND_NAME_CHARS = 34  # a line of an option's name in the comparison's legend


def legend_names(comparison: Any) -> list[str]:
    """The options' names for the comparison chart's legend, whole: a bracketed tail dropped
    (it is in the table below), the rest over lines of LEGEND_NAME_CHARS at most, never cut
    ("Example: a small resett…" named no one); with each option's chance of running out."""
    names = []
    for option in comparison.options:
        head = option.label.split(" (", 1)[0].strip() or option.label
        lines = textwrap.wrap(head, LEGEND_NAME_CHARS, break_long_words=False, break_on_hyphens=False)
        names.append(f"{chr(10).join(lines) or head} ({percent(option.p_run_out)})")
    return names


def comparison_height(comparison: Any, k: float) -> float:
    """The comparison chart's height: COMPARISON_CHART_IN, and a line of legend more for each
    further line of a long option name (worked out from the words, for the dry runs)."""
    extra = sum(name.count("\n") for name in legend_names(comparison))
    return COMPARISON_CHART_IN * k + extra * style.LEGEND_SIZE * 0.8 * k * 1.3 / 72


def _draw_comparison(comparison: Any, ax: Axes, k: float) -> None:
    decision_figures.draw_comparison_curves(ax, comparison, font_scale=k)
    names = legend_names(comparison)
    for legend in ax.figure.legends:  # the chart's own legend has the names cut short
        for text, name in zip(legend.texts, names):
            text.set_text(name)


VARIANT_WIDTHS = (1.9, 1.45, 0.9, 1.0, 0.85, TEXT_WIDTH_IN - 6.1)


def _variants(page: _Page, comparison: Any) -> None:
    """The variants the user saved (Try different terms), side by side on the same futures."""
    from .variants import footnote, variant_rows

    page.heading("Your variants, on the same futures", size=13)
    rows = variant_rows(comparison)
    page.table(rows[1:], VARIANT_WIDTHS, size=8, header=list(rows[0]))
    page.text(footnote(comparison), size=8.5, color=MUTED)


# ------------------------------------------------------------------ page 4: what was assumed

BUDGET_WIDTHS = (1.5, 0.72, 1.5, 0.75, 1.05, 0.65, TEXT_WIDTH_IN - 6.17)


def _budget_page(p: _Pack, first: int, count: int, k: float) -> _Page:
    """Budget lines ``first`` + 1 to ``first + count`` (of all of them), on a page of their own."""
    budget = p.s.organisation.budget
    page = p.page(5, k)
    last = min(first + count, len(budget))
    page.heading(f"What we assumed: the budget (lines {first + 1} to {last} of {len(budget)})",
                 size=12.5, first=True)
    page.table([budget_row(line, p.s.horizon_months) for line in budget[first:last]], BUDGET_WIDTHS,
               size=8.5, header=budget_header())
    if last < len(budget):
        page.text(f"Lines {last + 1} to {len(budget)} continue on the next page.", size=9.5, weight="bold")
    return page


def _page_four(p: _Pack, max_tables: int, budget_rows: int, terms: str, k: float) -> _Page:
    s, r = p.s, p.r
    page = p.page(4, k)
    page.heading("What we assumed: the organisation", size=12.5, first=True)
    no_budget = [] if s.organisation.budget else [("Budget lines", "None")]
    page.table(organisation_rows(s) + no_budget, widths=(3.9, TEXT_WIDTH_IN - 3.9), size=9)
    budget = s.organisation.budget
    if budget:
        page.heading(f"What we assumed: the budget ({len(budget)} line{'s' if len(budget) != 1 else ''})",
                     size=12.5)
        shown = list(budget[:budget_rows])
        page.budget_shown = len(shown)
        if shown:
            page.table([budget_row(line, s.horizon_months) for line in shown], BUDGET_WIDTHS, size=8.5,
                       header=budget_header())
        if len(budget) > len(shown):
            page.text(f"Lines {len(shown) + 1} to {len(budget)} continue on the next page." if shown else
                      f"The {len(budget)} lines are listed with their figures on the page after this one.",
                      size=10, weight="bold")

    contracts = list(s.contracts)
    if not contracts:
        page.heading("Contracts", size=12.5)
        page.text("No contracts: the organisation's own income and costs only.", size=10)
    chunks = [contracts[i:i + MAX_CONTRACT_COLUMNS]
              for i in range(0, len(contracts), MAX_CONTRACT_COLUMNS)]
    for number, chunk in enumerate(chunks[:max_tables]):
        first = number * MAX_CONTRACT_COLUMNS
        label_width = 1.75
        col = (TEXT_WIDTH_IN - label_width) / len(chunk)
        if len(contracts) == 1:
            heading = "What we assumed: the contract"
        elif len(chunk) == 1:
            heading = f"What we assumed: contract {first + 1} of {len(contracts)}"
        else:
            heading = (f"What we assumed: contracts {first + 1} to {first + len(chunk)} "
                       f"of {len(contracts)}")
        page.heading(heading, size=12.5)
        page.table(contract_table(chunk, s), widths=[label_width] + [col] * len(chunk),
                   size=8.5, header=["Contract"] + [c.name for c in chunk])
    rest = contracts[max_tables * MAX_CONTRACT_COLUMNS:]
    if rest:
        names = "; ".join(c.name for c in rest[:4]) + ("; ..." if len(rest) > 4 else "")
        if len(rest) == len(contracts):
            page.heading("What we assumed: the contracts", size=12.5)
            lead = (f"The {len(rest)} contracts are included in the figures but there is no room "
                    f"to list their terms here (see the scenario file)")
        else:
            lead = (f"And {len(rest)} more contract{'s' if len(rest) != 1 else ''}, included in "
                    f"the figures but not listed here (see the scenario file)")
        page.text(f"{lead}: {names}.", size=9.5)

    page.heading("What the model does not capture", size=12.5)
    page.bullets(assumptions(s, r), size=9, gap=0.03)
    page.heading("About these figures", size=11)
    page.text(run_details(r, p.day), size=9)
    notes = scenario_notes(s)
    if len(notes) > MAX_NOTES_CHARS:
        page.text(f"Notes: {_clip(notes, MAX_NOTES_IN_FULL)}", size=8.5, color=MUTED)
    if terms:
        _how_to_read(page, terms == "detail")
    return page


# ------------------------------------------------------------------ the pack

def footer_text(s: Scenario, r: Results, page: int, pages: int = PAGES) -> str:
    name = _clip(s.name, MAX_FOOTER_NAME) if s.name else "Untitled scenario"
    return (f"{name}  \u2013  {APP_NAME} {__version__}, {r.paths:,} futures, seed {r.seed}  "
            f"\u2013  page {page} of {pages}")


def build_pages(scenario: Scenario, results: Results, decisions: Sequence[str] | None = None,
                day: _dt.date | None = None, analysis: Any = None, comparison: Any = None,
                variants: Any = None) -> list[Figure]:
    """The board pack's pages as Figures (for previews): four, and the budget's own when its
    lines do not fit on the fourth; ``write_report`` saves them as PDF.

    ``analysis``: an ``engine.decisions.Analysis`` (the tornado, and the goal seeks' sentences
    when ``decisions`` is not given); ``comparison``: an ``engine.decisions.Comparison``;
    ``variants``: the Comparison of the scenario and its named variants (compare_variants)."""
    if decisions is None and analysis is not None:
        decisions = decision_sentences(analysis.solutions)
    renderer = FigureCanvasAgg(Figure(figsize=(A4_WIDTH_IN, A4_HEIGHT_IN), dpi=DPI)).get_renderer()
    p = _Pack(scenario, results, decisions, day or _dt.date.today(), analysis, comparison, renderer,
              variants)
    # Page 1 is projected: fewer of the goal seeks' details rather than smaller type.
    # The reserves policy paragraph (also on screen) only where it fits at a projected size:
    # it goes before the goal seeks' details do, being for adapting later, not for deciding.
    one = _fitted(p, [partial(_page_one, p, b, reserves=True) for b in (3, 2)]
                  + [partial(_page_one, p, b, reserves=False) for b in (3, 2, 1, 0)], floor=0.96)
    # "How to read this" goes where it fits first: in full beside the decision charts, in
    # brief there or under the month-by-month table, else in brief at the end of page 4.
    placed = ""
    two = three = None
    for where, terms in (("three", "detail"), ("three", "short"), ("two", "short")):
        make = partial(_page_three if where == "three" else _page_two, p, terms)
        k, _ = _fit(p, make, COMFORTABLE)
        if k is not None:
            placed = where
            if where == "three":
                three = make(k)
            else:
                two = make(k)
            break
    if two is None:
        two = _fitted(p, [partial(_page_two, p, "")])
    if three is None:
        three = _fitted(p, [partial(_page_three, p, "")])
    terms_on_four = "" if placed else "short"
    # The first contracts' terms stay whatever else has to give: they are what is signed.
    # Every budget line is listed with its figures, in one table: on page 4 where it fits,
    # else on pages of its own after it.
    budget = len(scenario.organisation.budget)
    four = _fitted(p, [partial(_page_four, p, tables, rows, terms_on_four)
                       for tables, rows in ((2, budget), (1, budget), (1, 0))])
    pages = [one, two, three, four] + _budget_pages(p, four.budget_shown)
    for number, page in enumerate(pages, start=1):
        page.footer(footer_text(scenario, results, number, len(pages)))
    return [page.fig for page in pages]


def _most_that_fit(p: _Pack, make: Callable[[int, float], _Page], most: int) -> tuple[int, float | None]:
    """The most budget lines, 0 to ``most``, with which ``make``'s page fits at a comfortable
    size, and that size (None when not even 0 lines fit): a binary search of dry runs."""
    low, high, best = 0, most, None
    while low <= high:
        middle = (low + high + 1) // 2
        k, _ = _fit(p, partial(make, middle), COMFORTABLE)
        if k is not None:
            best = (middle, k)
            if middle == high:
                break
            low = middle + 1
        else:
            high = middle - 1
    return best if best is not None else (0, None)


def _budget_pages(p: _Pack, shown: int) -> list[_Page]:
    """The budget lines after the first ``shown``, as many a page as fit comfortably."""
    budget = p.s.organisation.budget
    pages: list[_Page] = []
    first = shown
    while first < len(budget):
        count, k = _most_that_fit(p, partial(_budget_page, p, first), len(budget) - first)
        if count and k is not None:
            pages.append(_budget_page(p, first, count, k))
        else:  # one line taller than a page (a very long pattern): at whatever size it fits
            count = 1
            pages.append(_fitted(p, [partial(_budget_page, p, first, count)]))
        first += count
    return pages


# ------------------------------------------------------------------ what the pack needs

@dataclass(frozen=True)
class PackParts:
    """What a board pack shows beyond the results: the goal seeks and the tornado
    (``analysis``), the payment structures compared (``comparison``) and the scenario's
    named variants side by side (``variants``); None where there is nothing to work out."""

    analysis: Any = None
    comparison: Any = None
    variants: Any = None


def pack_paths(results: Results) -> int:
    """The futures the pack's decision tools run: the results' own, up to the tools' limit."""
    from ..engine.decisions import MAX_DECISION_PATHS

    return min(results.paths, MAX_DECISION_PATHS)


def _analysis_fits(analysis: Any, paths: int, seed: int) -> bool:
    solutions = getattr(analysis, "solutions", None)
    return (solutions is not None and solutions.contract in (0, None) and solutions.paths == paths
            and solutions.seed == seed and analysis.sensitivity.paths == paths and analysis.sensitivity.seed == seed)


def _comparison_fits(comparison: Any, options: Sequence[tuple[str, Scenario]], paths: int, seed: int,
                     guesses: str | None) -> bool:
    return (comparison is not None and comparison.paths == paths and comparison.seed == seed
            and comparison.risk_guesses == guesses
            and [(o.label, o.scenario) for o in comparison.options] == list(options))


def pack_steps(scenario: Scenario, results: Results, decisions: bool = True, analysis: Any = None,
               comparison: Any = None, variants: Any = None) -> Generator[Progress, None, PackParts]:
    """Work out what the board pack needs beyond ``results``, on the same futures (the
    results' seed, and their number of futures up to the decision tools' limit): what would
    make it safe and what drives the risk, the source document's payment structures compared,
    and the scenario's named variants side by side.  ``charityrisk report`` and the app's
    File > Export both come here, so their packs are the same.

    ``analysis``, ``comparison`` and ``variants``: answers already worked out (the app's, on
    screen), used where they are exactly what would be worked out here (same futures, seed,
    contract and options), else worked out again.  ``decisions=False``: none of them.
    A generator yielding Progress (a cancel point each) and returning the PackParts."""
    from ..engine.decisions import analyse_steps, compare_steps, compare_variants_steps, preset_options
    from ..engine.decisions.compare import YOUR_GUESSES, variant_options
    from ..model import ScenarioError

    if not decisions:
        return PackParts()
    paths, seed = pack_paths(results), results.seed
    jobs: list[tuple[str, Callable[[], Generator[Progress, None, Any]]]] = []
    found: dict[str, Any] = {}
    if scenario.contracts:
        if _analysis_fits(analysis, paths, seed):
            found["analysis"] = analysis
        else:
            jobs.append(("analysis", lambda: analyse_steps(scenario, paths=paths, seed=seed)))
        try:
            options = preset_options(scenario)
        except (OSError, ScenarioError):
            options = []  # a damaged installation's presets: the pack says it was not run
        if options and _comparison_fits(comparison, options, paths, seed, YOUR_GUESSES):
            found["comparison"] = comparison
        elif options:
            jobs.append(("comparison", lambda: compare_steps(options, paths, seed, risk_guesses=YOUR_GUESSES)))
    if scenario.variants:  # the user's own variants, side by side
        if _comparison_fits(variants, variant_options(scenario), paths, seed, None):
            found["variants"] = variants
        else:
            jobs.append(("variants", lambda: compare_variants_steps(scenario, paths, seed)))
    scale = 1000  # each job's share of the progress bar
    total = scale * len(jobs)
    for number, (kind, make) in enumerate(jobs):
        steps = make()
        try:  # closed when this is (a cancelled export): the job stops at once too
            while True:
                try:
                    step = next(steps)
                except StopIteration as done:
                    found[kind] = done.value
                    break
                if isinstance(step, Progress) and step.total > 0:
                    yield Progress(number * scale + scale * step.done // step.total, total)
        finally:
            steps.close()
        yield Progress((number + 1) * scale, total)
    return PackParts(found.get("analysis"), found.get("comparison"), found.get("variants"))


def write_report(scenario: Scenario, path: str | os.PathLike, paths: int | None = None,
                 seed: int | None = None, results: Results | None = None,
                 decisions: Sequence[str] | None = None, day: _dt.date | None = None,
                 analysis: Any = None, comparison: Any = None, variants: Any = None) -> Results:
    """Write the trustees' board pack to ``path`` atomically; return the results it shows.

    Without ``results`` the scenario is simulated with ``paths`` and ``seed`` (default: the
    scenario's settings).  ``decisions`` are plain sentences for "What would make it safe"
    (the first is the headline advice); ``analysis`` (engine.decisions.Analysis) adds the
    tornado and, without ``decisions``, its goal seeks' sentences; ``comparison``
    (engine.decisions.Comparison) adds the payment structures compared; ``variants`` (the
    Comparison of compare_variants) adds the scenario's named variants side by side.
    On failure the file at ``path`` is untouched and OSError propagates.
    """
    if results is None:
        results = simulate(scenario, paths, seed)
    day = day or _dt.date.today()
    pages = build_pages(scenario, results, decisions, day, analysis, comparison, variants)
    buffer = io.BytesIO()
    # TrueType fonts: text in the PDF can be searched, copied and read aloud.
    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(buffer, metadata={
        "Title": f"Board pack: {scenario.name}".rstrip(": "),
        "Creator": f"{APP_NAME} {__version__}",
        "Subject": "Payment by Results cash-flow risk",
        "Keywords": f"seed {results.seed}; {results.paths} futures",
    }) as pdf:
        for fig in pages:
            pdf.savefig(fig)
    write_bytes_atomic(path, buffer.getvalue())
    return results


__all__ = [
    "PAGES",
    "added_risk_sentence",
    "assumptions",
    "build_pages",
    "contract_table",
    "long_date",
    "monthly_summary_rows",
    "organisation_rows",
    "precision_sentence",
    "scenario_notes",
    "summary_periods",
    "the_question",
    "write_report",
]
