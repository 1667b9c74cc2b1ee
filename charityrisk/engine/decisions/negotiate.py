"""Two levers at once: the chance of running out over a grid of two negotiable terms, and,
where no combination is safe, which risk input holds the risk up.

The goal seek answers one input at a time; a negotiation trades two ("at most 10% at risk
with a £10,000 overdraft, or 5% at risk with none").  The grid:

- levers and their ranges come from the field table (``FieldSpec.lever``): which inputs are
  terms to negotiate, from where to where the grid runs, and which way is "cheaper" (asks
  less of the prime, the bank or the charity);
- every cell is evaluated on the same futures (a ``Workspace``: common random numbers), so
  the risk moves with the terms, not with the noise of fresh draws; an overdraft or opening
  reserves only move the line each future's lowest balance is compared with, so a whole
  column of them costs one contract evaluation;
- each cell is judged by the one verdict (``engine.verdict``); the safe region is the cells
  "within" the appetite, and the cheapest safe combinations are those no other safe cell
  beats on both terms (the Pareto front, by the levers' "cheaper" direction).

"What holds the risk up" (``risk_floor``): where even the grid's safest cell is not within
the appetite, that cell's scenario is run again with each risk input (field table
``benign``: the chance of no referrals, of late payment, a budget line that may not come,
the spread of a guess, bad surprises coming together) set to its value without the risk,
on the same futures; the input whose removal brings the risk down most is the one that
holds it up.  It takes any scenario, so the goal seek's "even at 0% it is 5.2%" can use it
too.
"""
from __future__ import annotations

import math
import re
from collections.abc import Generator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ...model.fields import FieldSpec, decision_unit, lever_names, risk_inputs, spec, spec_of
from ...model.scenario import Contract, Organisation, Scenario, Uncertain
from ..simulate import Progress, below
from ..verdict import Verdict, verdict
from .common import (
    CancelledCallback,
    Meter,
    ProgressCallback,
    applies,
    decision_steps,
    progress_during,
    run_steps,
    standard_error,
)
from .workspace import Workspace, _LinearContract, check_run, linear_change

CONTRACT_LEVERS = lever_names("contracts[]")
ORGANISATION_LEVERS = lever_names("organisation")
LEVERS = tuple(sorted(CONTRACT_LEVERS + ORGANISATION_LEVERS,
                      key=lambda n: spec_of("contracts[]" if n in CONTRACT_LEVERS else "organisation", n)
                      .lever.order))  # type: ignore[union-attr]
# The grid is small on purpose: it is read by people, cell by cell, and a 7 x 7 grid of
# cheap evaluations on a few thousand futures answers in about a second.
MAX_POINTS = 7
NEGOTIATION_PATHS = 5_000
# Round steps of each unit, smallest first: the grid uses the smallest that covers its range
# in at most MAX_POINTS values.
_STEPS = {
    "share": (0.01, 0.02, 0.05, 0.1, 0.2, 0.25),
    "months": (1, 2, 3, 4, 6, 12, 24, 48),
    "referrals": tuple(m * 10.0 ** e for e in range(-1, 7) for m in (1, 2, 5)),
    "money": tuple(m * 10.0 ** e for e in range(2, 11) for m in (1, 2, 2.5, 5)),
}


# Levers of a list's items, one per item: each rate-card stage's price, each budget line's
# scale (a line with a monthly pattern), named by the item's place ("outcome_payments[1].price").
ITEM_LISTS = {"outcome_payments": "contracts[]", "budget": "organisation"}
ITEM_LEVERS = {name: tuple(lever_names(f"{owner}.{name}[]")) for name, owner in ITEM_LISTS.items()}
_ITEM = re.compile(r"(\w+)\[(\d+)\]\.(\w+)")


def item_lever(name: str) -> tuple[str, int, str] | None:
    """(list, index, key) for an item's lever ("budget[2].scale"), else None."""
    found = _ITEM.fullmatch(name)
    if found is None or found.group(3) not in ITEM_LEVERS.get(found.group(1), ()):
        return None
    return found.group(1), int(found.group(2)), found.group(3)


def is_contract_lever(name: str) -> bool:
    item = item_lever(name)
    return name in CONTRACT_LEVERS or (item is not None and ITEM_LISTS[item[0]] == "contracts[]")


