"""The field table: one row per input of a scenario, read by everything that shows, checks,
saves or varies an input (docs/adding-an-input.md).

A row's ``path`` is the input's key path in the scenario file, with ``[]`` for "each item of
a list": ``organisation.opening_reserves``, ``contracts[].share_at_risk``,
``contracts[].late_payment.months``, ``organisation.budget[].amount``.  Look a row up with
``spec("contracts[3].share_at_risk")`` (list indices are ignored) or
``spec_of("contracts[]", "share_at_risk")``.

Validation (``model.validation``) reads the bounds, defaults, kinds and choices; the file
format (``model.fileformat``) the defaults; the form (``gui.form``) the labels, tooltips,
units and bounds; the guided setup (``gui.start``) which inputs it asks, on which page and in
which order; the reports the report labels; the tornado (``engine.decisions.sensitivity``)
and the goal seek (``engine.decisions.goalseek``) which inputs they vary.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

from .scenario import (
    BUDGET_KINDS,
    COUNT_NOISES,
    MAX_CONTRACTS,
    MAX_HORIZON,
    MAX_INSTALMENTS,
    MAX_PATHS,
    MAX_STAGES,
    MAX_VARIANTS,
    PAYMENT_MODES,
    SAMPLINGS,
    Uncertain,
)

# Money beyond this is a typing slip (or an attack), not a small charity's budget, and
# summing many such values over 120 months would lose pennies to float rounding.
MAX_MONEY = 1e10
MAX_LAG = 240
MAX_REFERRALS = 1e6
# A budget is a few dozen lines (staff, rent, grants, an appeal); thousands would be a
# pasted ledger, which would make every future slow without saying more.
MAX_BUDGET_LINES = 200
MAX_CORRELATION = 0.95
MAX_TEXT = 200
MAX_CONTRACT_ID = 2**31 - 1
MIN_PRECISION = 0.001  # +/-0.1 points: up to about 960,000 futures at a 50% chance
MAX_PRECISION = 0.25
MAX_NOTES = 4000  # a few paragraphs: what the scenario is for and where its figures came from


class _Unset:
    """A column left empty (an input with no example value of its own, no blank value...)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


class _Required:
    """The default of a row that has none: the key must be in the file."""

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()

KINDS = ("money", "months", "whole", "count", "fraction", "choice", "text", "list", "object")


@dataclass(frozen=True)
class Tornado:
    """How the tornado (engine.decisions.sensitivity) moves a fixed value down and up.

    ``rule``: "reserves" (the reserves step, the same for reserves and the overdraft),
    "relative" (``step`` x the value), "absolute" (the value -/+ ``step``).  An uncertain
    input always goes to its low and high ends when they differ; a fixed one moves by the
    step.  Values are kept within ``lo`` .. ``hi`` (None: the row's own bound).
    """

    rule: str
    step: float
    lo: float | None = None
    hi: float | None = None
    hi_at_least: str = ""  # a key of the same owner whose value also caps the high end (if larger)
    # A key of the same owner whose value an unset (None) input means, and which caps it
    # (a wind-down left out lasts the whole contract).
    none_is: str = ""


@dataclass(frozen=True)
class Seek:
    """How the goal seek (engine.decisions.goalseek, "what would make it safe") searches an
    input for the values that keep the risk within the appetite.

    ``order``: its place in the list of goal seeks (1 first, per owner).  ``grid``: the values
    it tries, a grid named in ``engine.decisions.goalseek.GRIDS``: "percent" (whole points,
    0% to 100%), "months" (whole months up to the horizon), "price" (round steps up to three
    times today's), "referral_scale" (the whole guess scaled, none to three times),
    "guarantee" (round steps up to twice the high guess of referrals), "money" (£500 steps,
    answered from each future's lowest balance without running the futures again).
    ``safer``: the end that is safer when the risk is the same at both ("low" or "high").
    """

    order: int
    grid: str
    safer: str = "high"
    # The answer as a clause of "what would make it safe" (report.decision_text): "{v}" the
    # value in its unit, "{n}" the bare number, "{item}" the stage.  ``at_least`` when the
    # safe values are at or above it, ``at_most`` when at or below ("" = as at_least), each
    # with its words for a value of 0 ("" = the same).  Left out: "set <label> to <value>".
    at_least: str = ""
    at_most: str = ""
    at_least_zero: str = ""
    at_most_zero: str = ""


@dataclass(frozen=True)
class Lever:
    """How the negotiation grid (engine.decisions.negotiate) varies an input as a term to
    negotiate, two at a time.

    ``order``: its place in the list of levers (1 first).  ``cheaper``: "low" or "high", the
    direction that asks less of the prime, the bank or the charity (a higher share at risk,
    a later payment, a smaller overdraft): the grid's sentence names the cheapest safe
    combinations by it.  The grid runs from ``start`` ("zero" or "current": the scenario's
    value) to ``span``: "current" (the scenario's value, at least ``least``), "relative"
    (``least`` times the scenario's value), "needed" (what alone would bring the risk to
    half the appetite with the other terms as they are: money), "guess" (the high guess of
    referrals a month, at least ``least``), "target" (the contract's cohort target), in round
    steps.  A row of a list's items (a stage's price, a budget line's scale) is one lever
    per item ("outcome_payments[1].price", "budget[2].scale").
    ``term``: the term in a sentence, ``{v}`` the value and ``{b}`` an optional bound
    ("at most "); ``zero``: the words for a value of 0 ("" = the term with 0).
    """

    order: int
    cheaper: str
    start: str
    span: str
    least: float = 0.0
    term: str = "{b}{v}"
    bound: str = ""
    zero: str = ""
    # Its place in the pair the grid starts with (1 or 2; 0 none), for a scenario with a
    # contract (``pair``) and one without (``pair_alone``: only the organisation's terms).
    pair: int = 0
    pair_alone: int = 0


@dataclass(frozen=True)
class Setup:
    """Where the guided setup (gui.start, "Start my own scenario") asks an input.

    ``page``: one of ``SETUP_PAGES``: "organisation" (the organisation and the period),
    "figures" (the budget given as one monthly figure each; the budget page's other ways
    replace them), "contract" (the contract's main terms).  ``order``: its place on the page
    (1 first).  ``placeholder``: the grey example in an empty text box ("" none).  The setup
    asks nothing else: the rest are listed on its last page, "assumed: the default".
    """

    page: str
    order: int
    placeholder: str = ""


SETUP_PAGES = ("organisation", "figures", "contract")


