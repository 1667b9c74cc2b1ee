"""What a run reports: the figures of docs/model.md plus what the app and report draw."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

PERCENTILES = (5, 25, 50, 75, 95)


@dataclass(frozen=True, eq=False)
class BaselineResults:
    """The organisation without its contracts, on the same futures (its own draws unchanged)."""

    p_run_out: float
    p_run_out_se: float
    p_run_out_by_month: np.ndarray  # (horizon,)
    p_below_floor: float
    working_capital_needed_95: float
    balance_percentiles: dict[str, np.ndarray]  # "5".."95" -> (horizon,)
    lowest_balance_percentiles: dict[str, float]
    mean_balance_by_month: np.ndarray  # (horizon,)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "p_run_out": self.p_run_out,
            "p_run_out_se": self.p_run_out_se,
            "p_run_out_by_month": [float(x) for x in self.p_run_out_by_month],
            "p_below_floor": self.p_below_floor,
            "working_capital_needed_95": self.working_capital_needed_95,
            "balance_percentiles": {k: [float(x) for x in v] for k, v in self.balance_percentiles.items()},
            "lowest_balance_percentiles": dict(self.lowest_balance_percentiles),
            "mean_balance_by_month": [float(x) for x in self.mean_balance_by_month],
        }


@dataclass(frozen=True, eq=False)
class Results:
    paths: int
    seed: int
    horizon_months: int
    p_run_out: float
    p_run_out_se: float
    p_run_out_by_month: np.ndarray  # (horizon,) cumulative share run out by each month's end
    p_below_floor: float
    balance_percentiles: dict[str, np.ndarray]  # "5".."95" -> (horizon,)
    lowest_balance_percentiles: dict[str, float]
    working_capital_needed_95: float
    expected_owed_after_horizon: float
    contract_names: tuple[str, ...]
    contract_margin: np.ndarray  # (contracts,) expected receipts less costs within the horizon
    run_out_month: np.ndarray = field(repr=False)  # (paths,) 1-based month, 0 = never
    lowest_balance: np.ndarray = field(repr=False)  # (paths,)
    balance_sample_paths: int = 0  # futures behind balance_percentiles: all of them
    mean_balance_by_month: np.ndarray | None = None  # (horizon,) average closing balance
    # "income", "costs", "contract_receipts", "contract_costs" -> (horizon,) average of each
    # month's flow, costs as positive amounts: opening reserves + cumsum(income - costs +
    # contract_receipts - contract_costs) is mean_balance_by_month
    mean_flows_by_month: dict[str, np.ndarray] | None = None
    baseline: BaselineResults | None = None  # without the contracts, same futures
    # The 95% (Wilson) interval of p_run_out, and the half-width asked for (a run with
    # precision on demand) or None (a run of a set number of futures).
    p_run_out_interval: tuple[float, float] | None = None
    precision_wanted: float | None = None
    # Version 3: what the futures that ran out had in common (engine.drivers): each entry
    # input, kind, threshold (values), share_all, share_run_out (None when none ran out),
    # sorted by share_run_out - share_all, largest first.
    run_out_drivers: list[dict[str, Any]] | None = None
    # What signing changes, future by future (contract_effect): each future's run-out month
    # with the contracts against the same future's without them.  None without contracts.
    contract_effect: dict[str, Any] | None = None
    # Version 3, with overdraft interest: the 95th percentile of each future's interest over
    # the horizon (what the borrowing costs in the 1-in-20 worst future), with the contracts
    # and without them; None without interest.
    interest_95: float | None = None
    baseline_interest_95: float | None = None
    baseline_interest_mean: float | None = None  # the average over the horizon without them

    @property
    def precision_reached(self) -> float | None:
        """Half the width of the 95% interval of p_run_out: known to within +/- this."""
        if self.p_run_out_interval is None:
            return None
        lo, hi = self.p_run_out_interval
        return (hi - lo) / 2

    @property
    def precision_met(self) -> bool | None:
        """Whether a run with precision on demand got there (None: none was asked)."""
        if self.precision_wanted is None or self.precision_reached is None:
            return None
        return self.precision_reached <= self.precision_wanted

    @property
    def most_likely_run_out_month(self) -> int | None:
        """The month in which most of the futures that run out do so; None if none do."""
        months = self.run_out_month[self.run_out_month > 0]
        if months.size == 0:
            return None
        return int(np.bincount(months).argmax())

    @property
    def median_run_out_month(self) -> int | None:
        months = self.run_out_month[self.run_out_month > 0]
        return None if months.size == 0 else int(np.median(months))

    def to_json_dict(self) -> dict[str, Any]:
        """The result keys of docs/model.md and extras, as plain JSON-ready values."""
        return {
            "p_run_out": self.p_run_out,
            "p_run_out_se": self.p_run_out_se,
            "p_run_out_by_month": [float(x) for x in self.p_run_out_by_month],
            "p_below_floor": self.p_below_floor,
            "balance_percentiles": {k: [float(x) for x in v] for k, v in self.balance_percentiles.items()},
            "lowest_balance_percentiles": dict(self.lowest_balance_percentiles),
            "working_capital_needed_95": self.working_capital_needed_95,
            "expected_owed_after_horizon": self.expected_owed_after_horizon,
            "paths": self.paths,
            "seed": self.seed,
            "horizon_months": self.horizon_months,
            "most_likely_run_out_month": self.most_likely_run_out_month,
            "contract_margin": {name: float(m) for name, m in zip(self.contract_names, self.contract_margin)},
            "balance_percentile_paths": self.balance_sample_paths,
            "mean_balance_by_month": _floats(self.mean_balance_by_month),
            "mean_flows_by_month": (None if self.mean_flows_by_month is None else
                                    {k: _floats(v) for k, v in self.mean_flows_by_month.items()}),
            "baseline": None if self.baseline is None else self.baseline.to_json_dict(),
            "p_run_out_interval": None if self.p_run_out_interval is None else list(self.p_run_out_interval),
            "precision_reached": self.precision_reached,
            "precision_wanted": self.precision_wanted,
            "precision_met": self.precision_met,
            "run_out_drivers": None if self.run_out_drivers is None else [dict(d) for d in self.run_out_drivers],
            "contract_effect": None if self.contract_effect is None else dict(self.contract_effect),
            "interest_95": self.interest_95,
            "baseline_interest_95": self.baseline_interest_95,
            "baseline_interest_mean": self.baseline_interest_mean,
        }


def contract_effect(with_contracts: np.ndarray, without: np.ndarray) -> dict[str, Any]:
    """What signing changes, from each future's first run-out month (1-based, 0 = never) with
    the contracts and without them, on the same futures (no extra runs):

    - ``baseline_run_out``: futures that run out without the contracts;
    - ``avoided``: of those, the ones that never run out with them;
    - ``put_off`` / ``brought_forward``: those that run out both ways, later / earlier with
      the contracts, and the median months by which (``put_off_months_median``,
      ``brought_forward_months_median``; None when there are none);
    - ``unchanged``: the same month both ways; ``caused``: futures that run out only with them;
    - ``baseline_month_median`` / ``baseline_month_last``: when the futures without the
      contracts run out (the median, and the month by which all of those have); None if none;
    - ``paths``: futures in all."""
    w = np.asarray(with_contracts, dtype=np.int64)
    b = np.asarray(without, dtype=np.int64)
    base_out = b > 0
    both = base_out & (w > 0)
    later = both & (w > b)
    earlier = both & (w < b)

    def median(x: np.ndarray) -> float | None:
        return None if x.size == 0 else float(np.median(x))

    return {
        "paths": int(w.size),
        "baseline_run_out": int(np.count_nonzero(base_out)),
        "avoided": int(np.count_nonzero(base_out & (w == 0))),
        "put_off": int(np.count_nonzero(later)),
        "put_off_months_median": median((w - b)[later]),
        "brought_forward": int(np.count_nonzero(earlier)),
        "brought_forward_months_median": median((b - w)[earlier]),
        "unchanged": int(np.count_nonzero(both & (w == b))),
        "caused": int(np.count_nonzero(~base_out & (w > 0))),
        "baseline_month_median": median(b[base_out]),
        "baseline_month_last": int(b.max()) if base_out.any() else None,
    }


def _floats(a: np.ndarray | None) -> list[float] | None:
    return None if a is None else [float(x) for x in a]
