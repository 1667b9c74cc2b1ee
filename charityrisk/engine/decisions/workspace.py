"""A prepared run of one scenario whose draws are kept, so that variants cost little.

Comparing, ranking inputs and goal seeking all ask "what is the chance of running out if
this one input were different?" many times, on the same futures (common random numbers:
the engine keys every random stream by block, contract and quantity, so a variant of one
input redraws nothing else).  The Workspace keeps, for each block of futures, what does not
change between such variants, and evaluates a variant as cheaply as its input allows:

- opening reserves and the overdraft facility only move the line a balance is compared
  with: one sort of each future's lowest balance answers every value at once;
- other income and core costs are a straight line per future: no contract is re-simulated;
- a contract's price, share at risk, fee and outcome lags and its costs enter its cash flow
  linearly (or as a shift in time) once its random draws are fixed, so the contract is
  simulated twice at unit terms (``_LinearContract``) and any terms are then a few array
  operations;
- anything else (referrals, success rate, the chance of no referrals, cohorts, targets,
  late payment) re-simulates that one contract with the engine's own ``contract_flows`` on
  the same streams, reusing everything else.

Every evaluation returns which futures run out, identical (up to float rounding) to what
``engine.simulate`` reports for the changed scenario with the same paths and seed.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Generator

import numpy as np

from ...model.scenario import Contract, Organisation, Scenario
from .. import sampling
from ..cashflow import contract_flows
from ..simulate import BLOCK

# Each block keeps a few (futures x horizon) arrays; this bounds their memory (about
# 100,000 x 120 x 8 bytes = 96 MB each).  The simulation itself allows more futures.
MAX_DECISION_PATHS = 100_000


def check_run(paths: int, seed: int) -> None:
    if isinstance(paths, bool) or not isinstance(paths, (int, np.integer)) or paths < 1:
        raise ValueError(f"paths: must be a whole number of at least 1 (got {paths!r})")
    if paths > MAX_DECISION_PATHS:
        raise ValueError(f"paths: the decision tools use at most {MAX_DECISION_PATHS:,} futures "
                         f"(got {paths:,})")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed: must be a whole number, 0 or more (got {seed!r})")


def shift_months(cum: np.ndarray, months: int) -> np.ndarray:
    """A cumulative (futures, horizon) cash flow moved ``months`` later; what moves past the
    horizon drops out, as the engine drops payments due after it."""
    if months == 0:
        return cum
    out = np.zeros_like(cum)
    if months < cum.shape[1]:
        out[:, months:] = cum[:, :cum.shape[1] - months]
    return out


@dataclass(frozen=True, eq=False)
class _LinearContract:
    """One contract in one block at unit terms, as cumulative (futures, horizon) arrays.

    With the random draws fixed, the contract's cumulative net cash by month is
    price x (fee_share x fee(fee lag) + share_at_risk x outcome(outcome lag))
    - fixed_monthly_cost x work - cost_per_referral x referrals,
    where fee_share is 1 - share_at_risk (1 under clawback).
    """

    fee: np.ndarray  # fees at price 1 and fee lag 0 (late payment included)
    outcome: np.ndarray  # outcome payments at A = 1 and outcome lag 0 (clawbacks negative)
    referrals: np.ndarray  # referrals worked within the horizon
    work: np.ndarray  # (horizon,) contract months within the horizon

    def cumulative(self, c: Contract) -> np.ndarray:
        fee_share = 1.0 if c.payment_mode == "clawback" else 1.0 - c.share_at_risk
        receipts = shift_months(self.fee, c.fee_lag_months) * (c.price_per_referral * fee_share)
        if c.share_at_risk:
            receipts += shift_months(self.outcome, c.outcome_lag_months) * c.amount_at_risk
        return receipts - c.fixed_monthly_cost * self.work - c.cost_per_referral * self.referrals


# Terms the linear form covers; any other change re-simulates the contract.
LINEAR_TERMS = frozenset({"price_per_referral", "share_at_risk", "fee_lag_months",
                          "outcome_lag_months", "cost_per_referral", "fixed_monthly_cost"})


def _unit_terms(c: Contract, share: float) -> Contract:
    return replace(c, price_per_referral=1.0, share_at_risk=share, fee_lag_months=0,
                   outcome_lag_months=0, cost_per_referral=0.0, fixed_monthly_cost=0.0)


def _cumulative_flows(c: Contract, index: int, n: int, horizon: int, seed: int, block: int) -> np.ndarray:
    flows = contract_flows(c, index, n, horizon, seed, block)
    return np.cumsum(flows.receipts - flows.costs, axis=1)


class Workspace:
    """The base scenario's futures, block by block, ready for cheap variants.

    Build it with ``Workspace.steps(scenario, paths, seed)`` (a generator yielding after
    each block, returning the Workspace) or ``Workspace.build(...)``.  Not thread-safe:
    use one Workspace on one thread.
    """

    def __init__(self, s: Scenario, paths: int, seed: int):
        check_run(paths, seed)
        self.scenario = s
        self.paths = int(paths)
        self.seed = int(seed)
        self.horizon = s.horizon_months
        self.blocks = [(b, first, min(BLOCK, paths - first)) for b, first in enumerate(range(0, paths, BLOCK))]
        self._month = np.arange(1, self.horizon + 1, dtype=float)
        self._income: list[np.ndarray] = []  # per block, (n,) other income per month
        self._contracts: list[np.ndarray] = []  # per block, (n, horizon) all contracts, cumulative
        self._others: tuple[int, list[np.ndarray]] | None = None  # all contracts but one
        self._linear: tuple[int, list[_LinearContract]] | None = None  # one contract at a time
        self.block_simulations = 0  # contract simulations of one block: the unit of work

    # ------------------------------------------------------------------ building

    @classmethod
    def steps(cls, s: Scenario, paths: int, seed: int) -> Generator[None, None, "Workspace"]:
        ws = cls(s, paths, seed)
        for block, _, n in ws.blocks:
            ws._income.append(ws._draw_income(s.organisation, block, n))
            total = np.zeros((n, ws.horizon))
            for i, c in enumerate(s.contracts):
                total += _cumulative_flows(c, i, n, ws.horizon, seed, block)
                ws.block_simulations += 1
                yield None
            ws._contracts.append(total)
            if not s.contracts:
                yield None
        return ws

    @classmethod
    def build(cls, s: Scenario, paths: int, seed: int) -> "Workspace":
        steps = cls.steps(s, paths, seed)
        while True:
            try:
                next(steps)
            except StopIteration as done:
                return done.value

    def linear_steps(self, index: int) -> Generator[None, None, None]:
        """Prepare contract ``index`` for cheap changes of its linear terms (two contract
        simulations per block); also sets the sum of the other contracts aside."""
        if self._linear is not None and self._linear[0] == index:
            return
        self._linear = self._others = None  # one contract's arrays at a time bounds memory
        c = self.scenario.contracts[index]
        blocks = []
        others = []
        for (block, _, n), total in zip(self.blocks, self._contracts):
            fee_only = contract_flows(_unit_terms(c, 0.0), index, n, self.horizon, self.seed, block)
            with_outcome = contract_flows(_unit_terms(c, 1.0), index, n, self.horizon, self.seed, block)
            self.block_simulations += 2
            fee = np.cumsum(fee_only.receipts, axis=1)
            outcome = np.cumsum(with_outcome.receipts, axis=1)
            if c.payment_mode == "clawback":  # at share 1 the fee is still the full price
                outcome -= fee
            referrals = np.zeros((n, self.horizon))
            work = np.zeros(self.horizon)
            months = c.start_month - 1 + np.arange(c.duration_months)
            inside = np.flatnonzero(months < self.horizon)
            referrals[:, months[inside]] = fee_only.referrals[:, inside]
            work[months[inside]] = 1.0
            linear = _LinearContract(fee, outcome, np.cumsum(referrals, axis=1), np.cumsum(work))
            blocks.append(linear)
            others.append(total - linear.cumulative(c) if len(self.scenario.contracts) > 1
                          else np.zeros_like(total))
            yield None
        self._linear = (index, blocks)
        self._others = (index, others)

    def prepare_contract(self, index: int) -> None:
        for _ in self.linear_steps(index):
            pass

    # --------------------------------------------------------------- evaluating

    def _draw_income(self, org: Organisation, block: int, n: int) -> np.ndarray:
        return sampling.pert(sampling.stream(self.seed, block, 0, sampling.ORG_INCOME),
                             org.monthly_other_income, n)

    def _org_cumulative(self, org: Organisation, block_pos: int) -> np.ndarray:
        block, _, n = self.blocks[block_pos]
        if org.monthly_other_income == self.scenario.organisation.monthly_other_income:
            income = self._income[block_pos]
        else:
            income = self._draw_income(org, block, n)
        return org.opening_reserves + np.outer(income - org.monthly_core_costs, self._month)

    def _run_out(self, org: Organisation, contracts_cum) -> np.ndarray:
        out = np.empty(self.paths, dtype=bool)
        for pos, (_, first, n) in enumerate(self.blocks):
            balances = self._org_cumulative(org, pos) + contracts_cum(pos)
            out[first:first + n] = balances.min(axis=1) < -org.overdraft_facility
        return out

    def run_out(self, org: Organisation | None = None) -> np.ndarray:
        """(paths,) True where the future runs out, the contracts as in the base scenario."""
        org = self.scenario.organisation if org is None else org
        return self._run_out(org, lambda pos: self._contracts[pos])

    def run_out_contract(self, index: int, c: Contract, org: Organisation | None = None) -> np.ndarray:
        """Futures that run out with contract ``index`` replaced by ``c`` (same draws)."""
        org = self.scenario.organisation if org is None else org
        base = self.scenario.contracts[index]
        if c == base:
            return self.run_out(org)
        self.prepare_contract(index)
        others = self._others[1]
        if self.linear_change(base, c):
            linear = self._linear[1]
            return self._run_out(org, lambda pos: others[pos] + linear[pos].cumulative(c))

        def fresh(pos: int) -> np.ndarray:
            block, _, n = self.blocks[pos]
            self.block_simulations += 1
            return others[pos] + _cumulative_flows(c, index, n, self.horizon, self.seed, block)
        return self._run_out(org, fresh)

    @staticmethod
    def linear_change(base: Contract, c: Contract) -> bool:
        return all(getattr(base, f) == getattr(c, f) for f in Contract.__dataclass_fields__
                   if f not in LINEAR_TERMS and f != "extra")

    def lowest_before_opening(self) -> np.ndarray:
        """(paths,) each future's lowest balance less the opening reserves: the lowest
        balance for any opening reserves R is R plus this."""
        org = self.scenario.organisation
        out = np.empty(self.paths)
        for pos, (_, first, n) in enumerate(self.blocks):
            balances = self._org_cumulative(org, pos) - org.opening_reserves + self._contracts[pos]
            out[first:first + n] = balances.min(axis=1)
        return out
