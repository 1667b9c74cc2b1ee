"""Plain-English sentences and key figures from a run, for trustees who are not statisticians.

Everything here only formats what the engine computed; nothing here computes risk.
"""
from __future__ import annotations

from ..engine.results import Results
from ..engine.verdict import Verdict
from ..engine.verdict import verdict as judge
from ..model.calendar import month_name
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


def month_words(s: Scenario, month: int | None) -> str:
    """A month in a sentence: "month 5", or once the scenario's first month is set "Aug 2027
    (month 5)" (the number kept, as the form's months are numbered)."""
    if month is None:
        return "none"
    return f"{month_name(s.first_month, month)} (month {month})" if s.first_month else f"month {month}"


def headline(s: Scenario, r: Results) -> str:
    """The answer in two or three sentences: the chance of running out (with the contracts'
    own share of it when there are contracts), when, and the cushion that would make it safe."""
    horizon = f"{r.horizon_months} month{'' if r.horizon_months == 1 else 's'}"
    month = r.most_likely_run_out_month
    comparison = contract_risk(r)
    if comparison is not None:
        first = comparison
        if r.p_run_out > 0:
            first += (f" With the {contract_noun(r)}, the most likely month to run out is "
                      f"{month_words(s, month)}.")
    elif r.p_run_out == 0:
        first = f"In none of {r.paths:,} simulated futures do you run out of money within {horizon}."
    else:
        first = (f"In {percent(r.p_run_out)} of {r.paths:,} simulated futures you run out of money "
                 f"within {horizon}; when it happens, the most likely month is {month_words(s, month)}.")
    if r.working_capital_needed_95 > 0:
        second = f"To be 95% safe you would need {money(r.working_capital_needed_95)} more working capital."
    else:
        second = "You stay in funds in at least 95% of them without extra working capital."
    return f"{first} {second}"


# ----------------------------------------------------------------- the contracts' own risk

def contract_noun(r: Results) -> str:
    """"contract" or "contracts", as many as the run had."""
    return "contract" if len(r.contract_names) == 1 else "contracts"


def points(difference: float) -> str:
    """A difference of two chances in percentage points, as percent() shows chances:
    "22 points", "0.8 points", "1 point", "under 0.1 points"."""
    d = abs(100 * difference)
    if d < 0.05:
        return "under 0.1 points"
    text = f"{d:.0f}" if d >= 9.95 else f"{d:.1f}".removesuffix(".0")
    return f"{text} point{'' if text == '1' else 's'}"


def _in_futures(p: float, paths: int | None = None) -> str:
    """"in 3% of 20,000 simulated futures", or "in 25%" once the futures are named."""
    if paths is None:
        return "in none" if p == 0 else f"in {percent(p)}"
    return (f"in none of {paths:,} simulated futures" if p == 0
            else f"in {percent(p)} of {paths:,} simulated futures")


def contract_risk(r: Results) -> str | None:
    """How much of the chance of running out the contracts bring, against the organisation
    without them on the same futures (the engine's baseline): "Without the contract you run
    out of money within 36 months in 3% of 20,000 simulated futures; with it, in 25%: the
    contract adds 22 points."  None when there are no contracts (or no baseline), so nothing to compare."""
    b = r.baseline
    if not r.contract_names or b is None:
        return None
    noun = contract_noun(r)
    it = "it" if noun == "contract" else "them"
    horizon = f"{r.horizon_months} month{'' if r.horizon_months == 1 else 's'}"
    if r.p_run_out == 0 and b.p_run_out == 0:
        return (f"You run out of money within {horizon} in none of {r.paths:,} simulated futures, "
                f"with or without the {noun}.")
    change = r.p_run_out - b.p_run_out
    if change == 0:
        effect = f"the {noun} {'does' if noun == 'contract' else 'do'} not change it"
    elif change > 0:
        effect = f"the {noun} {'adds' if noun == 'contract' else 'add'} {points(change)}"
    else:
        effect = f"the {noun} {'lowers' if noun == 'contract' else 'lower'} it by {points(change)}"
    return (f"Without the {noun} you run out of money within {horizon} "
            f"{_in_futures(b.p_run_out, r.paths)}; with {it}, {_in_futures(r.p_run_out)}: {effect}.")