@dataclass(frozen=True)
class FieldSpec:
    """One input: where it is, what it is called, what it may hold and who reads it."""

    path: str  # key path, "[]" for each item of a list
    label: str  # the form's caption, plain English
    unit: str  # "£", "months", "%", "referrals", "futures", "" (what the number counts)
    kind: str  # one of KINDS
    lo: float | None = None
    hi: float | None = None
    reason: str = ""  # why the bounds are what they are
    default: Any = REQUIRED  # the value when the key is left out (version 2)
    tip: str = ""  # what it means and why it matters (the form's tooltip)
    fmt: str = ""  # how a value is shown: "money", "percent", "months", "count", "whole", "text"
    lo_open: bool = False  # lo itself is not allowed
    uncertain: bool = False  # a number or a low / likely / high guess
    choices: tuple[str, ...] = ()
    tornado: Tornado | None = None
    goal_seek: Seek | None = None  # how "what would make it safe" searches it (None: it does not)
    report_label: str = ""  # its name in reports and decision sentences ("" = label)
    noun: str = ""  # its name inside a sentence ("" = report label, lower case)
    spoken: str = ""  # accessible name for screen readers ("" = label with unit)
    summary: str = ""  # its row in the trustees' report's table of inputs ("" = none of its own)
    required_in_v1: bool = False  # version 1 files must hold it even though v2 has a default
    since: int = 1  # the file format version that added it
    in_form: bool = True  # the form has an input for it
    # The form's widget hint for a number asked as a plain choice: (words, value, what it
    # means) for each level; a value that is none of them shows as "Custom (value)" and is
    # kept as it is.
    levels: tuple[tuple[str, float, str], ...] = ()
    lever: Lever | None = None  # a term the negotiation grid can vary (None: not one)
    # A risk input's value without the risk ("holds the risk up", engine.decisions.negotiate):
    # a number, "likely" (a guess narrowed to its most likely value) or "sure" (a budget
    # line that surely comes if income, never if a cost); None: not a risk input.
    benign: float | str | None = None
    # The board pack's table of what was assumed (report/terms.py): "row" always listed,
    # "set" listed when some contract (or the organisation) holds other than its default,
    # "risk" always listed and marked "assumed" at its default; "" not a row of its own (part
    # of another row's words, or not an assumption: names, ids, seeds).
    pack: str = ""
    # The board pack's words for the value (report/terms.py), read from the owner's values:
    # "{key|format}" a value of the same owner (or a property such as ``amount_at_risk``) in
    # a format of ``report.terms.FORMATS``; ``zero_words`` when the value is 0 ("" = words).
    words: str = ""
    zero_words: str = ""
    # The example a new scenario or contract starts from (``example_dict``): ``example`` its
    # value there (UNSET: the default), ``blank`` its value in File > New's blank scenario,
    # left to the user to fill in (UNSET: the example).
    example: Any = UNSET
    blank: Any = UNSET
    # The form's layout: the heading above the row, the spin box's step, the words for "not
    # set" (None), a grey note beside it, the row it is shown after (rather than in table
    # order) and whether a rate card's stages table follows it.
    heading: str = ""
    # Its heading in a list's table (gui.list_table) when the label does not name what the
    # cells show ("How often" over "monthly"); for a low / likely / high guess, the words
    # before its first column's "low" ("" = the label).
    column: str = ""
    step: int | None = None
    # The form's input when its kind's own does not fit (gui.fields.editor_for): "month" a
    # calendar month, "fee_schedule" one fee or a fee for each contract year, "tick" a
    # two-way choice as a tick box, "seed" a whole number too large for a spin box.
    editor: str = ""
    none_text: str = ""
    side_hint: bool = False
    after: str = ""
    stages_follow: bool = False
    # The grey note of plain arithmetic under it ("when" referrals arrive, how much is "at
    # risk", when "results" money is due; "" none), named for the form's code that writes it.
    note: str = ""
    # What a rate card holds in its place when the file leaves it out (it is not read in a
    # rate card; UNSET: a rate card reads it as any contract does).
    idle: Any = UNSET
    # A key of the same owner it may not exceed (checked by model.validation).
    at_most: str = ""
    # Decision tools: ``guess`` the user's guess of how the work will go (comparing payment
    # terms keeps it unless asked); ``structure`` a term that makes a payment structure (the
    # presets differ in it); ``linear`` a term the decision workspace's linear form covers
    # with the same draws (engine.decisions.workspace).
    guess: bool = False
    structure: bool = False
    linear: bool = False
    # Sentences naming the input: the short name and article of a money term needed anyway
    # ("Overdraft", "an"); the risk that holds the chance up ("{v}" the value, "{low}" /
    # "{high}" a guess's ends, "{whose}" the contract); the bad side of a future that ran out
    # ("{v}" the threshold drawn).
    short: str = ""
    article: str = ""
    risk_words: str = ""
    bad_side: str = ""
    # The guided setup's question for it (None: not asked there, assumed at its default).
    setup: Setup | None = None

    @cached_property  # read for every key of every validation: worked out once
    def owner(self) -> str:
        """The object the key lives in: "", "organisation", "contracts[]", "simulation", ..."""
        for owner in OWNERS:
            if owner and self.path.startswith(owner + "."):
                return owner
        return ""

    @cached_property
    def name(self) -> str:
        """The key within its owner: "share_at_risk", "late_payment.probability"."""
        owner = self.owner
        return self.path[len(owner) + 1:] if owner else self.path

    @property
    def integer(self) -> bool:
        return self.kind in ("months", "whole")

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def is_number(self) -> bool:
        return self.kind in ("money", "months", "whole", "count", "fraction")

    @property
    def shown_as(self) -> str:
        if self.fmt:
            return self.fmt
        return {"fraction": "percent", "choice": "text", "list": "count", "object": "text"}.get(self.kind, self.kind)

    @property
    def report_name(self) -> str:
        return self.report_label or self.label

    @property
    def sentence_noun(self) -> str:
        return self.noun or self.report_name.lower()

    @property
    def access(self) -> str:
        if self.spoken:
            return self.spoken
        suffix = {"£": ", in pounds", "%": ", percent", "months": ", months"}.get(self.unit, "")
        return self.label + suffix


OWNERS = ("organisation.budget[]", "organisation", "contracts[].outcome_payments[]", "contracts[]", "simulation", "")

_MONEY_REASON = "at most £10 billion: more is a typing slip, and pennies would be lost in the sums"
_SHARE_REASON = "a share: 0% to 100%"
_MONTHS_REASON = f"whole months within the longest horizon ({MAX_HORIZON} months)"
_LAG_REASON = f"whole months, at most {MAX_LAG} (20 years) so a typing slip is caught"

