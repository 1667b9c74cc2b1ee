"""Text alternatives for the charts: what a screen-reader user, or anyone who cannot see the
picture, needs to take from each chart, in a few plain sentences with its key figures.

Each function describes one chart drawn by ``report.figures`` from the same Results, so the
words and the picture always agree.  Nothing here computes risk: it only reads off figures the
engine already reported (percentile lines, the chance by month).
"""
from __future__ import annotations

import numpy as np

from ..engine.results import Results
from ..model.scenario import Scenario
from .text import money, percent


def _months(n: int) -> str:
    return f"{n} month{'' if n == 1 else 's'}"


def _danger_line(overdraft: float) -> str:
    return (f"the overdraft limit of {money(-overdraft)}" if overdraft > 0 else "£0")


def _overdraft(scenario: Scenario | None) -> float:
    return 0.0 if scenario is None else float(scenario.organisation.overdraft_facility)


def describe_fan_chart(results: Results, scenario: Scenario | None = None) -> str:
    """The balance chart: where the futures end, how low the typical and the 1 in 20 low line
    go and when, and the line below which money runs out."""
    horizon = results.horizon_months
    title = (f"Chart of the cash balance at the end of each month, over {_months(horizon)}, "
             f"from {results.paths:,} simulated futures.")
    if horizon == 0:
        return title
    bp = {k: np.asarray(v, dtype=float) for k, v in results.balance_percentiles.items()}
    end = (f"At the end of month {horizon}, half the futures are above {money(bp['50'][-1])}; "
           f"1 in 20 are below {money(bp['5'][-1])} and 1 in 20 above {money(bp['95'][-1])}.")
    m_typical = int(np.argmin(bp["50"]))
    m_low = int(np.argmin(bp["5"]))
    lowest = (f"The typical future is lowest in month {m_typical + 1}, at {money(bp['50'][m_typical])}; "
              f"the 1 in 20 low line is lowest in month {m_low + 1}, at {money(bp['5'][m_low])}.")
    overdraft = _overdraft(scenario)
    lines = [f"Money runs out below {_danger_line(overdraft)}."] if scenario is not None else []
    if scenario is not None and float(scenario.organisation.reserves_floor) != 0:
        lines.append(f"The reserves floor is {money(float(scenario.organisation.reserves_floor))}.")
    return " ".join([title, end, lowest, *lines])


def describe_run_out_chart(results: Results, appetite: float | None = None) -> str:
    """The chance-by-month chart: how high it climbs, when it starts and climbs fastest, and
    when (if ever) it passes the trustees' risk appetite."""
    horizon = results.horizon_months
    p = np.asarray(results.p_run_out_by_month, dtype=float)
    title = "Chart of the chance of having run out by the end of each month"
    appetite_text = "" if appetite is None else f"the trustees' risk appetite of {percent(appetite)}"
    if horizon == 0 or p.size == 0 or p[-1] == 0:
        parts = [f"{title}. No future runs out within {_months(horizon)}."]
        if appetite is not None:
            parts.append(f"It stays below {appetite_text}.")
        return " ".join(parts)
    parts = [f"{title}, rising to {percent(float(p[-1]))} by month {horizon}."]
    first = int(np.argmax(p > 0)) + 1
    steps = np.diff(p, prepend=0.0)
    steepest = int(np.argmax(steps)) + 1
    parts.append(f"The first futures run out in month {first}.")
    if steepest != first or np.count_nonzero(steps > 0) > 1:
        before = float(p[steepest - 2]) if steepest > 1 else 0.0
        parts.append(f"It rises most in month {steepest}, from {percent(before)} to "
                     f"{percent(float(p[steepest - 1]))}.")
    if appetite is not None:
        over = np.flatnonzero(p > appetite)
        parts.append(f"It passes {appetite_text} in month {int(over[0]) + 1}." if over.size
                     else f"It stays within {appetite_text}.")
    return " ".join(parts)


def describe_lowest_balance_chart(results: Results, scenario: Scenario | None = None) -> str:
    """The histogram of each future's lowest balance: how many run out, the typical and the
    1 in 20 lowest balance."""
    horizon = results.horizon_months
    title = f"Chart of how low the balance goes in each future over {_months(horizon)}."
    line = _danger_line(_overdraft(scenario))
    ran_out = (f"No future goes below {line}." if results.p_run_out == 0 else
               f"In {percent(results.p_run_out)} of futures it goes below {line}: they run out of money.")
    low = results.lowest_balance_percentiles
    spread = (f"Half the futures' lowest balance is above {money(low['50'])}; "
              f"1 in 20 go below {money(low['5'])}.")
    return " ".join([title, ran_out, spread])


CHARTS = ("fan", "run_out", "lowest_balance")


def describe_charts(results: Results, scenario: Scenario | None = None,
                    appetite: float | None = None) -> dict[str, str]:
    """The text alternative of each results chart, keyed "fan", "run_out", "lowest_balance"."""
    return {
        "fan": describe_fan_chart(results, scenario),
        "run_out": describe_run_out_chart(results, appetite),
        "lowest_balance": describe_lowest_balance_chart(results, scenario),
    }


def describe_results_canvas(results: Results, scenario: Scenario | None = None,
                            appetite: float | None = None) -> str:
    """All three charts' descriptions in drawing order, for the one canvas that shows them."""
    return " ".join(describe_charts(results, scenario, appetite)[k] for k in CHARTS)


__all__ = ["describe_fan_chart", "describe_run_out_chart", "describe_lowest_balance_chart",
           "describe_charts", "describe_results_canvas", "CHARTS"]
