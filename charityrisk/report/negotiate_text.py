"""Plain sentences from the negotiation grid: the cheapest safe combinations of two terms,
or, where none is safe, which risk input holds the risk up.

Formatting only: everything here reads what engine.decisions.negotiate computed.
"""
from __future__ import annotations

from ..engine.decisions.negotiate import Floor, LeverAxis, Negotiation, RiskInput, lever_spec
from ..engine.verdict import Verdict
from ..model.fields import row_named
from .decision_text import level, months, referrals, share
from .text import money, percent

MOST_CLAUSES = 3  # a sentence read aloud in a board meeting: at most three combinations


def lever_label(name: str) -> str:
    """A lever's name for an axis or a chooser: "Share of the price at risk"."""
    return lever_spec(name).report_name


def axis_value(axis: LeverAxis, v: float) -> str:
    """A lever's value for an axis tick or a table header: 10%, £20,000, 6 months, 2.5."""
    if axis.unit == "money":
        return money(v)
    if axis.unit == "share":
        return share(v)
    if axis.unit == "months":
        return months(v)
    return referrals(v)


def _value_words(axis: LeverAxis, v: float) -> str:
    if axis.unit == "referrals":
        return f"{referrals(v)} referrals a month"
    return axis_value(axis, v)


def term(axis: LeverAxis, v: float, bound: bool = False) -> str:
    """A lever's value as a term in a sentence: "at most 10% at risk", "a £20,000 overdraft",
    "no overdraft" (the field table's wording)."""
    lever = lever_spec(axis.input).lever
    assert lever is not None
    if v == 0 and lever.zero:
        return lever.zero
    words = lever.bound if axis.cheaper == lever.cheaper else {"at least ": "at most ", "at most ": "at least "}.get(
        lever.bound, lever.bound)  # a budget cost line's scale is cheaper the other way
    return lever.term.format(b=words if bound else "", v=_value_words(axis, v))


def combination(n: Negotiation, cell: tuple[int, int], bound: bool = False, joiner: str = "with") -> str:
    """"at most 10% at risk with a £20,000 overdraft"."""
    i, j = cell
    return f"{term(n.rows, n.rows.values[i], bound)} {joiner} {term(n.columns, n.columns.values[j])}"


