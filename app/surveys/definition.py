"""The shape of a questionnaire: immutable pydantic models, JSON round-trippable.

These models check each field on its own (types, patterns, bounds). Checks that
need the whole file (unknown dimension, condition order, scored gates, ...) live
in `app.surveys.loader`, which maps every problem to a file, line and field.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from fractions import Fraction
from functools import cached_property, lru_cache
from typing import Annotated, Any, Literal, Self, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    Strict,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from app.surveys.conditions import Condition, ConditionSyntaxError, parse_condition

QuestionType = Literal["single_choice", "multiple_choice", "scale", "yes_no", "number", "text"]
QUESTION_TYPES: tuple[QuestionType, ...] = get_args(QuestionType)
CHOICE_TYPES: frozenset[str] = frozenset({"single_choice", "multiple_choice"})

Subject = Literal["cooperative", "product"]
# What a questionnaire's overall result is: a maturity level, or an indicative star band (a
# product's self-check read like the official OCOP stars, which targeting offers beside it).
Result = Literal["level", "star_band"]


def _to_condition(value: object) -> Condition:
    if isinstance(value, Condition):
        return value
    try:
        return parse_condition(value)
    except ConditionSyntaxError as error:
        raise PydanticCustomError("condition", "{reason}", {"reason": error.message}) from None


def _condition_source(condition: Condition) -> str:
    return condition.source


# A condition is stored as its source text and compiled once, when the model is
# validated: evaluating it never parses again.
CompiledCondition = Annotated[
    Condition,
    PlainValidator(_to_condition),
    PlainSerializer(_condition_source, return_type=str),
    WithJsonSchema({"type": "string"}),
]

# Numbers must be numbers in the file: a quoted "1" or `yes` is a mistake, not a 1.
Number = Annotated[float, Strict(), Field(allow_inf_nan=False)]
Points = Annotated[float, Strict(), Field(ge=0, allow_inf_nan=False)]
Weight = Annotated[float, Strict(), Field(gt=0, allow_inf_nan=False)]
Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]


def _int_to_text(value: object) -> object:
    # `value: 1` in YAML is an int; an option value is always text.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


OptionValue = Annotated[
    str,
    BeforeValidator(_int_to_text),
    Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64),
]
NonEmpty = Annotated[str, Field(min_length=1)]


@lru_cache(maxsize=4096)
def exact(number: float) -> Fraction:
    """The exact decimal value of a number written in a file (0.1 is 1/10).

    Cached: scoring asks for the same few weights and points thousands of times per response,
    and parsing a decimal string into a Fraction dominated the cost of scoring.
    """
    return Fraction(number) if isinstance(number, int) else Fraction(repr(float(number)))


DEFAULT_ORDER = 100


class _Model(BaseModel):
    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        str_strip_whitespace=True,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy with `update` applied; cached derived values are recomputed, not copied."""
        copy = super().model_copy(update=update, deep=deep)
        for name in [n for n in copy.__dict__ if n not in type(copy).model_fields]:
            del copy.__dict__[name]
        return copy


class Text(_Model):
    """Text a person reads, in Vietnamese and English."""

    vi: NonEmpty
    en: NonEmpty


class Option(_Model):
    """One option of a choice question."""

    value: OptionValue
    label: Text
    points: Points
    exclusive: bool = False


class YesNoPoints(_Model):
    """The points of each answer to a yes/no question."""

    yes: Points
    no: Points


class Band(_Model):
    """Points given to a number answer of at least `at_least`."""

    at_least: Number
    points: Points


class Requirement(_Model):
    """A minimum condition a level needs besides its score."""

    when: CompiledCondition
    label: Text


class Level(_Model):
    """A maturity level, reached from `min` points of the overall score."""

    key: Key
    min: Number
    label: Text
    requires: tuple[Requirement, ...] = ()


class Dimension(_Model):
    """A scored dimension of a questionnaire."""

    key: Key
    weight: Weight = 1.0
    title: Text
    description: Text | None = None
    # Where the dimension comes from, for an advisor to defend a score: {vi, en}, or plain
    # text as the first files wrote it (shown as it is in both languages).
    source: Text | NonEmpty
    advice: dict[str, Text]