FIELDS: tuple[FieldSpec, ...] = (
    # ----- the scenario ------------------------------------------------------------------
    FieldSpec("horizon_months", "Months to look ahead", "months", "months", 1, MAX_HORIZON,
              reason=f"1 to {MAX_HORIZON} months: ten years is beyond any contract's payments",
              spoken="Months to look ahead", report_label="Period simulated",
              tip="How many months ahead to simulate, starting with next month as month 1 (1 to 120). "
                  "Cover the whole contract and the wait for its last results payments, often 2 to 3 years.",
              summary='Period simulated', pack="row",
              example=36, setup=Setup("organisation", 7)),
    FieldSpec("name", "Scenario name", "", "text", hi=MAX_TEXT, default="",
              reason=f"at most {MAX_TEXT} characters, to fit titles and reports",
              tip="A name for this scenario, e.g. \"Housing advice bid, 20% at risk\". It titles the "
                  "window, the trustees' report and the exported figures.",
                  setup=Setup("organisation", 1, "e.g. Riverside Mentoring")),
    FieldSpec("notes", "Notes", "", "text", hi=MAX_NOTES, default="", since=2,
              reason=f"at most {MAX_NOTES} characters",
              tip="Your own notes on this scenario: what it is for, where the figures came from, "
                  "what you agreed. They are saved with it."),
    FieldSpec("first_month", "First month", "", "text", hi=7, default=None, since=3,
              reason='a calendar month "YYYY-MM", the month 01 to 12',
              report_label="First month simulated",
              tip="The calendar month of month 1, e.g. 2027-04 for April 2027. Months are then named by "
                  "the calendar (\"Apr 2027\") in the charts, tables and report. It changes no figure.",
                  editor="month", setup=Setup("organisation", 6)),
    FieldSpec("variants", "Variants", "variants", "list", 0, MAX_VARIANTS, default=(), since=2, in_form=False,
              reason=f"at most {MAX_VARIANTS}: each is simulated side by side and is a row of the report",
              tip="Named copies of the scenario with different terms (Try different terms), compared "
                  "side by side on the same futures. Each is a whole scenario, without variants of its own."),
    FieldSpec("correlation", "Do bad surprises tend to come together?", "", "fraction", 0, MAX_CORRELATION,
              default=0.0, since=2, fmt="count", report_label="How strongly bad surprises come together",
              tornado=Tornado("absolute", 0.3, lo=0, hi=MAX_CORRELATION),
              spoken="Do bad surprises tend to come together",
              reason="0 (independent) to 0.95: at 1 every future would be all bad or all good",
              levels=(("No", 0.0, "Each uncertain value is drawn on its own (correlation 0)."),
                      ("Somewhat", 0.3, "Correlation 0.3: a future with referrals in their worst fifth has "
                                        "about a 1 in 3 chance of success in its worst fifth too."),
                      ("Strongly", 0.6, "Correlation 0.6: a hard year hits everything; about a 1 in 2 "
                                        "chance that success is in its worst fifth when referrals are.")),
              tip="In a hard year (for the prime, the courts or the local economy) fewer people are "
                  "referred, fewer succeed, grants dry up and the prime pays late, all at once. No: each "
                  "uncertain value is drawn on its own (0). Somewhat (0.3): with referrals in their worst "
                  "fifth, success is in its worst fifth about 1 time in 3 instead of 1 in 5. Strongly "
                  "(0.6): about 1 time in 2, as when one downturn drives everything; higher would make "
                  "futures almost all good or all bad. The number is saved in the file; a file with "
                  "another number shows it as Custom and keeps it. Together, bad surprises make the worst "
                  "futures worse.",
              benign=0.0, pack="risk"),
    # ----- the organisation --------------------------------------------------------------
    FieldSpec("organisation.opening_reserves", "Free reserves today", "£", "money", -MAX_MONEY, MAX_MONEY,
              reason=_MONEY_REASON + "; below £0 is an overdrawn start",
              report_label="Opening reserves", tornado=Tornado("reserves", 0.10),
              goal_seek=Seek(2, "money", at_least="hold at least {v} of opening reserves"),
              tip="Free cash you can spend at the start of month 1: unrestricted reserves, not restricted "
                  "funds or buildings. This cushion pays for contract work until the contract pays you.",
              summary='Free reserves at the start',
              lever=Lever(8, "low", "current", "needed", term="{b}{v} of opening reserves", bound="at least ",
                          pair_alone=2),
              pack="row",
              example=0, blank=None, side_hint=True,
              short="Reserves", setup=Setup("organisation", 2)),
    FieldSpec("organisation.monthly_other_income", "Other income a month", "£", "money", 0, MAX_MONEY,
              reason=_MONEY_REASON, default=0.0, required_in_v1=True, uncertain=True,
              tornado=Tornado("relative", 0.10, lo=0),
              tip="All income outside the contracts below (grants, trusts, donations, other work), per "
                  "month. Give a low, a most likely and a high guess; each simulated future picks one level "
                  "in that range, most often near the most likely. Type the same number three times if "
                  "you are sure of it.",
              summary='Other income a month (grants, trusts, other work)',
              benign="likely", pack="row",
              risk_words="the uncertainty in other income ({low} to {high} a month)",
              bad_side="the other income drawn was under {v} a month", setup=Setup("figures", 1)),
    FieldSpec("organisation.monthly_core_costs", "Core costs a month", "£", "money", 0, MAX_MONEY,
              reason=_MONEY_REASON, default=0.0, required_in_v1=True,
              tornado=Tornado("relative", 0.10),
              tip="Running costs outside the contracts (core staff, rent, insurance), per month. They are "
                  "paid whatever happens to the contracts.",
              summary='Core costs a month (outside the contracts)', pack="row",
              blank=None, setup=Setup("figures", 2)),
    FieldSpec("organisation.overdraft_facility", "Overdraft facility", "£", "money", 0, MAX_MONEY,
              reason=_MONEY_REASON, default=0.0, tornado=Tornado("reserves", 0.10, lo=0),
              goal_seek=Seek(1, "money", at_least="secure a {v} overdraft facility",
                             at_most="secure a {v} overdraft facility",
                             at_least_zero="manage without an overdraft facility",
                             at_most_zero="manage without an overdraft facility"),
              tip="How far below zero the bank lets your balance go. The charity runs out of money in the "
                  "first month its balance falls below minus this amount. Enter £0 if you have none.",
              summary='Overdraft facility',
              lever=Lever(2, "low", "zero", "needed",
                          term="{b}a {v} overdraft", bound="at least ", zero="no overdraft", pair=2, pair_alone=1),
                          pack="row",
              words="{overdraft_facility|money}", zero_words="None: running out means going below £0",
              short="Overdraft", article="an", setup=Setup("organisation", 3)),
    FieldSpec("organisation.overdraft_interest_per_year", "Interest on the overdraft a year", "%", "fraction", 0, 1,
              default=0.0, since=3, reason=_SHARE_REASON + " a year",
              tornado=Tornado("absolute", 0.02, lo=0, hi=1),
              goal_seek=Seek(3, "percent", safer="low",
                             at_most="keep the interest on the overdraft at or below {v} a year",
                             at_least="keep the interest on the overdraft at or above {v} a year"),
              report_label="Overdraft interest a year", noun="interest rate on the overdraft",
              lever=Lever(10, "high", "zero", "current", 0.15, term="{b}{v} interest on the overdraft",
                          bound="at most ", zero="a free overdraft"),
              tip="The bank's yearly interest rate on a balance below zero. Each month one twelfth of it is "
                  "charged on the amount overdrawn at the end of the month before, so it compounds, and it "
                  "goes on after the charity has run out of money. 0% if you have no overdraft or it is free.",
              pack="set",
              words="{overdraft_interest_per_year|rate} a year, charged monthly on a balance below £0", side_hint=True),
    FieldSpec("organisation.reserves_floor", "Reserves policy minimum", "£", "money", -MAX_MONEY, MAX_MONEY,
              reason=_MONEY_REASON, default=0.0, report_label="Reserves policy floor",
              tip="The lowest balance your trustees' reserves policy allows. The results show how often "
                  "the balance would dip below it, even in futures where you never run out.",
              summary='Reserves policy floor', pack="row", setup=Setup("organisation", 4)),
    FieldSpec("organisation.budget", "Budget lines", "lines", "list", 0, MAX_BUDGET_LINES, default=(),
              since=2, in_form=False,
              reason=f"at most {MAX_BUDGET_LINES} lines: a budget, not a ledger",
              tip="Your own income and cost lines, on top of other income and core costs."),
    # ----- a budget line (version 2) -----------------------------------------------------
    FieldSpec("organisation.budget[].name", "Name", "", "text", hi=MAX_TEXT, since=2, in_form=False, example="New line",
              reason=f"at most {MAX_TEXT} characters", tip="What the line is, e.g. \"Rent\" or \"December appeal\"."),
    FieldSpec("organisation.budget[].kind", "Income or cost", "", "choice", choices=BUDGET_KINDS, since=2,
              in_form=False, example="cost", tip="Whether the line brings money in or takes it out."),
    FieldSpec("organisation.budget[].amount", "Amount each time", "£", "money", 0, MAX_MONEY, uncertain=True,
              since=2, in_form=False, reason=_MONEY_REASON + "; a cost is a cost line, not a negative amount",
              tornado=Tornado("relative", 0.10, lo=0), report_label="Amount", column="Amount",
              example={"low": 0, "likely": 0, "high": 0},
              tip="The amount of each payment; give a low, a most likely and a high guess if unsure."),
    FieldSpec("organisation.budget[].monthly_amounts", "Amount each month", "£", "list", 1, MAX_HORIZON,
              default=None, since=3, in_form=False, column="Each time",
              reason=f"1 to {MAX_HORIZON} amounts of at least £0; instead of one amount, with every month",
              tip="A different amount for each month from the first month on (12 amounts make a yearly "
                  "pattern, such as donations that peak in December); after the last the list starts again."),
    FieldSpec("organisation.budget[].scale", "Scale of the pattern", "%", "fraction", 0, None, uncertain=True,
              default=1.0, since=3, in_form=False, tornado=Tornado("relative", 0.10, lo=0),
              # the negotiation grid's "cheaper" is an income line's: a cost line's is the other way
              lever=Lever(12, "low", "zero", "relative", 1.5, term="{b}{v} of the pattern", bound="at least "),
              reason="at least 0%: a multiplier of every monthly amount",
              tip="How the whole pattern may turn out: 100% as listed; give a low, a most likely and a high "
                  "guess (e.g. 80%, 100%, 110%) if unsure. Drawn once per future."),
    FieldSpec("organisation.budget[].start_month", "First month", "months", "months", 1, MAX_HORIZON, default=1,
              since=2, in_form=False, reason=_MONTHS_REASON, tip="The first month the line can fall in."),
    FieldSpec("organisation.budget[].end_month", "Last month", "months", "months", 1, MAX_HORIZON, default=None,
              since=2, in_form=False, reason=_MONTHS_REASON + ", not before the first month",
              tip="The last month the line can fall in; left out, the last month looked at."),
    FieldSpec("organisation.budget[].every_months", "Every", "months", "months", 1, 12, default=1, since=2,
              in_form=False, column="How often", reason="1 (monthly) to 12 (once a year)",
              tip="How often it falls: 1 monthly, 3 quarterly, 12 once a year."),
    FieldSpec("organisation.budget[].growth_per_year", "Growth a year", "%", "fraction", -0.5, 1, default=0.0,
              since=2, in_form=False, reason="-50% (a grant halving each year) to +100% (doubling)",
              tip="How much each payment grows every 12 months (pay rises, inflation); negative for a "
                  "tapering grant."),
    FieldSpec("organisation.budget[].probability", "Chance it happens", "%", "fraction", 0, 1, default=1.0,
              since=2, in_form=False, reason=_SHARE_REASON,
              tip="The chance the line happens at all (a grant renewal, a bid), decided once per future.",
              benign="sure", tornado=Tornado("absolute", 1.0, lo=0, hi=1), report_label="Chance of"),
    # ----- a contract --------------------------------------------------------------------
    FieldSpec("contracts[].name", "Name", "", "text", hi=MAX_TEXT, reason=f"at most {MAX_TEXT} characters",
              spoken="Contract name", tip="A name to recognise this contract by in the results and the report.",
              example="New contract", blank="Contract 1",
              linear=True, setup=Setup("contract", 1, "e.g. Resettlement mentoring")),
    FieldSpec("contracts[].start_month", "Starts in", "months", "months", 1, MAX_HORIZON, reason=_MONTHS_REASON,
              fmt="whole", spoken="Starts in month",
              tip="The month the first referrals arrive, counting next month as month 1.",
              summary='Months referrals arrive', pack="row",
              example=1, heading="Referrals", setup=Setup("contract", 2)),
    FieldSpec("contracts[].duration_months", "Runs for", "months", "months", 1, MAX_HORIZON, reason=_MONTHS_REASON,
              spoken="Runs for, months", tip="How many months referrals keep arriving.",
              example=24,
              note="when", setup=Setup("contract", 3)),
    FieldSpec("contracts[].referrals_per_month", "Referrals a month", "referrals", "count", 0, MAX_REFERRALS,
              uncertain=True, reason="at most a million a month, far beyond any contract",
              tornado=Tornado("relative", 0.10, lo=0, hi=MAX_REFERRALS),
              goal_seek=Seek(3, "referral_scale", at_least="make sure of at least {v}",
                             at_most="keep referrals to at most {n} a month"),
              noun="number of referrals a month",
              tip="How many people the prime contractor or commissioner will refer to you a month, on "
                  "average. Primes often refer far fewer than promised. Give a low, a most likely and a "
                  "high guess.",
              summary='Referrals a month',
              benign="likely", pack="row",
              example={"low": 4, "likely": 6, "high": 8}, guess=True,
              risk_words="the uncertainty in referrals a month ({low} to {high}){whose}",
              bad_side="the referral rate drawn{whose} was under {v} a month", setup=Setup("contract", 4)),
    FieldSpec("contracts[].p_no_referrals", "Chance of no referrals at all", "%", "fraction", 0, 1, default=0.0,
              reason=_SHARE_REASON, tornado=Tornado("absolute", 0.05, lo=0, hi=1),
              goal_seek=Seek(9, "percent", safer="low",
                             at_most="keep the chance of getting no referrals at all at or below {v}",
                             at_least="keep the chance of getting no referrals at all at or above {v}"),
              noun="chance of getting no referrals at all",
              tip="The chance that this contract sends you nobody at all, for example when you were named "
                  "in a bid but never used ('bid candy'). Your fixed contract costs are still paid. In the "
                  "Work Programme a third of voluntary sector subcontractors got no referrals.",
              summary='Chance of no referrals at all',
              benign=0.0, pack="risk",
              guess=True, risk_words="the {v} chance of no referrals at all{whose}",
              bad_side="no referrals came{whose}"),
    FieldSpec("contracts[].guaranteed_referrals_per_month", "Guaranteed referrals a month", "referrals", "count",
              0, MAX_REFERRALS, default=0.0, since=2, reason="at most a million a month, far beyond any contract",
              tornado=Tornado("absolute", 1, lo=0, hi=MAX_REFERRALS),
              goal_seek=Seek(5, "guarantee",
                             at_least="secure a minimum contract value: the fee paid on at least {n} referrals a month",
                             at_least_zero="manage without a referral guarantee",
                             at_most="keep the referral guarantee to at most {n} a month"),
              noun="referral guarantee",
              tip="A minimum contract value: the service fee of each contract month is paid on at least this "
                  "many referrals, even if fewer (or none) arrive. Costs and results still follow the people "
                  "actually referred. 0 means no guarantee.",
              lever=Lever(6, "low", "zero", "guess", 1.0,
                          term="{b}{v} guaranteed", bound="at least ", zero="no guarantee"), pack="set",
              words="{guaranteed_referrals_per_month|count} a month", zero_words="None"),
    FieldSpec("contracts[].ramp_up_months", "Referrals build up over", "months", "months", 0, MAX_HORIZON,
              default=0, since=2, reason=_MONTHS_REASON, tornado=Tornado("absolute", 3, lo=0),
              tip="New contracts rarely start at full speed. Over these first months referrals build up "
                  "steadily to the full rate (month 1 of 3 brings a quarter, month 2 a half...). 0 means "
                  "full referrals from the first month.", pack="set",
              words="{ramp_up_months|months}", zero_words="Full referrals from the start"),
    FieldSpec("contracts[].price_per_referral", "Price per referral", "£", "money", 0, MAX_MONEY,
              reason=_MONEY_REASON, tornado=Tornado("relative", 0.10),
              goal_seek=Seek(4, "price", at_least="get at least {v} per referral",
                             at_most="keep the price at most {v}"),
              tip="What the contract pays for one referral when the outcome is fully achieved: the service "
                  "fee plus the whole results payment.",
              summary='Price per referral',
              lever=Lever(5, "low", "current", "relative", 1.5, term="{b}{v} per referral", bound="at least "),
              pack="row",
              example=1000, blank=None, heading="Price and payment", step=50, idle=0.0, linear=True,
              setup=Setup("contract", 5)),
    FieldSpec("contracts[].share_at_risk", "Share paid on results", "%", "fraction", 0, 1, reason=_SHARE_REASON,
              spoken="Share of the price paid on results, percent", report_label="Share of the price at risk",
              tornado=Tornado("absolute", 0.05, lo=0, hi=1),
              goal_seek=Seek(1, "percent", safer="low", at_least="keep the share at risk at or above {v}",
                             at_most="keep the share at risk at or below {v}"),
              tip="The part of the price that depends on results. 0% is plain fee for service; Clinks "
                  "argued that no more than 20% should be at risk for voluntary organisations.",
              summary='Share of price at risk',
              lever=Lever(1, "high", "zero", "current", 0.2,
                          term="{b}{v} at risk", bound="at most ", zero="nothing at risk", pair=1), pack="row",
              example=0.2, idle=0.0, structure=True, linear=True,
              words="{share_at_risk|rate} ({amount_at_risk|money} a referral)",
              note="at risk", setup=Setup("contract", 6)),
    FieldSpec("contracts[].payment_mode", "How results are paid", "", "choice", choices=PAYMENT_MODES,
              tip="How the part at risk is paid. Paid on results: earned in proportion to successes. All "
                  "or nothing: paid only if a group of referrals reaches the target. Paid up front, repaid "
                  "if target missed: the whole price comes as a fee and you pay the part at risk back if a "
                  "group misses the target.",
              summary='How the at-risk part is paid', pack="row",
              example="earn", structure=True, side_hint=True),
    FieldSpec("contracts[].fee_lag_months", "Fee paid after", "months", "months", 0, MAX_LAG, reason=_LAG_REASON,
              report_label="Wait for the service fee", tornado=Tornado("absolute", 1, lo=0),
              goal_seek=Seek(6, "months", safer="low", at_most="get the service fee within {v} of the work",
                             at_most_zero="get the service fee in the month of the work",
                             at_least="have the service fee paid no sooner than {v} after the work"),
              tip="How many months after the work the guaranteed part of the price (the service fee) is "
                  "paid: 0 is the same month, 1 the month after.",
              lever=Lever(4, "high", "zero", "current", 3,
                          term="the fee {b}{v} after the work", bound="at most ",
                          zero="the fee in the month of the work"),
              example=1, idle=0, structure=True, linear=True, stages_follow=True),
    FieldSpec("contracts[].success_rate", "Success rate", "%", "fraction", 0, 1, uncertain=True,
              reason=_SHARE_REASON, tornado=Tornado("absolute", 0.05, lo=0, hi=1),
              goal_seek=Seek(8, "percent", at_least="be confident of a most likely success rate of at least {v}",
                             at_most="keep the most likely success rate at or below {v}"),
              noun="most likely success rate",
              tip="The share of referred people who achieve the outcome (for example, not reoffending). "
                  "Give a low, a most likely and a high guess.",
              summary='Expected success rate',
              benign="likely", pack="row",
              example={"low": 0.35, "likely": 0.45, "high": 0.55}, idle=Uncertain.fixed(0.0), heading="Results",
              guess=True, risk_words="the uncertainty in the success rate ({low} to {high}){whose}",
              bad_side="the success rate drawn{whose} was under {v}"),
    FieldSpec("contracts[].target_success_rate", "Target success rate", "%", "fraction", 0, 1, lo_open=True,
              reason="above 0% (a target of nothing would divide by zero) and at most 100%",
              tornado=Tornado("absolute", 0.05, lo=0.01, hi=1),
              tip="Paid on results: the success rate that earns the whole amount at risk (less earns a "
                  "proportionate part). All or nothing, and clawback: the success rate each group of "
                  "referrals must reach.",
              example=0.5, idle=1.0, structure=True),
    FieldSpec("contracts[].cohort_months", "Results measured every", "months", "months", 1, MAX_HORIZON,
              reason=_MONTHS_REASON, report_label="Cohort length",
              tornado=Tornado("absolute", 3, lo=1, hi_at_least="duration_months"),
              tip="Referrals are grouped by the months they arrive in, and each group's results are "
                  "measured and paid together. 3 months means one group a quarter.",
              summary='Outcomes measured', pack="row",
              example=3, idle=1, structure=True, words="In cohorts of {cohort_months|months}"),
    FieldSpec("contracts[].outcome_lag_months", "Results paid after", "months", "months", 0, MAX_LAG,
              reason=_LAG_REASON, report_label="Wait for outcome payments", tornado=Tornado("absolute", 3, lo=0),
              goal_seek=Seek(2, "months", safer="low", at_most="get outcome payments within {v} of each cohort's end",
                             at_most_zero="get outcome payments as soon as each cohort ends",
                             at_least="have any clawback fall no sooner than {v} after each cohort's end"),
              tip="Months from the end of a group until its results payment (or clawback) arrives. "
                  "Reoffending outcomes are often measured 12 to 24 months later; you fund the work from "
                  "reserves until then.",
              summary='When payments arrive',
              lever=Lever(3, "high", "zero", "current", 12,
                          term="outcome payments {b}{v} after each cohort", bound="at most ",
                          zero="outcome payments as each cohort ends"), pack="row",
              example=12, idle=0, structure=True, linear=True,
              words="Fees {fee_lag_months|months} after the work; "
                    "outcome payments {outcome_lag_months|months} after each cohort ends",
              note="results", setup=Setup("contract", 7)),
    FieldSpec("contracts[].cost_per_referral", "Delivery cost per referral", "£", "money", 0, MAX_MONEY,
              reason=_MONEY_REASON, tornado=Tornado("relative", 0.10),
              tip="What working with one referred person costs you (staff time, travel, materials), paid "
                  "in the month they are referred.",
              summary='Delivery costs', pack="row",
              example=300, blank=None, heading="Costs", step=50, linear=True,
              words="{cost_per_referral|money} a referral plus {fixed_monthly_cost|money} a month fixed",
              setup=Setup("contract", 8)),
    FieldSpec("contracts[].fixed_monthly_cost", "Fixed costs a month", "£", "money", 0, MAX_MONEY,
              reason=_MONEY_REASON, spoken="Fixed contract costs a month, in pounds",
              report_label="Contract's fixed costs a month", tornado=Tornado("relative", 0.10),
              tip="Contract costs that do not shrink when referrals do, such as dedicated staff (including "
                  "TUPE obligations) and premises; paid in every month the contract runs.",
              example=2000, blank=0, step=500, linear=True, setup=Setup("contract", 9)),
    FieldSpec("contracts[].wind_down_months", "Fixed costs if no referrals, for", "months", "months", 0,
              MAX_HORIZON, default=None, since=2, reason=_MONTHS_REASON + ", at most the contract's length",
              tornado=Tornado("absolute", 3, lo=0, none_is="duration_months"),
              tip="If the contract sends nobody at all, how many of its first months you would keep paying "
                  "its fixed costs before closing it down. Left at \"whole contract\", they are paid "
                  "throughout.", pack="set",
              none_text="Whole contract", at_most="duration_months"),
    FieldSpec("contracts[].exit_cost", "Cost of ending the contract", "£", "money", 0, MAX_MONEY, default=0.0,
              since=2, reason=_MONEY_REASON, tornado=Tornado("relative", 0.10, lo=0),
              tip="Paid once, in the month after the contract's last month: redundancy, TUPE obligations, "
                  "closing the service. It counts only if that month is within the months looked at.", pack="set",
              step=500, linear=True),
    FieldSpec("contracts[].late_payment", "Late payment by the prime", "", "object", default=None, in_form=False,
              tip="The chance that the prime pays late throughout, and by how long.",
              summary='Late payment', pack="risk",
              example={"probability": 0.0, "months": 0}, guess=True, linear=True,
              bad_side="the prime paid late{whose}"),
    FieldSpec("contracts[].late_payment.probability", "Chance of paying late", "%", "fraction", 0, 1,
              reason=_SHARE_REASON, spoken="Chance the prime pays late, percent",
              report_label="Chance the prime pays late", tornado=Tornado("absolute", 0.10, lo=0, hi=1),
              tip="The chance that the prime contractor pays this contract late throughout. If it does, "
                  "every payment (fees, results payments and clawbacks) arrives later by the delay below.",
              benign=0.0,
              heading="Late payment by the prime", risk_words="the {v} chance that the prime pays late{whose}"),
    FieldSpec("contracts[].late_payment.months", "Late by", "months", "months", 0, MAX_LAG, reason=_LAG_REASON,
              report_label="How late the prime pays", tornado=Tornado("absolute", 1, lo=0),
              goal_seek=Seek(7, "months", safer="low",
                             at_most="make sure the prime, when late, pays no more than {v} late",
                             at_most_zero="make sure the prime never pays late",
                             at_least="have late payments come at least {v} late"),
              noun="delay when the prime pays late",
              tip="How many months late payments arrive when the prime pays late.",
              lever=Lever(7, "high", "zero", "current", 3,
                          term="late payments {b}{v} late", bound="at most ", zero="late payments on time")),
    FieldSpec("contracts[].count_noise", "Referrals and successes vary by chance", "", "choice",
              choices=COUNT_NOISES, default="poisson",
              tip="On: each month's referrals and each group's successes vary by chance around the "
                  "averages, as real numbers do. Off: the averages are used exactly (fractions allowed), "
                  "which is useful to check the arithmetic by hand.",
              heading="Advanced", editor="tick"),
    # ----- version 3: a rate card, and the pooled target -----------------------------------
    FieldSpec("contracts[].fee_per_referral", "Fee per referral", "£", "money", 0, MAX_MONEY, default=0.0, since=3,
              editor="fee_schedule",
              reason=_MONEY_REASON + "; one fee, or a list of 1 to 120, one per contract year",
              report_label="Fee per referral", noun="fee per referral (the first year's; later years scaled with it)",
              # a schedule moves as a whole: the decision tools scale every year's fee together
              tornado=Tornado("relative", 0.10, lo=0),
              goal_seek=Seek(10, "fee_scale",
                             at_least="get a fee of at least {v} per referral in the first year, "
                                      "later years' in proportion",
                             at_most="keep the first year's fee per referral at most {v}"),
              lever=Lever(9, "low", "current", "relative", 1.5, term="{b}{v} fee per referral in year 1",
                          bound="at least "),
              tip="Rate card: what the contract pays for each referral, in the month of the referral plus the "
                  "fee wait. A list gives one fee per contract year (the Work Programme's attachment fee fell "
                  "from £400 to £300 to £200 to nothing); the last holds for later years.", pack="set",
              after="contracts[].payment_mode",
              words="{fee_per_referral|fees}, paid {fee_lag_months|months} after the referral"),
    FieldSpec("contracts[].outcome_payments", "Payments for outcomes", "stages", "list", 1, MAX_STAGES, default=(),
              since=3, in_form=False, reason=f"1 to {MAX_STAGES} stages, in order",
              tip="Rate card: the outcomes the contract pays for, in order, each reached by a share of those "
                  "who reached the one before.", pack="set"),
    FieldSpec("contracts[].pooled_target_success_rate", "Pooled target", "%", "fraction", 0, 1, lo_open=True,
              default=None, since=3, goal_seek=Seek(11, "pooled", safer="low",
                                                    at_most="keep the pooled target at or below {v}",
                                                    at_least="keep the pooled target at or above {v}"),
              lever=Lever(11, "high", "zero", "target", term="a pooled target of {b}{v}", bound="at most "),
              tornado=Tornado("absolute", 0.025, lo=0.005, hi=1, hi_at_least="target_success_rate"),
              noun="pooled target over all cohorts",
              reason="above 0% and at most the cohort target; all or nothing (threshold) mode only",
              tip="All or nothing: a group of referrals that missed its own target is still paid if all the "
                  "contract's groups together reach this rate (Peterborough paid on 10% a cohort, or 7.5% "
                  "over all cohorts). Paid when the last group's results are.", pack="set",
              after="contracts[].target_success_rate", none_text="Not used", at_most="target_success_rate"),
    FieldSpec("contracts[].outcome_payments[].name", "Outcome", "", "text", hi=MAX_TEXT, since=3, in_form=False,
              example="Outcome", reason=f"at most {MAX_TEXT} characters",
              tip="What the stage pays for, e.g. \"Job start\"."),
    FieldSpec("contracts[].outcome_payments[].price", "Price", "£", "money", 0, MAX_MONEY, since=3, in_form=False,
              example=0, reason=_MONEY_REASON, tornado=Tornado("relative", 0.10, lo=0),
              goal_seek=Seek(1, "price", at_least="get at least {v} for each “{item}”",
                             at_most="keep the price of “{item}” at most {v}"),
              lever=Lever(13, "low", "zero", "relative", 1.5, term="{b}{v} for the outcome",
                          bound="at least "),
              report_label="Price of the outcome", noun="price of the outcome",
              tip="Paid for each referral who reaches this stage (each instalment)."),
    FieldSpec("contracts[].outcome_payments[].rate", "Share who reach it", "%", "fraction", 0, 1, uncertain=True,
              since=3, in_form=False, column="Reach it", example={"low": 0.3, "likely": 0.4, "high": 0.5},
              reason=_SHARE_REASON, tornado=Tornado("absolute", 0.05, lo=0, hi=1),
              goal_seek=Seek(2, "percent", at_least="be confident that most likely at least {v} reach “{item}”",
                             at_most="keep the most likely share who reach “{item}” at or below {v}"),
                             report_label="Share who reach the outcome",
              noun="most likely share who reach the outcome",
              tip="Of those who reached the stage before (or of the referrals, for the first stage), the share "
                  "who reach this one; give a low, a most likely and a high guess."),
    FieldSpec("contracts[].outcome_payments[].lag_months", "Months after the referral", "months", "months", 0,
              MAX_LAG, since=3, in_form=False, example=6, reason=_LAG_REASON,
              tip="When the first payment of the stage comes, counted from the month of the referral."),
    FieldSpec("contracts[].outcome_payments[].payments", "Monthly payments", "", "whole", 1, MAX_INSTALMENTS,
              default=1, since=3, in_form=False, reason=f"1 to {MAX_INSTALMENTS} monthly instalments",
              tip="How many monthly payments of the price the stage makes (1: once; 12: a sustainment "
                  "payment every month for a year)."),
    FieldSpec("contracts[].id", "Contract number", "", "whole", 1, MAX_CONTRACT_ID, default=None, since=2,
              in_form=False, reason=f"a whole number from 1 to {MAX_CONTRACT_ID:,}, different for each contract",
              tip="Keeps this contract's chance draws its own: given when the contract is made (or, for a "
                  "file without one, its place in the list), and saved, so that adding or removing another "
                  "contract does not reshuffle this one's futures."),
    # ----- how the app runs the model ----------------------------------------------------
    FieldSpec("simulation.paths", "Number of futures", "futures", "whole", 100, MAX_PATHS, default=20_000,
              report_label="Simulated futures",
              reason="at least 100 for a usable estimate, at most a million to fit in memory",
              spoken="Number of futures",
              tip="How many possible futures to simulate (100 to 1,000,000). More gives steadier figures "
                  "but takes longer; 20,000 is usually plenty.",
              step=1000),
    FieldSpec("simulation.seed", "Random seed", "", "whole", 0, 2**63 - 1, default=1, editor="seed",
              report_label="Seed", reason="a whole number the random generator accepts", spoken="Random seed",
              tip="A number that fixes the chance draws, so the same inputs always give the same results. "
                  "Change it to check the results do not depend on luck."),
    FieldSpec("simulation.risk_appetite", "Trustees' risk appetite", "%", "fraction", 0, 1, default=0.05,
              report_label="Risk appetite", reason=_SHARE_REASON,
              spoken="Trustees' risk appetite: acceptable chance of running out, percent",
              tip="The chance of running out of money your trustees are prepared to accept; the results "
                  "compare the risk with it. 5% means one future in twenty.",
              summary="Trustees' risk appetite (highest acceptable chance of running out)", pack="row",
              setup=Setup("organisation", 5)),
    FieldSpec("simulation.precision", "Precision wanted", "%", "fraction", MIN_PRECISION, MAX_PRECISION,
              default=None, since=2, in_form=False, report_label="Precision wanted",
              reason=f"a share from {MIN_PRECISION:.1%} (more would need over a million futures) to "
                     f"{MAX_PRECISION:.0%}",
              tip="Instead of a set number of futures, run until the chance of running out is known to "
                  "within plus or minus this (95% of the time), with the number of futures as the most "
                  "to run. 0.5% means to within half a point."),
    FieldSpec("simulation.sampling", "How futures are drawn", "", "choice", choices=SAMPLINGS, default="random",
              since=2, in_form=False, report_label="Sampling",
              tip="random: every future's guesses drawn independently (as in version 1). latin_hypercube: "
                  "spread evenly over each guess's range, which gives steadier figures for the same number "
                  "of futures; saved files keep the way they were run."),
)