def owner_of(name: str) -> str:
    if name in CONTRACT_LEVERS:
        return "contracts[]"
    if name in ORGANISATION_LEVERS:
        return "organisation"
    item = item_lever(name)
    if item is not None:
        return ITEM_LISTS[item[0]]
    raise ValueError(f"levers: {name!r} is not a term the grid can vary; choose from {', '.join(LEVERS)}, "
                     "or a stage's outcome_payments[N].price or a budget line's budget[N].scale")


def lever_spec(name: str) -> FieldSpec:
    """A lever's row of the field table (an item's lever: its list's row)."""
    found = spec(f"{owner_of(name)}.{name}")
    assert found is not None and found.lever is not None, name
    return found


def item_levers(s: Scenario, contract: int) -> tuple[str, ...]:
    """The scenario's item levers: each stage's price of contract ``contract`` (a rate card)
    and each budget line's scale where the line has a monthly pattern."""
    names = []
    if 0 <= contract < len(s.contracts):
        names += [f"outcome_payments[{k}].{key}" for k in range(len(s.contracts[contract].outcome_payments))
                  for key in ITEM_LEVERS["outcome_payments"]]
    names += [f"budget[{k}].{key}" for k, line in enumerate(s.organisation.budget)
              if line.monthly_amounts is not None for key in ITEM_LEVERS["budget"]]
    return tuple(names)


@dataclass(frozen=True)
class LeverAxis:
    """One lever of the grid: its values, in increasing order, and the scenario's own."""

    input: str  # e.g. "share_at_risk", "overdraft_facility"
    key: str  # the file's key, e.g. "contracts[0].share_at_risk"
    contract: int | None
    unit: str  # "share", "months", "money", "referrals"
    cheaper: str  # "low" or "high": the direction that asks less
    values: tuple[float, ...]
    current: float

    def cost(self, value: float) -> float:
        """How much a value asks, to order values from cheapest (lower is cheaper)."""
        return -value if self.cheaper == "high" else value

    def to_json_dict(self) -> dict[str, Any]:
        return {"input": self.input, "key": self.key, "contract": self.contract, "unit": self.unit,
                "cheaper": self.cheaper, "values": list(self.values), "current": self.current}


@dataclass(frozen=True)
class RiskInput:
    """One risk input tried without its risk, at the grid's safest cell."""

    input: str  # e.g. "p_no_referrals", "late_payment.probability", "budget[].probability"
    key: str  # e.g. "contracts[0].p_no_referrals", "organisation.budget[1].probability"
    name: str  # the contract's or budget line's name ("" for the organisation or scenario)
    # "chance": value is the chance of the bad event (no referrals, late payment); "misses":
    # the chance an income line does not come; "happens": the chance a cost line falls;
    # "guess": value is (low, likely, high), narrowed to likely; "level": the correlation.
    kind: str
    value: Any
    p_without: float  # the chance of running out with this risk removed, same futures

    def to_json_dict(self) -> dict[str, Any]:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {"input": self.input, "key": self.key, "name": self.name, "kind": self.kind,
                "value": value, "p_without": self.p_without}


@dataclass(frozen=True, eq=False)
class Floor:
    """A scenario's chance of running out, and that chance with each risk input removed."""

    p_run_out: float
    risk_appetite: float
    paths: int
    seed: int
    tried: tuple[RiskInput, ...]  # lowest p_without first

    @property
    def holder(self) -> RiskInput | None:
        """The risk input whose removal brings the risk down most (None if none does)."""
        return self.tried[0] if self.tried and self.tried[0].p_without < self.p_run_out else None

    def verdict_without(self, r: RiskInput) -> Verdict:
        return verdict(r.p_without, standard_error(r.p_without, self.paths), self.risk_appetite)

    def to_json_dict(self) -> dict[str, Any]:
        holder = self.holder
        return {"p_run_out": self.p_run_out, "risk_appetite": self.risk_appetite, "paths": self.paths,
                "seed": self.seed, "holder": None if holder is None else holder.key,
                "tried": [r.to_json_dict() for r in self.tried]}


