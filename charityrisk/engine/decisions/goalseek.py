"""What would make it safe: the values of each input that keep the risk within the appetite.

For one input at a time (the others as in the scenario) the search finds every range of
the inputs the field table marks ``goal_seek`` (the share at risk, the outcome lag, the
referrals per month, the price per referral, the referral guarantee, the fee lag, how late
the prime pays, the success rate, the chance of no referrals, the overdraft facility, the
opening reserves) over which the chance of running out is within the trustees' risk
appetite, by the one verdict (``engine.verdict``: p + 2 se <= appetite).  A contract's
inputs are those its payment mode reads: a rate card's fee schedule (scaled as a whole) and
each stage's price and share who reach it ("outcome_payments[1].rate"); all or nothing's
pooled target (whole points up to the cohort target) when it has one.

How:
- every value is tried on the same futures (common random numbers), so the chance of
  running out moves with the input, not with the noise of fresh draws, and the answer is
  stable;
- values lie on a grid of what a contract or a bank can state: whole percentage points of
  the share at risk, whole months of lag, whole referrals a month (the referrals' most
  likely value, low and high scaled with it; the guarantee), a round step of price (£10
  for prices of £1,000 to £9,999; the first year's fee likewise, later years' in
  proportion), whole pounds of facility or reserves; whole percentage points of the chance
  of no referrals and of the most likely success rate (low and high moved with it).  Below
  WHOLE_FROM referrals a month a referral grid steps by a tenth or a hundredth of its range;
- the risk need not move one way as the input moves: with fees paid 6 months late and
  outcomes paid at once, putting more of the price at risk first brings the money in
  sooner (less risk), then makes it less certain (more risk).  So the search first tries a
  coarse grid of COARSE_STEPS + 1 values across the range (and any value already known,
  such as the scenario's own), then bisects inside every bracket where the verdict changes
  until its ends are neighbours on the grid.  It finds every safe range wider than a
  coarse step; a safe island narrower than that, between two unsafe coarse values, can be
  missed;
- the search runs on the first COARSE_PATHS futures (the full run's own first futures: the
  same numbers), judged with the full run's standard error, the coarse pass's values side
  by side on both cores; its answer is then confirmed on every future: from it, steps of
  1, 2, 4, ... toward the unsafe side (or the safe side, if it is not safe there) and
  bisection find the least safe grid value, which is the answer stated, with the chance of
  running out there on every future (exactly what ``engine.simulate`` gives for that
  value and seed).  Where the coarse search found several safe ranges, or none, or all,
  and every future does not agree, the search runs again on every future;
- the answer's Monte Carlo uncertainty: the same search for "not above the appetite"
  (p - 2 se <= appetite) gives the values the futures cannot tell apart from safe
  (``value_range``: from the answer to the furthest such value), confirmed the same way;
- an appetite of 0% is "unprovable": no number of futures shows a chance of nothing, so no
  value is offered (never the largest value tried).
"""
from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ...model.fields import Seek, decision_unit, goal_seek_names, spec_of
from ...model.scenario import Contract, Scenario, Uncertain
from ..simulate import BLOCK, HALF_PENNY, Progress, below, drive
from ..verdict import Verdict, verdict
from .common import (
    CancelledCallback,
    Meter,
    ProgressCallback,
    applies,
    decision_pool,
    run_steps,
    standard_error,
    workspace_steps,
)
from .negotiate import with_lever
from .workspace import Workspace

CONTRACT_INPUTS = goal_seek_names("contracts[]")  # the field table's goal-seekable inputs
ORGANISATION_INPUTS = goal_seek_names("organisation")
SOLVABLE = CONTRACT_INPUTS + ORGANISATION_INPUTS
# A rate card's stages: each stage's inputs are sought on their own, named
# "outcome_payments[1].rate" (the stage's place in the list, from 0).
STAGE_OWNER = "contracts[].outcome_payments[]"
STAGE_INPUTS = goal_seek_names(STAGE_OWNER)
_STAGE = re.compile(r"outcome_payments\[(\d+)\]\.(\w+)")
MONEY_GRID = 1.0  # facility and reserves are answered in whole pounds
REFERRAL_SCALE_MAX = 3.0  # referrals are searched from none to 3 times the scenario's
# A guarantee is searched from none to twice the high guess of referrals (or of the
# guarantee itself, or 1): a guarantee above what the contract could send is not a term a
# prime would sign, and the range still shows where more stops helping.
GUARANTEE_SCALE_MAX = 2.0
PRICE_SCALE_MAX = 3.0
UNITS = {name: decision_unit(spec_of(owner, name))
         for owner, names in (("contracts[]", CONTRACT_INPUTS), ("organisation", ORGANISATION_INPUTS))
         for name in names}
UNITS.update({f"outcome_payments[].{name}": decision_unit(spec_of(STAGE_OWNER, name)) for name in STAGE_INPUTS})


def stage_input(name: str) -> tuple[int, str] | None:
    """(stage index, its key) for a stage's input ("outcome_payments[1].rate"), else None."""
    found = _STAGE.fullmatch(name)
    if found is None or found.group(2) not in STAGE_INPUTS:
        return None
    return int(found.group(1)), found.group(2)


def is_contract_input(name: str) -> bool:
    return name in CONTRACT_INPUTS or stage_input(name) is not None


def unit_of(name: str) -> str:
    stage = stage_input(name)
    return UNITS[f"outcome_payments[].{stage[1]}" if stage else name]


def contract_inputs(c: Contract) -> tuple[str, ...]:
    """The contract's goal-seekable inputs in its payment mode, in the field table's order,
    then each stage's (a rate card without a fee has no fee to seek)."""
    names = [n for n in CONTRACT_INPUTS if applies(c, n)
             and not (n == "fee_per_referral" and not any(c.fee_per_referral))]
    names += [f"outcome_payments[{k}].{n}" for k in range(len(c.outcome_payments)) for n in STAGE_INPUTS]
    return tuple(names)
