"""What a version's answers would score under a later version's rules (`htxso surveys rescore`).

A later version may change wording (new codes) and scoring rules at once. To tell a province
what the rules alone change, a response keeps its own questionnaire (its questions, options
and points) and is scored under the later file's `scoring_rules`, each condition taking the
kind the later file gives the same question code: `asked_when` there, the condition counts
as behaviour here; `applies_when`, or a code the later file dropped, as applicability (which
is what a rules 1 `relevant` always meant). Stored scores are never touched.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from app.scoring.engine import score, walk
from app.surveys.definition import Question, Questionnaire

__all__ = ["Moves", "compare", "under_rules_of"]


def under_rules_of(old: Questionnaire, new: Questionnaire) -> Questionnaire:
    """`old` as it would be scored under `new`'s rules."""
    if old.scoring_rules == new.scoring_rules:
        return old
    questions = []
    for question in old.questions:
        if question.relevant is None:
            questions.append(question)
            continue
        kind = "applies_when"
        try:
            if new.question(question.code).asked_when is not None:
                kind = "asked_when"
        except KeyError:
            pass
        questions.append(question.model_copy(update={"relevant": None, kind: question.relevant}))
    return old.model_copy(
        update={"scoring_rules": new.scoring_rules, "questions": tuple(questions)}
    )


@dataclass
class Moves:
    """How the responses of one version move when scored under later rules."""

    checked: int = 0
    overall_changed: int = 0
    level_changed: int = 0
    up: int = 0
    down: int = 0
    largest_drop: float = 0.0
    largest_rise: float = 0.0
    transitions: Counter[tuple[str, str]] = field(default_factory=Counter)
    # Why a level moved: the questions that count differently, with how many moves each explains.
    reasons: Counter[str] = field(default_factory=Counter)


def compare(
    old: Questionnaire,
    new: Questionnaire,
    responses: Iterable[tuple[float, str, Mapping[str, object]]],
) -> Moves:
    """Score each (stored overall, stored level, answers) under `new`'s rules and count moves."""
    hybrid = under_rules_of(old, new)
    moves = Moves()
    for overall, level, answers in responses:
        moves.checked += 1
        result = score(hybrid, answers)
        delta = round(result.overall - overall, 2)
        if delta:
            moves.overall_changed += 1
            moves.largest_drop = min(moves.largest_drop, delta)
            moves.largest_rise = max(moves.largest_rise, delta)
        if result.level != level:
            moves.level_changed += 1
            rank = [lv.key for lv in old.levels]
            moves.up += rank.index(result.level) > rank.index(level)
            moves.down += rank.index(result.level) < rank.index(level)
            moves.transitions[(level, result.level)] += 1
            moves.reasons.update(_reasons(old, hybrid, answers))
    return moves


def _reasons(old: Questionnaire, hybrid: Questionnaire, answers: Mapping[str, object]) -> set[str]:
    """The scored questions that count differently under the later rules, and how."""
    before, after = walk(old, answers), walk(hybrid, answers)
    found = set()
    for question in hybrid.questions:
        if not question.scored:
            continue
        code = question.code
        if code in after.applicable and code not in after.shown and code not in before.applicable:
            found.add(f"{code} not asked: now counts at its lowest answer")
        elif _skipped(question, after.shown, after.effective):
            found.add(f"{code} left blank: now counts at its lowest answer")
    return found


def _skipped(question: Question, shown: Iterable[str], effective: Mapping[str, object]) -> bool:
    return not question.required and question.code in shown and question.code not in effective
