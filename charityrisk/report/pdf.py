"""The trustees' report: at most two A4 pages of PDF, drawn with matplotlib (no pyplot).

Page 1 answers the board's question: the headline, the verdict against the risk appetite,
the key figures and the two charts.  Page 2 says what would make it safe, what was assumed
(the inputs and what the model leaves out) and how the figures were made.

Text is laid out top-down with a cursor; every block is measured after it is placed, so
long names and sentences wrap instead of overlapping.  Charts come from ``figures.py``, the
same code the app draws with.
"""
from __future__ import annotations

import datetime as _dt
import io
import os
import textwrap
from typing import Callable, Sequence

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Rectangle

from .. import APP_NAME, __version__
from ..engine import simulate
from ..engine.results import Results
from ..model.fields import spec, spec_of
from ..model.fileformat import write_bytes_atomic
from ..model.scenario import Contract, Scenario, Uncertain
from . import figures
from .export import MONTHLY_LABELS, period_summary
from .text import appetite_sentence, headline, key_figures, money, percent, run_verdict

A4_WIDTH_IN = 8.27
A4_HEIGHT_IN = 11.69
MARGIN_IN = 0.7
TOP_IN = 0.6
BOTTOM_IN = 0.75  # room for the footer
TEXT_WIDTH_IN = A4_WIDTH_IN - 2 * MARGIN_IN

INK = "#000000"
MUTED = "#444444"
RULE = "#BBBBBB"
ZEBRA = "#F2F2F2"
LEVEL_COLOURS = {  # Okabe-Ito; the verdict is also in words, so grey print loses nothing
    "safe": ("#009E73", "#E3F4EE"),
    "close": ("#E69F00", "#FDF1D8"),
    "unsafe": ("#D55E00", "#FBE4D6"),
}
MAX_CONTRACT_COLUMNS = 3
WRAP_SAFETY = 0.94
CHART_FONT_SCALE = 0.88  # the app's projector-sized chart fonts, a little smaller on paper
GUTTER_IN = 0.1  # between table columns

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")