class Question(_Model):
    """One question; which fields apply depends on `type` (see surveys/README.md)."""

    code: Code
    dimension: Key
    type: QuestionType
    label: Text
    help: Text | None = None
    required: bool = True
    weight: Weight = 1.0
    # Rules 1 files: `relevant` hides a question, and a hidden question leaves the mean.
    relevant: CompiledCondition | None = None
    # Rules 2 files (see "Conditions" in surveys/README.md): `applies_when` says whether the
    # question applies at all (not applying leaves the mean); `asked_when` says whether the
    # respondent does the thing it asks about (not asked counts at the lowest points).
    applies_when: CompiledCondition | None = None
    asked_when: CompiledCondition | None = None
    options: tuple[Option, ...] = ()
    points: YesNoPoints | None = None
    min: Number | None = None
    max: Number | None = None
    min_label: Text | None = None
    max_label: Text | None = None
    unit: Text | None = None
    bands: tuple[Band, ...] = ()
    # Named `max_points` in files; the property `max_points` is the attainable maximum.
    points_cap: Points | None = Field(default=None, alias="max_points")

    @cached_property
    def max_points(self) -> Fraction:
        """The most points any answer can earn; 0 means asked but not scored."""
        if self.type == "single_choice":
            return max((exact(o.points) for o in self.options), default=Fraction(0))
        if self.type == "multiple_choice":
            combined = sum((exact(o.points) for o in self.options if not o.exclusive), Fraction(0))
            alone = [exact(o.points) for o in self.options if o.exclusive]
            best = max([combined, *alone])
            return best if self.points_cap is None else min(best, exact(self.points_cap))
        if self.type == "scale":
            if self.min is None or self.max is None:
                return Fraction(0)
            return max(exact(self.max) - exact(self.min), Fraction(0))
        if self.type == "yes_no":
            if self.points is None:
                return Fraction(0)
            return max(exact(self.points.yes), exact(self.points.no))
        if self.type == "number":
            return max((exact(b.points) for b in self.bands), default=Fraction(0))
        return Fraction(0)

    @cached_property
    def min_points(self) -> Fraction:
        """The fewest points an answer can earn: what a hidden or skipped behaviour counts."""
        if self.type in CHOICE_TYPES:
            # A multiple choice earns at least its cheapest option alone (points are >= 0).
            cheapest = min((exact(o.points) for o in self.options), default=Fraction(0))
            cap = self.points_cap
            return cheapest if cap is None else min(cheapest, exact(cap))
        if self.type == "yes_no":
            if self.points is None:
                return Fraction(0)
            return min(exact(self.points.yes), exact(self.points.no))
        if self.type == "number":
            floor = None if self.min is None else exact(self.min)
            reached = [b for b in self.bands if floor is not None and floor >= exact(b.at_least)]
            return exact(reached[-1].points) if reached else Fraction(0)
        return Fraction(0)

    @property
    def conditions(self) -> tuple[Condition, ...]:
        """Every condition that decides whether this question is shown."""
        return tuple(c for c in (self.relevant, self.applies_when, self.asked_when) if c)

    @property
    def scored(self) -> bool:
        """Whether the question counts in its dimension's score."""
        return self.max_points > 0

    @cached_property
    def _options_by_value(self) -> dict[str, Option]:
        return {o.value: o for o in reversed(self.options)}  # the first one wins

    def option(self, value: str) -> Option | None:
        """The option with this value, if any."""
        return self._options_by_value.get(value)


