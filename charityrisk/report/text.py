"""Plain-English sentences and key figures from a run, for trustees who are not statisticians.

Everything here only formats what the engine computed; nothing here computes risk.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..engine.results import Results
from ..engine.verdict import Verdict
from ..engine.verdict import verdict as judge
from ..model import fields as F
from ..model.calendar import month_name
from ..model.fields import FieldSpec
from ..model.scenario import Scenario
from .formats import count, money, months, months_tenth, percent, points, rate


def month_words(s: Scenario, month: int | None) -> str:
    """A month in a sentence: "month 8", or once the scenario's first month is set "month 8
    (Nov 2027)" (the number kept, as the form's months are numbered); "none" for no month."""
    if month is None:
        return "none"
    return f"month {month} ({month_name(s.first_month, month)})" if s.first_month else f"month {month}"


def headline(s: Scenario, r: Results) -> str:
    """The answer in two or three sentences: the chance of running out (with the contracts'
    own share of it when there are contracts), when, and the cushion that would make it safe."""
    horizon = months(r.horizon_months)
    month = r.most_likely_run_out_month
    comparison = framing(s, r)
    if comparison is not None:
        first = comparison
        if r.p_run_out > 0 and month is not None:
            first += (f" With the {contract_noun(r)}, the most likely month to run out is "
                      f"{month_words(s, month)}.")
    elif r.p_run_out == 0 or month is None:
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
    horizon = months(r.horizon_months)
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


# ----------------------------------------------------------------- the decision, framed

SAFE_KEPT = "safe_kept"  # within the appetite without the contracts, and with them
MADE_UNSAFE = "made_unsafe"  # within it without them, not with them
UNSAFE_ALONE = "unsafe_alone"  # not within it even without them


def framing_case(r: Results, appetite: float) -> str | None:
    """Which of the three decisions the trustees face, by the one verdict rule on the
    organisation without its contracts and with them; None without contracts."""
    without = baseline_verdict(r, appetite)
    if without is None:
        return None
    if without is not Verdict.WITHIN:
        return UNSAFE_ALONE
    return SAFE_KEPT if run_verdict(r, appetite) is Verdict.WITHIN else MADE_UNSAFE


def _share(count: int, paths: int) -> str:
    """A count of futures as a share of them all, as percent() shows chances."""
    return percent(count / paths)


def _in_share(count: int, paths: int) -> str:
    """"in every future", "in no future" or "in 22% of futures"."""
    if count == paths:
        return "in every future"
    if count == 0:
        return "in no future"
    return f"in {_share(count, paths)} of futures"


def framing(s: Scenario, r: Results) -> str | None:
    """The decision as the trustees face it, in one of three framings (``framing_case``):

    - safe alone, and the contracts keep it so: the comparison, and that signing keeps it
      within the appetite;
    - safe alone, but the contracts take it over: the comparison ("the contract adds 23
      points");
    - not safe alone: that first, with when ("Your budget alone runs out by month 8 (Nov
      2027) in every future"), then what signing changes, future by future (the engine's
      ``contract_effect``).

    None without contracts."""
    appetite = s.settings.risk_appetite
    case = framing_case(r, appetite)
    comparison = contract_risk(r)
    if case is None or comparison is None:
        return None
    noun = contract_noun(r)
    if case == MADE_UNSAFE:
        return comparison
    if case == SAFE_KEPT:
        return f"{comparison} Signing keeps you within the trustees' risk appetite of {percent(appetite)}."
    effect = r.contract_effect
    b = r.baseline
    assert b is not None  # framing_case said there are contracts
    if effect is None:
        return comparison
    return " ".join([budget_alone(s, r), signing_changes(r, effect, noun)])


def budget_alone(s: Scenario, r: Results) -> str:
    """The organisation without its contracts, when it is not within the appetite: how many
    of its futures run out, and by when."""
    b = r.baseline
    effect = r.contract_effect
    assert b is not None and effect is not None
    noun = contract_noun(r)
    appetite = s.settings.risk_appetite
    run_out = effect["baseline_run_out"]
    paths = effect["paths"]
    if run_out == 0:  # too close to call with none run out: only a small run
        return (f"Without the {noun} none of {paths:,} simulated futures runs out, yet that cannot "
                f"show the chance is within the trustees' risk appetite of {percent(appetite)}.")
    last = effect["baseline_month_last"]
    median = effect["baseline_month_median"]
    if run_out == paths:
        return f"Your budget alone runs out by {month_words(s, last)} in every future."
    typical = month_words(s, round(median))
    if judge(b.p_run_out, b.p_run_out_se, appetite) is Verdict.ABOVE:
        return (f"Your budget alone runs out in {_share(run_out, paths)} of futures, half of them "
                f"by {typical}: above the trustees' risk appetite of {percent(appetite)} before "
                f"any contract.")
    return (f"Your budget alone runs out in {_share(run_out, paths)} of futures, half of them by "
            f"{typical}: too close to call against the trustees' risk appetite of "
            f"{percent(appetite)} before any contract.")