def long_date(day: _dt.date) -> str:
    """5 March 2025, whatever the computer's locale."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def _months(n: int) -> str:
    return f"{n} month" if n == 1 else f"{n} months"


def _rate(x: float) -> str:
    """A success rate or share as a whole or one-decimal percentage (45%, 12.5%)."""
    value = 100 * x
    return f"{value:.0f}%" if abs(value - round(value)) < 0.05 else f"{value:.1f}%"


def _range(u: Uncertain, fmt: Callable[[float], str]) -> str:
    if u.is_fixed:
        return fmt(u.low)
    return f"{fmt(u.low)} to {fmt(u.high)}, most likely {fmt(u.likely)}"


def _count(x: float) -> str:
    return f"{x:,.0f}" if x == round(x) else f"{x:,.1f}"


def payment_mode_words(c: Contract) -> str:
    target = _rate(c.target_success_rate)
    if c.share_at_risk == 0:
        return "Whole price paid on delivery; nothing depends on outcomes"
    if c.payment_mode == "earn":
        return f"At-risk part earned in proportion to successes; all of it at a {target} success rate"
    if c.payment_mode == "threshold":
        return f"All or nothing: at-risk part paid only if a cohort's success rate reaches {target}"
    return (f"Clawback: full price paid on delivery; at-risk part repaid if a cohort's success "
            f"rate is below {target}")


def organisation_rows(s: Scenario) -> list[tuple[str, str]]:
    org = s.organisation
    label = lambda path: spec(path).summary  # type: ignore[union-attr]  # noqa: E731
    return [
        (label("organisation.opening_reserves"), money(org.opening_reserves)),
        (label("organisation.monthly_other_income"), _range(org.monthly_other_income, money)),
        (label("organisation.monthly_core_costs"), money(org.monthly_core_costs)),
        (label("organisation.overdraft_facility"), money(org.overdraft_facility) if org.overdraft_facility > 0
         else "None: running out means going below £0"),
        (label("organisation.reserves_floor"), money(org.reserves_floor)),
        (label("horizon_months"), _months(s.horizon_months)),
        (label("simulation.risk_appetite"), percent(s.settings.risk_appetite)),
    ]


# The contract table's rows, in the order contract_column fills them; labels from the field table.
CONTRACT_ROWS = ("start_month", "referrals_per_month", "p_no_referrals", "price_per_referral",
                 "share_at_risk", "payment_mode", "success_rate", "cohort_months", "outcome_lag_months",
                 "late_payment", "cost_per_referral")
CONTRACT_ROW_LABELS = tuple(spec_of("contracts[]", key).summary for key in CONTRACT_ROWS)


def contract_column(c: Contract, horizon: int) -> list[str]:
    end = c.end_month
    months = f"{c.start_month} to {end}" if end > c.start_month else f"{c.start_month}"
    if end > horizon:
        months += f" (beyond the {horizon}-month period)"
    late = c.late_payment
    late_text = (f"{percent(late.probability)} chance that every payment is {_months(late.months)} late"
                 if late.probability > 0 and late.months > 0 else "None assumed")
    noise = "" if c.count_noise == "poisson" else " (exactly, no month-to-month variation)"
    return [
        months,
        _range(c.referrals_per_month, _count) + noise,
        percent(c.p_no_referrals),
        money(c.price_per_referral),
        f"{_rate(c.share_at_risk)} ({money(c.amount_at_risk)} a referral)",
        payment_mode_words(c),
        _range(c.success_rate, _rate),
        f"In cohorts of {_months(c.cohort_months)}",
        (f"Fees {_months(c.fee_lag_months)} after the work; outcome payments "
         f"{_months(c.outcome_lag_months)} after each cohort ends"),
        late_text,
        f"{money(c.cost_per_referral)} a referral plus {money(c.fixed_monthly_cost)} a month fixed",
    ]


def assumptions(s: Scenario, r: Results) -> list[str]:
    overdraft = s.organisation.overdraft_facility
    line = f"minus {money(overdraft)} (the overdraft limit)" if overdraft > 0 else "£0"
    return [
        f"These figures are estimates from {r.paths:,} simulated futures, not a forecast. "
        f"Running the same inputs again with another seed gives slightly different figures "
        f"(see the Monte Carlo range below).",
        "Each simulated future picks every uncertain value (other income, referrals a month, "
        "success rate) once, from its low to high range, and keeps it for the whole period. "
        "The uncertain values are independent of each other.",
        "Referrals vary at random from month to month around that future's average "
        "(a Poisson count), unless a contract says otherwise; the chance of no referrals at "
        "all is decided once per future.",
        "No inflation, no interest on balances or borrowing, and no tax or VAT. Costs are as "
        "entered: fixed costs do not shrink when referrals fall.",
        "The prime contractor is assumed to pay eventually: late payment delays payments but "
        "never cancels them. Payments due after the last month are not counted in the "
        f"balance (on average {money(r.expected_owed_after_horizon)} is still owed at the end).",
        f"Running out means a month-end balance below {line}. Shortfalls within a month, "
        "contract termination, renegotiation and redundancy costs are not modelled unless "
        "entered as costs.",
    ]


def run_details(r: Results, day: _dt.date) -> str:
    return (f"Simulated futures: {r.paths:,}.  Seed: {r.seed}.  Monte Carlo error in the chance of "
            f"running out: standard error {100 * r.p_run_out_se:.2f} percentage points "
            f"(95% range ± {100 * 2 * r.p_run_out_se:.1f} points).  {APP_NAME} version {__version__}.  "
            f"Produced {long_date(day)}.")


class _Page:
    """One A4 page with a top-down cursor, in inches from the top edge."""

    def __init__(self, footer: str, scale: float = 1.0):
        self.k = scale  # text sizes and spacing shrink together when a page is full
        self.fig = Figure(figsize=(A4_WIDTH_IN, A4_HEIGHT_IN), dpi=100)
        self.fig.set_facecolor("white")
        self.canvas = FigureCanvasAgg(self.fig)
        self.renderer = self.canvas.get_renderer()
        self.y = TOP_IN
        self.fig.text(MARGIN_IN / A4_WIDTH_IN, 0.4 / A4_HEIGHT_IN, footer, fontsize=8.5,
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
        """Wrap ``text`` to ``width_in`` and place its top-left at (x, y); return its height."""
        size *= self.k
        chars = max(8, int(width_in * 72 / (0.55 * size)))
        while True:
            wrapped = "\n".join(textwrap.fill(part, chars, break_long_words=True) if part else ""
                                for part in text.split("\n"))
            artist = self.fig.text(self._fx(x_in), self._fy(y_in), wrapped, fontsize=size,
                                   fontweight=weight, color=color, va="top", ha="left",
                                   linespacing=linespacing)
            box = artist.get_window_extent(self.renderer)
            # Agg's hinted metrics run a few per cent narrower than the PDF's text: keep a margin.
            if box.width / self.fig.dpi <= WRAP_SAFETY * width_in or chars <= 8:
                return box.height / self.fig.dpi
            artist.remove()
            chars = max(8, int(chars * WRAP_SAFETY * width_in / (box.width / self.fig.dpi)) - 1)

    def text(self, text: str, size: float = 10, weight: str = "normal", color: str = INK,
             gap: float = 0.08, indent: float = 0.0) -> None:
        height = self.place(text, MARGIN_IN + indent, self.y, TEXT_WIDTH_IN - indent, size,
                            weight, color)
        self.y += height + gap * self.k

    def heading(self, text: str, size: float = 13, first: bool = False) -> None:
        if not first:
            self.y += 0.1 * self.k
        self.text(text, size=size, weight="bold", gap=0.08 * self.k)

    def bullets(self, items: Sequence[str], size: float = 10, gap: float = 0.06) -> None:
        for item in items:
            self.place("\u2022", MARGIN_IN + 0.05, self.y, 0.2, size)
            self.text(item, size=size, gap=gap, indent=0.25)

    def rule(self, y_in: float, color: str = RULE, width: float = 0.6) -> None:
        self.fig.add_artist(Line2D([self._fx(MARGIN_IN), self._fx(A4_WIDTH_IN - MARGIN_IN)],
                                   [self._fy(y_in)] * 2, color=color, linewidth=width))

    def table(self, rows: Sequence[Sequence[str]], widths: Sequence[float], size: float = 9.5,
              header: Sequence[str] | None = None, pad: float = 0.04) -> None:
        """Rows of wrapped cells; the first column in bold; zebra shading for the eye."""
        pad *= self.k
        all_rows = ([list(header)] if header else []) + [list(r) for r in rows]
        for i, row in enumerate(all_rows):
            is_header = header is not None and i == 0
            top = self.y
            x = MARGIN_IN
            heights = []
            for j, (cell, width) in enumerate(zip(row, widths)):
                weight = "bold" if is_header or j == 0 else "normal"
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

    def chart(self, draw: Callable, height_in: float) -> None:
        """An Axes for a figures.draw_* function (called with the Axes and a font scale),
        sized so that its title, tick labels and legend all fit in ``height_in``."""
        k = CHART_FONT_SCALE
        left, right = MARGIN_IN + 0.85 * k, MARGIN_IN + 0.1
        title_room = 0.35 * k
        ax = self.fig.add_axes([self._fx(left), 0.1, (A4_WIDTH_IN - left - right) / A4_WIDTH_IN, 0.2])
        draw(ax, k)
        legend = ax.get_legend()
        legend_in = (legend.get_window_extent(self.renderer).height / self.fig.dpi
                     if legend is not None else 0.0)
        below = figures.LEGEND_DROP_IN * k + legend_in + 0.08
        axes_height = max(0.5, height_in - title_room - below)
        bottom = self.y + title_room + axes_height
        ax.set_position([self._fx(left), self._fy(bottom),
                         (A4_WIDTH_IN - left - right) / A4_WIDTH_IN, axes_height / A4_HEIGHT_IN])
        self.y += height_in

    def verdict_box(self, headline_text: str, verdict_text: str, level: str) -> None:
        edge, fill = LEVEL_COLOURS.get(level, LEVEL_COLOURS["close"])
        pad = 0.14
        top = self.y
        inner = TEXT_WIDTH_IN - 2 * pad
        h1 = self.place(headline_text, MARGIN_IN + pad, top + pad, inner, 12.5, "bold")
        h2 = self.place(f"Verdict: {verdict_text}", MARGIN_IN + pad, top + pad + h1 + 0.1, inner, 12)
        height = h1 + h2 + 0.1 + 2 * pad
        self.fig.add_artist(FancyBboxPatch(
            (self._fx(MARGIN_IN), self._fy(top + height)), TEXT_WIDTH_IN / A4_WIDTH_IN,
            height / A4_HEIGHT_IN, boxstyle="round,pad=0,rounding_size=0.006",
            facecolor=fill, edgecolor=edge, linewidth=2.5, zorder=-1))
        self.y = top + height + 0.15


MIN_CHARTS_IN = 5.1  # below this the two charts on page 1 get too flat to read


def _page_one(s: Scenario, r: Results, day: _dt.date, footer: str, k: float) -> tuple[Figure, bool]:
    page = _Page(footer, k)
    page.text("Cash-flow risk report for the trustees", size=17, weight="bold", gap=0.04)
    if s.name:
        page.text(s.name, size=13, weight="bold", gap=0.04)
    page.text(f"Produced by {APP_NAME} on {long_date(day)}.", size=10, color=MUTED, gap=0.16)
    appetite = s.settings.risk_appetite
    judged = run_verdict(r, appetite)
    page.verdict_box(headline(s, r), appetite_sentence(r, appetite), judged.level)
    page.heading("Key figures", size=12.5)
    page.table(key_figures(s, r), widths=(3.9, TEXT_WIDTH_IN - 3.9), size=9.5)
    room = page.room - 0.1
    if room < MIN_CHARTS_IN:
        return page.fig, False
    fan_height = min(4.4, room * 0.56)
    page.chart(lambda ax, k: figures.draw_fan_chart(ax, s, r, font_scale=k), fan_height)
    page.y += 0.1
    page.chart(lambda ax, k: figures.draw_run_out_curve(ax, s, r, appetite=appetite, font_scale=k),
               min(3.6, page.room))
    return page.fig, page.room >= -1e-6


def _page_two(s: Scenario, r: Results, decisions: Sequence[str] | None, day: _dt.date,
              footer: str, k: float, max_tables: int) -> tuple[Figure, bool]:
    page = _Page(footer, k)
    page.heading("What would make it safe", size=13, first=True)
    if decisions:
        page.bullets(list(decisions), size=10.5)
    else:
        page.text("Use the app's decision tools to find what would bring the chance of running "
                  "out within the risk appetite (for example more working capital, a smaller "
                  "share of the price at risk, or shorter payment lags), and list the options "
                  "here.", size=10.5)
    _flows_summary(page, r)
    page.heading("What we assumed: the organisation", size=12.5)
    page.table(organisation_rows(s), widths=(3.9, TEXT_WIDTH_IN - 3.9), size=9.5)

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
        columns = [contract_column(c, s.horizon_months) for c in chunk]
        rows = [[label] + [column[i] for column in columns]
                for i, label in enumerate(CONTRACT_ROW_LABELS)]
        if len(contracts) == 1:
            heading = "What we assumed: the contract"
        elif len(chunk) == 1:
            heading = f"What we assumed: contract {first + 1} of {len(contracts)}"
        else:
            heading = (f"What we assumed: contracts {first + 1} to {first + len(chunk)} "
                       f"of {len(contracts)}")
        page.heading(heading, size=12.5)
        page.table(rows, widths=[label_width] + [col] * len(chunk), size=9,
                   header=["Contract"] + [c.name for c in chunk])
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
    page.bullets(assumptions(s, r), size=9.5, gap=0.04)
    page.heading("About these figures", size=11)
    page.text(run_details(r, day), size=9.5)
    return page.fig, page.room >= -1e-6


def flows_summary_rows(r: Results) -> tuple[str, list[str], list[list[str]]]:
    """The heading, column headings and rows of the report's summary of the month-by-month
    table: a row a year (a quarter for horizons up to 24 months)."""
    kind, periods = period_summary(r)
    heading = f"Money in and out, {kind} by {kind}"
    header = [kind.title()] + [label if i < 4 else f"{label} at the end"
                               for i, label in enumerate(MONTHLY_LABELS)]
    rows = [[p.label] + [money(v) for v in p.values] for p in periods]
    return heading, header, rows


def _flows_summary(page: _Page, r: Results) -> None:
    heading, header, rows = flows_summary_rows(r)
    if not rows or len(header) != len(MONTHLY_LABELS) + 1:
        return
    page.heading(heading, size=12.5)
    kind = header[0].lower()
    page.text(f"Income and costs are averages over the futures, added up over each {kind}; "
              f"balances are at the {kind}'s end.", size=9.5)
    first = 1.3
    rest = (TEXT_WIDTH_IN - first) / (len(header) - 1)
    page.table(rows, widths=[first] + [rest] * (len(header) - 1), size=8.5, header=header)


SCALES = (1.0, 0.96, 0.92, 0.88, 0.84, 0.8, 0.76, 0.72)


def _fitted(make: Callable[[float], tuple[Figure, bool]]) -> Figure:
    """The page at the largest text scale at which it fits (the smallest if none does)."""
    fig = None
    for k in SCALES:
        fig, fits = make(k)
        if fits:
            return fig
    return fig


def build_pages(scenario: Scenario, results: Results, decisions: Sequence[str] | None = None,
                day: _dt.date | None = None) -> list[Figure]:
    """The report's two pages as Figures (for previews); ``write_report`` saves them as PDF."""
    day = day or _dt.date.today()
    name = f" \u2013 {scenario.name}" if scenario.name else ""
    footer = f"{APP_NAME} {__version__}{name} \u2013 page {{}} of 2"
    if len(footer) > 110:
        footer = f"{APP_NAME} {__version__} \u2013 page {{}} of 2"
    one = _fitted(lambda k: _page_one(scenario, results, day, footer.format(1), k))
    two = None
    for max_tables in (2, 1, 0):
        make = lambda k: _page_two(scenario, results, decisions, day, footer.format(2), k, max_tables)  # noqa: E731
        fig, fits = None, False
        for k in SCALES:
            fig, fits = make(k)
            if fits:
                break
        two = fig
        if fits:
            break
    return [one, two]