@dataclass(frozen=True, eq=False)
class Negotiation:
    """The chance of running out over a grid of two levers, on the same futures.

    ``p[i][j]`` is the chance with ``rows.values[i]`` and ``columns.values[j]`` (everything
    else as in the scenario).  ``cheapest``: the safe cells no other safe cell beats on both
    levers, cheapest row first.  ``floor``: when no cell is within the appetite, what holds
    the risk up at the safest cell (``best``)."""

    scenario_name: str
    paths: int
    seed: int
    risk_appetite: float
    p_run_out: float  # the scenario as it is
    rows: LeverAxis
    columns: LeverAxis
    p: tuple[tuple[float, ...], ...]
    floor: Floor | None = None

    @property
    def appetite_se(self) -> float:
        """The Monte Carlo error of a chance near the appetite: the grid's precision."""
        return standard_error(self.risk_appetite, self.paths)

    @property
    def p_run_out_se(self) -> float:
        return standard_error(self.p_run_out, self.paths)

    @property
    def current_verdict(self) -> Verdict:
        return verdict(self.p_run_out, self.p_run_out_se, self.risk_appetite)

    def verdict(self, i: int, j: int) -> Verdict:
        p = self.p[i][j]
        return verdict(p, standard_error(p, self.paths), self.risk_appetite)

    def safe(self) -> np.ndarray:
        """(rows, columns) True where the cell is within the appetite."""
        return np.array([[self.verdict(i, j) is Verdict.WITHIN for j in range(len(self.columns.values))]
                         for i in range(len(self.rows.values))], dtype=bool)

    @property
    def best(self) -> tuple[int, int]:
        """The cell with the lowest chance (on a tie, the cheapest)."""
        cells = [(i, j) for i in range(len(self.rows.values)) for j in range(len(self.columns.values))]
        return min(cells, key=lambda c: (self.p[c[0]][c[1]], self._cost(c)))

    def _cost(self, cell: tuple[int, int]) -> tuple[float, float]:
        i, j = cell
        return self.rows.cost(self.rows.values[i]), self.columns.cost(self.columns.values[j])

    @property
    def cheapest(self) -> tuple[tuple[int, int], ...]:
        safe = self.safe()
        cells = [(int(i), int(j)) for i, j in zip(*np.nonzero(safe))]
        front = []
        for c in cells:
            a, b = self._cost(c)
            if not any((a2 <= a and b2 <= b) and (a2, b2) != (a, b)
                       for a2, b2 in (self._cost(d) for d in cells)):
                front.append(c)
        return tuple(sorted(front, key=lambda c: (self._cost(c)[0], self._cost(c)[1])))

    def holds_beyond(self, cell: tuple[int, int]) -> bool:
        """Whether every dearer value of the row lever, with the same column, is safe too
        (so the sentence may say "at most 10% at risk", not only "10% at risk")."""
        i, j = cell
        safe = self.safe()
        cost = self.rows.cost(self.rows.values[i])
        return all(safe[k, j] for k in range(len(self.rows.values)) if self.rows.cost(self.rows.values[k]) > cost)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario_name, "paths": self.paths, "seed": self.seed,
            "risk_appetite": self.risk_appetite, "appetite_se": self.appetite_se,
            "p_run_out": self.p_run_out, "current_verdict": self.current_verdict.value,
            "rows": self.rows.to_json_dict(), "columns": self.columns.to_json_dict(),
            "p_run_out_grid": [list(row) for row in self.p],
            "verdicts": [[self.verdict(i, j).value for j in range(len(self.columns.values))]
                         for i in range(len(self.rows.values))],
            "cheapest": [{"row": i, "column": j, self.rows.input: self.rows.values[i],
                          self.columns.input: self.columns.values[j], "p_run_out": self.p[i][j]}
                         for i, j in self.cheapest],
            "floor": None if self.floor is None else self.floor.to_json_dict(),
        }


# ------------------------------------------------------------------------- the grid

def round_values(lo: float, hi: float, unit: str, most: int = MAX_POINTS) -> tuple[float, ...]:
    """Values from lo in the smallest round step of the unit that reaches hi in at most
    ``most`` values (lo itself first; the last at or above hi)."""
    if hi <= lo:
        return (lo,)
    steps = _STEPS[unit]
    step = next((s for s in steps if math.ceil((hi - lo) / s - 1e-9) + 1 <= most), steps[-1])
    count = math.ceil((hi - lo) / step - 1e-9) + 1
    return tuple(round(lo + k * step, 9) for k in range(count))