def signing_changes(r: Results, effect: dict, noun: str) -> str:
    """What signing changes in the futures that run out without the contracts: avoided
    altogether, put off (and by how much), brought forward; and the chance with them."""
    paths = effect["paths"]
    parts = []
    if effect["avoided"]:
        parts.append(f"avoids running out altogether {_in_share(effect['avoided'], paths)}")
    if effect["put_off"]:
        parts.append(f"puts it off {_in_share(effect['put_off'], paths)} (typically by "
                     f"{months_tenth(effect['put_off_months_median'])})")
    if effect["brought_forward"]:
        parts.append(f"brings it forward {_in_share(effect['brought_forward'], paths)} (typically by "
                     f"{months_tenth(effect['brought_forward_months_median'])})")
    if effect["unchanged"]:
        parts.append(f"leaves the month unchanged {_in_share(effect['unchanged'], paths)}")
    sign = "Signing the contract" if noun == "contract" else "Signing the contracts"
    if parts:
        changes = f"{sign} " + (parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1])
    else:
        changes = f"{sign} changes none of those futures"
    caused = ""
    if effect["caused"]:
        caused = (f", and makes you run out {_in_share(effect['caused'], paths)} that would "
                  f"not have without {'it' if noun == 'contract' else 'them'}")
    with_it = ("with it" if noun == "contract" else "with them")
    out = round(r.p_run_out * paths)
    return f"{changes}{caused}: {with_it} you run out {_in_share(out, paths)}."


def pays_its_way(r: Results) -> str | None:
    """Whether the contracts pay their way: their average net cash (receipts less costs)
    within the horizon, and what is still owed at its end.  None without contracts."""
    if not r.contract_names:
        return None
    noun = contract_noun(r)
    net = float(sum(r.contract_margin))
    horizon = months(r.horizon_months)
    the = f"The {noun}"
    if round(net) > 0:
        first = (f"{the} {'pays its' if noun == 'contract' else 'pay their'} way: on average "
                 f"{'it brings' if noun == 'contract' else 'they bring'} in {money(net)} more than "
                 f"{'it costs' if noun == 'contract' else 'they cost'} over the {horizon}")
    elif round(net) < 0:
        first = (f"{the} {'does' if noun == 'contract' else 'do'} not pay {'its' if noun == 'contract' else 'their'} "
                 f"way: on average {'it costs' if noun == 'contract' else 'they cost'} {money(-net)} more "
                 f"than {'it brings' if noun == 'contract' else 'they bring'} in over the {horizon}")
    else:
        first = f"{the} on average {'breaks' if noun == 'contract' else 'break'} even over the {horizon}"
    owed = r.expected_owed_after_horizon
    if round(owed) > 0:
        rest = f", with {money(owed)} still owed to you at the end (on average)."
    elif round(owed) < 0:
        rest = f", and at the end you would still repay {money(-owed)} in clawbacks (on average)."
    else:
        rest = ", with nothing still owed at the end."
    return first + rest


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


# ----------------------------------------------------------------- why futures ran out

_ENTRY = re.compile(r"(?:organisation\.budget\[(?P<line>\d+)\]\.(?P<line_key>amount|scale|probability)"
                    r"|organisation\.(?P<org>\w+)"
                    r"|contracts\[(?P<contract>\d+)\]\.(?:outcome_payments\[(?P<stage>\d+)\]\.rate|(?P<key>\w+)))")
# A threshold drawn, in the words of its row's kind.
_DRAWN: dict[str, Any] = {"money": lambda t: money(t), "count": count,
                          "fraction": rate}


def _bad_side(row: FieldSpec | None, threshold: Any, whose: str = "") -> str | None:
    """A risk input's bad side in its row's words (``bad_side``), None if it has none or its
    words need the threshold and there is none."""
    if row is None or not row.bad_side or ("{v}" in row.bad_side and threshold is None):
        return None
    drawn = "" if threshold is None else _DRAWN[row.kind](threshold)
    return row.bad_side.format(v=drawn, whose=whose)


