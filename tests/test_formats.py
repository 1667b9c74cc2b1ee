"""One module of formatters (report/formats.py, issue 22): one sign rule for money, a minus
sign before the pound sign, and the same words for a figure wherever it is shown."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charityrisk.model.money import parse_money
from charityrisk.report import decision_text, figures, terms, text
from charityrisk.report.formats import (
    MINUS,
    count,
    money,
    money_cell,
    money_exact,
    money_pence,
    months,
    months_tenth,
    percent,
    percent_cell,
    points,
    pounds_short,
    rate,
)

AMOUNTS = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)


@pytest.mark.parametrize("x, words", [
    (1200, "£1,200"), (-1200, "-£1,200"), (-1199.6, "-£1,200"), (-0.4, "£0"), (0.4, "£0"), (0, "£0"),
    (1234567.5, "£1,234,568"),
])
def test_whole_pounds_put_the_minus_before_the_pound_and_never_write_minus_nothing(x, words):
    assert money(x) == words


@pytest.mark.parametrize("x, words", [
    (65000, "£65,000"), (65000.5, "£65,000.50"), (-1200, "-£1,200"), (-0.001, "£0"),
    (math.inf, "inf"), (None, ""), ("65,00", "65,00"),
])
def test_money_to_the_penny_and_what_is_no_amount(x, words):
    assert money_exact(x) == words


@pytest.mark.parametrize("x, words", [
    (1250, "£1,250.00"), (-1200.5, "-£1,200.50"), (-0.004, "£0.00"), (0.005, "£0.01"),
])
def test_money_always_to_the_penny_for_sums_checked_against_a_sheet(x, words):
    assert money_pence(x) == words


@pytest.mark.parametrize("x, span, words", [
    (-20_000, 100_000, MINUS + "£20k"), (40_000, 100_000, "£40k"), (-12_000_000, 1_000_000, MINUS + "£12.0m"),
    (-0.3, 100, "£0"), (-750, 1000, MINUS + "£750"), (15_000, 15_000, "£15.0k"),
])
def test_chart_ticks_use_the_same_rule_with_the_typographic_minus(x, span, words):
    assert pounds_short(x, span) == words


@settings(max_examples=300, deadline=None)
@given(AMOUNTS)
def test_every_money_formatter_agrees_on_the_sign(x):
    """Whole pounds, the penny and chart ticks are negative exactly when the amount as written
    is below zero, and the words read back (as typed into a box) to the amount they round."""
    whole, exact, tick = money(x), money_exact(x), pounds_short(x, 1000)
    assert whole.startswith("-£") == (round(x) < 0)
    assert exact.startswith("-£") == (round(x, 2) < 0)
    assert tick.startswith(MINUS + "£") == (round(x) < 0)
    assert parse_money(whole, allow_negative=True) == abs(round(x)) * (-1 if round(x) < 0 else 1)
    assert parse_money(exact, allow_negative=True) == pytest.approx(round(x, 2), abs=0.006)


@pytest.mark.parametrize("p, words", [(0, "0%"), (0.0004, "under 0.1%"), (0.004, "0.4%"), (0.05, "5%"),
                                      (0.123, "12%"), (1, "100%")])
def test_a_chance_reads_as_a_trustee_reads_it(p, words):
    assert percent(p) == words


@pytest.mark.parametrize("x, words", [(0.45, "45%"), (0.125, "12.5%"), (0.1204, "12%"), (0, "0%")])
def test_a_rate_is_whole_or_one_decimal(x, words):
    assert rate(x) == words


@pytest.mark.parametrize("x, words", [(1, "1 month"), (0, "0 months"), (2.6, "3 months"), (12, "12 months")])
def test_months(x, words):
    assert months(x) == words


@pytest.mark.parametrize("x, words", [(9.7, "9.7"), (12, "12"), (12.04, "12"), (1234, "1,234"),
                                      (1234.56, "1,234.6")])
def test_a_count_is_whole_or_one_decimal_with_thousands(x, words):
    assert count(x) == words


def test_spreadsheet_numbers():
    assert money_cell(1234.5678) == 1234.57
    assert percent_cell(0.1234567) == 12.3457


@pytest.mark.parametrize("x, words", [(3.04, "3 months"), (2.94, "2.9 months"), (1.0, "1 month"),
                                      (11.2, "11.2 months")])
def test_months_worked_out_read_to_the_tenth(x, words):
    assert months_tenth(x) == words


@pytest.mark.parametrize("d, words", [(0.22, "22 points"), (-0.008, "0.8 points"), (0.01, "1 point"),
                                      (0.0004, "under 0.1 points")])
def test_a_difference_of_chances_in_points(d, words):
    assert points(d) == words


def test_the_reports_use_the_one_module():
    """The board pack's terms, the decision sentences, the charts and the key figures format with
    the same functions, so they cannot drift apart again."""
    assert text.money is terms.money is decision_text.money is figures.money is money
    assert text.percent is terms.percent is figures.percent is percent
    assert terms.rate is decision_text.share is rate
    assert terms.months is decision_text.months is months
    assert terms.count is decision_text.referrals is count
    assert figures.pounds_short is pounds_short
    assert text.points is points
