"""Plain sentences from the decision tools: what would make the contract safe, what drives
the risk, how the payment structures compare.

Formatting only: everything here reads what engine.decisions computed.
"""
from __future__ import annotations

from ..engine.decisions import Comparison, GoalSeek, Sensitivity, SensitivityBar, Solutions
from ..engine.decisions.compare import PRESET_GUESSES, YOUR_GUESSES
from ..engine.verdict import Verdict
from ..model.fields import fields_of, spec, template
from .formats import count as referrals  # referrals a month, the one count the decision tools vary
from .formats import money, months, percent
from .formats import rate as share

# Each input's row by the name the decision tools give it: its key within its owner, or for an
# input of one item of a list, its list within the owner the tools vary and its key:
# "outcome_payments[].price" (a rate card's stage), "budget[].scale" (a budget line).
ROWS = {row.name: row for owner in ("", "organisation", "contracts[]") for row in fields_of(owner)}
for _owner, _within in (("contracts[].outcome_payments[]", "outcome_payments[]"),
                        ("organisation.budget[]", "budget[]")):
    for _row in fields_of(_owner):
        ROWS[f"{_within}.{_row.name}"] = _row
# Each input's name in sentences and its noun inside one, from the field table.
LABELS = {name: row.report_name for name, row in ROWS.items()}
NOUNS = {name: row.sentence_noun for name, row in ROWS.items()}


def _item(bar_or_goal: SensitivityBar | GoalSeek) -> str:
    """The stage or budget line an input belongs to, in words ("" for other inputs)."""
    item = getattr(bar_or_goal, "item", None)
    return f" “{item}”" if item else ""


def noun(g: GoalSeek) -> str:
    name = template(g.input)  # a stage's "outcome_payments[1].rate" is its row's
    return NOUNS.get(name, LABELS.get(name, g.input).lower()) + _item(g)


def label(bar_or_goal: SensitivityBar | GoalSeek, with_contract: bool = False) -> str:
    """The input's name for a trustee, e.g. "Share of the price at risk"."""
    text = LABELS.get(template(bar_or_goal.input), bar_or_goal.input) + _item(bar_or_goal)
    if with_contract and bar_or_goal.contract_name:
        text += f" ({bar_or_goal.contract_name})"
    return text


def value(unit: str, x: float) -> str:
    """A value of an input in its unit: £1,240, 14%, 9 months, 9.7 referrals a month."""
    if unit == "money":
        return money(x)
    if unit == "share":
        return share(x)
    if unit == "months":
        return months(x)
    if unit == "level":
        return level(x)
    return f"{referrals(x)} referrals a month"


def level(x: float) -> str:
    """A correlation in the form's words where it is one of its levels: "Strongly (0.6)"."""
    words = next((w for w, v, _ in spec("correlation").levels if abs(v - x) < 1e-9), "")  # type: ignore[union-attr]
    return f"{words} ({x:g})" if words else f"{x:g}"


def span(unit: str, low: float, high: float, word: str = "to") -> str:
    """Two values of one unit: £88,500 to £93,000, 10% to 13%, 5 to 8 months."""
    if unit == "months":
        return f"{low:.0f} {word} {months(high)}"
    if unit == "referrals":
        return f"{referrals(low)} {word} {value(unit, high)}"
    return f"{value(unit, low)} {word} {value(unit, high)}"


# ------------------------------------------------------------------ goal seeking

def safe_range_words(g: GoalSeek, low: float, high: float) -> str:
    """One safe range in words: "at or below 20%", "between 35% and 80%", "at least £5,000"."""
    if low == g.search_low and high == g.search_high:
        return f"anywhere from {span(g.unit, low, high)}"
    if low == high:
        return f"at {value(g.unit, low)} exactly"
    if low == g.search_low:
        return f"at or below {value(g.unit, high)}"
    if high == g.search_high:
        return f"at or above {value(g.unit, low)}"
    return f"between {span(g.unit, low, high, 'and')}"


def safe_ranges_words(g: GoalSeek) -> str:
    """Every safe range in words, joined with "or": "between 5% and 20% or between 35% and 80%"."""
    return _join([safe_range_words(g, low, high) for low, high in g.safe_ranges], "or")