def _most(p: float) -> str:
    """A share that is not all of them never reads "100%"."""
    return "over 99%" if p < 1 and percent(p) == "100%" else percent(p)


def driver_words(s: Scenario, entry: dict) -> str | None:
    """One run_out_drivers entry's bad side in words ("the prime paid late", "the referral
    rate drawn was under 9.1 a month"), budget lines and contracts by their names; None for
    an entry this version does not know."""
    found = _ENTRY.fullmatch(str(entry.get("input", "")))
    if found is None:
        return None
    threshold = entry.get("threshold")
    if found["org"]:
        return _bad_side(F.BY_PATH.get(f"organisation.{found['org']}"), threshold)
    if found["line"] is not None:
        index = int(found["line"])
        if index >= len(s.organisation.budget):
            return None
        line = s.organisation.budget[index]
        cost = line.kind == "cost"
        name = f"“{line.name}”" if line.name else f"budget line {index + 1}"
        key = found["line_key"]
        if key == "probability":
            return f"{name} fell due" if cost else f"{name} did not come"
        if threshold is None:
            return None
        side = "over" if cost else "under"
        if key == "amount":
            return f"{name} drawn was {side} {money(threshold)}"
        return f"{name} drawn was {side} {rate(threshold)} of its usual amounts"
    index = int(found["contract"])
    if index >= len(s.contracts):
        return None
    c = s.contracts[index]
    whose = f" on “{c.name}”" if len(s.contracts) > 1 and c.name else ""
    if found["key"]:
        return _bad_side(F.BY_PATH.get(f"contracts[].{found['key']}"), threshold, whose)
    if threshold is None:
        return None
    stage = int(found["stage"])
    stage_name = (f"“{c.outcome_payments[stage].name}”" if stage < len(c.outcome_payments)
                  and c.outcome_payments[stage].name else f"stage {stage + 1}")
    return f"the share reaching {stage_name}{whose} drawn was under {rate(threshold)}"


MAX_DRIVERS = 2


def drivers_sentence(s: Scenario, r: Results) -> str | None:
    """What the futures that ran out had in common (the engine's ``run_out_drivers``), in one
    or two sentences in domain.md's words: "In 81% of the futures that ran out, the prime
    paid late (against 25% of all futures); in 64%, the referral rate drawn was under 9.1 a
    month (against 25%)."  None when no future ran out (never "0% of 0") or nothing
    uncertain was drawn; when every future ran out, says that nothing sets them apart."""
    if not r.run_out_drivers or r.p_run_out == 0:
        return None
    if r.p_run_out == 1:
        return ("Every future ran out, so nothing that was drawn sets the futures that ran out "
                "apart from the rest: the shortfall is in the plans themselves, not in bad luck.")
    told = []
    for entry in r.run_out_drivers:
        out, every = entry.get("share_run_out"), entry.get("share_all")
        if out is None or every is None or out <= every:
            continue
        words = driver_words(s, entry)
        if words is None:
            continue
        told.append((out, every, words))
        if len(told) == MAX_DRIVERS:
            break
    if not told:
        return ("The futures that ran out looked like the rest: no uncertain figure was on its "
                "bad side more often in them than in all futures.")
    (out, every, words), rest = told[0], told[1:]
    text = f"In {_most(out)} of the futures that ran out, {words} (against {_most(every)} of all futures)"
    for out, every, words in rest:
        text += f"; in {_most(out)}, {words} (against {_most(every)})"
    return text + "."


def decision_notes(s: Scenario, r: Results) -> list[str]:
    """The sentences under the headline, on screen and on page 1 of the board pack: whether
    the contracts pay their way, and what the futures that ran out had in common."""
    return [x for x in (pays_its_way(r), drivers_sentence(s, r)) if x]


# ----------------------------------------------------------------- reserves (CC19)

COST_YEAR = 12  # the Charity Commission's CC19 speaks of months of spending; a year's average


def monthly_costs_first_year(r: Results, with_contracts: bool) -> float | None:
    """The first year's average monthly costs (core costs and cost lines, and with the
    contracts their costs too; interest left out), from the engine's mean flows."""
    flows = r.mean_flows_by_month
    if flows is None:
        return None
    first_year = min(COST_YEAR, r.horizon_months)
    costs = flows["costs"][:first_year]
    if with_contracts:
        costs = costs + flows["contract_costs"][:first_year]
    return float(costs.mean())


def _cover(reserves: float, monthly: float) -> str:
    return months_tenth(reserves / monthly)