def _contract_value(c: Contract, name: str) -> float:
    item = item_lever(name)
    if item is not None:
        return float(getattr(c.outcome_payments[item[1]], item[2]))
    if name == "pooled_target_success_rate" and c.pooled_target_success_rate is None:
        return float(c.target_success_rate)
    if name == "late_payment.months":
        return float(c.late_payment.months)
    if name == "fee_per_referral":  # a schedule is named by its first year's fee
        return float(c.fee_per_referral[0])
    return float(getattr(c, name))


def with_lever(c: Contract, name: str, value: float) -> Contract:
    """The contract with lever ``name`` at ``value`` (months as whole numbers)."""
    item = item_lever(name)
    if item is not None:
        stages = list(c.outcome_payments)
        stages[item[1]] = replace(stages[item[1]], **dict[str, Any]({item[2]: float(value)}))
        return replace(c, outcome_payments=tuple(stages))
    if name == "late_payment.months":
        return replace(c, late_payment=replace(c.late_payment, months=round(value)))
    if name == "fee_per_referral":
        # A schedule moves as a whole: every year's fee scaled as the first year's is (a
        # first year without a fee sets the one fee it then has).
        first = c.fee_per_referral[0]
        fees = (tuple(f * value / first for f in c.fee_per_referral) if first > 0
                else (float(value),) + c.fee_per_referral[1:])
        return replace(c, fee_per_referral=fees)
    if decision_unit(spec_of("contracts[]", name)) == "months":
        changes: dict[str, Any] = {name: round(value)}
    else:
        changes = {name: float(value)}
    return replace(c, **changes)


def _org_value(org: Organisation, name: str) -> float:
    item = item_lever(name)
    if item is not None:
        return float(org.budget[item[1]].scale.likely)
    return float(getattr(org, name))


def with_org_lever(org: Organisation, name: str, value: float) -> Organisation:
    """The organisation with lever ``name`` at ``value``: a budget line's scale moves its whole
    guess (low, likely and high scaled together), as the tornado's does."""
    item = item_lever(name)
    if item is None:
        return replace(org, **dict[str, Any]({name: float(value)}))
    line = org.budget[item[1]]
    u = line.scale
    scale = Uncertain.fixed(float(value)) if u.likely <= 0 else u.scaled(float(value) / u.likely)
    budget = list(org.budget)
    budget[item[1]] = replace(line, scale=scale)
    return replace(org, budget=tuple(budget))


def lowest_with(ws: Workspace, contract: int, c: Contract | None, charged: Organisation) -> np.ndarray:
    """(paths,) each future's lowest balance with contract ``contract`` as ``c`` (None: as it
    is) and the organisation as ``charged`` (its budget, reserves and interest), on the
    Workspace's futures: ``Workspace.lowest_contract`` where the budget is the scenario's;
    another budget is drawn from the same streams (the engine's)."""
    base = ws.scenario.organisation
    if charged.budget == base.budget:
        return ws.lowest_contract(contract, c, charged)
    other = replace(charged, opening_reserves=base.opening_reserves)
    shift = charged.opening_reserves - base.opening_reserves
    changed = c is not None and 0 <= contract < len(ws.scenario.contracts) and c != ws.scenario.contracts[contract]
    if changed:
        ws.prepare(contract)
    out = np.empty(ws.paths)
    for pos, (_, first, n) in enumerate(ws.blocks):
        own = ws._org_cumulative(other, pos)
        if changed:
            assert c is not None
            linear = ws._linear[pos]
            if not linear_change(ws.scenario.contracts[contract], c):
                ws.block_simulations += 1
                linear = _LinearContract.from_draws(c, ws._draws[pos], ws.horizon)
            own += ws._rest[pos] - ws._org_cumulative(base, pos) + linear.cumulative(c)
        else:
            own += ws._contracts[pos]
        own += shift
        out[first:first + n] = ws._charged(charged, own).min(axis=1)
    return out