BY_PATH: dict[str, FieldSpec] = {f.path: f for f in FIELDS}
MAX_ITEMS = {"contracts": MAX_CONTRACTS, "organisation.budget": MAX_BUDGET_LINES, "variants": MAX_VARIANTS}

_INDEX = re.compile(r"\[\d+\]")


def template(path: str) -> str:
    """``contracts[3].late_payment.months`` -> ``contracts[].late_payment.months``."""
    return _INDEX.sub("[]", path)


def item_of(path: str, list_key: str) -> tuple[int, str] | None:
    """For a path inside an item of the list list_key, (index, the rest of the path):
    ``item_of("contracts[2].late_payment.months", "contracts")`` is ``(2, "late_payment.months")``."""
    head = list_key + "["
    if not path.startswith(head):
        return None
    close = path.find("]", len(head))
    digits = path[len(head):close]
    if close < 0 or not digits.isdigit():
        return None
    rest = path[close + 1:]
    if rest and not rest.startswith("."):
        return None
    return int(digits), rest[1:]


def spec(path: str) -> FieldSpec | None:
    """The row for a key path (list indices ignored); a low / likely / high part of an
    uncertain value, or an entry of a list of numbers, gives its value's row; None for a path
    that is not an input."""
    key = template(path)
    found = BY_PATH.get(key)
    if found is None and key.endswith("[]"):
        # one entry of a list of numbers (a contract year's fee, a month of a pattern) is
        # part of its input, as a low / likely / high part is of its guess
        listed = BY_PATH.get(key[:-2])
        if listed is not None and (listed.is_number or listed.name.endswith("monthly_amounts")):
            return listed
    if found is None:
        parent, _, part = key.rpartition(".")
        found = BY_PATH.get(parent)
        if found is None or not (found.uncertain and part in ("low", "likely", "high")):
            return None
    return found


