"""Answers: parsing form input, reading stored values, and points, per question type.

`ANSWER_TYPES` is the one registry from a question type to its parser, its
reader of stored values and its scorer; the web layer keys its widgets off the
same type names.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from app.messages import N_, Bilingual, Message, Number
from app.surveys.definition import Question, QuestionType, exact
from app.text import clean_text

__all__ = [
    "ANSWER_TYPES",
    "MAX_TEXT_LENGTH",
    "AnswerType",
    "AnswerValue",
    "InvalidAnswer",
    "answer_points",
    "coerce_stored",
    "format_number",
    "parse_answer",
    "parse_number",
]

AnswerValue = str | int | float | list[str]

MAX_TEXT_LENGTH = 2000
# Beyond this a number cannot be a real count or amount, and floats stop being exact.
_MAX_MAGNITUDE = Decimal(10) ** 15

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_SCALE = re.compile(r"-?[0-9]{1,6}", re.ASCII)
_PLAIN = re.compile(r"[0-9]+", re.ASCII)
_GROUPED_DOTS = re.compile(r"[1-9][0-9]{0,2}(\.[0-9]{3})+", re.ASCII)
_GROUPED_COMMAS = re.compile(r"[1-9][0-9]{0,2}(,[0-9]{3})+", re.ASCII)


class InvalidAnswer(ValueError):
    """An answer that cannot be accepted, with the message that says how to fix it."""

    def __init__(self, message: str, /, **params: object) -> None:
        self.message = Message(message, **params)
        super().__init__(str(self.message))


@dataclass(frozen=True)
class AnswerType:
    """How one question type reads form input and stored values, and scores an answer."""

    parse: Callable[[Question, list[str]], AnswerValue]
    coerce: Callable[[Question, object], AnswerValue | None]
    points: Callable[[Question, AnswerValue], Fraction]


def parse_answer(question: Question, raw: Sequence[str]) -> AnswerValue | None:
    """Form input (the values of one field) to a typed answer; None when left empty."""
    if isinstance(raw, str):  # one value passed bare rather than as a list of one
        raw = [raw]
    values = [_clean(v) for v in raw if isinstance(v, str)]
    values = [v for v in values if v]
    if not values:
        return None
    return ANSWER_TYPES[question.type].parse(question, values)


def coerce_stored(question: Question, value: object) -> AnswerValue | None:
    """A value read back from storage, or None when it is not a valid answer."""
    if value is None:
        return None
    return ANSWER_TYPES[question.type].coerce(question, value)


def answer_points(question: Question, value: object) -> Fraction | None:
    """Points earned by a stored answer, between 0 and the question's max; None if unanswered."""
    answer = coerce_stored(question, value)
    if answer is None:
        return None
    points = ANSWER_TYPES[question.type].points(question, answer)
    return min(max(points, Fraction(0)), question.max_points)


def _clean(value: str) -> str:
    # Phones send decomposed Vietnamese and stray control characters; storage wants neither.
    return clean_text(unicodedata.normalize("NFC", value)).strip()


def _one(values: list[str]) -> str:
    if len(values) > 1:
        raise InvalidAnswer(N_("Please choose only one option."))
    return values[0]


_NOT_AN_OPTION = N_("Please choose one of the options.")


# single_choice


def _parse_single(question: Question, values: list[str]) -> AnswerValue:
    value = _one(values)
    if question.option(value) is None:
        raise InvalidAnswer(_NOT_AN_OPTION)
    return value


def _coerce_single(question: Question, value: object) -> AnswerValue | None:
    return value if isinstance(value, str) and question.option(value) is not None else None


def _points_single(question: Question, value: AnswerValue) -> Fraction:
    option = question.option(value) if isinstance(value, str) else None
    return exact(option.points) if option is not None else Fraction(0)


# multiple_choice


def _ordered(question: Question, chosen: set[str]) -> list[str]:
    return [o.value for o in question.options if o.value in chosen]


def _parse_multiple(question: Question, values: list[str]) -> AnswerValue:
    chosen = set(values)
    if any(question.option(v) is None for v in chosen):
        raise InvalidAnswer(_NOT_AN_OPTION)
    for option in question.options:
        if option.exclusive and option.value in chosen and len(chosen) > 1:
            raise InvalidAnswer(
                N_("“%(option)s” cannot be chosen together with other options."),
                option=Bilingual(vi=option.label.vi, en=option.label.en),
            )
    return _ordered(question, chosen)


def _coerce_multiple(question: Question, value: object) -> AnswerValue | None:
    if not isinstance(value, list | tuple):
        return None
    chosen = {v for v in value if isinstance(v, str) and question.option(v) is not None}
    exclusive = [o.value for o in question.options if o.exclusive and o.value in chosen]
    if not chosen or (exclusive and len(chosen) > 1):
        return None
    return _ordered(question, chosen)


def _points_multiple(question: Question, value: AnswerValue) -> Fraction:
    chosen = set(value) if isinstance(value, list) else set()
    total = sum((exact(o.points) for o in question.options if o.value in chosen), Fraction(0))
    cap = question.points_cap
    return total if cap is None else min(total, exact(cap))


# scale


def _parse_scale(question: Question, values: list[str]) -> AnswerValue:
    text = _one(values)
    low, high = int(question.min or 0), int(question.max or 0)
    if not _SCALE.fullmatch(text) or not low <= int(text) <= high:
        raise InvalidAnswer(
            N_("Please choose a level from %(low)s to %(high)s."), low=low, high=high
        )
    return int(text)


def _coerce_scale(question: Question, value: object) -> AnswerValue | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value) or value != int(value):
        return None
    if question.min is None or question.max is None:
        return None
    return int(value) if question.min <= value <= question.max else None