def _needed_extra(ws: Workspace, appetite: float) -> float:
    """Extra money (overdraft or reserves) that alone brings the risk to half the appetite
    with the scenario's terms: the (1 - appetite / 2) quantile of the futures' shortfalls."""
    org = ws.scenario.organisation
    shortfall = -(org.opening_reserves + org.overdraft_facility + ws.lowest_before_opening())
    return max(0.0, float(np.quantile(shortfall, 1 - appetite / 2)))


def lever_axis(ws: Workspace, name: str, contract: int, appetite: float,
               values: Sequence[float] | None = None) -> LeverAxis:
    """A lever's grid from the field table's rule (or the given values)."""
    owner = owner_of(name)
    row = lever_spec(name)
    lever = row.lever
    assert lever is not None
    unit = decision_unit(row)
    s = ws.scenario
    cheaper = lever.cheaper
    item = item_lever(name)
    if owner == "organisation":
        current = _org_value(s.organisation, name)
        index, key = None, f"organisation.{name}"
        if item is not None and s.organisation.budget[item[1]].kind == "cost":
            cheaper = "high" if cheaper == "low" else "low"  # a cost cut asks more of the charity
    else:
        c = s.contracts[contract]
        current = _contract_value(c, name)
        index, key = contract, f"contracts[{contract}].{name}"
    if values is None:
        lo = 0.0 if lever.start == "zero" else current
        if lever.span == "current":
            hi = max(current, lever.least)
        elif lever.span == "relative":
            hi = current * lever.least
        elif lever.span == "needed":
            hi = current + _needed_extra(ws, appetite)
            if hi <= lo:  # already safe without more: show what giving some up would do
                hi = lo + max(abs(current), 1000.0)
        elif lever.span == "target":  # up to the contract's cohort target
            hi = float(s.contracts[contract].target_success_rate)
        else:  # "guess": up to the high guess of referrals
            hi = max(s.contracts[contract].referrals_per_month.high, lever.least)
        values = round_values(lo, hi, unit)
        if lever.span == "target":
            values = tuple(v for v in values if v <= hi)
            values = (*values, hi) if values[-1] < hi else values
        if values[0] <= current <= values[-1]:  # the terms as they are: a row to start from
            values = (*values, current)
    # a value the row does not allow (a pooled target of nothing) is not a term to offer
    values = tuple(sorted({float(v) for v in values
                           if not (row.lo_open and row.lo is not None and v <= row.lo)}))
    if not values:
        raise ValueError(f"levers: no values for {name}")
    return LeverAxis(name, key, index, unit, cheaper, values, current)


def resolve_levers(s: Scenario, levers: Sequence[str], contract: int) -> tuple[str, str]:
    levers = tuple(levers)
    if len(levers) != 2 or levers[0] == levers[1]:
        raise ValueError(f"levers: give two different terms (got {', '.join(levers) or 'none'})")
    for name in levers:
        owner_of(name)
    if any(is_contract_lever(n) for n in levers) and not 0 <= contract < len(s.contracts):
        raise ValueError(f"contract: no contract {contract} (the scenario has {len(s.contracts)})")
    for name in levers:
        item = item_lever(name)
        if item is not None and name not in item_levers(s, contract):
            where = (f"contract {contract} has {len(s.contracts[contract].outcome_payments)} stages"
                     if item[0] == "outcome_payments" else
                     f"the budget has no line {item[1]} with a monthly pattern")
            raise ValueError(f"levers: {name}: {where}")
        if is_contract_lever(name) and not applies(s.contracts[contract], name):
            raise ValueError(f"levers: {name} is not read by contract {contract}'s payment mode")
    return levers[0], levers[1]


def _applied(s: Scenario, contract: int, changes: dict[str, float]) -> Scenario:
    """The scenario with the levers' values."""
    org = s.organisation
    for name, value in changes.items():
        if not is_contract_lever(name):
            org = with_org_lever(org, name, value)
    if org != s.organisation:
        s = replace(s, organisation=org)
    terms = {k: v for k, v in changes.items() if is_contract_lever(k)}
    if terms:
        c = s.contracts[contract]
        for name, value in terms.items():
            c = with_lever(c, name, value)
        contracts = list(s.contracts)
        contracts[contract] = c
        s = replace(s, contracts=tuple(contracts))
    return s


