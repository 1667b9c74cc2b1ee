"""Typed amounts of money: the usual ways of writing pounds are understood exactly, anything
ambiguous is refused with a message, and what the app writes it can read back."""
import math
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charityrisk.model import money
from charityrisk.model.money import MoneyError, format_money, parse_money


@pytest.mark.parametrize("text, expected", [
    ("65k", 65_000), ("65K", 65_000), ("£65k", 65_000), ("£65,000", 65_000),
    ("65,000", 65_000), ("65000", 65_000), ("65,000.50", 65_000.50), ("1.2m", 1_200_000),
    ("1.2M", 1_200_000), (" 65 000 ", 65_000), ("65\u00a0000", 65_000), ("£ 65,000", 65_000),
    ("1,234,567.89", 1_234_567.89), ("0.5", 0.5), ("1.25k", 1_250), ("65 k", 65_000),
    ("1,200k", 1_200_000), ("0", 0), ("12.3", 12.30),
])
def test_usual_ways_of_writing_pounds_are_understood(text, expected):
    assert parse_money(text) == expected


def test_a_suffix_is_exact_not_a_float_product():
    # 1.1 * 1e6 in floats is 1100000.0000000002; the amount typed is exactly £1.1m.
    assert parse_money("1.1m") == 1_100_000
    assert money.parse_money_decimal("0.07k") == Decimal("70.00")


@pytest.mark.parametrize("text", ["(1,200)", "-1,200", "-£1,200", "£-1,200", "(£1,200)",
                                  "\u22121,200", "-1.2k"])
def test_negatives_are_understood_where_allowed(text):
    assert parse_money(text, allow_negative=True) == -1200


@pytest.mark.parametrize("text", ["(1,200)", "-1,200", "-£1k"])
def test_negatives_are_refused_where_not_allowed(text):
    with pytest.raises(MoneyError) as e:
        parse_money(text)
    assert e.value.code == money.NEGATIVE
    assert "negative" in e.value.message


def test_minus_zero_is_zero_even_where_negatives_are_refused():
    assert parse_money("-0") == 0 and math.copysign(1, parse_money("-0")) == 1


@pytest.mark.parametrize("text, code", [
    ("65,00", money.DECIMAL_COMMA), ("1,5k", money.DECIMAL_COMMA),
    ("6,5000", money.BAD_GROUPING), ("1234,567", money.BAD_GROUPING), ("65 00", money.BAD_GROUPING),
    ("1,234 567", money.BAD_GROUPING),
    ("65kk", money.DOUBLE_SUFFIX), ("65km", money.DOUBLE_SUFFIX),
    ("£", money.EMPTY), ("", money.EMPTY), ("   ", money.EMPTY), ("-", money.EMPTY),
    ("abc", money.NOT_A_NUMBER), ("65.", money.NOT_A_NUMBER), ("1.2.3", money.NOT_A_NUMBER),
    ("65,000 £", money.NOT_A_NUMBER), ("65 thousand", money.NOT_A_NUMBER), ("(1,200", money.NOT_A_NUMBER),
    ("--5", money.NOT_A_NUMBER), ("(-5)", money.NOT_A_NUMBER), ("٦٥", money.NOT_A_NUMBER),
    ("1e5", money.SCIENTIFIC), ("1.5E3", money.SCIENTIFIC),
    ("$65", money.OTHER_CURRENCY), ("€65", money.OTHER_CURRENCY), ("50p", money.OTHER_CURRENCY),
    ("65.123", money.TOO_PRECISE), ("1.234567k", money.TOO_PRECISE),
    ("1,000,000,000,000", money.TOO_LARGE), ("2000000m", money.TOO_LARGE),
])
def test_ambiguous_or_unreadable_amounts_are_refused_with_a_reason(text, code):
    with pytest.raises(MoneyError) as e:
        parse_money(text, allow_negative=True)
    assert e.value.code == code
    assert e.value.message.endswith(".") and len(e.value.message) > 20
    assert e.value.text == text


def test_the_decimal_comma_message_says_how_to_write_it():
    with pytest.raises(MoneyError) as e:
        parse_money("65,00")
    assert "full stop" in e.value.message


@pytest.mark.parametrize("value, text", [
    (65_000, "£65,000"), (65_000.5, "£65,000.50"), (-1_200, "-£1,200"), (0, "£0"),
    (-0.004, "£0"), (0.005, "£0.01"), (1_234_567.891, "£1,234,567.89"), (0.1, "£0.10"),
    (999.999, "£1,000"),
])
def test_format_money_shows_pence_only_when_there_are_some(value, text):
    assert format_money(value) == text


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_format_money_refuses_what_is_not_an_amount(value):
    with pytest.raises(ValueError):
        format_money(value)


amounts = st.floats(min_value=-1e11, max_value=1e11, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(amounts)
def test_format_then_parse_round_trips_to_the_penny(x):
    shown = format_money(x)
    back = parse_money(shown, allow_negative=True)
    # Exactly the amount to the nearest penny (half a penny rounds up, as on a bank statement).
    assert back == float(Decimal(x).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    assert abs(back - x) <= 0.005 + 2 * math.ulp(x)
    assert format_money(back) == shown  # showing it again changes nothing


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**11 - 1), st.sampled_from(["", "k", "m"]))
def test_whole_amounts_with_suffixes_are_exact(n, suffix):
    scale = {"": 1, "k": 1000, "m": 1_000_000}[suffix]
    if n * scale >= 10**12:
        return
    assert parse_money(f"{n:,}{suffix}") == n * scale
    assert parse_money(f"{n}{suffix}") == n * scale


money_alphabet = st.sampled_from(list("0123456789,. £-()kKmMe$p\u00a0+x"))


@settings(max_examples=1000, deadline=None)
@given(st.text(money_alphabet, max_size=14) | st.text(max_size=10))
def test_parse_gives_a_finite_penny_amount_or_a_message(text):
    for allow in (False, True):
        try:
            value = parse_money(text, allow_negative=allow)
        except MoneyError as e:
            assert e.code and e.message.strip(), text
            continue
        assert math.isfinite(value)
        assert abs(value) < 1e12
        assert allow or value >= 0
        assert round(value * 100) == pytest.approx(value * 100, abs=1e-3)
