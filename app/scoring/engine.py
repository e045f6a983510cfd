"""Scores from a questionnaire and its answers: pure, exact, deterministic.

The rules are those of surveys/README.md ("Scoring"). Arithmetic is done on
fractions and rounded once, at the end, so the same answers give the same
numbers on every machine and in every order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Set
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from app.surveys.answers import AnswerValue, answer_points, coerce_stored
from app.surveys.definition import Level, Question, Questionnaire, Text, exact

__all__ = [
    "DimensionScore",
    "NextLevel",
    "ScoreResult",
    "effective_answers",
    "missing_required",
    "placement",
    "score",
    "visible_codes",
    "walk",
]

# The scoring version stored with a score is the rules its file is written for
# (`scoring_rules`): a published file never changes rules, so a stored score always names the
# rules that produced it. A change that would give a stored answer set another score is a new
# number of `scoring_rules`, never an edit of the rules an existing number means.


@dataclass(frozen=True)
class DimensionScore:
    """One dimension's result.

    `score` is 0–100; `points` is its share of the overall score (score × weight ÷
    sum of weights); `level` is the level its score alone reaches, for picking
    advice; `counted` questions entered the mean, `answered` of them have an answer
    (the others count as 0, or under rules 2 at their lowest points when not asked
    or skipped).
    """

    key: str
    score: float
    points: float
    level: str
    answered: int
    counted: int


@dataclass(frozen=True)
class NextLevel:
    """What separates a result from the level above it."""

    key: str
    points_needed: float
    unmet: tuple[Text, ...]


@dataclass(frozen=True)
class ScoreResult:
    """The stored result of one response."""

    questionnaire: str
    version: str
    scoring_version: str
    dimensions: dict[str, DimensionScore]
    overall: float
    level: str
    next_level: NextLevel | None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict; dimensions are a list so that their order survives JSONB."""
        nxt = self.next_level
        return {
            "questionnaire": self.questionnaire,
            "version": self.version,
            "scoring_version": self.scoring_version,
            "overall": self.overall,
            "level": self.level,
            "dimensions": [vars(d).copy() for d in self.dimensions.values()],
            "next_level": None
            if nxt is None
            else {
                "key": nxt.key,
                "points_needed": nxt.points_needed,
                "unmet": [t.model_dump(mode="json") for t in nxt.unmet],
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ScoreResult:
        """Rebuild a result stored with `to_json`."""
        nxt = data.get("next_level")
        return cls(
            questionnaire=str(data["questionnaire"]),
            version=str(data["version"]),
            scoring_version=str(data["scoring_version"]),
            dimensions={d["key"]: DimensionScore(**d) for d in data["dimensions"]},
            overall=float(data["overall"]),
            level=str(data["level"]),
            next_level=None
            if nxt is None
            else NextLevel(
                key=str(nxt["key"]),
                points_needed=float(nxt["points_needed"]),
                unmet=tuple(Text.model_validate(t) for t in nxt["unmet"]),
            ),
        )


@dataclass(frozen=True)
class Walk:
    """Which questions apply and which are asked, given a set of answers.

    `applicable` questions count in their dimension's mean; `shown` ones are asked. Under
    rules 1 the two are the same set. Under rules 2 an applicable question that is not shown
    was hidden by `asked_when`: the respondent does not do the thing, and it counts at its
    lowest points.
    """

    applicable: frozenset[str]
    shown: frozenset[str]
    effective: dict[str, AnswerValue]


def effective_answers(q: Questionnaire, answers: Mapping[str, object]) -> dict[str, AnswerValue]:
    """The valid answers of visible questions; everything else reads as unanswered."""
    return walk(q, answers).effective


def visible_codes(q: Questionnaire, answers: Mapping[str, object]) -> frozenset[str]:
    """Codes of the questions asked, given these answers."""
    return walk(q, answers).shown


def missing_required(q: Questionnaire, answers: Mapping[str, object]) -> list[Question]:
    """Visible required questions without a valid answer, in the order asked."""
    w = walk(q, answers)
    return [
        question
        for question in _unique(q)
        if question.required and question.code in w.shown and question.code not in w.effective
    ]


def score(q: Questionnaire, answers: Mapping[str, object]) -> ScoreResult:
    """Score a response; answers that are invalid or belong to hidden questions are ignored."""
    w = walk(q, answers)
    effective = w.effective
    exact_scores: dict[str, Fraction] = {}
    counts: dict[str, tuple[int, int]] = {}
    for dimension in q.dimensions:
        exact_scores[dimension.key], counts[dimension.key] = _dimension(
            q.questions_by_dimension.get(dimension.key, ()), w, rules=q.scoring_rules
        )
    # Rules 1: a dimension with nothing counted scores 0 and still weighs in the overall,
    # since leaving a whole dimension out must not lift the overall score. Rules 2: only
    # applicability can empty a dimension (what is not done counts at its lowest points), and
    # applicability is a fact about the subject, so a dimension that does not apply leaves.
    weights = {
        d.key: Fraction(0) if q.scoring_rules == 2 and counts[d.key][1] == 0 else exact(d.weight)
        for d in q.dimensions
    }
    total_weight = sum(weights.values(), Fraction(0))
    overall = _round(
        sum((weights[k] * s for k, s in exact_scores.items()), Fraction(0)) / total_weight
        if total_weight
        else Fraction(0)
    )

    dimensions = {}
    for key, value in exact_scores.items():
        rounded = _round(value)
        dimensions[key] = DimensionScore(
            key=key,
            score=float(rounded),
            points=float(
                _round(value * weights[key] / total_weight if total_weight else value * 0)
            ),
            level=q.levels[_threshold_index(q.levels, rounded)].key,
            answered=counts[key][0],
            counted=counts[key][1],
        )
    reached, next_level = _level(q.levels, overall, effective)
    return ScoreResult(
        questionnaire=q.key,
        version=q.version,
        scoring_version=str(q.scoring_rules),
        dimensions=dimensions,
        overall=float(overall),
        level=q.levels[reached].key,
        next_level=next_level,
    )


def _unique(q: Questionnaire) -> list[Question]:
    """Questions in order; a repeated code (refused by the loader) keeps its first."""
    first: dict[str, Question] = {}
    for question in q.questions:
        first.setdefault(question.code, question)
    return list(first.values())


def walk(q: Questionnaire, answers: Mapping[str, object]) -> Walk:
    """Which questions apply and are asked, and the answers that count."""
    # In order, so a condition only ever sees the answers of questions still shown:
    # hiding a gate hides what hangs on it, whatever was answered there before.
    applicable: set[str] = set()
    shown: set[str] = set()
    effective: dict[str, AnswerValue] = {}
    for question in _unique(q):
        applies, asked = placement(question, applicable=applicable, shown=shown, answers=effective)
        if applies:
            applicable.add(question.code)
        if not asked:
            continue
        shown.add(question.code)
        value = coerce_stored(question, answers.get(question.code))
        if value is not None:
            effective[question.code] = value
    return Walk(frozenset(applicable), frozenset(shown), effective)


def placement(
    question: Question,
    *,
    applicable: Set[str],
    shown: Set[str],
    answers: Mapping[str, object],
) -> tuple[bool, bool]:
    """Whether a question applies and whether it is asked, given the questions before it.

    `applicable` and `shown` are the earlier questions that apply and that were asked;
    `answers` holds the answers of the asked ones.
    """
    if not all(c.references() <= applicable for c in question.conditions):
        return False, False  # it hangs on a question that does not apply: neither does it
    applies = question.applies_when
    if applies is not None and not applies.evaluate(answers):
        return False, False
    relevant = question.relevant
    if relevant is not None and not (relevant.references() <= shown and relevant.evaluate(answers)):
        return False, False  # rules 1: hidden is the same as not applying
    asked = question.asked_when
    if asked is not None and not (asked.references() <= shown and asked.evaluate(answers)):
        return True, False
    return True, True


def _dimension(
    questions: tuple[Question, ...], w: Walk, *, rules: int
) -> tuple[Fraction, tuple[int, int]]:
    total = weights = Fraction(0)
    answered = counted = 0
    for question in questions:
        if question.code not in w.applicable or not question.scored:
            continue
        points = answer_points(question, w.effective.get(question.code))
        if question.code not in w.shown:
            points = question.min_points  # rules 2: not done counts as the lowest answer
        elif points is None and not question.required:
            if rules == 1:
                continue  # rules 1: a skipped optional question leaves the mean
            points = question.min_points
        else:
            answered += points is not None
        counted += 1
        weight = exact(question.weight)
        total += weight * (points or 0) / question.max_points
        weights += weight
    return (100 * total / weights if weights else Fraction(0)), (answered, counted)


def _round(value: Fraction) -> Fraction:
    """Half up to 2 decimals (scores are never negative)."""
    return Fraction(math.floor(value * 100 + Fraction(1, 2)), 100)


def _threshold_index(levels: tuple[Level, ...], value: Fraction) -> int:
    reached = 0
    for index, level in enumerate(levels):
        if index and value >= exact(level.min):
            reached = index
    return reached


def _level(
    levels: tuple[Level, ...], overall: Fraction, effective: Mapping[str, AnswerValue]
) -> tuple[int, NextLevel | None]:
    # The rounded overall decides, so a shown 70.00 is never "below 70".
    holds = [all(r.when.evaluate(effective) for r in level.requires) for level in levels]
    reached = 0
    for index in range(1, len(levels)):
        if overall < exact(levels[index].min) or not all(holds[: index + 1]):
            break
        reached = index
    if reached + 1 >= len(levels):
        return reached, None
    target = levels[reached + 1]
    unmet = tuple(
        r.label
        for level in levels[: reached + 2]
        for r in level.requires
        if not r.when.evaluate(effective)
    )
    needed = max(exact(target.min) - overall, Fraction(0))
    return reached, NextLevel(key=target.key, points_needed=float(needed), unmet=unmet)
