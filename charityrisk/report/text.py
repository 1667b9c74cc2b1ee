"""Plain-English sentences and key figures from a run, for trustees who are not statisticians.

Everything here only formats what the engine computed; nothing here computes risk.
"""
from __future__ import annotations

from ..engine.results import Results
from ..engine.verdict import Verdict, verdict as judge
from ..model.scenario import Scenario


def money(x: float) -> str:
    """£12,345 or -£12,345, rounded to the pound."""
    sign = "-" if round(x) < 0 else ""
    return f"{sign}£{abs(x):,.0f}"


def percent(p: float) -> str:
    """A share as a percentage a trustee can read: 12%, 0.4%, under 0.1%, or none."""
    if p == 0:
        return "0%"
    if p < 0.001:
        return "under 0.1%"
    if p < 0.1:
        return f"{100 * p:.1f}".removesuffix(".0") + "%"
    return f"{100 * p:.0f}%"


def headline(s: Scenario, r: Results) -> str:
    futures = f"{r.paths:,} simulated futures"
    horizon = f"{r.horizon_months} month{'' if r.horizon_months == 1 else 's'}"
    if r.p_run_out == 0:
        first = f"In none of {futures} do you run out of money within {horizon}."
    else:
        first = (f"In {percent(r.p_run_out)} of {futures} you run out of money within {horizon}; "
                 f"when it happens, the most likely month is month {r.most_likely_run_out_month}.")
    if r.working_capital_needed_95 > 0:
        second = f"To be 95% safe you would need {money(r.working_capital_needed_95)} more working capital."
    else:
        second = "You stay in funds in at least 95% of them without extra working capital."
    return f"{first} {second}"


def run_verdict(r: Results, appetite: float) -> Verdict:
    """The run's verdict against the appetite (engine.verdict's one rule)."""
    return judge(r.p_run_out, r.p_run_out_se, appetite)


def verdict_words(v: Verdict, appetite: float) -> str:
    """A verdict as the sentence every view shows."""
    if v is Verdict.ABOVE:
        return f"Above the trustees' risk appetite of {percent(appetite)}."
    if v is Verdict.WITHIN:
        return f"Within the trustees' risk appetite of {percent(appetite)}."
    return f"Too close to call against the risk appetite of {percent(appetite)}: run more futures."


def verdict(r: Results, appetite: float) -> str:
    """Whether the risk is within the trustees' appetite, allowing for Monte Carlo error."""
    return verdict_words(run_verdict(r, appetite), appetite)


def risk_level(r: Results, appetite: float) -> str:
    """'safe', 'close' or 'unsafe', for colouring the headline."""
    return run_verdict(r, appetite).level


def chance_with_error(r: Results) -> str:
    """The chance of running out with its simulation error (two standard errors) in words,
    e.g. "13% (give or take 0.5 points)"; no error is claimed when none or all futures run
    out, since the sample then cannot show it."""
    if r.p_run_out in (0.0, 1.0):
        return f"{percent(r.p_run_out)} (of {r.paths:,} simulated futures)"
    return f"{percent(r.p_run_out)} (give or take {100 * 2 * r.p_run_out_se:.1f} points)"


def key_figures(s: Scenario, r: Results) -> list[tuple[str, str]]:
    month = r.most_likely_run_out_month
    return [
        ("Chance of running out", chance_with_error(r)),
        ("Most likely month to run out", f"month {month}" if month else "none run out"),
        ("Chance of breaching the reserves floor", percent(r.p_below_floor)),
        ("Lowest balance, typical future (median)", money(r.lowest_balance_percentiles["50"])),
        ("Lowest balance, 1 in 20 worst (5th percentile)", money(r.lowest_balance_percentiles["5"])),
        ("Extra working capital for 95% safety", money(r.working_capital_needed_95)),
        ("Still owed to you at the end (average)", owed_words(r.expected_owed_after_horizon)),
        *contract_margins(r),
        ("Simulated futures (seed)", f"{r.paths:,} (seed {r.seed})" + precision_words(r)),
    ]


def owed_words(owed: float) -> str:
    """Money still owed at the horizon; a negative amount (clawbacks due) is money you repay."""
    if round(owed) < 0:
        return f"{money(owed)} (you will repay {money(-owed)} in clawbacks)"
    return money(owed)


def precision_words(r: Results) -> str:
    """For a run with precision on demand: how precisely it knows the chance of running out
    (the same scenario, futures and seed give the same figures again)."""
    if r.precision_wanted is None or r.precision_reached is None:
        return ""
    reached = f"{100 * r.precision_reached:.2f}".rstrip("0").rstrip(".")
    wanted = f"{100 * r.precision_wanted:.2f}".rstrip("0").rstrip(".")
    if r.precision_met:
        return f", run until the chance of running out was known to within {reached} points either way"
    return (f", stopped at the most futures allowed: the chance of running out is known to within "
            f"{reached} points either way, not the {wanted} asked for")


MAX_MARGIN_ROWS = 3


def _short(name: str, most: int = 24) -> str:
    return name if len(name) <= most else name[:most - 1].rstrip() + "…"


def contract_margins(r: Results) -> list[tuple[str, str]]:
    """Each contract's average receipts less costs within the horizon: does it pay its way?"""
    within = "average"  # receipts less costs inside the horizon; what is still owed is its own row
    rows = [(f"Margin on {_short(name)} ({within})", money(m))
            for name, m in zip(r.contract_names[:MAX_MARGIN_ROWS], r.contract_margin)]
    if len(r.contract_names) > MAX_MARGIN_ROWS:
        rest = float(sum(r.contract_margin[MAX_MARGIN_ROWS:]))
        rows.append((f"Margin on the other {len(r.contract_names) - MAX_MARGIN_ROWS} contracts ({within})",
                     money(rest)))
    return rows