def baseline_verdict(r: Results, appetite: float) -> Verdict | None:
    """The organisation without its contracts against the appetite (the one rule), or None
    when there are no contracts."""
    b = r.baseline
    if not r.contract_names or b is None:
        return None
    return judge(b.p_run_out, b.p_run_out_se, appetite)


_VERDICT_PHRASE = {Verdict.WITHIN: "within it", Verdict.ABOVE: "above it",
                   Verdict.TOO_CLOSE: "too close to call"}


def appetite_sentence(r: Results, appetite: float) -> str:
    """The verdict, and where the organisation would stand without its contracts: whether
    signing is what takes it over the trustees' appetite."""
    judged = run_verdict(r, appetite)
    words = verdict_words(judged, appetite)
    without = baseline_verdict(r, appetite)
    if without is None:
        return words
    also = "also " if without is judged else ""
    return f"{words} Without the {contract_noun(r)} it would {also}be {_VERDICT_PHRASE[without]}."


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
    return _chance_with_error(r.p_run_out, r.p_run_out_se, r.paths)


def _chance_with_error(p: float, se: float, paths: int) -> str:
    if p in (0.0, 1.0):
        return f"{percent(p)} (of {paths:,} simulated futures)"
    return f"{percent(p)} (give or take {100 * 2 * se:.1f} points)"


def key_figures(s: Scenario, r: Results) -> list[tuple[str, str]]:
    """(label, value) rows; with contracts, each main figure is followed by the same figure
    for the organisation without them (``baseline_figures``)."""
    month = r.most_likely_run_out_month
    without = dict(baseline_figures(r))
    noun = contract_noun(r)

    def paired(label: str, value: str) -> list[tuple[str, str]]:
        twin = f"{label} without the {noun}"
        return [(label, value)] + ([(twin, without[twin])] if twin in without else [])

    added = f"Added by the {noun}"
    return [
        *paired("Chance of running out", chance_with_error(r)),
        *([(added, without[added])] if added in without else []),
        ("Most likely month to run out", month_words(s, month) if month else "none run out"),
        *paired("Chance of breaching the reserves floor", percent(r.p_below_floor)),
        ("Lowest balance, typical future (median)", money(r.lowest_balance_percentiles["50"])),
        ("Lowest balance, 1 in 20 worst (5th percentile)", money(r.lowest_balance_percentiles["5"])),
        *paired("Extra working capital for 95% safety", money(r.working_capital_needed_95)),
        ("Still owed to you at the end (average)", owed_words(r.expected_owed_after_horizon)),
        *contract_margins(r),
        ("Simulated futures (seed)", f"{r.paths:,} (seed {r.seed})" + precision_words(r)),
    ]


def baseline_figures(r: Results) -> list[tuple[str, str]]:
    """The key figures of the organisation without its contracts, on the same futures, and
    the points the contracts add; empty when there are no contracts."""
    b = r.baseline
    if not r.contract_names or b is None:
        return []
    noun = contract_noun(r)
    change = r.p_run_out - b.p_run_out
    size = points(change)
    sign = "" if size.startswith("under") else ("+" if change > 0 else "\u2212")
    return [
        (f"Chance of running out without the {noun}", _chance_with_error(b.p_run_out, b.p_run_out_se, r.paths)),
        (f"Added by the {noun}", f"{sign}{size}" if change else "none"),
        (f"Chance of breaching the reserves floor without the {noun}", percent(b.p_below_floor)),
        (f"Extra working capital for 95% safety without the {noun}", money(b.working_capital_needed_95)),
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