class Questionnaire(_Model):
    """One version of a questionnaire, as published."""

    key: Annotated[str, Field(pattern=r"^[a-z_]+$", max_length=32)]
    version: Annotated[str, Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z._-]*$", max_length=32)]
    subject: Subject
    # Which scoring rules the file is written for; stored with every score (see "Scoring").
    scoring_rules: Literal[1, 2] = 1
    title: Text
    description: Text | None = None
    levels: tuple[Level, ...] = Field(min_length=1)
    dimensions: tuple[Dimension, ...] = Field(min_length=1)
    questions: tuple[Question, ...] = Field(min_length=1)
    # Where the questionnaire comes in forms and tables, lowest first (then by key).
    order: int = DEFAULT_ORDER
    # The level a model cooperative reaches at least, offered first on the targeting page.
    model_level: Key | None = None
    # Whether the levels are maturity levels or star bands: how pages name the result, and its
    # role on the targeting page (a band stands beside the official stars).
    result: Result = "level"
    # A short name for table heads and form labels; the title when left out.
    short_title: Text | None = None

    @property
    def name(self) -> Text:
        """The short name pages use in table heads and labels."""
        return self.short_title or self.title

    @property
    def banded(self) -> bool:
        """Whether the result is a star band rather than a maturity level."""
        return self.result == "star_band"

    @model_validator(mode="after")
    def _model_level_known(self) -> Self:
        if self.model_level is not None and self.model_level not in {lv.key for lv in self.levels}:
            raise ValueError(f"model_level: {self.model_level!r} is not one of the level keys")
        return self

    @cached_property
    def _questions_by_code(self) -> dict[str, Question]:
        return {q.code: q for q in reversed(self.questions)}  # the first one wins

    @cached_property
    def questions_by_dimension(self) -> dict[str, tuple[Question, ...]]:
        """Questions of each dimension, in dimension order then question order."""
        return {
            d.key: tuple(q for q in self.questions if q.dimension == d.key) for d in self.dimensions
        }

    def question(self, code: str) -> Question:
        """The question with this code (KeyError if none)."""
        return self._questions_by_code[code]

    def dimension(self, key: str) -> Dimension:
        """The dimension with this key (KeyError if none)."""
        for dimension in self.dimensions:
            if dimension.key == key:
                return dimension
        raise KeyError(key)

    def level(self, key: str) -> Level:
        """The level with this key (KeyError if none)."""
        for level in self.levels:
            if level.key == key:
                return level
        raise KeyError(key)


# Fields added to the format after versions were published: they count only where a file
# sets them to something else, so a file whose questions did not change keeps its hash.
ADDED_FIELDS: dict[str, Any] = {
    "order": DEFAULT_ORDER,
    "model_level": None,
    "result": "level",
    "short_title": None,
    "scoring_rules": 1,
}
ADDED_QUESTION_FIELDS: dict[str, Any] = {"applies_when": None, "asked_when": None}
# How the portal lists and filters a questionnaire, not what it asks or how it scores: changing
# them needs no new version (see "Listing settings" in surveys/README.md).
LISTING_FIELDS = ("order", "model_level", "result", "short_title")
# The same for each dimension: its source is a citation shown beside the result.
LISTING_DIMENSION_FIELDS = ("source",)


def _canonical(questionnaire: Questionnaire, *, listing: bool) -> str:
    data: Any = questionnaire.model_dump(mode="json")
    for name, default in ADDED_FIELDS.items():
        if data.get(name) == default or (not listing and name in LISTING_FIELDS):
            data.pop(name, None)
    if not listing:
        for dimension in data.get("dimensions", []):
            for name in LISTING_DIMENSION_FIELDS:
                dimension.pop(name, None)
    for question in data.get("questions", []):
        for name, default in ADDED_QUESTION_FIELDS.items():
            if question.get(name) == default:
                question.pop(name, None)
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(questionnaire: Questionnaire) -> str:
    """SHA-256 of the canonical JSON form: layout and comments of the file do not count."""
    return hashlib.sha256(_canonical(questionnaire, listing=True).encode("utf-8")).hexdigest()


def instrument_hash(questionnaire: Questionnaire) -> str:
    """SHA-256 of what a version asks and how it scores, its listing settings left out."""
    return hashlib.sha256(_canonical(questionnaire, listing=False).encode("utf-8")).hexdigest()