def _spread(cells: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    """At most MOST_CLAUSES of the cheapest combinations: both ends and the middle."""
    if len(cells) <= MOST_CLAUSES:
        return list(cells)
    return [cells[0], cells[len(cells) // 2], cells[-1]]


def precision_sentence(n: Negotiation) -> str:
    return (f"Each figure is from the same {n.paths:,} simulated futures: near the appetite it is known "
            f"to about ±{100 * 2 * n.appetite_se:.1f} points (95% of the time).")


def risk_words(r: RiskInput, several_contracts: bool = False) -> str:
    """A risk input as the thing that holds the risk up: "the 4% chance of no referrals"."""
    whose = f" ({r.name})" if several_contracts and r.name else ""
    if r.kind == "misses":
        return f"the {percent(r.value)} chance that \u201c{r.name}\u201d does not come"
    if r.kind == "happens":
        return f"the {percent(r.value)} chance of \u201c{r.name}\u201d"
    if r.kind == "level":
        return f"bad surprises coming together (correlation {level(r.value)})"
    row = row_named(r.input)
    if row is None or not row.risk_words:
        return f"the uncertainty in {r.input}"
    if r.kind == "chance":  # the row's words (model/fields.py, risk_words)
        return row.risk_words.format(v=percent(r.value), whose=whose)
    low, _, high = r.value
    ends = _ENDS[row.kind]
    return row.risk_words.format(low=ends(low), high=ends(high), whose=whose)


# A guess's ends in the words of its row's kind.
_ENDS = {"count": referrals, "fraction": share, "money": money}


def floor_sentence(floor: Floor, several_contracts: bool = False) -> str:
    """Which risk input holds the risk up: "The 4% chance of no referrals at all alone keeps
    it at 6.7%: without it the chance would be 3.1%, within the appetite of 5%." """
    holder = floor.holder
    appetite = percent(floor.risk_appetite)
    if holder is None:
        return (f"No single risk taken away brings it down from {percent(floor.p_run_out)}: "
                "it comes from the terms and the budget themselves.")
    words = risk_words(holder, several_contracts)
    text = (f"{words[0].upper()}{words[1:]} alone keeps it at {percent(floor.p_run_out)}: "
            "without it the chance would be ")
    if floor.verdict_without(holder) is Verdict.WITHIN:
        return text + f"{percent(holder.p_without)}, within the appetite of {appetite}."
    return text + (f"{percent(holder.p_without)}, still not within the appetite of {appetite}, so more than "
                   "one risk holds it up.")


def negotiation_sentence(n: Negotiation, several_contracts: bool = False) -> str:
    """The answer for the trustees, e.g. "At most 10% at risk with a £20,000 overdraft, or
    5% at risk with no overdraft, keeps it within your 5% appetite." """
    appetite = percent(n.risk_appetite)
    cheapest = n.cheapest
    if cheapest:
        clauses = [combination(n, c, bound=n.holds_beyond(c)) for c in _spread(cheapest)]
        text = ", or ".join(clauses)
        text = f"{text[0].upper()}{text[1:]} keeps it within your {appetite} appetite."
        if n.current_verdict is Verdict.WITHIN:
            text = (f"Your terms as they are ({percent(n.p_run_out)}) are already within your {appetite} "
                    f"appetite. {text}")
        return text
    i, j = n.best
    text = (f"No combination on the grid keeps it within your {appetite} appetite: the lowest chance of "
            f"running out, {percent(n.p[i][j])}, is with {combination(n, (i, j), joiner='and')}.")
    if n.floor is not None:
        text += " " + floor_sentence(n.floor, several_contracts)
    return text


def grid_lines(n: Negotiation) -> list[str]:
    """The grid as text: one row per value of the first lever, "*" where within the appetite."""
    head = [f"{lever_label(n.rows.input)} (rows) by {lever_label(n.columns.input)} (columns): "
            f"chance of running out; * within the appetite of {percent(n.risk_appetite)}, "
            "? too close to call"]
    marks = {Verdict.WITHIN: "*", Verdict.TOO_CLOSE: "?", Verdict.ABOVE: " "}
    header = [""] + [axis_value(n.columns, v) for v in n.columns.values]
    rows = [header]
    for i, v in enumerate(n.rows.values):
        rows.append([axis_value(n.rows, v)] + [f"{percent(n.p[i][j])}{marks[n.verdict(i, j)]}"
                                               for j in range(len(n.columns.values))])
    widths = [max(len(r[k]) for r in rows) for k in range(len(header))]
    table = ["  ".join(cell.rjust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
    return head + [""] + table


def negotiation_lines(n: Negotiation, several_contracts: bool = False) -> list[str]:
    """For the command line and the report: the sentence, the grid, the precision."""
    now = (f"Chance of running out now: {percent(n.p_run_out)} (risk appetite {percent(n.risk_appetite)}; "
           f"{n.paths:,} futures, seed {n.seed})")
    return [now, "", negotiation_sentence(n, several_contracts), ""] + grid_lines(n) + ["", precision_sentence(n)]


def describe_grid(n: Negotiation) -> str:
    """The chart's text alternative for a screen reader: what it shows and its key figures."""
    flat = [p for row in n.p for p in row]
    safe = int(n.safe().sum())
    total = len(flat)
    return (f"Grid of the chance of running out: {lever_label(n.rows.input).lower()} from "
            f"{axis_value(n.rows, n.rows.values[0])} to {axis_value(n.rows, n.rows.values[-1])} down the side, "
            f"{lever_label(n.columns.input).lower()} from {axis_value(n.columns, n.columns.values[0])} to "
            f"{axis_value(n.columns, n.columns.values[-1])} across. The chance ranges from {percent(min(flat))} "
            f"to {percent(max(flat))}; {safe} of {total} combinations are within the appetite of "
            f"{percent(n.risk_appetite)}. {negotiation_sentence(n)}")