def reserves_cover(s: Scenario, r: Results) -> str | None:
    """The free reserves in months of costs (CC19): "Your free reserves of £30,000 cover 2.5
    months of costs (the first year's average, £12,000 a month); 2.1 months with the
    contract (£14,500 a month)."  None when there are no costs to cover."""
    reserves = s.organisation.opening_reserves
    alone = monthly_costs_first_year(r, with_contracts=False)
    both = monthly_costs_first_year(r, with_contracts=True)
    if alone is None or both is None or both <= 0:
        return None
    if reserves <= 0:
        return (f"You start with no free reserves ({money(reserves)}): they cover no months of "
                f"costs (the first year's average is {money(both)} a month).")
    if not r.contract_names or abs(both - alone) < 0.5:
        return (f"Your free reserves of {money(reserves)} cover {_cover(reserves, both)} of costs "
                f"(the first year's average, {money(both)} a month).")
    noun = contract_noun(r)
    if alone <= 0:
        first = f"Without the {noun} you have no costs to cover"
    else:
        first = (f"Your free reserves of {money(reserves)} cover {_cover(reserves, alone)} of costs "
                 f"without the {noun} (the first year's average, {money(alone)} a month)")
    return f"{first}; {_cover(reserves, both)} with {'it' if noun == 'contract' else 'them'} ({money(both)} a month)."


def interest_words(s: Scenario, r: Results) -> str | None:
    """What borrowing on the overdraft costs over the horizon (version 3's interest): on
    average and in the 1-in-20 worst future, with the contracts and without; None without
    interest."""
    rate = s.organisation.overdraft_interest_per_year
    flows = r.mean_flows_by_month
    if rate <= 0 or flows is None or "interest" not in flows or r.interest_95 is None:
        return None
    horizon = months(r.horizon_months)
    mean = float(flows["interest"].sum())
    pct = f"{100 * rate:.2f}".rstrip("0").rstrip(".")
    text = (f"Borrowing at {pct}% a year costs {money(mean)} in interest over the {horizon} on "
            f"average, and {money(r.interest_95)} in the 1-in-20 worst future")
    if r.contract_names and r.baseline_interest_mean is not None and r.baseline_interest_95 is not None:
        text += (f" ({money(r.baseline_interest_mean)} and {money(r.baseline_interest_95)} without "
                 f"the {contract_noun(r)})")
    return text + "."


def reserves_policy(s: Scenario, r: Results) -> str | None:
    """A paragraph the trustees can adapt for their reserves policy (the Charity Commission's
    CC19): what the reserves cover, the chance of running out against the appetite, with and
    without the contracts, and what would keep 19 futures in 20 in funds."""
    cover = reserves_cover(s, r)
    if cover is None:
        return None
    appetite = s.settings.risk_appetite
    horizon = months(r.horizon_months)
    b = r.baseline
    noun = contract_noun(r)
    reserves = s.organisation.opening_reserves
    alone = monthly_costs_first_year(r, with_contracts=False) or 0.0
    both = monthly_costs_first_year(r, with_contracts=True) or 0.0
    text = f"Our free reserves at the start of the period are {money(reserves)}"
    if reserves > 0 and alone > 0:
        text += f": {_cover(reserves, alone)} of our costs (the first year's average, {money(alone)} a month)"
        if r.contract_names and abs(both - alone) >= 0.5:
            text += f", or {_cover(reserves, both)} if we sign ({money(both)} a month)"
    text += ". "
    if r.contract_names and b is not None:
        text += (f"Our cash-flow model puts the chance of running out of money within {horizon} at "
                 f"{percent(b.p_run_out)} without the {noun} and {percent(r.p_run_out)} with "
                 f"{'it' if noun == 'contract' else 'them'}; the trustees accept a chance of "
                 f"{percent(appetite)}. ")
        extra = (f"To stay in funds in 19 futures out of 20 we would need {money(r.working_capital_needed_95)} "
                 f"more in reserves or borrowing with the {noun} ({money(b.working_capital_needed_95)} without).")
        if r.working_capital_needed_95 <= 0 and b.working_capital_needed_95 <= 0:
            extra = "Our reserves keep us in funds in at least 19 futures out of 20 with or without it."
    else:
        text += (f"Our cash-flow model puts the chance of running out of money within {horizon} at "
                 f"{percent(r.p_run_out)}; the trustees accept a chance of {percent(appetite)}. ")
        extra = (f"To stay in funds in 19 futures out of 20 we would need {money(r.working_capital_needed_95)} "
                 "more in reserves or borrowing." if r.working_capital_needed_95 > 0
                 else "Our reserves keep us in funds in at least 19 futures out of 20.")
    return text + extra + " We review this policy with each budget."