def spec_of(owner: str, name: str) -> FieldSpec:
    """The row of key ``name`` in ``owner`` ("organisation", "contracts[]", "simulation", "")."""
    return BY_PATH[f"{owner}.{name}" if owner else name]


@cache
def fields_of(owner: str) -> tuple[FieldSpec, ...]:
    """The rows of owner, in table order (``late_payment.probability`` is in "contracts[]")."""
    return tuple(f for f in FIELDS if f.owner == owner)


def keys_of(owner: str) -> frozenset[str]:
    """The file keys the app knows directly in owner (the rest are kept as unknown keys)."""
    return frozenset(f.name.split(".")[0] for f in fields_of(owner))


def setup_rows(page: str) -> tuple[FieldSpec, ...]:
    """The inputs the guided setup asks on a page (``SETUP_PAGES``), in the order asked."""
    asked = [f for f in FIELDS if f.setup is not None and f.setup.page == page]
    return tuple(sorted(asked, key=lambda f: f.setup.order if f.setup is not None else 0))


def tornado_fields(owner: str) -> tuple[FieldSpec, ...]:
    """The inputs the tornado varies, in the order its bars are listed on a tie."""
    return tuple(f for f in fields_of(owner) if f.tornado is not None)


def decision_unit(row: FieldSpec) -> str:
    """The unit the decision tools report a value in: "money", "share", "months", "referrals",
    or "level" for a number asked as a plain choice (the correlation)."""
    if row.levels:
        return "level"
    return {"money": "money", "fraction": "share", "months": "months", "whole": "months",
            "count": "referrals"}[row.kind]


