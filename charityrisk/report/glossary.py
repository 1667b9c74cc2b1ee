"""The words a trustee meets in the results, explained once, in plain English.

One source for three places: the app's Help > "How to read the results" dialog (every term,
with its paragraph), the tooltips on the results table (one sentence a figure, from
``result_tooltip``) and the short "how to read this" section of the trustees' report
(``report_terms``).  Keeping them here means the app and the paper never explain a figure in
two different ways.

Only words: nothing here computes or formats a figure.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    key: str  # a stable name, for links ("show me 'futures'") and tests
    term: str  # the heading a trustee sees
    tooltip: str  # one sentence
    paragraph: str  # a short paragraph: what it is, and how to use it


TERMS: tuple[Term, ...] = (
    Term(
        "futures", "Futures (simulated futures)",
        "One future is one way the coming months could turn out; the app plays out thousands of them.",
        "Nobody knows how many people will be referred, how many will succeed or whether the "
        "commissioner will pay late. So the app plays the coming months out many thousands of "
        "times, each time drawing those uncertain things afresh within the ranges you gave. "
        "Each run is one possible future. The figures count how many of those futures go well "
        "or badly: \u201cin 8% of futures you run out\u201d means 8 in every 100 of the possible "
        "futures ran out of money. (Statisticians call this a Monte Carlo simulation.)",
    ),
    Term(
        "run_out", "Chance of running out",
        "The share of futures in which the bank balance at some month's end falls below what "
        "you can draw on (\u00a30, or the overdraft limit).",
        "A future \u201cruns out\u201d in the first month whose closing balance is below \u00a30, "
        "or below the overdraft limit if you have one: the month you could not pay your bills "
        "without new money. The chance of running out is the share of futures where that "
        "happens at least once before the end of the period looked at. It is the main figure "
        "to compare with the trustees' risk appetite. \u201cMost likely month\u201d is the "
        "month in which most of those futures first run out.",
    ),
    Term(
        "one_in_twenty", "1 in 20 futures (percentiles)",
        "\u201c1 in 20 futures do worse than this\u201d: only 5 in every 100 futures fall below "
        "the figure shown.",
        "Rather than a single best guess, the app shows how wide the range of futures is. Line "
        "the futures up from worst to best: the figure that 1 in 20 fall below is a bad but "
        "plausible case (statisticians call it the 5th percentile); 1 in 4 fall below the 25th "
        "percentile; the middle one is the typical future (the median); 19 in 20 fall below the "
        "95th. On the chart, the dark band holds the middle half of the futures and the light "
        "band 9 in 10 of them.",
    ),
    Term(
        "typical", "Typical future (median)",
        "The middle future: half the futures do better than this and half do worse.",
        "The typical future is the one in the middle when the futures are lined up from worst "
        "to best, so half do better and half do worse (statisticians call it the median). "
        "It is not a forecast and it is not an average: a few very bad futures do not drag it "
        "down, which is why the chance of running out and the 1 in 20 figures matter as well.",
    ),
    Term(
        "lowest_balance", "Lowest balance",
        "The lowest month-end bank balance a future reaches over the whole period.",
        "Cash trouble comes at the lowest point, not at the end. For each future the app notes "
        "the lowest month-end balance it reaches, and reports the typical lowest balance and "
        "the one that 1 in 20 futures fall below. A lowest balance below \u00a30 (or below the "
        "overdraft limit) means that future ran out.",
    ),
    Term(
        "working_capital", "Working capital needed",
        "Extra cash at the start that would keep 19 in 20 futures from running out.",
        "If you had this much more money in the bank on day one (from reserves, a loan or an "
        "advance from the commissioner), 19 in every 20 futures would never run out. It is the "
        "size of the cushion the contract needs, and a useful figure to put to a funder or the "
        "commissioner. \u00a30 means you already stay in funds in at least 19 in 20 futures.",
    ),
    Term(
        "points", "Points (pts)",
        "A difference between two percentages: going from 5% to 8% is 3 points more.",
        "When two chances are compared the difference is given in percentage points: a risk "
        "that rises from 5% to 8% has gone up 3 points (not 3%, which would be 5.15%). "
        "\u201cGive or take 0.4 points\u201d means the true figure is very likely within 0.4 of "
        "the one shown, either way.",
    ),
    Term(
        "precision", "How sure the figure is (Monte Carlo error)",
        "Because the futures are a sample, a figure could move a little with a different sample; "
        "\u201cgive or take\u201d says by how much.",
        "Playing out a different set of futures would give slightly different figures, as a "
        "second opinion poll would. The app says how much: \u201c8% (give or take 0.4 points)\u201d "
        "means the chance is very likely between 7.6% and 8.4%. Running more futures narrows "
        "the range. Statisticians call this the Monte Carlo error; it is about the simulation, "
        "not about whether your own estimates are right.",
    ),
    Term(
        "seed", "Seed",
        "The number that picks this set of futures, so the same figures can be produced again.",
        "The futures are drawn at random, but from a numbered starting point called the seed. "
        "The same scenario, number of futures and seed always give exactly the same figures, "
        "which is why the report prints them: anyone can check the figures or reproduce them "
        "later. A different seed gives a slightly different set of futures.",
    ),
    Term(
        "reserves_floor", "Reserves floor",
        "The lowest balance your reserves policy allows; the app counts the futures that dip "
        "below it.",
        "Most trustees set a reserves policy: a level the bank balance should not fall below, "
        "often a few months of running costs. Falling below it is not running out, but it is a "
        "breach of your own policy that trustees would want to hear about. The app reports the "
        "chance that the balance breaches the floor in at least one month.",
    ),
    Term(
        "overdraft", "Overdraft limit",
        "The most the bank lets you go below \u00a30; you run out only if the balance goes below it.",
        "An agreed overdraft lets the balance go below \u00a30 down to the limit. The app then "
        "counts a future as running out only when the balance falls below minus the limit. "
        "Overdrafts can be withdrawn and cost interest, so trustees may prefer to see the "
        "figures without one as well.",
    ),
    Term(
        "still_owed", "Still owed at the end",
        "Money earned within the period but not yet paid to you by its end, on average.",
        "Payment by results pays late: an outcome achieved in the last months may be paid "
        "months after the period the app looks at. That money is not in the bank balance, so it "
        "cannot stop you running out, but it is owed to you. The figure is the average over "
        "the futures.",
    ),
    Term(
        "margin", "Margin on a contract",
        "What the contract is expected to bring in, less what it costs to deliver, within the "
        "period; on average.",
        "The margin shows whether the contract pays its way: its fees and results payments "
        "less its delivery costs, averaged over the futures, counting only money within the "
        "period. A contract can have a healthy margin and still make you run out, because the "
        "costs come months before the payments.",
    ),
    Term(
        "added_risk", "The contract's added risk (baseline)",
        "How much the contract itself adds to the chance of running out, compared with the "
        "same organisation without it.",
        "Some risk is there whatever you decide: the baseline is your organisation on its own, "
        "without the contract, on the same futures. The contract's added risk is the "
        "difference, in points: if you would run out in 2% of futures anyway and in 9% with the "
        "contract, the contract adds 7 points. This separates the risk of signing from the "
        "risk you already carry.",
    ),
    Term(
        "appetite", "Within the appetite / too close to call",
        "Whether the chance of running out is below the most the trustees will accept, allowing "
        "for how sure the figure is.",
        "The risk appetite is the highest chance of running out the trustees are willing to "
        "accept, say 5%. \u201cWithin the appetite\u201d means the chance is below it even at the "
        "top of its give-or-take range; \u201cabove\u201d means it is above even at the bottom. "
        "\u201cToo close to call\u201d means the range straddles the appetite: run more futures "
        "to narrow it before deciding.",
    ),
)

_BY_KEY = {t.key: t for t in TERMS}


def term(key: str) -> Term:
    """The glossary entry for ``key`` (KeyError names the keys there are)."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise KeyError(f"no glossary term {key!r}; terms are {sorted(_BY_KEY)}") from None


