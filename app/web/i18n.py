"""Translations (gettext catalogs compiled at start-up) and locale-aware number and date formats."""

from __future__ import annotations

import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime, get_timezone
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import NumberPattern, format_decimal, format_percent, parse_pattern
from babel.support import NullTranslations, Translations

from app.messages import Bilingual, Message, Number

LOCALES = ("vi", "en")
DOMAIN = "messages"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
TIMEZONE = "Asia/Ho_Chi_Minh"


@lru_cache
def translations(locale: str) -> NullTranslations:
    """The catalog for a locale. Message ids are English, so English needs no catalog."""
    po = LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if locale == "en" or not po.exists():
        return NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def translate(message: Message | str, locale: str) -> str:
    """A message in the reader's language, its named values filled in the reader's way."""
    if isinstance(message, str):
        return translations(locale).gettext(message)
    text = translations(locale).gettext(message.id)
    if not message.params:
        return text
    return text % {name: _value(value, locale) for name, value in message.params.items()}


def pick(value: Any, locale: str) -> str:
    """One language of text that is data in both (a questionnaire's {vi, en}), or a message."""
    if isinstance(value, Message):
        return translate(value, locale)
    if isinstance(value, dict):
        return str(value.get(locale) or value.get("vi") or "")
    if hasattr(value, locale):
        return str(getattr(value, locale))
    return str(value)


def _value(value: object, locale: str) -> object:
    if isinstance(value, Message):
        return translate(value, locale)
    if isinstance(value, list | tuple):  # several problems, one a line
        return "\n".join(str(_value(item, locale)) for item in value)
    if isinstance(value, Bilingual):
        return value.en if locale == "en" else value.vi
    if isinstance(value, Number):
        return format_decimal(value.value, format=_pattern("#,##0.######"), locale=_locale(locale))
    return value


@lru_cache(maxsize=32)
def _pattern(text: str) -> NumberPattern:
    # Parsing the pattern on every call was most of a ranking page's render time.
    return parse_pattern(text)


@lru_cache(maxsize=4)
def _locale(name: str) -> Locale:
    return Locale.parse(name)


_LARGEST_EXACT = 10**20


def number(value: float | int | None, locale: str, digits: int = 1) -> str:
    """A number as the reader writes it (Vietnamese: 1.234,5)."""
    if value is None:
        return "–"
    if abs(value) >= _LARGEST_EXACT:
        # Beyond the decimal module's 28 digits (a count typed into a URL): Babel's rounding
        # would raise, so more precision just for this one.
        with localcontext(prec=len(str(value)) + digits + 2):
            return _formatted(_rounded(value, digits), locale, digits, percent=False)
    return _formatted(_rounded(value, digits), locale, digits, percent=False)


def integer(value: int | None, locale: str) -> str:
    """A whole number with the reader's thousands separator."""
    return number(value, locale, digits=0)


def percent(value: float | None, locale: str, digits: int = 0) -> str:
    """A share (0–1) as a percentage."""
    if value is None:
        return "–"
    # Rounded before the ×100, at two more places: the same digits Babel keeps after it.
    return _formatted(_rounded(value, digits + 2), locale, digits, percent=True)


def _rounded(value: float | int, digits: int) -> str:
    # The shortest decimal of the float, rounded half up as scores are (surveys/README.md), so a
    # figure never reads differently from the same figure elsewhere; Babel then has nothing
    # left to round. Kept as text: Decimal("-0") equals Decimal("0"), but Babel writes them
    # differently.
    return str(Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


@lru_cache(maxsize=16384)
def _formatted(rounded: str, locale: str, digits: int, *, percent: bool) -> str:
    # A national ranking page formats some 10,000 figures; scores repeat (one decimal place).
    fraction = "." + "0" * digits if digits else ""
    value = Decimal(rounded)
    if percent:
        return format_percent(value, format=_pattern("#,##0" + fraction + "%"), locale=locale)
    return format_decimal(value, format=_pattern("#,##0" + fraction), locale=_locale(locale))


def date(value: dt.date | None, locale: str) -> str:
    """A date in the reader's short form (Vietnamese: 27/11/2026)."""
    if value is None:
        return "–"
    return format_date(value, format="dd/MM/yyyy" if locale == "vi" else "medium", locale=locale)


def datetime(value: dt.datetime | None, locale: str) -> str:
    """A moment in Vietnam's time zone."""
    if value is None:
        return "–"
    return format_datetime(
        value,
        format="dd/MM/yyyy HH:mm" if locale == "vi" else "medium",
        tzinfo=get_timezone(TIMEZONE),
        locale=locale,
    )