# A rough count of evaluations of an input that redraws (or rebuilds) the contract, for the
# progress bar only.
# (searched on the first futures, then about _CONFIRMING on every block)
_REFERRAL_EVALUATIONS = 14
_CONFIRMING = 5
_REBUILDING = ("referrals_per_month", "guaranteed_referrals_per_month", "success_rate", "p_no_referrals")


@dataclass(frozen=True, eq=False)
class GoalSeek:
    """One input's safe values for the risk appetite.

    ``safe_ranges``: every (low, high) range of values, in increasing order, over which the
    verdict is "within the appetite" (both ends safe, grid values between them safe).
    ``status`` "found": some values are safe and some are not; "none_safe": no value in the
    searched range is (``value`` is None; ``best_value`` is the safest value tried and
    ``p_run_out_best`` its risk); "all_safe": every value is (``value`` is the riskiest end
    of the range).
    ``direction`` "at_most": values at or below ``value`` are safe (one range from the low
    end, e.g. the share at risk); "at_least": values at or above it are (one range to the
    high end, e.g. the facility); "between": the safe values lie inside the range, or in
    several ranges, and ``value`` is the safe value nearest the scenario's own.
    """

    input: str  # one of SOLVABLE
    key: str  # the file's key, e.g. "contracts[0].share_at_risk"
    contract: int | None
    contract_name: str | None
    unit: str  # "share", "months", "referrals" (most likely referrals a month), "money"
    direction: str
    status: str
    value: float | None
    current_value: float
    p_run_out_current: float
    p_run_out_at_value: float | None
    p_run_out_se_at_value: float | None
    best_value: float
    p_run_out_best: float
    search_low: float
    search_high: float
    step: float  # the grid's step (for referrals: of the most likely value, 1% of it)
    # (low, high): ``value`` and the furthest value on the same side that the futures cannot
    # tell apart from safe (not above the appetite by the verdict), in increasing order;
    # (None, None) when nothing is safe.
    value_range: tuple[float | None, float | None]
    risk_appetite: float
    appetite_se: float  # sqrt(a(1 - a) / paths)
    paths: int
    seed: int
    evaluations: int
    scale: float | None = None  # referrals only: the factor applied to low, likely and high
    # (the success rate's low and high move with its most likely value: ``shifted``)
    safe_scenario: Scenario | None = field(default=None, repr=False)  # the scenario at value
    safe_ranges: tuple[tuple[float, float], ...] = ()
    item: str | None = None  # a stage's input: the stage's name

    @property
    def current_verdict(self) -> Verdict:
        return verdict(self.p_run_out_current, standard_error(self.p_run_out_current, self.paths),
                       self.risk_appetite)

    @property
    def current_is_safe(self) -> bool:
        return self.current_verdict is Verdict.WITHIN

    def to_json_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "safe_scenario"}
        out["value_range"] = list(self.value_range)
        out["safe_ranges"] = [list(r) for r in self.safe_ranges]
        out["current_is_safe"] = self.current_is_safe
        out["current_verdict"] = self.current_verdict.value
        if self.input == "referrals_per_month" and self.safe_scenario is not None and self.contract is not None:
            u = self.safe_scenario.contracts[self.contract].referrals_per_month
            out["referrals_at_value"] = {"low": u.low, "likely": u.likely, "high": u.high}
        if self.input == "success_rate" and self.safe_scenario is not None and self.contract is not None:
            u = self.safe_scenario.contracts[self.contract].success_rate
            out["success_rate_at_value"] = {"low": u.low, "likely": u.likely, "high": u.high}
        return out


@dataclass(frozen=True, eq=False)
class Solutions:
    """Goal seeks of one scenario on the same futures."""

    scenario_name: str
    paths: int
    seed: int
    risk_appetite: float
    p_run_out: float
    p_run_out_se: float
    contract: int | None
    goals: tuple[GoalSeek, ...]

    @property
    def verdict(self) -> Verdict:
        """The scenario's own chance of running out against the appetite (the one rule)."""
        return verdict(self.p_run_out, self.p_run_out_se, self.risk_appetite)

    def goal(self, name: str) -> GoalSeek:
        for g in self.goals:
            if g.input == name:
                return g
        raise KeyError(name)

    def to_json_dict(self) -> dict[str, Any]:
        return {"scenario": self.scenario_name, "paths": self.paths, "seed": self.seed,
                "risk_appetite": self.risk_appetite, "p_run_out": self.p_run_out,
                "p_run_out_se": self.p_run_out_se, "contract": self.contract,
                "goals": [g.to_json_dict() for g in self.goals]}


# ------------------------------------------------------------------------- search

COARSE_STEPS = 10  # the first pass tries the range's ends and 9 values evenly between


