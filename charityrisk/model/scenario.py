"""Scenario dataclasses: what the finance lead knows and guesses, in pounds and months.

Field names follow the scenario file's keys (docs/model.md, section 2).  Keys the app
does not know are kept in ``extra`` so that saving never drops what another version wrote.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .problems import TOO_SLOW, Problem, problem

PAYMENT_MODES = ("earn", "threshold", "clawback", "rate_card")
# A rate card's limits (docs/model.md, section 5): stages, instalments, fee years.
MAX_STAGES = 10
MAX_INSTALMENTS = 60
MAX_FEE_YEARS = 120
# Keys of the share-at-risk modes that a rate card does not use (a warning names any given).
SHARE_ONLY_KEYS = ("price_per_referral", "share_at_risk", "success_rate", "target_success_rate",
                   "cohort_months", "outcome_lag_months")
RATE_CARD_KEYS = ("fee_per_referral", "outcome_payments")
COUNT_NOISES = ("poisson", "none")
SAMPLINGS = ("random", "latin_hypercube")  # engine.sampling: RANDOM, LATIN_HYPERCUBE
BUDGET_KINDS = ("income", "cost")
MAX_HORIZON = 120
MAX_CONTRACTS = 50
MAX_PATHS = 1_000_000
# Named variants kept in a scenario file: each is compared with the scenario side by side (a
# simulation each) and is a row of the report's table, so a handful, not a library.
MAX_VARIANTS = 10
# A run's cost is about futures x months x (contracts + 1): measured at 2.2e-7 CPU seconds a
# unit (50 contracts x 120 months x 20,000 futures took 27 CPU seconds).  The largest file
# (50 contracts, 120 months, 1,000,000 futures) would take 10-20 minutes, so a command-line
# run is held to this much work, about a minute on a two-core laptop; files keep their
# settings (and stay readable), the command asks for fewer futures.
MAX_RUN_WORK = 300_000_000


def max_paths(contracts: int, horizon_months: int) -> int:
    """The most futures a run of this size may use to finish in about a minute (at least 100,
    at most MAX_PATHS; a round thousand)."""
    most = MAX_RUN_WORK // (max(1, horizon_months) * (contracts + 1))
    return max(100, min(MAX_PATHS, most // 1000 * 1000))


def run_size_problem(scenario: Scenario, paths: int | None = None) -> Problem | None:
    """The one rule, for the app and the command line alike, on how large a run may be: a
    Problem on ``simulation.paths`` when ``paths`` futures (default the scenario's own) would
    take more than about a minute (``max_paths``), else None.  A file may hold more (it stays
    readable and keeps its setting); it is the run that is refused."""
    paths = scenario.settings.paths if paths is None else paths
    contracts, months = len(scenario.contracts), scenario.horizon_months
    most = max_paths(contracts, months)
    if paths <= most:
        return None
    return problem("simulation.paths", TOO_SLOW, max=most, contracts=contracts, months=months, got=paths)


@dataclass(frozen=True)
class Uncertain:
    """A low / most likely / high guess, drawn once per future from a beta-PERT."""

    low: float
    likely: float
    high: float

    @classmethod
    def fixed(cls, value: float) -> Uncertain:
        return cls(value, value, value)

    @property
    def is_fixed(self) -> bool:
        return self.low == self.high

    @property
    def mean(self) -> float:
        """Beta-PERT (lambda 4) mean."""
        return (self.low + 4 * self.likely + self.high) / 6

    def scaled(self, factor: float) -> Uncertain:
        return Uncertain(self.low * factor, self.likely * factor, self.high * factor)


@dataclass(frozen=True)
class LatePayment:
    probability: float = 0.0
    months: int = 0
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)  # unknown keys, kept


@dataclass(frozen=True)
class OutcomeStage:
    """One stage of a rate card (version 3): of those who reached the previous stage (or of
    the referrals, for the first), the share ``rate`` who reach this one, drawn once per
    future; for each of month t's referrals who does, ``price`` is paid in each of the months
    t + lag_months, ..., t + lag_months + payments - 1."""

    name: str
    price: float
    rate: Uncertain
    lag_months: int
    payments: int = 1
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class BudgetLine:
    """One of the organisation's own income or cost lines (docs/model.md, version 2)."""

    name: str
    kind: str  # "income" or "cost"
    amount: Uncertain  # each payment, drawn once per future
    start_month: int = 1
    end_month: int | None = None  # None: the horizon
    every_months: int = 1
    growth_per_year: float = 0.0
    probability: float = 1.0  # chance the line happens at all, decided once per future
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)
    # Version 3: a monthly pattern instead of one amount.  Entry k falls in month
    # start_month + k, repeating after the last until end_month; ``scale`` (drawn once per
    # future) multiplies every payment.  With a pattern, ``amount`` is not used (it holds
    # Uncertain.fixed(0)) and ``every_months`` is 1.
    monthly_amounts: tuple[float, ...] | None = None
    scale: Uncertain = Uncertain(1.0, 1.0, 1.0)

    def last_month(self, horizon: int) -> int:
        return horizon if self.end_month is None else min(self.end_month, horizon)

    def growth(self, month: Any) -> Any:
        """The growth factor of a payment in ``month`` (a number or an array of them):
        (1 + growth a year) to the power of the whole years since the line's first month."""
        return (1.0 + self.growth_per_year) ** ((month - self.start_month) // 12)

    def base_amount(self, month: int) -> float:
        """The payment before growth and scale in a month the line falls in: its pattern's
        entry for that month, or its most likely amount."""
        if self.monthly_amounts is None:
            return self.amount.likely
        return self.monthly_amounts[(month - self.start_month) % len(self.monthly_amounts)]


@dataclass(frozen=True)
class Organisation:
    opening_reserves: float
    monthly_other_income: Uncertain
    monthly_core_costs: float
    overdraft_facility: float = 0.0
    reserves_floor: float = 0.0
    budget: tuple[BudgetLine, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)
    # Version 3: a year's interest on the balance below zero, charged monthly (docs/model.md).
    overdraft_interest_per_year: float = 0.0

    @property
    def monthly_net_core(self) -> float:
        return self.monthly_other_income.mean - self.monthly_core_costs


@dataclass(frozen=True)
class Contract:
    name: str
    start_month: int
    duration_months: int
    referrals_per_month: Uncertain
    price_per_referral: float
    share_at_risk: float
    payment_mode: str
    fee_lag_months: int
    success_rate: Uncertain
    target_success_rate: float
    cohort_months: int
    outcome_lag_months: int
    cost_per_referral: float
    fixed_monthly_cost: float
    p_no_referrals: float = 0.0
    count_noise: str = "poisson"
    late_payment: LatePayment = field(default_factory=LatePayment)
    # Version 2 terms; each default means "not used" (docs/model.md).
    guaranteed_referrals_per_month: float = 0.0
    ramp_up_months: int = 0
    exit_cost: float = 0.0
    wind_down_months: int | None = None  # None: the whole duration
    # Version 3.  "rate_card" mode: the fee per referral (one a contract year, the last holding
    # for later years) and the stages paid per person who reaches them.
    fee_per_referral: tuple[float, ...] = (0.0,)
    outcome_payments: tuple[OutcomeStage, ...] = ()
    # Threshold mode: a cohort that missed its target is still paid if all the contract's
    # cohorts together reach this rate (Peterborough's fallback); None: not used.
    pooled_target_success_rate: float | None = None
    # The contract's own random streams are keyed by this number, kept in the file, so that
    # adding, removing or moving another contract leaves its futures alone.  None (a
    # contract made in code): keyed by its place, as id = place + 1 would be.
    id: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def end_month(self) -> int:
        """Last month in which referrals arrive (1-based, may lie past the horizon)."""
        return self.start_month + self.duration_months - 1

    def reads(self, name: str) -> bool:
        """Whether this contract's payment mode reads its input ``name`` (a key of a contract,
        e.g. "share_at_risk" or "outcome_payments[1].price"): a rate card reads no share of a
        price (SHARE_ONLY_KEYS), only a rate card reads a fee schedule and stages
        (RATE_CARD_KEYS), and only all or nothing ("threshold") reads a pooled target."""
        top = name.split(".")[0].split("[")[0]
        if top == "pooled_target_success_rate":
            return self.payment_mode == "threshold"
        if self.payment_mode == "rate_card":
            return top not in SHARE_ONLY_KEYS
        return top not in RATE_CARD_KEYS

    @property
    def amount_at_risk(self) -> float:
        """A: the part of the price paid by results, per referral."""
        return self.share_at_risk * self.price_per_referral

    @property
    def fee_share(self) -> float:
        """The share of the price paid as a fee for the work: all of it under clawback (the
        part at risk is repaid if a cohort misses its target), else the part not at risk."""
        return 1.0 if self.payment_mode == "clawback" else 1.0 - self.share_at_risk

    def fee_referrals(self, referrals: Any) -> Any:
        """The referrals a month's fee is paid on (an array of them): at least the guaranteed
        minimum.  The same array when there is no guarantee."""
        if self.guaranteed_referrals_per_month > 0:
            return referrals.clip(min=self.guaranteed_referrals_per_month)
        return referrals

    def results_months(self) -> list[int]:
        """The month each cohort's outcome payment (or clawback) is due, counted from the
        contract's first month (0): the cohort's last month plus the wait for results, before
        any late payment by the prime."""
        return [last + self.outcome_lag_months for _, last in self.cohort_bounds()]

    def cohort_bounds(self) -> list[tuple[int, int]]:
        """(first, last) contract-relative month index (0-based) of each cohort."""
        bounds = []
        for first in range(0, self.duration_months, self.cohort_months):
            bounds.append((first, min(first + self.cohort_months, self.duration_months) - 1))
        return bounds


@dataclass(frozen=True)
class SimulationSettings:
    """How the app runs the model; not part of the model contract, saved for convenience."""

    paths: int = 20_000
    seed: int = 1
    risk_appetite: float = 0.05
    # Run until the chance of running out is known to within +/- this (the half-width of its
    # 95% interval), with ``paths`` the most futures to run; None: run ``paths`` futures.
    precision: float | None = None
    # How the once-per-future uncertain values are drawn: "random" (independent, version 1's)
    # or "latin_hypercube" (stratified: steadier figures for the same futures).
    sampling: str = "random"
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)  # unknown keys, kept


@dataclass(frozen=True)
class Scenario:
    horizon_months: int
    organisation: Organisation
    contracts: tuple[Contract, ...]
    name: str = ""
    settings: SimulationSettings = field(default_factory=SimulationSettings)
    correlation: float = 0.0  # how strongly bad surprises come together (0 to 0.95)
    notes: str = ""  # the user's own notes on the scenario (what it is for, where figures came from)
    # Version 3: the calendar month ("YYYY-MM") of month 1, for naming months (model.calendar);
    # None: months are numbered.  It changes no figure.
    first_month: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)
    # Named variants ("Try different terms"): snapshots of the scenario with other terms, each
    # a whole Scenario whose name is the variant's name and which has no variants of its own.
    # Not compared: they are not inputs of this scenario's simulation, so adding one must not
    # make the results on screen (or the decision tools' answers) look out of date.
    variants: tuple[Scenario, ...] = field(default=(), compare=False)

    def with_contract(self, index: int, **changes: Any) -> Scenario:
        contracts = list(self.contracts)
        contracts[index] = replace(contracts[index], **changes)
        return replace(self, contracts=tuple(contracts))

    def with_organisation(self, **changes: Any) -> Scenario:
        return replace(self, organisation=replace(self.organisation, **changes))