def _points_scale(question: Question, value: AnswerValue) -> Fraction:
    if isinstance(value, list | str) or question.min is None:
        return Fraction(0)
    return exact(value) - exact(question.min)


# yes_no


def _parse_yes_no(question: Question, values: list[str]) -> AnswerValue:
    value = _one(values).lower()
    if value not in ("yes", "no"):
        raise InvalidAnswer(N_("Please answer yes or no."))
    return value


def _coerce_yes_no(question: Question, value: object) -> AnswerValue | None:
    return value if value in ("yes", "no") else None


def _points_yes_no(question: Question, value: AnswerValue) -> Fraction:
    if question.points is None:
        return Fraction(0)
    return exact(question.points.yes if value == "yes" else question.points.no)


# number


def parse_number(text: str) -> int | float | None:
    """Read a number as people in Vietnam type it; None when it is not one.

    The decimal mark is a comma ("2,5") and thousands are grouped with dots
    ("1.234.567") or spaces; "2.5" is also read as 2.5. A single dot followed by
    exactly three digits ("1.234") is a thousands separator, since that is how
    Vietnamese writes one thousand two hundred thirty-four. With both marks, the
    last one is the decimal mark ("1.234,5" and "1,234.5" are both 1234.5).
    """
    text = _SPACES.sub("", text)
    sign = "-" if text.startswith("-") else ""
    text = text[1:] if text.startswith(("-", "+")) else text
    if not text or len(text) > 40:
        return None
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        whole, _, fraction = text.rpartition(decimal_mark)
        if not fraction:
            return None
        group_mark = "." if decimal_mark == "," else ","
        grouped = _GROUPED_DOTS if group_mark == "." else _GROUPED_COMMAS
        if not (grouped.fullmatch(whole) or _PLAIN.fullmatch(whole)):
            return None
        whole = whole.replace(group_mark, "")
    elif _GROUPED_DOTS.fullmatch(text) or (_GROUPED_COMMAS.fullmatch(text) and text.count(",") > 1):
        whole, fraction = text.replace(".", "").replace(",", ""), ""
    elif text.count(",") + text.count(".") == 1:
        whole, _, fraction = text.replace(",", ".").partition(".")
        if not fraction:
            return None
    else:
        whole, fraction = text, ""
    if not _PLAIN.fullmatch(whole) or (fraction and not _PLAIN.fullmatch(fraction)):
        return None
    number = Decimal(f"{sign}{whole}.{fraction or '0'}")
    if abs(number) >= _MAX_MAGNITUDE:
        return None
    return int(number) if number == number.to_integral_value() else float(number)


def format_number(number: float) -> str:
    """A number the Vietnamese way: 1.234,5."""
    whole, _, fraction = _english(abs(number)).partition(".")
    text = whole.replace(",", ".") + (f",{fraction}" if fraction else "")
    return f"-{text}" if number < 0 else text


def _english(number: float) -> str:
    return f"{number:,.6f}".rstrip("0").rstrip(".")


def _bounds_error(question: Question) -> InvalidAnswer:
    low, high = question.min, question.max
    if low is not None and high is not None:
        return InvalidAnswer(
            N_("The value must be between %(low)s and %(high)s."),
            low=Number(low),
            high=Number(high),
        )
    if low is not None:
        return InvalidAnswer(N_("The value must be at least %(low)s."), low=Number(low))
    assert high is not None
    return InvalidAnswer(N_("The value must be at most %(high)s."), high=Number(high))


def _in_bounds(question: Question, number: float) -> bool:
    return (question.min is None or number >= question.min) and (
        question.max is None or number <= question.max
    )


def _parse_number(question: Question, values: list[str]) -> AnswerValue:
    number = parse_number(_one(values))
    if number is None:
        raise InvalidAnswer(N_("Please enter a number, e.g. 12 or 2.5."))
    if not _in_bounds(question, number):
        raise _bounds_error(question)
    return number


def _coerce_number(question: Question, value: object) -> AnswerValue | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if value != value or abs(value) >= _MAX_MAGNITUDE or not _in_bounds(question, value):
        return None  # NaN, infinities and out-of-range values are not answers
    return value


def _points_number(question: Question, value: AnswerValue) -> Fraction:
    if isinstance(value, list | str):
        return Fraction(0)
    reached = [b for b in question.bands if value >= b.at_least]
    return exact(reached[-1].points) if reached else Fraction(0)


# text


def _parse_text(question: Question, values: list[str]) -> AnswerValue:
    text = "\n".join(values)
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidAnswer(
            N_("The answer must not be longer than %(max)s characters."),
            max=Number(MAX_TEXT_LENGTH),
        )
    return text


def _coerce_text(question: Question, value: object) -> AnswerValue | None:
    if not isinstance(value, str):
        return None
    text = _clean(value)[:MAX_TEXT_LENGTH]
    return text or None


def _no_points(question: Question, value: AnswerValue) -> Fraction:
    return Fraction(0)


ANSWER_TYPES: Mapping[QuestionType, AnswerType] = {
    "single_choice": AnswerType(_parse_single, _coerce_single, _points_single),
    "multiple_choice": AnswerType(_parse_multiple, _coerce_multiple, _points_multiple),
    "scale": AnswerType(_parse_scale, _coerce_scale, _points_scale),
    "yes_no": AnswerType(_parse_yes_no, _coerce_yes_no, _points_yes_no),
    "number": AnswerType(_parse_number, _coerce_number, _points_number),
    "text": AnswerType(_parse_text, _coerce_text, _no_points),
}