def scan(p_at: Callable[[int], float], last: int, safe: Callable[[float], bool],
         known: dict[int, float], coarse: int = COARSE_STEPS,
         many: Callable[[list[int]], list[float]] | None = None
         ) -> Generator[None, None, list[tuple[int, int]]]:
    """Every range of the grid 0..last where ``safe(p_at(i))``, without assuming that p
    moves one way: a coarse pass over the range, then bisection inside every bracket whose
    ends disagree, until each change lies between neighbouring grid values.

    ``known`` caches p by index and is shared between scans on the same futures.  ``many``,
    if given, answers several indices at once (side by side: the coarse pass, and the
    middles of several brackets).  Yields after each new evaluation (or batch); returns the
    safe (first, last) index ranges, in order.
    """
    def ask(indices: list[int]) -> Generator[None, None, None]:
        todo = [i for i in dict.fromkeys(indices) if 0 <= i <= last and i not in known]
        if many is not None and len(todo) > 1:
            for i, p in zip(todo, many(todo)):
                known[i] = float(p)
            yield None
            return
        for i in todo:
            known[i] = float(p_at(i))
            yield None

    yield from ask(sorted({round(k * last / coarse) for k in range(coarse + 1)} | set(known)))
    while True:
        tried = sorted(i for i in known if 0 <= i <= last)
        brackets = [(a, b) for a, b in itertools.pairwise(tried)
                    if b - a > 1 and safe(known[a]) != safe(known[b])]
        if not brackets:
            break
        yield from ask([(a + b) // 2 for a, b in brackets])
    ranges: list[tuple[int, int]] = []
    run_start: int | None = None
    for a in tried:
        if safe(known[a]):
            run_start = a if run_start is None else run_start
            end = a
        elif run_start is not None:
            ranges.append((run_start, end))
            run_start = None
    if run_start is not None:
        ranges.append((run_start, end))
    return ranges


@dataclass(frozen=True)
class Grid:
    """The values a goal seek tries: ``value(i)`` for i in 0..last, a round ``step`` apart;
    the scenario's own value and, where it lies on the grid, its index."""

    last: int
    value: Callable[[int], float]
    step: float
    current: float
    current_index: int | None
    scale: Callable[[int], float] | None = None  # a guess scaled as a whole: the factor at i


def _evenly(step: float, last: int, current: float) -> Grid:
    return Grid(last, lambda i: i * step, step, current, _grid_index(current, 0.0, step, last))


def percent_grid(c: Contract, name: str, horizon: int) -> Grid:
    """Whole percentage points from none to all (a guess: its most likely value)."""
    current = _current(c, name)
    return Grid(100, lambda i: i / 100, 0.01, current, _grid_index(current, 0.0, 0.01, 100))


def months_grid(c: Contract, name: str, horizon: int) -> Grid:
    """Whole months from none to the horizon (or today's wait, if longer)."""
    current = _current(c, name)
    return Grid(max(horizon, round(current)), float, 1.0, current, round(current))


def price_grid(c: Contract, name: str, horizon: int) -> Grid:
    """Round steps (£10 for prices of £1,000s) from nothing to three times today's."""
    current = _current(c, name)
    step = price_step(current)
    return _evenly(step, math.ceil(max(PRICE_SCALE_MAX * current, 1000.0) / step), current)


# A count a contract can state is a whole referral a month: grids of referrals step by
# whole referrals once the range searched spans at least this many (below it, a tenth or a
# hundredth of the range: a contract sending one referral a month can state 0.5).
WHOLE_FROM = 10


def guarantee_grid(c: Contract, name: str, horizon: int) -> Grid:
    """Whole referrals a month (round steps below WHOLE_FROM) up to twice what could be sent."""
    current = _current(c, name)
    top = GUARANTEE_SCALE_MAX * max(c.referrals_per_month.high, current, 1.0)
    step = 1.0 if top >= WHOLE_FROM else 10 ** math.floor(math.log10(top)) / 100
    return _evenly(step, math.ceil(top / step), current)


def fee_scale_grid(c: Contract, name: str, horizon: int) -> Grid:
    """A fee schedule scaled as a whole (every contract year's fee together), from none to
    three times; its value is the first year's fee, in the price's round steps (whole
    pounds, £10 for fees of £1,000s)."""
    first = _current(c, name)
    if first <= 0:
        return Grid(0, lambda i: 0.0, 1.0, first, 0, scale=lambda i: 0.0)
    step = price_step(first)
    last = math.ceil(PRICE_SCALE_MAX * first / step)
    return Grid(last, lambda i: i * step, step, first, _grid_index(first, 0.0, step, last),
                scale=lambda i: i * step / first)


def pooled_grid(c: Contract, name: str, horizon: int) -> Grid:
    """Whole percentage points from 1% up to the cohort target (a pooled target above it, or
    of nothing, is not one a file can hold)."""
    current = _current(c, name)
    last = max(0, round(c.target_success_rate * 100) - 1)
    return Grid(last, lambda i: (i + 1) / 100, 0.01, current, _grid_index(current, 0.01, 0.01, last))


def referral_scale_grid(c: Contract, name: str, horizon: int) -> Grid:
    """The whole guess (low, likely and high) scaled together from none to three times: what
    a prime's "more referrals" changes.  Its most likely value in whole referrals a month
    (in steps of 1% of it when three times is under WHOLE_FROM referrals)."""
    likely = _current(c, name)
    top = REFERRAL_SCALE_MAX * likely
    if likely <= 0 or top < WHOLE_FROM:
        return Grid(round(REFERRAL_SCALE_MAX * 100), lambda i: likely * (i / 100), likely / 100, likely, 100,
                    scale=lambda i: i / 100)
    last = math.ceil(top)
    return Grid(last, float, 1.0, likely, _grid_index(likely, 0.0, 1.0, last), scale=lambda i: i / likely)


# The field table's ``Seek.grid`` names one of these ("money" is answered apart: _money_problem).
GRIDS: dict[str, Callable[[Contract, str, int], Grid]] = {
    "percent": percent_grid, "months": months_grid, "price": price_grid,
    "guarantee": guarantee_grid, "referral_scale": referral_scale_grid, "fee_scale": fee_scale_grid,
    "pooled": pooled_grid,
}


def _current(c: Contract, name: str) -> float:
    """A contract input's value today (a guess: its most likely value; a fee schedule: its
    first year's fee; a pooled target not set: the cohort target, which it may equal)."""
    stage = stage_input(name)
    if stage is not None:
        value = getattr(c.outcome_payments[stage[0]], stage[1])
    elif name == "late_payment.months":
        value = c.late_payment.months
    elif name == "fee_per_referral":
        value = c.fee_per_referral[0]
    elif name == "pooled_target_success_rate" and c.pooled_target_success_rate is None:
        value = c.target_success_rate
    else:
        value = getattr(c, name)
    return float(value.likely if isinstance(value, Uncertain) else value)


def with_term(c: Contract, name: str, grid: Grid, i: int) -> Contract:
    """The contract with input ``name`` at the grid's i-th value: a guess scaled as a whole
    or shifted (its low and high moved with its most likely value), a number set; a stage's
    input in its stage; a fee schedule scaled as a whole."""
    stage = stage_input(name)
    if stage is not None:
        k, key = stage
        old = getattr(c.outcome_payments[k], key)
        new: Any = shifted(old, grid.value(i)) if isinstance(old, Uncertain) else grid.value(i)
        stages = list(c.outcome_payments)
        stages[k] = replace(stages[k], **{key: new})
        return replace(c, outcome_payments=tuple(stages))
    if name == "fee_per_referral":
        assert grid.scale is not None
        return replace(c, fee_per_referral=tuple(f * grid.scale(i) for f in c.fee_per_referral))
    value = getattr(c, name, None)
    if not isinstance(value, Uncertain):
        return with_lever(c, name, grid.value(i))
    moved = value.scaled(grid.scale(i)) if grid.scale is not None else shifted(value, grid.value(i))
    changes: dict[str, Any] = {name: moved}
    return replace(c, **changes)


def safer_low(c: Contract, name: str) -> bool:
    """Which end is safer when the risk is the same at both (the field table's ``safer``),
    but for the one input whose direction depends on the contract: a clawback's lag is safer
    when longer, as the money is taken back later."""
    if name == "outcome_lag_months" and c.payment_mode == "clawback":
        return False
    return _seek(name).safer == "low"


def _seek(name: str) -> Seek:
    stage = stage_input(name)
    if stage is not None:
        row = spec_of(STAGE_OWNER, stage[1])
    else:
        row = spec_of("contracts[]" if name in CONTRACT_INPUTS else "organisation", name)
    assert row.goal_seek is not None, name
    return row.goal_seek


@dataclass(frozen=True, eq=False)
class _Problem:
    """One goal seek's search.  ``p_search`` answers the search's many questions, cheaply:
    on the first COARSE_PATHS futures (the same futures as the full run's first) or, for
    the overdraft and the reserves, from each future's lowest balance;
    ``p_exact`` on every future, exactly as ``engine.simulate`` would (the answer stated is
    confirmed with it)."""

    input: str
    key: str
    contract: int | None
    grid: Grid
    p_search: Callable[[int], float]  # grid index -> chance of running out (the search's)
    p_exact: Callable[[int], float]  # grid index -> chance of running out (every future)
    default_safer_low: bool
    apply: Callable[[int], Scenario]  # grid index -> the scenario with that value
    parallel: bool = True  # evaluations worth running side by side (not a sorted array's look-up)


def price_step(price: float) -> float:
    """A round grid step for a price: about 1% of its order of magnitude (£10 for £1,000s)."""
    magnitude = 10 ** math.floor(math.log10(max(price, 100.0)))
    return magnitude / 100


def _grid_index(value: float, start: float, step: float, last: int) -> int | None:
    i = round((value - start) / step)
    return i if 0 <= i <= last and math.isclose(start + i * step, value, abs_tol=1e-9) else None


def _money_problem(ws: Workspace, name: str) -> _Problem:
    """The overdraft or the opening reserves, in whole pounds: each moves only the line a
    future's lowest balance is compared with, so every value is answered from the same
    lowest balances.  With overdraft interest other reserves are charged other interest:
    the lowest balances (charged at today's reserves) guide the search and the answer is
    confirmed by charging each value tried afresh (``p_exact``)."""
    s = ws.scenario
    org = s.organisation
    lowest = ws.lowest_before_opening()  # lowest balance = opening + this
    if name == "overdraft_facility":
        # Runs out with facility f iff opening + lowest <= -f - half a penny.
        deficit = np.sort(-(org.opening_reserves + lowest))
        start = 0.0
        current = org.overdraft_facility
    else:
        # Runs out with reserves R iff R + lowest <= -facility - half a penny.
        deficit = np.sort(-(lowest + org.overdraft_facility))
        start = min(0.0, float(math.floor(org.opening_reserves)))
        current = org.opening_reserves
    top = max(current, float(deficit[-1]) if deficit.size else 0.0)
    last = max(1, math.ceil(top - start) + 1)

    def value(i: int) -> float:
        return start + i * MONEY_GRID

    def p_line(i: int) -> float:
        # share of futures whose deficit is at least the value and half a penny (the
        # engine's penny rule, engine.simulate.below)
        return float(deficit.size - np.searchsorted(deficit, value(i) + HALF_PENNY, side="left")) / ws.paths

    p_exact = p_line
    if name == "opening_reserves" and org.overdraft_interest_per_year > 0:
        def p_exact(i: int) -> float:
            return float(ws.run_out(replace(org, opening_reserves=value(i))).mean())

    grid = Grid(last, value, MONEY_GRID, current, _grid_index(current, start, MONEY_GRID, last))
    return _Problem(name, f"organisation.{name}", None, grid, p_line, p_exact,
                    _seek(name).safer == "low", lambda i: s.with_organisation(**{name: value(i)}),
                    parallel=False)


def _rate_problem(ws: Workspace, coarse: Workspace, name: str) -> _Problem:
    """An organisation's share (the interest rate on the overdraft): whole percentage points,
    each charged on the same futures' balances (no contract is simulated again)."""
    s = ws.scenario
    org = s.organisation
    current = float(getattr(org, name))
    grid = Grid(100, lambda i: i / 100, 0.01, current, _grid_index(current, 0.0, 0.01, 100))

    def p_on(space: Workspace) -> Callable[[int], float]:
        def p_at(i: int) -> float:
            changes: dict[str, Any] = {name: grid.value(i)}
            return float(space.run_out(replace(org, **changes)).mean())
        return p_at

    return _Problem(name, f"organisation.{name}", None, grid, p_on(coarse), p_on(ws),
                    _seek(name).safer == "low", lambda i: s.with_organisation(**{name: grid.value(i)}))


def _problem(ws: Workspace, coarse: Workspace, name: str, contract: int) -> _Problem:
    if name in ORGANISATION_INPUTS:
        return _money_problem(ws, name) if _seek(name).grid == "money" else _rate_problem(ws, coarse, name)
    if not is_contract_input(name):
        raise ValueError(f"cannot solve for {name!r}; choose from {', '.join(SOLVABLE)}")
    s = ws.scenario
    c = s.contracts[contract]
    grid = GRIDS[_seek(name).grid](c, name, s.horizon_months)

    def p_on(space: Workspace) -> Callable[[int], float]:
        def p_at(i: int) -> float:
            return float(space.run_out_contract(contract, with_term(c, name, grid, i)).mean())
        return p_at
    search = p_on(coarse)
    return _Problem(name, f"contracts[{contract}].{name}", contract, grid, search,
                    search if coarse is ws else p_on(ws),
                    safer_low(c, name), lambda i: s.with_contract(contract, **_changes(c, name, grid, i)))


def _changes(c: Contract, name: str, grid: Grid, i: int) -> dict[str, Any]:
    """The keyword changes ``Scenario.with_contract`` takes for the grid's i-th value."""
    changed = with_term(c, name, grid, i)
    top = name.split(".")[0].split("[")[0]
    return {top: getattr(changed, top)}


def shifted(u: Uncertain, likely: float) -> Uncertain:
    """The guess with its most likely value moved to ``likely`` and its low and high moved
    by as much, kept within 0% to 100% (so the whole guess moves, not only its middle)."""
    shift = likely - u.likely
    return Uncertain(min(max(u.low + shift, 0.0), likely), likely, max(min(u.high + shift, 1.0), likely))


def boundary(p: Callable[[int], float], ok: Callable[[float], bool], start: int, toward_safe: int,
             last: int) -> int | None:
    """Near ``start``, the grid index nearest the unsafe side at which ``ok(p(i))`` holds,
    for a chance that moves one way near there (safe toward ``toward_safe``, +1 or -1):
    steps of 1, 2, 4, ... from ``start`` until the answer is bracketed, then bisection.
    None when no index on the safe side is ok."""
    def clamp(i: int) -> int:
        return min(max(i, 0), last)

    step = 1
    if ok(p(start)):
        good = start
        while True:
            j = clamp(good - toward_safe * step)
            if j == good:
                return good  # ok up to the unsafe end
            if not ok(p(j)):
                bad = j
                break
            good, step = j, step * 2
    else:
        bad = start
        while True:
            j = clamp(bad + toward_safe * step)
            if j == bad:
                return None  # not ok up to the safe end
            if ok(p(j)):
                good = j
                break
            bad, step = j, step * 2
    while abs(good - bad) > 1:
        mid = (good + bad) // 2
        if ok(p(mid)):
            good = mid
        else:
            bad = mid
    return good


def _unprovable(prob: _Problem, ws: Workspace, appetite: float, p_current: float) -> GoalSeek:
    """An appetite of 0%: no number of futures can show that a chance is nothing (a
    thousand futures without a run-out still allow 1 in 1,000), so no value is offered."""
    c = None if prob.contract is None else ws.scenario.contracts[prob.contract]
    low = prob.default_safer_low
    return GoalSeek(
        input=prob.input, key=prob.key, contract=prob.contract, contract_name=None if c is None else c.name,
        unit=unit_of(prob.input), direction="at_most" if low else "at_least", status="unprovable",
        value=None, current_value=float(prob.grid.current), p_run_out_current=p_current,
        p_run_out_at_value=None, p_run_out_se_at_value=None, best_value=float(prob.grid.current),
        p_run_out_best=p_current, search_low=prob.grid.value(0), search_high=prob.grid.value(prob.grid.last),
        step=prob.grid.step, value_range=(None, None), risk_appetite=appetite,
        appetite_se=0.0, paths=ws.paths, seed=ws.seed, evaluations=0, item=_stage_name(c, prob.input))


def _solve_one(ws: Workspace, coarse: Workspace, name: str, contract: int, appetite: float,
               p_current: float, p_coarse: float, meter: Meter) -> Generator[Progress, None, GoalSeek]:
    """Search on ``prob.p_search`` (coarse), then confirm on every future: the answer, its
    Monte Carlo range, a rounding to what can be negotiated, all with ``p_exact``; where the
    coarse search and every future disagree in shape (several safe ranges, or one but not
    the other finds some), the search is run again on every future."""
    if is_contract_input(name):
        yield from drive(coarse.prepare_steps(contract), lambda _: meter.at(_work(ws, coarse)))
        if coarse is not ws:
            yield from drive(ws.prepare_steps(contract), lambda _: meter.at(_work(ws, coarse)))
    prob = _problem(ws, coarse, name, contract)
    if appetite <= 0:
        return _unprovable(prob, ws, appetite, p_current)
    last = prob.grid.last
    searched: dict[int, float] = {}
    exact: dict[int, float] = {}
    if prob.grid.current_index is not None and prob.contract is not None:
        searched[prob.grid.current_index] = p_coarse  # the base run itself: no evaluation needed
        exact[prob.grid.current_index] = p_current
    evaluations = 0

    def within(paths: int) -> Callable[[float], bool]:
        return lambda p: verdict(p, standard_error(p, paths), appetite) is Verdict.WITHIN

    def possible(paths: int) -> Callable[[float], bool]:
        return lambda p: verdict(p, standard_error(p, paths), appetite) is not Verdict.ABOVE

    def p_exact(i: int) -> float:
        nonlocal evaluations
        if i not in exact:
            exact[i] = prob.p_exact(i)
            evaluations += 1
        return exact[i]

    def run(p: Callable[[int], float], known: dict[int, float], safe: Callable[[float], bool]
            ) -> Generator[Progress, None, list[tuple[int, int]]]:
        nonlocal evaluations
        before = len(known)
        ranges = yield from drive(scan(p, last, safe, known, many=side_by_side(p) if prob.parallel else None),
                                  lambda _: meter.at(_work(ws, coarse)))
        evaluations += len(known) - before
        return ranges

    def shape(known: dict[int, float], safe: list[tuple[int, int]]) -> tuple[str, str, int | None, bool]:
        """(status, direction, index, safer_low) of a scan's safe ranges."""
        p_low_end, p_high_end = known[0], known[last]
        low = prob.default_safer_low if p_low_end == p_high_end else p_low_end < p_high_end
        if not safe:
            return "none_safe", "at_most" if low else "at_least", None, low
        if safe == [(0, last)]:
            return ("all_safe", "at_most", last, low) if low else ("all_safe", "at_least", 0, low)
        if len(safe) == 1 and safe[0][0] == 0:
            return "found", "at_most", safe[0][1], low
        if len(safe) == 1 and safe[0][1] == last:
            return "found", "at_least", safe[0][0], low
        here = prob.grid.current_index if prob.grid.current_index is not None else _nearest(prob, prob.grid.current)
        return "found", "between", min((min(max(here, lo), hi) for lo, hi in safe),
                                       key=lambda i: (abs(i - here), i)), low

    # 1. The search, on the coarse futures, judged with every future's standard error: it
    # looks for where the answer on every future lies, which step 2 then confirms.
    coarse_safe = yield from run(prob.p_search, searched, within(ws.paths))
    coarse_possible = yield from run(prob.p_search, searched, possible(ws.paths))
    status, direction, index, low = shape(searched, coarse_safe)
    safe_ranges: list[tuple[int, int]] | None = None
    value_range_index: tuple[int, int] | None = None
    best: int | None = None
    # 2. Confirmed on every future (nothing to do when the search was on every future).
    confirmed = True
    if status == "found" and direction != "between" and index is not None:
        toward = -1 if direction == "at_most" else 1
        coarse_index = index
        good = boundary(p_exact, within(ws.paths), index, toward, last)
        if good is None or good == (last if toward == -1 else 0):
            confirmed = False  # nothing safe, or everything: search every future
        else:
            index = good
            lo, hi = next(r for r in coarse_possible if r[0] <= coarse_index <= r[1])  # safe implies possible
            far = boundary(p_exact, possible(ws.paths), min(lo, index) if toward == 1 else max(hi, index),
                           toward, last)
            far = index if far is None else (min(far, index) if toward == 1 else max(far, index))
            value_range_index = (far, index) if toward == 1 else (index, far)
            safe_ranges = [(index, last)] if toward == 1 else [(0, index)]
    elif status == "none_safe":
        best = min(searched, key=lambda i: (searched[i], abs(i - (0 if low else last))))
        confirmed = not within(ws.paths)(p_exact(best))
    elif status == "all_safe" and index is not None:
        riskiest = last if index == 0 else 0
        confirmed = within(ws.paths)(p_exact(riskiest)) and within(ws.paths)(p_exact(index))
    else:
        confirmed = False
    if not confirmed or status == "all_safe":
        if not confirmed:
            # Search again, on every future (the coarse futures' shape did not hold).
            full_safe = yield from run(p_exact, exact, within(ws.paths))
            full_possible = yield from run(p_exact, exact, possible(ws.paths))
            status, direction, index, low = shape(exact, full_safe)
            coarse_possible = full_possible
            safe_ranges = full_safe
            best = None
        else:
            safe_ranges = [(0, last)]
        if index is not None:
            lo, hi = next(r for r in coarse_possible if r[0] <= index <= r[1])
            value_range_index = ((index, hi) if direction == "at_most" else (lo, index) if direction == "at_least"
                                 else (lo, hi))
    yield meter.at(_work(ws, coarse))
    if best is None:  # the safest value tried on every future
        if index is not None:
            p_exact(index)
        best = min(exact, key=lambda i: (exact[i], abs(i - (0 if low else last))))
    p_best = p_exact(best)

    def val(i: int) -> float:
        return round(prob.grid.value(i), 9)

    value = None if index is None else val(index)
    value_range: tuple[float | None, float | None] = (None, None)
    if value_range_index is not None:
        value_range = (val(value_range_index[0]), val(value_range_index[1]))
    p_value = None if index is None else p_exact(index)
    safe_scenario = None if index is None else prob.apply(index)
    scale = None if prob.grid.scale is None or index is None else prob.grid.scale(index)
    c = None if prob.contract is None else ws.scenario.contracts[prob.contract]
    return GoalSeek(
        input=name, key=prob.key, contract=prob.contract, contract_name=None if c is None else c.name,
        unit=unit_of(name), direction=direction, status=status,
        value=value, current_value=float(prob.grid.current),
        p_run_out_current=p_current, p_run_out_at_value=p_value,
        p_run_out_se_at_value=None if p_value is None else standard_error(p_value, ws.paths),
        best_value=val(best), p_run_out_best=p_best,
        search_low=prob.grid.value(0), search_high=prob.grid.value(last), step=prob.grid.step,
        value_range=value_range, risk_appetite=appetite,
        appetite_se=standard_error(appetite, ws.paths), paths=ws.paths,
        seed=ws.seed, evaluations=evaluations, scale=scale, safe_scenario=safe_scenario,
        safe_ranges=tuple((val(lo), val(hi)) for lo, hi in (safe_ranges or [])),
        item=_stage_name(c, name))


def side_by_side(p: Callable[[int], float]) -> Callable[[list[int]], list[float]]:
    """Several evaluations at once, on the decision tools' threads (numpy's draws and array
    passes release the interpreter's lock, so both cores work)."""
    return lambda indices: list(decision_pool().map(p, indices))


def _work(ws: Workspace, coarse: Workspace) -> int:
    return ws.block_simulations + (coarse.block_simulations if coarse is not ws else 0)


def _stage_name(c: Contract | None, name: str) -> str | None:
    stage = stage_input(name)
    return None if c is None or stage is None else c.outcome_payments[stage[0]].name


def _nearest(prob: _Problem, x: float) -> int:
    """The grid index whose value is nearest x (the scenario's own may lie off the grid)."""
    return min(range(prob.grid.last + 1), key=lambda i: abs(prob.grid.value(i) - x))


def resolve_targets(s: Scenario, targets: Sequence[str] | None, contract: int) -> tuple[str, ...]:
    if targets is None:  # every input the contract's payment mode reads
        # (an overdraft's interest only when it costs some: at 0% it is not a term in play)
        own = tuple(n for n in ORGANISATION_INPUTS
                    if n != "overdraft_interest_per_year" or s.organisation.overdraft_interest_per_year > 0)
        targets = (contract_inputs(s.contracts[contract]) + own if 0 <= contract < len(s.contracts) else own)
    targets = tuple(targets)
    for name in targets:
        if name not in SOLVABLE and stage_input(name) is None:
            raise ValueError(f"cannot solve for {name!r}; choose from {', '.join(SOLVABLE)} "
                             "or a stage's outcome_payments[N].price or .rate")
    if any(is_contract_input(t) for t in targets) and not 0 <= contract < len(s.contracts):
        raise ValueError(f"contract: no contract {contract} (the scenario has {len(s.contracts)})")
    for name in targets:
        stage = stage_input(name)
        if stage is not None and stage[0] >= len(s.contracts[contract].outcome_payments):
            raise ValueError(f"{name}: contract {contract} has {len(s.contracts[contract].outcome_payments)} stages")
    return targets


def goal_work(s: Scenario, targets: Sequence[str], blocks: int) -> int:
    """Block simulations the goal seeks need after the Workspace is built (for progress)."""
    coarse = blocks * BLOCK >= 2 * COARSE_PATHS  # a search on the first futures (coarse_workspace)
    work = blocks + (len(s.contracts) + 1 if coarse else 0) if any(is_contract_input(t) for t in targets) else 0
    each = _REFERRAL_EVALUATIONS + _CONFIRMING * blocks if coarse else _REFERRAL_EVALUATIONS * blocks
    return work + each * sum(t in _REBUILDING for t in targets)


# The search runs on the full run's own first 2,500 futures (a Workspace of that many draws
# the same numbers as the first futures of any longer run: each stream is drawn in order),
# then its answer is confirmed on every future.  At 20,000 futures a search on 5,000 gave
# every answer of the example within one grid step of the full one (issue 27); on 2,500,
# the example's, the Work Programme's and the Fair Chance Fund's answers once confirmed
# were those of 5,000, for three quarters of the CPU.
COARSE_PATHS = BLOCK // 2


def coarse_workspace(ws: Workspace) -> Generator[None, None, Workspace]:
    """The Workspace's first COARSE_PATHS futures as a Workspace of their own (built), or the
    Workspace itself when it has fewer than twice as many."""
    if ws.paths < 2 * COARSE_PATHS:
        return ws
    return (yield from Workspace(ws.scenario, COARSE_PATHS, ws.seed).build_steps())


def solve_on(ws: Workspace, targets: Sequence[str], contract: int, appetite: float,
             meter: Meter) -> Generator[Progress, None, Solutions]:
    """Goal seeks on a built Workspace (so that it can share its futures with sensitivity)."""
    p = float(ws.run_out().mean())
    coarse = yield from drive(coarse_workspace(ws), lambda _: meter.at(ws.block_simulations))
    p_coarse = p if coarse is ws else float(coarse.run_out().mean())
    goals = []
    for name in targets:
        goal = yield from _solve_one(ws, coarse, name, contract, appetite, p, p_coarse, meter)
        goals.append(goal)
    uses_contract = any(is_contract_input(t) for t in targets)
    return Solutions(ws.scenario.name, ws.paths, ws.seed, appetite, p, standard_error(p, ws.paths),
                     contract if uses_contract else None, tuple(goals))


def solve_steps(s: Scenario, targets: Sequence[str] | None = None, contract: int = 0,
                paths: int | None = None, seed: int | None = None,
                appetite: float | None = None) -> Generator[Progress, None, Solutions]:
    """Yield Progress(done, total) between steps; return the Solutions."""
    targets = resolve_targets(s, targets, contract)
    return (yield from workspace_steps(
        s, paths, seed, appetite, lambda ws: goal_work(s, targets, len(ws.blocks)),
        lambda ws, appetite, meter: solve_on(ws, targets, contract, appetite, meter)))


def solve(s: Scenario, targets: Sequence[str] | None = None, contract: int = 0,
          paths: int | None = None, seed: int | None = None, appetite: float | None = None,
          progress: ProgressCallback | None = None, cancelled: CancelledCallback | None = None) -> Solutions:
    """Goal seek each input in ``targets`` (default: all of SOLVABLE) for contract ``contract``."""
    return run_steps(solve_steps(s, targets, contract, paths, seed, appetite), progress, cancelled)


def goal_seek(s: Scenario, target: str, contract: int = 0, paths: int | None = None,
              seed: int | None = None, appetite: float | None = None,
              progress: ProgressCallback | None = None, cancelled: CancelledCallback | None = None) -> GoalSeek:
    """One input's boundary (see solve)."""
    return solve(s, [target], contract, paths, seed, appetite, progress, cancelled).goals[0]



# ------------------------------------------------- what the organisation needs anyway (issue 25)

MONEY_TERMS = ("overdraft_facility", "opening_reserves")


@dataclass(frozen=True)
class MoneyAnswer:
    """The least whole-pound value of one money term that keeps the chance of running out
    within the appetite (the one verdict rule), on given futures: ``value`` (None when none
    does, or the appetite is 0%), the chance there, and the Monte Carlo range: from the least
    value the futures cannot tell apart from safe (not above the appetite) to ``value``."""

    value: float | None
    p_run_out_at_value: float | None
    value_range: tuple[float | None, float | None]


@dataclass(frozen=True)
class MoneyNeed:
    """One money term the organisation needs for the appetite without its contracts
    (``without``: what it needs anyway) and with them (``with_contracts``), on the same
    futures; ``contract_adds`` is the difference (negative: the contracts take some off).
    ``status``: "found", or "unprovable" for an appetite of 0% (no number of futures can
    show that a chance is nothing)."""

    input: str
    current_value: float
    without: MoneyAnswer
    with_contracts: MoneyAnswer
    status: str
    risk_appetite: float
    paths: int

    @property
    def contract_adds(self) -> float | None:
        if self.without.value is None or self.with_contracts.value is None:
            return None
        return self.with_contracts.value - self.without.value

    def to_json_dict(self) -> dict[str, Any]:
        return {"input": self.input, "current_value": self.current_value, "status": self.status,
                "risk_appetite": self.risk_appetite, "paths": self.paths,
                "without": {"value": self.without.value, "p_run_out_at_value": self.without.p_run_out_at_value,
                            "value_range": list(self.without.value_range)},
                "with_contracts": {"value": self.with_contracts.value,
                                   "p_run_out_at_value": self.with_contracts.p_run_out_at_value,
                                   "value_range": list(self.with_contracts.value_range)},
                "contract_adds": self.contract_adds}


def money_answer(deficit: np.ndarray, paths: int, appetite: float) -> MoneyAnswer:
    """The least whole pound v >= 0 at which the share of futures whose ``deficit`` (the
    money each future is short of staying in funds at a value of 0) is at least v and half a
    penny is within the appetite; from the sorted deficits, analytically (every share the
    futures can give is tried once: the whole pound just above each deficit)."""
    d = np.sort(np.asarray(deficit, dtype=float))
    candidates = np.unique(np.concatenate([[0.0], np.maximum(0.0, np.floor(d - HALF_PENNY) + 1)]))
    counts = d.size - np.searchsorted(d, candidates + HALF_PENNY, side="left")
    judged = {int(k): verdict(k / paths, standard_error(k / paths, paths), appetite) for k in np.unique(counts)}
    within = [i for i, k in enumerate(counts) if judged[int(k)] is Verdict.WITHIN]
    possible = [i for i, k in enumerate(counts) if judged[int(k)] is not Verdict.ABOVE]
    if not within:
        return MoneyAnswer(None, None, (None, None))
    i = within[0]
    lo = min(j for j in possible if j <= i)
    return MoneyAnswer(float(candidates[i]), float(counts[i]) / paths, (float(candidates[lo]), float(candidates[i])))


def baseline_lowest_before_opening(ws: Workspace) -> np.ndarray:
    """(paths,) each future's lowest closing balance less the opening reserves without the
    contracts, on the Workspace's futures (``Workspace.lowest_before_opening`` without them)."""
    org = ws.scenario.organisation
    out = np.empty(ws.paths)
    for pos, (_, first, n) in enumerate(ws.blocks):
        balances = ws._charged(org, ws._org_cumulative(org, pos))  # the Workspace's own futures
        out[first:first + n] = balances.min(axis=1) - org.opening_reserves
    return out


def reserves_run_out(ws: Workspace, reserves: float, with_contracts: bool) -> float:
    """The chance of running out with other opening reserves, on the Workspace's futures,
    interest charged afresh on the balances they give (with the contracts or without)."""
    org = replace(ws.scenario.organisation, opening_reserves=reserves)
    if with_contracts:
        return float(ws.run_out(org).mean())
    out = 0
    for pos in range(len(ws.blocks)):
        balances = ws._charged(org, ws._org_cumulative(org, pos))  # the Workspace's own futures
        out += int(np.count_nonzero(below(balances.min(axis=1), -org.overdraft_facility)))
    return out / ws.paths


def exact_reserves(ws: Workspace, appetite: float, guess: MoneyAnswer, with_contracts: bool) -> MoneyAnswer:
    """With overdraft interest: the least whole pound of opening reserves within the appetite
    and its Monte Carlo range, each value simulated (charged) afresh, searched from the
    analytic ``guess`` (exact only at today's reserves: other reserves are charged other
    interest)."""
    if guess.value is None:
        return guess
    known: dict[int, float] = {}

    def p(i: int) -> float:
        if i not in known:
            known[i] = reserves_run_out(ws, float(i), with_contracts)
        return known[i]

    def judged(q: float) -> Verdict:
        return verdict(q, standard_error(q, ws.paths), appetite)

    last = 2 * math.ceil(guess.value) + 10_000_000
    value = boundary(p, lambda q: judged(q) is Verdict.WITHIN, math.ceil(guess.value), 1, last)
    if value is None:
        return MoneyAnswer(None, None, (None, None))
    low_guess = guess.value_range[0] if guess.value_range[0] is not None else value
    low = boundary(p, lambda q: judged(q) is not Verdict.ABOVE, min(math.ceil(low_guess), value), 1, last)
    low = value if low is None else min(low, value)
    return MoneyAnswer(float(value), p(value), (float(low), float(value)))


def money_needs_on(ws: Workspace, appetite: float) -> tuple[MoneyNeed, ...]:
    """The overdraft facility and the opening reserves the organisation needs for the
    appetite without its contracts and with them, from the lowest balances of the same
    futures (analytic: no extra runs).  With overdraft interest other reserves are charged
    other interest, so the reserves' answers are searched from the analytic ones with each
    value simulated afresh (``exact_reserves``): the chance stated is the chance there."""
    org = ws.scenario.organisation
    lows = {"without": baseline_lowest_before_opening(ws), "with": ws.lowest_before_opening()}
    needs = []
    for name in MONEY_TERMS:
        answers = {}
        for which, lowest in lows.items():
            if name == "overdraft_facility":
                deficit = -(org.opening_reserves + lowest)  # runs out with facility f iff deficit >= f
            else:
                deficit = -(lowest + org.overdraft_facility)  # runs out with reserves R iff deficit >= R
            answers[which] = (MoneyAnswer(None, None, (None, None)) if appetite <= 0
                              else money_answer(deficit, ws.paths, appetite))
            if name == "opening_reserves" and org.overdraft_interest_per_year > 0:
                answers[which] = exact_reserves(ws, appetite, answers[which], which == "with")
        needs.append(MoneyNeed(name, float(getattr(org, name)), answers["without"], answers["with"],
                               "unprovable" if appetite <= 0 else "found", appetite, ws.paths))
    return tuple(needs)


def money_needs(s: Scenario, paths: int | None = None, seed: int | None = None,
                appetite: float | None = None) -> tuple[MoneyNeed, ...]:
    """``money_needs_on`` the scenario's futures (built once)."""
    from .workspace import resolve_run
    paths, seed, appetite = resolve_run(s, paths, seed, appetite)
    return money_needs_on(Workspace.build(s, paths, seed), appetite)

