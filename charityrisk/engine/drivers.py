"""``run_out_drivers`` (docs/model.md, section 5): what the futures that ran out had in common.

From the futures already run (no extra runs): one entry per once-per-future draw whose value
or outcome varies between futures, with the share of all futures on its bad side and the
share among those that ran out.  The engine's ``FutureDraws`` records each draw of a block
as it is made (``record``); this module says which draws are entries, in file order, and
where each one's bad side is.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..model.scenario import Scenario, Uncertain
from . import sampling

WORST_QUARTER = 0.25  # a value's bad side is beyond the edge of its worst quarter


@dataclass(frozen=True)
class DriverInput:
    """One entry: the draw it reads (FutureDraws' record key) and its bad side."""

    input: str  # key path with 0-based positions, as in error messages
    kind: str  # "value" or "event"
    key: tuple[int, ...]  # (owner, quantity, *key), as FutureDraws records it
    threshold: float | None = None  # values: the edge of the worst quarter
    cost_like: bool = False  # values: bad above the threshold (else below)
    bad_if: bool = True  # events: the recorded outcome that is the bad side


def _value(path: str, u: Uncertain, key: tuple[int, ...], cost_like: bool = False) -> list[DriverInput]:
    """An uncertain value's entry if it varies (low < high): its threshold is the beta-PERT's
    own 25th percentile (income-like) or 75th (cost-like), not a percentile of the futures."""
    if not u.low < u.high:
        return []
    edge = 1 - WORST_QUARTER if cost_like else WORST_QUARTER
    threshold = float(sampling.pert_quantile(u, np.array([edge]))[0])
    return [DriverInput(path, "value", key, threshold, cost_like)]


def _event(path: str, probability: float, key: tuple[int, ...], bad_if: bool) -> list[DriverInput]:
    if not 0 < probability < 1:
        return []
    return [DriverInput(path, "event", key, bad_if=bad_if)]


def driver_inputs(s: Scenario) -> list[DriverInput]:
    """The entries, in file order: other income, budget lines in order (amount or scale,
    then probability), contracts in order (referrals_per_month, p_no_referrals, success_rate
    or each stage's rate, late_payment).  Keys a contract's payment mode does not use are
    left out."""
    org = s.organisation
    out = _value("organisation.monthly_other_income", org.monthly_other_income, (0, sampling.ORG_INCOME))
    for i, (line, key) in enumerate(zip(org.budget, sampling.budget_line_keys(org.budget))):
        cost = line.kind == "cost"
        path = f"organisation.budget[{i}]"
        base = (0, sampling.BUDGET_LINE, *key)
        if line.monthly_amounts is None:
            out += _value(f"{path}.amount", line.amount, (*base, sampling.LINE_AMOUNT), cost)
        else:
            out += _value(f"{path}.scale", line.scale, (*base, sampling.LINE_AMOUNT), cost)
        # Recorded as "happens": the bad side is an income line that does not come, a cost
        # line that falls due.
        out += _event(f"{path}.probability", line.probability, (*base, sampling.LINE_HAPPENS), bad_if=cost)
    for i, c in enumerate(s.contracts):
        owner = sampling.contract_owner(c, i)
        path = f"contracts[{i}]"
        out += _value(f"{path}.referrals_per_month", c.referrals_per_month, (owner, sampling.REFERRAL_RATE))
        out += _event(f"{path}.p_no_referrals", c.p_no_referrals, (owner, sampling.NO_REFERRALS), True)
        if c.payment_mode == "rate_card":
            for k, stage in enumerate(c.outcome_payments):
                out += _value(f"{path}.outcome_payments[{k}].rate", stage.rate, (owner, sampling.STAGE_RATE, k))
        else:
            out += _value(f"{path}.success_rate", c.success_rate, (owner, sampling.SUCCESS_RATE))
        out += _event(f"{path}.late_payment", c.late_payment.probability, (owner, sampling.LATE), True)
    return out


def bad_sides(inputs: list[DriverInput], recorded: dict[tuple[int, ...], np.ndarray], n: int) -> np.ndarray:
    """(entries, futures) True where a future's draw is on the entry's bad side: a value
    strictly beyond its threshold, an event's bad outcome."""
    out = np.empty((len(inputs), n), dtype=bool)
    for row, d in enumerate(inputs):
        drawn = recorded[d.key]
        if d.kind == "event":
            out[row] = drawn if d.bad_if else ~drawn
        elif d.cost_like:
            out[row] = drawn > d.threshold
        else:
            out[row] = drawn < d.threshold
    return out


def summarise_drivers(inputs: list[DriverInput], bad: np.ndarray, bad_run_out: np.ndarray, paths: int,
                      runs_out: int) -> list[dict[str, Any]]:
    """The entries as reported: input, kind, threshold (values), share_all, share_run_out
    (None when no future ran out), sorted by share_run_out - share_all, largest first (a
    None counting as 0), ties in file order."""
    rows = []
    for d, all_count, out_count in zip(inputs, bad.tolist(), bad_run_out.tolist()):
        entry: dict[str, Any] = {"input": d.input, "kind": d.kind}
        if d.kind == "value":
            entry["threshold"] = d.threshold
        entry["share_all"] = all_count / paths
        entry["share_run_out"] = out_count / runs_out if runs_out else None
        rows.append(entry)
    return sorted(rows, key=lambda e: -((e["share_run_out"] or 0.0) - e["share_all"]))  # stable: file order
