"""Cached number formats write what Babel writes for the same value rounded half up.

Figures are rounded half up everywhere (scores by the engine, pages and exports alike), where
Babel alone would round half to even.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal, format_percent
from hypothesis import given
from hypothesis import strategies as st

from app.web import i18n

values = st.one_of(
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    st.integers(min_value=-(10**9), max_value=10**9),
    # Halves at the last kept digit, where rounding rules differ.
    st.integers(min_value=-(10**5), max_value=10**5).map(lambda n: n / 100 + 0.005),
)


@given(values, st.sampled_from(i18n.LOCALES), st.integers(min_value=0, max_value=3))
def test_number__matches_babel(value: float, locale: str, digits: int) -> None:
    pattern = "#,##0" + ("." + "0" * digits if digits else "")

    assert i18n.number(value, locale, digits) == format_decimal(
        _half_up(value, digits), format=pattern, locale=locale
    )


@given(values, st.sampled_from(i18n.LOCALES), st.integers(min_value=0, max_value=2))
def test_percent__matches_babel(value: float, locale: str, digits: int) -> None:
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"

    assert i18n.percent(value, locale, digits) == format_percent(
        _half_up(value, digits + 2), format=pattern, locale=locale
    )


def _half_up(value: float, digits: int) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def test_halves__round_up_as_scores_do() -> None:
    assert i18n.number(0.25, "en", 1) == "0.3"
    assert i18n.number(45.125, "vi", 2) == "45,13"
    assert i18n.percent(0.125, "en", 0) == "13%"


def test_vietnamese__groups_with_dots_and_decimals_with_a_comma() -> None:
    assert i18n.number(1234.55, "vi") == "1.234,6"
    assert i18n.number(None, "vi") == "–"
    assert i18n.percent(0.125, "vi", 1) == "12,5%"
