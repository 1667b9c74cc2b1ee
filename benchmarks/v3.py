"""Version 3 speed goals (issue 23), side by side in one run: prints figures, asserts nothing.

    .venv/bin/python benchmarks/v3.py [--repeats 5]

100,000 futures x 120 months of the version 2 benchmark's scenario (benchmarks/engine.py
budget_scenario(): 20 budget lines of every kind, and the baseline without the contracts)
with its contracts replaced by:

1. three rate cards (24, 30 and 36 months, Poisson counts, 4 stages each, one stage paid in
   12 monthly instalments, a fee that falls by contract year), against the same scenario with
   each rate card replaced by a share-at-risk contract of the same length, the same referrals
   and the same costs (goal: at most 2 times its time);
2. the rate-card scenario with overdraft interest on (10% a year) against the same without it
   (goal: at most 1.2 times), twice: as it is, and with its opening reserves cut so that most
   futures go below zero (interest is stepped month by month only for those futures).

Wall time and CPU time of all threads, best of ``--repeats``, every run taken in turn so that a
change in the machine's load falls on each alike; the load average and the date are printed
before and after.  Takes one to four minutes on 2 CPUs, depending on their load.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine import SEED, best_wall_and_cpu, budget_scenario

from charityrisk.engine import simulate
from charityrisk.model import Contract, LatePayment, Scenario, Uncertain
from charityrisk.model.scenario import OutcomeStage

PATHS = 100_000
GOAL_RATE_CARD = 2.0
GOAL_INTEREST = 1.2
INTEREST = 0.10


def rate_card(name: str, start: int, months: int, referrals: Uncertain, fee: tuple[float, ...],
              cost: float, fixed: float, late: LatePayment, p_none: float) -> Contract:
    """A rate card of 4 stages, the third paid in 12 monthly instalments."""
    u = Uncertain
    stages = (OutcomeStage("Engaged", 150, u(0.6, 0.75, 0.9), 2),
              OutcomeStage("Job start", 600, u(0.3, 0.4, 0.5), 6),
              OutcomeStage("Sustained (12 monthly payments)", 60, u(0.5, 0.65, 0.8), 7, payments=12),
              OutcomeStage("Sustained a year", 400, u(0.6, 0.75, 0.85), 19))
    return Contract(name=name, start_month=start, duration_months=months, referrals_per_month=referrals,
                    price_per_referral=0, share_at_risk=0, payment_mode="rate_card", fee_lag_months=1,
                    success_rate=u.fixed(0), target_success_rate=1, cohort_months=1, outcome_lag_months=0,
                    cost_per_referral=cost, fixed_monthly_cost=fixed, p_no_referrals=p_none,
                    late_payment=late, fee_per_referral=fee, outcome_payments=stages)


def share_at_risk(card: Contract) -> Contract:
    """The same contract (length, referrals, costs, lateness) paid a share of the price on
    results: 70% on delivery, 30% earned pro rata by quarterly cohorts a year after."""
    return dataclasses.replace(card, payment_mode="earn", price_per_referral=1_500, share_at_risk=0.3,
                               success_rate=Uncertain(0.3, 0.4, 0.5), target_success_rate=0.45,
                               cohort_months=3, outcome_lag_months=12, fee_per_referral=(0.0,),
                               outcome_payments=())


def scenarios() -> tuple[Scenario, Scenario]:
    """(three rate cards, the same with share-at-risk contracts), on budget_scenario()."""
    u = Uncertain
    base = budget_scenario(0.0)
    cards = (rate_card("Rate card, 24 months", 2, 24, u(2, 6, 10), (400, 300), 700, 2_000, LatePayment(0.3, 2), 0.33),
             rate_card("Rate card, 30 months", 1, 30, u(3, 5, 8), (300, 200, 100), 500, 800, LatePayment(0, 0), 0.05),
             rate_card("Rate card, 36 months", 4, 36, u(3, 4.5, 6), (250, 250, 0), 650, 600, LatePayment(0.2, 3), 0.0))
    with_cards = dataclasses.replace(base, name="20 budget lines, 3 rate cards", contracts=cards)
    with_shares = dataclasses.replace(base, name="20 budget lines, 3 share-at-risk contracts",
                                      contracts=tuple(share_at_risk(c) for c in cards))
    return with_cards, with_shares


def with_interest(s: Scenario, rate: float, opening: float | None = None) -> Scenario:
    org = dataclasses.replace(s.organisation, overdraft_interest_per_year=rate)
    if opening is not None:
        org = dataclasses.replace(org, opening_reserves=opening)
    return dataclasses.replace(s, organisation=org)


def machine() -> str:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"{now}, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"


def main(repeats: int) -> None:
    started = time.perf_counter()
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}, "
          f"{os.cpu_count()} CPUs")
    print(f"start: {machine()}")
    cards, shares = scenarios()
    low = 5_000.0  # opening reserves under which most futures go below zero
    runs = {
        "share-at-risk": shares,
        "rate cards": cards,
        "rate cards, interest": with_interest(cards, INTEREST),
        "rate cards, low reserves": with_interest(cards, 0.0, low),
        "rate cards, low reserves, interest": with_interest(cards, INTEREST, low),
    }
    below = {}
    for name, s in runs.items():  # warm-up, and how many futures interest is charged in
        r = simulate(s, paths=20_000, seed=SEED)
        below[name] = float(np.mean(r.lowest_balance < -0.005))
    times = best_wall_and_cpu({name: lambda s=s: simulate(s, paths=PATHS, seed=SEED) for name, s in runs.items()},
                              repeats)

    def row(name: str) -> str:
        wall, cpu = times[name]
        return f"{wall * 1000:,.0f} ms / {cpu * 1000:,.0f} ms"

    def ratio(name: str, against: str, goal: float) -> str:
        (wall, cpu), (wall0, cpu0) = times[name], times[against]
        met = wall / wall0 <= goal and cpu / cpu0 <= goal
        return f"{wall / wall0:.2f} x / {cpu / cpu0:.2f} x  [goal <= {goal} x: {'met' if met else 'MISSED'}]"

    print(f"\n{PATHS:,} futures x 120 months, 20 budget lines, baseline; wall / CPU of all threads, "
          f"best of {repeats}, runs in turn")
    print(f"  3 share-at-risk contracts (24, 30, 36 months):        {row('share-at-risk')}")
    print(f"  3 rate cards (4 stages, one of 12 instalments):       {row('rate cards')}  "
          f"= {ratio('rate cards', 'share-at-risk', GOAL_RATE_CARD)}")
    print(f"  rate cards, interest {INTEREST:.0%} a year "
          f"({below['rate cards, interest']:.0%} of futures below zero): {row('rate cards, interest')}  "
          f"= {ratio('rate cards, interest', 'rate cards', GOAL_INTEREST)}")
    print(f"  rate cards, opening reserves £{low:,.0f}, no interest:     {row('rate cards, low reserves')}")
    print(f"  the same, interest {INTEREST:.0%} a year "
          f"({below['rate cards, low reserves, interest']:.0%} of futures below zero): "
          f"{row('rate cards, low reserves, interest')}  "
          f"= {ratio('rate cards, low reserves, interest', 'rate cards, low reserves', GOAL_INTEREST)}")
    print(f"\nend: {machine()}; took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="best of this many runs of each (default 5)")
    main(parser.parse_args().repeats)