def reserves_notes(s: Scenario, r: Results) -> list[str]:
    """The reserves in the Charity Commission's terms, on screen and in the board pack: what
    they cover and, with overdraft interest, what the borrowing costs."""
    return [x for x in (reserves_cover(s, r), interest_words(s, r)) if x]


def reserves_figures(s: Scenario, r: Results) -> list[tuple[str, str]]:
    """Page 1's key-figure rows for the reserves (months of costs covered) and the
    overdraft's interest (average, and the 1-in-20 worst future)."""
    rows = []
    reserves = s.organisation.opening_reserves
    alone = monthly_costs_first_year(r, with_contracts=False)
    both = monthly_costs_first_year(r, with_contracts=True)
    if alone is not None and both is not None and both > 0:
        if reserves <= 0:
            value = "none"
        elif r.contract_names and alone > 0 and abs(both - alone) >= 0.5:
            value = f"{_cover(reserves, alone)} ({_cover(reserves, both)} with the {contract_noun(r)})"
        else:
            value = _cover(reserves, both)
        rows.append(("Free reserves, in months of the first year's costs", value))
    flows = r.mean_flows_by_month
    if (s.organisation.overdraft_interest_per_year > 0 and r.interest_95 is not None
            and flows is not None and "interest" in flows):
        rows.append(("Overdraft interest: average, 1-in-20 worst future",
                     f"{money(float(flows['interest'].sum()))}, {money(r.interest_95)}"))
    return rows


# ----------------------------------------------------------------- what it needs anyway

def _money_term(name: str) -> tuple[str, str, str]:
    """A money term's name, short name and name with its article, from its row
    ("Overdraft facility", "Overdraft", "an overdraft facility")."""
    row = F.row_named(name)
    if row is None:
        return name, name, name.lower()
    full = row.report_name
    return full, row.short or full, f"{row.article} {full.lower()}" if row.article else full.lower()


MONEY_NEEDS_HEADER = ["Term (needed anyway: without the contract)", "Today", "Safe value",
                      "Chance of running out there", "Monte Carlo range"]
UNPROVABLE = "cannot be shown: no number of futures proves a 0% chance"


def _answer_cells(answer: Any) -> list[str]:
    if answer.value is None:
        return ["none found", "", ""]
    lo, hi = answer.value_range
    span = money(answer.value) if lo is None or lo == hi else f"{money(lo)} to {money(hi)}"
    return [money(answer.value), percent(answer.p_run_out_at_value), span]


def money_needs_rows(needs: Sequence[Any], contracts: int) -> list[list[str]]:
    """The money goal seeks split (engine.decisions.goalseek.money_needs) as table rows under
    MONEY_NEEDS_HEADER: each term needed anyway (without the contracts) and with them."""
    noun = "contract" if contracts == 1 else "contracts"
    rows = []
    for need in needs:
        name = _money_term(need.input)[1]
        for label, answer in ((f"{name}: needed anyway", need.without),
                              (f"{name}: with the {noun}", need.with_contracts)):
            if need.status == "unprovable":
                rows.append([label, money(need.current_value), UNPROVABLE, "", ""])
            else:
                rows.append([label, money(need.current_value), *_answer_cells(answer)])
    return rows


def money_need_sentence(need: Any, contracts: int) -> str:
    """What the organisation needs anyway and what the contracts add or take off: "Without
    the contract you need an overdraft facility of £281,000 anyway; the contract lowers it by
    £58,500." """
    noun = "contract" if contracts == 1 else "contracts"
    verb = {"adds": "adds" if noun == "contract" else "add", "lowers": "lowers" if noun == "contract" else "lower"}
    full, _, a_name = _money_term(need.input)
    name = full.lower()
    if need.status == "unprovable":
        return (f"With a risk appetite of 0% no {name} can be shown to be enough: no number of "
                "simulated futures proves a chance of nothing.")
    if need.without.value is None:
        return f"No {name} tried keeps you within the appetite even without the {noun}."
    anyway = (f"Without the {noun} you need {a_name} of {money(need.without.value)} anyway"
              if need.without.value > 0 else f"Without the {noun} you need no {name}")
    adds = need.contract_adds
    if adds is None:
        return f"{anyway}; with the {noun} no {name} tried is enough."
    if round(adds) > 0:
        return f"{anyway}; the {noun} {verb['adds']} {money(adds)} to it."
    if round(adds) < 0:
        return f"{anyway}; the {noun} {verb['lowers']} it by {money(-adds)}."
    return f"{anyway}; the {noun} does not change it."