# The terms a trustee needs to read the report's figures, in reading order; the dialog has all.
REPORT_TERMS = ("futures", "run_out", "one_in_twenty", "working_capital", "precision",
                "added_risk", "appetite", "seed")


def report_terms(keys: tuple[str, ...] = REPORT_TERMS) -> list[tuple[str, str]]:
    """(heading, paragraph) pairs for the report's short "how to read this" section."""
    return [(term(k).term, term(k).paragraph) for k in keys]


_PERCENTILE_WORDS = {
    "5": "1 in 20 futures {verb} below this; 19 in 20 stay above it.",
    "25": "1 in 4 futures {verb} below this; 3 in 4 stay above it.",
    "50": "The typical future: half the futures {verb} below this and half stay above it.",
    "75": "3 in 4 futures {verb} below this; 1 in 4 stay above it.",
    "95": "19 in 20 futures {verb} below this; only 1 in 20 stay above it.",
}

_RESULT_TOOLTIPS = {
    "p_run_out": "The share of futures in which the bank balance falls below what you can draw "
                 "on (\u00a30, or the overdraft limit) at some month's end; give or take says how "
                 "sure the figure is.",
    "p_run_out_se": "How much the chance of running out could move with a different set of "
                    "futures; more futures make it smaller.",
    "p_run_out_by_month": "The share of futures that have run out by the end of each month.",
    "most_likely_run_out_month": "Of the futures that run out, the month in which most of them "
                                 "first do.",
    "median_run_out_month": "Of the futures that run out, half have done so by this month.",
    "p_below_floor": "The share of futures in which the balance dips below your reserves floor "
                     "in at least one month.",
    "balance_percentiles": "The range of month-end balances across the futures: the middle half "
                           "and 9 in 10 of them.",
    "lowest_balance_percentiles": "How low the balance goes in each future, across the futures.",
    "working_capital_needed_95": "Extra cash at the start that would keep 19 in 20 futures from "
                                 "running out; \u00a30 means you need none.",
    "expected_owed_after_horizon": "Money earned but not yet paid to you by the end of the "
                                   "period, on average: not in the bank, so no help against "
                                   "running out.",
    "contract_margin": "The contract's expected receipts less its delivery costs within the "
                       "period, on average: whether it pays its way.",
    "paths": "How many possible futures were played out; more futures make the figures surer.",
    "seed": "The number that picks this set of futures: the same scenario, futures and seed "
            "always give the same figures.",
    "horizon_months": "How many months ahead the app looks.",
    "baseline.p_run_out": "The chance of running out for your organisation without the "
                          "contract, on the same futures.",
    "added_risk": "How many points the contract adds to the chance of running out, compared "
                  "with the organisation without it.",
    "mean_balance_by_month": "The average month-end balance over the futures (a few very good "
                             "or bad futures move it).",
    "baseline.p_below_floor": "The chance of dipping below your reserves floor for your "
                              "organisation without the contract, on the same futures.",
    "baseline.working_capital_needed_95": "The extra opening cash your organisation would need "
                                          "without the contract to stay in funds in 19 in 20 "
                                          "futures.",
    "mean_flows_by_month.income": "Your own income that month (grants, donations, other income; "
                                  "not the contracts), averaged over the futures.",
    "mean_flows_by_month.costs": "Your own costs that month (staff, premises, running costs; not "
                                 "the contracts), averaged over the futures.",
    "mean_flows_by_month.contract_receipts": "What the contracts pay you that month: service fees "
                                             "and outcome payments, less any clawback, averaged "
                                             "over the futures.",
    "mean_flows_by_month.contract_costs": "What delivering the contracts costs that month: their "
                                          "fixed costs and the cost of each referral, averaged "
                                          "over the futures.",
    "mean_flows_by_month.interest": "Interest the bank charges that month on the overdrawn balance "
                                    "at the end of the month before, averaged over the futures "
                                    "(not part of the costs above).",
    "baseline.mean_balance_by_month": "The average month-end balance of your organisation without "
                                      "the contract, on the same futures.",
}
_RESULT_TOOLTIPS.update({f"lowest_balance_percentiles.{k}": "The lowest month-end balance a "
                         "future reaches: " + words.format(verb="go")
                         for k, words in _PERCENTILE_WORDS.items()})