def goal_seek_names(owner: str) -> tuple[str, ...]:
    """The inputs of owner the goal seek answers, in its order."""
    rows = sorted((f for f in fields_of(owner) if f.goal_seek),
                  key=lambda f: f.goal_seek.order)  # type: ignore[union-attr]
    return tuple(f.name for f in rows)


def lever_names(owner: str) -> tuple[str, ...]:
    """The inputs of owner the negotiation grid can vary, in its order."""
    rows = sorted((f for f in fields_of(owner) if f.lever is not None),
                  key=lambda f: f.lever.order)  # type: ignore[union-attr]
    return tuple(f.name for f in rows)


def risk_inputs(owner: str) -> tuple[FieldSpec, ...]:
    """The risk inputs of owner, each with its value without the risk (``benign``)."""
    return tuple(f for f in fields_of(owner) if f.benign is not None)


def report_label(name: str) -> str:
    """An input's report label from its key within its owner ("share_at_risk")."""
    for owner in ("organisation", "contracts[]", "", "simulation"):
        found = BY_PATH.get(f"{owner}.{name}" if owner else name)
        if found is not None:
            return found.report_name
    return name


def defaults_of(owner: str) -> dict[str, Any]:
    """Each optional key of owner and its default (version 2)."""
    return {f.name: f.default for f in fields_of(owner) if not f.required and "." not in f.name}