def write_report(scenario: Scenario, path: str | os.PathLike, paths: int | None = None,
                 seed: int | None = None, results: Results | None = None,
                 decisions: Sequence[str] | None = None, day: _dt.date | None = None) -> Results:
    """Write the trustees' report to ``path`` atomically; return the results it shows.

    Without ``results`` the scenario is simulated with ``paths`` and ``seed`` (default: the
    scenario's settings).  ``decisions`` are plain sentences for "What would make it safe".
    On failure the file at ``path`` is untouched and OSError propagates.
    """
    if results is None:
        results = simulate(scenario, paths, seed)
    day = day or _dt.date.today()
    pages = build_pages(scenario, results, decisions, day)
    buffer = io.BytesIO()
    # TrueType fonts: text in the PDF can be searched, copied and read aloud.
    with matplotlib.rc_context({"pdf.fonttype": 42}):
        with PdfPages(buffer, metadata={
            "Title": f"Cash-flow risk report: {scenario.name}".rstrip(": "),
            "Creator": f"{APP_NAME} {__version__}",
            "Subject": "Payment by Results cash-flow risk",
        }) as pdf:
            for fig in pages:
                pdf.savefig(fig)
    write_bytes_atomic(path, buffer.getvalue())
    return results


__all__ = [
    "assumptions",
    "build_pages",
    "contract_column",
    "flows_summary_rows",
    "long_date",
    "organisation_rows",
    "payment_mode_words",
    "write_report",
]