def goal_clause(g: GoalSeek) -> str:
    """What to secure, as a clause to join with "or": "keep the share at risk at or below 14%"."""
    if g.direction == "between":  # the risk turns: the safe values lie inside the range
        return f"keep the {noun(g)} {safe_ranges_words(g)}"
    v = g.value
    assert v is not None, "a clause is only written for a goal seek with an answer"
    at_most = g.direction == "at_most"
    row = ROWS.get(template(g.input))
    seek = row.goal_seek if row is not None else None
    if seek is not None and seek.at_least and (g.item is not None or "{item}" not in seek.at_least):
        # the row's words for its answer (model/fields.py, Seek)
        main = (seek.at_most or seek.at_least) if at_most else seek.at_least
        zero = seek.at_most_zero if at_most else seek.at_least_zero
        words = zero if zero and v == 0 else main
        return words.format(v=value(g.unit, v), n=referrals(v), item=g.item)
    return f"set {label(g).lower()} to {value(g.unit, v)}"


def uncertainty(g: GoalSeek) -> str:
    """The answer's Monte Carlo uncertainty as a sentence (empty if there is none to state)."""
    low, high = g.value_range
    if low is None or high is None:
        end = high if low is None else low
        if end is None:
            return ""
        return (f"Allowing for Monte Carlo error the answer could be as far as "
                f"{value(g.unit, end)}, or no value in the range.")
    if low == high:
        return ""
    return f"Allowing for Monte Carlo error the answer lies between {span(g.unit, low, high, 'and')}."


def goal_sentence(g: GoalSeek) -> str:
    """One input's answer as plain sentences, with its Monte Carlo uncertainty."""
    appetite = percent(g.risk_appetite)
    name = noun(g)
    if g.status == "unprovable":
        return (f"With a risk appetite of 0% no {name} can be shown to be safe: no number of simulated "
                "futures proves a chance of nothing.")
    if g.status == "none_safe":
        return (f"Changing the {name} on its own, anywhere from {span(g.unit, g.search_low, g.search_high)}, "
                f"does not bring the chance of running out within the appetite of {appetite}: even at "
                f"{value(g.unit, g.best_value)} it is {percent(g.p_run_out_best)}.")
    # Every goal seek but "none_safe" has an answer and its chance of running out.
    v, p_v = g.value, g.p_run_out_at_value
    assert v is not None and p_v is not None, f"{g.input}: a {g.status} goal seek without an answer"
    if g.status == "all_safe":
        return (f"The {name} alone cannot push the chance of running out above the appetite of "
                f"{appetite}: even at {value(g.unit, v)} it is {percent(p_v)}.")
    if g.direction == "between":
        low, high = g.value_range
        noise = ("" if low is None or high is None or (low, high) in g.safe_ranges else
                 f" Allowing for Monte Carlo error it may also be within from {span(g.unit, low, high)}.")
        return (f"The chance of running out does not move one way with the {name}: it is within "
                f"the appetite of {appetite} {safe_ranges_words(g)} (now {value(g.unit, g.current_value)}; "
                f"lowest, {percent(g.p_run_out_best)}, at {value(g.unit, g.best_value)}).{noise}")
    clause = goal_clause(g)
    now = f"now {value(g.unit, g.current_value)}"
    if g.input == "referrals_per_month" and g.safe_scenario is not None and g.contract is not None:
        u = g.safe_scenario.contracts[g.contract].referrals_per_month
        if not u.is_fixed:
            now = (f"most likely, with low {referrals(u.low)} and high {referrals(u.high)}; "
                   f"now {referrals(g.current_value)}")
    if g.input == "success_rate" and g.safe_scenario is not None and g.contract is not None:
        u = g.safe_scenario.contracts[g.contract].success_rate
        if not u.is_fixed:
            now = f"with low {share(u.low)} and high {share(u.high)}; now {share(g.current_value)}"
    text = (f"{clause[0].upper()}{clause[1:]} ({now}): the chance of "
            f"running out is then {percent(p_v)}, within the appetite of {appetite}.")
    noise = uncertainty(g)
    return f"{text} {noise}" if noise else text


def advice(solutions: Solutions) -> str:
    """The answers in one or two sentences for the trustees, e.g. "Keep the share at risk at
    or below 14%, or secure a £38,000 overdraft facility, or get outcome payments within 9
    months of each cohort's end." """
    appetite = percent(solutions.risk_appetite)
    now = percent(solutions.p_run_out)
    found = [g for g in solutions.goals if g.status == "found"]
    impossible = [g for g in solutions.goals if g.status == "none_safe"]
    judged = solutions.verdict
    if judged is Verdict.WITHIN:
        text = f"The chance of running out ({now}) is within the trustees' appetite of {appetite}."
        if found:
            text += (" It stays within it if you " + _join([goal_clause(g) for g in found], "and") + ".")
        return text
    where = ("above the trustees' appetite of" if judged is Verdict.ABOVE
             else "too close to call against the trustees' appetite of")
    if solutions.risk_appetite <= 0:
        return (f"The chance of running out is {now}. With a risk appetite of 0% no change can be shown "
                "to be safe: no number of simulated futures proves a chance of nothing.")
    if not found:
        return (f"The chance of running out is {now}, {where} {appetite}, "
                "and no single change searched brings it within.")
    clauses = [goal_clause(g) for g in found]
    text = f"{clauses[0][0].upper()}{clauses[0][1:]}"
    if judged is Verdict.TOO_CLOSE:
        text = (f"The chance of running out ({now}) is too close to call against the trustees' "
                f"appetite of {appetite}. To be within it, {clauses[0]}")
    if len(clauses) > 1:
        text += ", or " + ", or ".join(clauses[1:])
    text += "."
    if impossible:
        names = _join([f"the {noun(g)}" for g in impossible], "or")
        text += f" Changing {names} alone would not be enough."
    return text