def negotiate_steps(s: Scenario, levers: Sequence[str], contract: int = 0, paths: int | None = None,
                    seed: int | None = None, appetite: float | None = None,
                    values: dict[str, Sequence[float]] | None = None
                    ) -> Generator[Progress, None, Negotiation]:
    """Yield Progress(done, total) between steps; return the Negotiation.

    ``paths`` defaults to the scenario's, at most NEGOTIATION_PATHS (the grid is read cell
    by cell, and its Monte Carlo error is stated with it); ``values`` may fix a lever's
    values (by its name), else the field table's rule sets them."""
    from .workspace import resolve_run

    first, second = resolve_levers(s, levers, contract)
    paths = min(s.settings.paths, NEGOTIATION_PATHS) if paths is None else paths
    paths, seed, appetite = resolve_run(s, paths, seed, appetite)
    ws = Workspace(s, paths, seed)
    values = values or {}
    contract_levers = [n for n in (first, second) if is_contract_lever(n)]
    budget_levers = [n for n in (first, second) if not is_contract_lever(n) and item_lever(n) is not None]

    def body(meter: Meter) -> Generator[Progress, None, Negotiation]:
        yield from progress_during(ws.build_steps(), ws, meter)
        rows = lever_axis(ws, first, contract, appetite, values.get(first))
        cols = lever_axis(ws, second, contract, appetite, values.get(second))
        meter.total = max(meter.total, ws.block_simulations + len(rows.values) * len(cols.values))
        org = s.organisation
        both_terms = len(contract_levers) == 2
        # An overdraft or opening reserves only move the line each future's lowest balance
        # is compared with: one contract variant's lowest balances serve every such value.
        lowest_of: dict[tuple[Contract | None, Organisation], np.ndarray] = {}
        grid = np.empty((len(rows.values), len(cols.values)))
        done = 0
        for i, va in enumerate(rows.values):
            for j, vb in enumerate(cols.values):
                cell = {rows.input: va, cols.input: vb}
                c: Contract | None = None
                if contract_levers:
                    c = s.contracts[contract]
                    for name in contract_levers:
                        c = with_lever(c, name, cell[name])
                # Interest is charged on the balance, so another rate is another balance, and
                # with interest the balance is not the opening reserves plus the same sum
                # whatever they are: such cells get their own lowest balances.
                rate = cell.get("overdraft_interest_per_year", org.overdraft_interest_per_year)
                reserves = cell.get("opening_reserves", org.opening_reserves)
                start = reserves if rate > 0 else org.opening_reserves
                charged = replace(org, overdraft_interest_per_year=rate, opening_reserves=start)
                for name in budget_levers:
                    charged = with_org_lever(charged, name, cell[name])
                if (c, charged) in lowest_of:
                    lowest = lowest_of[(c, charged)]
                else:
                    lowest = lowest_with(ws, contract, c, charged)
                    if not both_terms:
                        lowest_of[(c, charged)] = lowest
                overdraft = cell.get("overdraft_facility", org.overdraft_facility)
                grid[i, j] = float(below(lowest + (reserves - start), -overdraft).mean())
                done += 1
                yield meter.at(ws.block_simulations + done)
        p_now = float(ws.run_out().mean())
        result = Negotiation(s.name, paths, seed, appetite, p_now, rows, cols,
                             tuple(tuple(float(x) for x in row) for row in grid))
        if not result.safe().any():
            i, j = result.best
            at = _applied(s, contract, {rows.input: rows.values[i], cols.input: cols.values[j]})
            floor = yield from drive_floor(at, paths, seed, appetite, meter)
            result = replace(result, floor=floor)
        return result

    work = ws.build_work() + MAX_POINTS * MAX_POINTS
    return (yield from decision_steps(work, body))


def negotiate(s: Scenario, levers: Sequence[str], contract: int = 0, paths: int | None = None,
              seed: int | None = None, appetite: float | None = None,
              values: dict[str, Sequence[float]] | None = None,
              progress: ProgressCallback | None = None, cancelled: CancelledCallback | None = None) -> Negotiation:
    """The grid of two levers (see negotiate_steps)."""
    return run_steps(negotiate_steps(s, levers, contract, paths, seed, appetite, values), progress, cancelled)


# --------------------------------------------------------------- what holds it up

