"""The glossary behind Help, the results tooltips and the report's "how to read this"."""
import re

import pytest

from charityrisk.report import glossary
from charityrisk.report.glossary import TERMS, result_tooltip, tooltip_for_label

# Words a trustee is asked to look up; each needs an entry a trustee can find.
REQUIRED = ["futures", "run_out", "one_in_twenty", "working_capital", "points", "seed",
            "precision", "reserves_floor", "overdraft", "still_owed", "added_risk", "appetite"]


def one_sentence(text: str) -> bool:
    # "e.g." style abbreviations are not used, so a full stop mid-text means a second sentence.
    return text.endswith(".") and not re.search(r"[.!?]\s+[A-Z]", text[:-1])


def test_every_term_a_trustee_meets_is_there():
    assert set(REQUIRED) <= {t.key for t in TERMS}
    assert len({t.key for t in TERMS}) == len(TERMS)


@pytest.mark.parametrize("t", TERMS, ids=lambda t: t.key)
def test_every_term_has_a_one_sentence_tooltip_and_a_paragraph(t):
    assert t.term and t.tooltip and t.paragraph
    assert one_sentence(t.tooltip), t.tooltip
    assert len(t.tooltip) <= 160
    sentences = re.split(r"(?<=[.!?”)])\s+(?=[A-Z“(])", t.paragraph)
    assert 2 <= len(sentences) <= 6, t.paragraph
    assert len(t.paragraph) <= 700


def test_futures_is_introduced_in_words_before_any_jargon():
    futures = glossary.term("futures").paragraph
    assert "possible future" in futures
    assert futures.index("possible future") < futures.index("Monte Carlo")


@pytest.mark.parametrize("jargon, explained_in", [
    ("percentile", "one_in_twenty"), ("median", "typical"), ("Monte Carlo", "precision"),
    ("baseline", "added_risk"), ("percentage points", "points"),
])
def test_statistics_words_are_explained_where_they_appear(jargon, explained_in):
    assert jargon in glossary.term(explained_in).paragraph


@pytest.mark.parametrize("t", TERMS, ids=lambda t: t.key)
def test_a_tooltip_read_alone_uses_no_statistics_jargon(t):
    for jargon in ("percentile", "Monte Carlo", "standard error", "median", "probability"):
        assert jargon.lower() not in t.tooltip.lower()


def test_report_terms_are_a_short_subset_with_their_paragraphs():
    pairs = glossary.report_terms()
    assert 4 <= len(pairs) <= 10
    assert pairs[0] == (glossary.term("futures").term, glossary.term("futures").paragraph)


def test_unknown_term_names_the_terms_there_are():
    with pytest.raises(KeyError, match="futures"):
        glossary.term("nonsense")


# The figures the results table and the report show, by their domain.md keys.
RESULT_KEYS = ["p_run_out", "working_capital_needed_95", "expected_owed_after_horizon",
               "p_below_floor", "paths", "seed", "most_likely_run_out_month", "contract_margin",
               *[f"lowest_balance_percentiles.{p}" for p in ("5", "25", "50", "75", "95")],
               *[f"balance_percentiles.{p}" for p in ("5", "25", "50", "75", "95")]]


@pytest.mark.parametrize("key", RESULT_KEYS)
def test_every_result_figure_has_a_one_sentence_tooltip(key):
    text = result_tooltip(key)
    assert one_sentence(text), text
    assert "percentile" not in text


def test_percentile_tooltips_say_how_many_futures_do_worse():
    assert "1 in 20 futures go below this" in result_tooltip("lowest_balance_percentiles.5")
    assert "half the futures" in result_tooltip("lowest_balance_percentiles.50")
    assert "only 1 in 20 stay above" in result_tooltip("balance_percentiles.95")


def test_unknown_result_key_is_an_error_not_a_blank_tooltip():
    with pytest.raises(KeyError):
        result_tooltip("p_run_out_typo")


def test_every_results_table_row_gets_its_tooltip(example):
    from charityrisk.engine import simulate
    from charityrisk.report.text import key_figures

    r = simulate(example, paths=200, seed=1)
    for label, _value in key_figures(example, r):
        tip = tooltip_for_label(label)
        assert tip and tip != label, label
    assert tooltip_for_label("Simulated futures (seed)").count(".") == 2  # futures, then seed
    assert tooltip_for_label("A row nobody wrote") is None