def row_named(name: str) -> FieldSpec | None:
    """The row of an input named by its key within its owner ("share_at_risk",
    "late_payment.months", "outcome_payments[].price"), as the decision tools name them."""
    for owner in ("organisation", "contracts[]", "", "simulation"):
        found = BY_PATH.get(f"{owner}.{name}" if owner else name)
        if found is not None:
            return found
    return None


def names_where(owner: str, column: str) -> tuple[str, ...]:
    """The keys of owner whose row has ``column`` set (``guess``, ``structure``, ``linear``),
    in table order."""
    return tuple(f.name for f in fields_of(owner) if getattr(f, column))


def default_levers(with_contract: bool) -> tuple[str, str]:
    """The two terms the negotiation grid starts with (``Lever.pair``, or ``pair_alone`` for a
    scenario without contracts)."""
    place = {}
    for owner in ("contracts[]", "organisation"):
        for f in fields_of(owner):
            if f.lever is not None:
                at = f.lever.pair if with_contract else f.lever.pair_alone
                if at:
                    place[at] = f.name
    return place[1], place[2]


def example_dict(owner: str, blank: bool = False) -> dict[str, Any]:
    """A new item of owner as a file holds it: each key at its example value (``example``,
    else its default), or with ``blank`` at File > New's blank value (``blank``: None is for
    the user to fill in).  The one place new scenarios and contracts are made from."""
    out: dict[str, Any] = {}
    for f in fields_of(owner):
        if "." in f.name:
            continue
        value = f.blank if blank and f.blank is not UNSET else f.example
        if value is UNSET:
            if f.required:
                continue
            value = f.default
        out[f.name] = list(value) if isinstance(value, tuple) else copy.deepcopy(value)
    return out


def new_scenario(blank: bool = False) -> dict[str, Any]:
    """A scenario with no contracts, as a file holds it (the form's start, an import's base):
    the organisation at its examples, or its blank values with ``blank``."""
    return {**example_dict("", blank), "organisation": example_dict("organisation", blank), "contracts": []}