def _join(items: list[str], word: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def goal_lines(solutions: Solutions) -> list[str]:
    lines = [f"Chance of running out now: {percent(solutions.p_run_out)} "
             f"(risk appetite {percent(solutions.risk_appetite)}; {solutions.paths:,} futures, seed {solutions.seed})",
             "", advice(solutions), ""]
    lines += [f"- {goal_sentence(g)}" for g in solutions.goals]
    return lines


# ------------------------------------------------------------------- sensitivity

def bar_sentence(bar: SensitivityBar, with_contract: bool = False) -> str:
    ends = "low and high guesses" if bar.kind == "range" else "a step either side"
    return (f"{label(bar, with_contract)}: {percent(bar.p_low)} at {value(bar.unit, bar.low_value)}, "
            f"{percent(bar.p_high)} at {value(bar.unit, bar.high_value)} ({ends})")


def sensitivity_lines(sens: Sensitivity, top: int | None = None) -> list[str]:
    contracts = {b.contract_name for b in sens.bars if b.contract is not None}
    lines = [f"What drives the risk (now {percent(sens.p_run_out)}), largest effect first:"]
    for k, bar in enumerate(sens.bars[:top], start=1):
        lines.append(f"{k:>2}. {bar_sentence(bar, len(contracts) > 1)}")
    return lines


# -------------------------------------------------------------------- comparison

# The comparison table's "Within appetite" column, from the one verdict.
WITHIN_WORDS = {Verdict.WITHIN: "yes", Verdict.TOO_CLOSE: "too close to call", Verdict.ABOVE: "no"}


def comparison_rows(comparison: Comparison) -> list[tuple[str, ...]]:
    """A header and one row per option, for a table."""
    rows: list[tuple[str, ...]] = [("Option", "Runs out", "vs first", "Most likely month", "Lowest balance (1 in 20)",
             "Extra capital for 95%", "Within appetite")]
    for k, o in enumerate(comparison.options):
        r = o.results
        diff = "" if k == 0 else (f"{100 * o.p_run_out_difference:+.1f} pts "
                                  f"(± {100 * 2 * o.p_run_out_difference_se:.1f})")
        month = r.most_likely_run_out_month
        rows.append((o.label, percent(r.p_run_out), diff, f"month {month}" if month else "none",
                     money(r.lowest_balance_percentiles["5"]), money(r.working_capital_needed_95),
                     WITHIN_WORDS[comparison.verdict(o)]))
    return rows


def risk_guesses_sentence(comparison: Comparison) -> str:
    """Whose guesses of referrals, success, late payment and no referrals the compared terms
    used (issue 13: never silently the preset's); "" when every option is a whole scenario."""
    guesses = "guesses of referrals, success rates, late payment and the chance of no referrals"
    if comparison.risk_guesses == YOUR_GUESSES:
        return f"The compared terms kept this scenario's own {guesses}: only the payment terms differ."
    if comparison.risk_guesses == PRESET_GUESSES:
        return (f"As asked, each compared option also took its preset's own {guesses}, "
                "not this scenario's: the differences are not the payment terms alone.")
    return ""


def comparison_lines(comparison: Comparison) -> list[str]:
    rows = comparison_rows(comparison)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    safest = comparison.safest
    lines += ["", f"Safest: {safest.label} ({percent(safest.p_run_out)} chance of running out). "
              f"All options ran on the same {comparison.paths:,} futures (seed {comparison.seed}); "
              "\"vs first\" is the difference from the first option with its 95% Monte Carlo range."]
    guesses = risk_guesses_sentence(comparison)
    if guesses:
        lines.append(guesses)
    return lines


def decision_sentences(solutions: Solutions) -> list[str]:
    """For the report's "What would make it safe": the advice, then one sentence per goal."""
    return [advice(solutions)] + [goal_sentence(g) for g in solutions.goals]
