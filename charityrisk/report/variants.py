"""The variants side by side ("Try different terms"), as table rows and lines of text.

One wording for the app's table, the board pack, the CSV and the command line, so that no
two of them can describe the same comparison differently.
"""
from __future__ import annotations

from ..engine.decisions import Comparison, VariantFigures, variant_figures
from ..engine.verdict import Verdict
from .text import money, percent

HEADER = ("Terms", "Chance of running out", "Within the appetite?", "Worst month",
          "Working capital needed", "Margin (with payments owed)")

VERDICT_WORDS = {Verdict.WITHIN: "yes", Verdict.TOO_CLOSE: "too close to call", Verdict.ABOVE: "no"}

# What each column means, in a sentence (tooltips in the app, notes under the tables).
EXPLAINED = {
    "Chance of running out": "The share of the simulated futures in which the money runs out "
                             "(below the overdraft) within the period looked at.",
    "Within the appetite?": "Whether that chance is within the trustees' risk appetite, allowing for "
                            "the uncertainty of the simulation (\u201ctoo close to call\u201d: run more futures).",
    "Worst month": "The month in which most of the futures that run out do so; when none does, the "
                   "month with the lowest balance in a typical future.",
    "Working capital needed": "Extra cash at the start that would keep 19 futures in 20 from running out.",
    "Margin (with payments owed)": "What the contracts earn for the work done in the period (including payments still "
              "owed at its end) less what they cost, on average.",
}


def worst_month_words(f: VariantFigures) -> str:
    return f"month {f.worst_month}" + ("" if f.worst_month_runs_out else " (lowest balance)")


def difference_words(f: VariantFigures, first: bool) -> str:
    """The change from the first row on the same futures, in points with its 95% range."""
    if first:
        return ""
    return (f" ({100 * f.p_run_out_difference:+.1f} pts"
            f" \u00b1 {100 * 2 * f.p_run_out_difference_se:.1f})")


def variant_rows(comparison: Comparison) -> list[tuple[str, ...]]:
    """A header and one row of words per variant, in the order compared."""
    rows: list[tuple[str, ...]] = [HEADER]
    for k, f in enumerate(variant_figures(comparison)):
        rows.append((f.label, percent(f.p_run_out) + difference_words(f, k == 0), VERDICT_WORDS[f.verdict],
                     worst_month_words(f), money(f.working_capital_needed_95), money(f.margin)))
    return rows


def footnote(comparison: Comparison) -> str:
    return (f"All ran on the same {comparison.paths:,} futures (seed {comparison.seed}), against a risk "
            f"appetite of {percent(comparison.risk_appetite)}; the points in brackets are the change from "
            "the first row, with its 95% range. Worst month: when most futures that run out do so "
            "(\u201clowest balance\u201d: none runs out; the month of the lowest typical balance). Margin: "
            "the contracts' receipts for the work done in the period, including payments still owed at "
            "its end, less their costs.")


def variant_lines(comparison: Comparison) -> list[str]:
    """The table as aligned plain text, then its footnote."""
    rows = variant_rows(comparison)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines + ["", footnote(comparison)]


def variants_json(comparison: Comparison) -> dict:
    """The comparison as JSON, each option with its variant figures."""
    data = comparison.to_json_dict()
    for option, f in zip(data["options"], variant_figures(comparison)):
        option.update({"worst_month": f.worst_month, "worst_month_runs_out": f.worst_month_runs_out,
                       "margin": f.margin})
    return data