_RESULT_TOOLTIPS.update({f"balance_percentiles.{k}": "The month-end balance: " + words.format(verb="are")
                         for k, words in _PERCENTILE_WORDS.items()})

RESULT_KEYS = tuple(_RESULT_TOOLTIPS)


def result_tooltip(key: str) -> str:
    """One sentence explaining a result figure, by its result key (docs/model.md); a percentile as
    "lowest_balance_percentiles.5".  KeyError for a key with no explanation."""
    try:
        return _RESULT_TOOLTIPS[key]
    except KeyError:
        raise KeyError(f"no tooltip for result {key!r}") from None


# The results table's current row labels (report.text.key_figures), so the table can look
# its tooltips up without knowing the keys.  Margin rows are named after each contract.
_LABEL_KEYS = {
    "Chance of running out": "p_run_out",
    "Most likely month to run out": "most_likely_run_out_month",
    "Chance of breaching the reserves floor": "p_below_floor",
    "Lowest balance, typical future (median)": "lowest_balance_percentiles.50",
    "Lowest balance, 1 in 20 worst (5th percentile)": "lowest_balance_percentiles.5",
    "Extra working capital for 95% safety": "working_capital_needed_95",
    "Still owed to you at the end (average)": "expected_owed_after_horizon",
    "Simulated futures (seed)": "paths",
}
# The same figures for the organisation without its contracts (report.text.baseline_figures).
for _noun in ("contract", "contracts"):
    _LABEL_KEYS.update({
        f"Chance of running out without the {_noun}": "baseline.p_run_out",
        f"Added by the {_noun}": "added_risk",
        f"Chance of breaching the reserves floor without the {_noun}": "baseline.p_below_floor",
        f"Extra working capital for 95% safety without the {_noun}": "baseline.working_capital_needed_95",
    })


def tooltip_for_label(label: str) -> str | None:
    """The tooltip for a results-table row by its label (report.text.key_figures), or None
    for a label this module does not know (so a new row shows no wrong explanation)."""
    if label == "Simulated futures (seed)":
        return f"{result_tooltip('paths')} {result_tooltip('seed')}"
    if label.startswith("Margin on "):
        return result_tooltip("contract_margin")
    key = _LABEL_KEYS.get(label)
    return None if key is None else result_tooltip(key)


__all__ = ["Term", "TERMS", "REPORT_TERMS", "RESULT_KEYS", "term", "report_terms",
           "result_tooltip", "tooltip_for_label"]