def _benign_variants(s: Scenario) -> list[tuple[RiskInput, Scenario]]:
    """Each risk input that carries some risk in s, with s without it (p_without unset)."""
    out: list[tuple[RiskInput, Scenario]] = []
    for row in risk_inputs(""):
        value = getattr(s, row.name)
        if value != row.benign:
            out.append((RiskInput(row.name, row.name, "", "level", value, math.nan),
                        replace(s, **dict[str, Any]({row.name: row.benign}))))
    org = s.organisation
    for row in risk_inputs("organisation"):
        u = getattr(org, row.name)
        if isinstance(u, Uncertain) and not u.is_fixed:
            out.append((RiskInput(row.name, f"organisation.{row.name}", "", "guess", (u.low, u.likely, u.high),
                                  math.nan), s.with_organisation(**{row.name: Uncertain.fixed(u.likely)})))
    for k, line in enumerate(org.budget):
        sure = 1.0 if line.kind == "income" else 0.0
        if 0 < line.probability < 1:  # a line that surely comes (or never does) is no risk
            budget = list(org.budget)
            budget[k] = replace(line, probability=sure)
            bad = 1 - line.probability if line.kind == "income" else line.probability
            out.append((RiskInput("budget[].probability", f"organisation.budget[{k}].probability", line.name,
                                  "misses" if line.kind == "income" else "happens", bad, math.nan),
                        s.with_organisation(budget=tuple(budget))))
    for i, c in enumerate(s.contracts):
        for row in risk_inputs("contracts[]"):
            key = f"contracts[{i}].{row.name}"
            if row.name == "late_payment.probability":
                if c.late_payment.probability and c.late_payment.months:
                    out.append((RiskInput(row.name, key, c.name, "chance", c.late_payment.probability, math.nan),
                                s.with_contract(i, late_payment=replace(c.late_payment, probability=0.0))))
                continue
            value = getattr(c, row.name)
            if isinstance(value, Uncertain):
                if not value.is_fixed:
                    out.append((RiskInput(row.name, key, c.name, "guess", (value.low, value.likely, value.high),
                                          math.nan), s.with_contract(i, **{row.name: Uncertain.fixed(value.likely)})))
            elif value != row.benign:
                out.append((RiskInput(row.name, key, c.name, "chance", value, math.nan),
                            s.with_contract(i, **{row.name: row.benign})))
    return out


def drive_floor(s: Scenario, paths: int, seed: int, appetite: float, meter: Meter
                ) -> Generator[Progress, None, Floor]:
    """risk_floor's steps inside another run (its progress on ``meter``)."""
    variants = _benign_variants(s)
    blocks = math.ceil(paths / 5_000) * max(1, len(s.contracts))
    meter.total = max(meter.total, meter.done + blocks * (len(variants) + 1))
    done = meter.done

    def run_out(scenario: Scenario) -> Generator[Progress, None, float]:
        nonlocal done
        ws = Workspace(scenario, paths, seed)
        for _ in ws.build_steps():
            done += 1
            yield meter.at(done)
        return float(ws.run_out().mean())

    p = yield from run_out(s)
    tried = []
    for r, variant in variants:
        p_without = yield from run_out(variant)
        tried.append(replace(r, p_without=p_without))
    tried.sort(key=lambda r: (r.p_without, r.key))
    return Floor(p, appetite, paths, seed, tuple(tried))


def risk_floor_steps(s: Scenario, paths: int | None = None, seed: int | None = None,
                     appetite: float | None = None) -> Generator[Progress, None, Floor]:
    """What holds the risk up in s: its chance of running out, and that chance with each
    risk input removed in turn, on the same futures."""
    from .workspace import resolve_run

    paths = min(s.settings.paths, NEGOTIATION_PATHS) if paths is None else paths
    paths, seed, appetite = resolve_run(s, paths, seed, appetite)
    check_run(paths, seed)
    return (yield from decision_steps(1, lambda meter: drive_floor(s, paths, seed, appetite, meter)))


def risk_floor(s: Scenario, paths: int | None = None, seed: int | None = None, appetite: float | None = None,
               progress: ProgressCallback | None = None, cancelled: CancelledCallback | None = None) -> Floor:
    return run_steps(risk_floor_steps(s, paths, seed, appetite), progress, cancelled)
