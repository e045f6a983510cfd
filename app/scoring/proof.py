"""The proof that a worse answer never scores higher, run on every questionnaire file.

Under scoring rules 2 (surveys/README.md, "Conditions" and "Scoring") the overall score, for
fixed facts (the answers that `applies_when` reads), is a weighted mean with fixed weights of
per-question points, where a question hidden by `asked_when` or skipped counts at its lowest
points. Facts fix which questions apply, so the weights cannot change with behaviour answers.
Changing one behaviour answer to a worse one (fewer points, or blank) then lowers or keeps its
own points, and it can raise another question's points only by showing that question where
it was hidden. It cannot, if every condition that reads the answer (every `asked_when`, and
every level `requires`) holds for the worse answer only where it holds for the better one,
in every combination of the condition's other answers, blank included; a hidden question
reads as blank, so the same holds through chains of conditions. That is checked here
exhaustively for every condition, over every value of each answer it reads (numbers and
texts through the constants the condition compares them with, between which nothing
changes). Two answers worth the same points must not each show something the other hides:
neither is worse, yet each could score above the other.

Each level and each dimension must also be reachable: for each combination of facts the
best answers are scored, then answers are lowered one step at a time down to the lowest,
and every level and every dimension's 100 must be met on some such path.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from app.scoring.engine import score
from app.surveys.answers import AnswerValue, answer_points, format_number
from app.surveys.conditions import Compare, Condition, CountSelected, Literal, Ref, Selected
from app.surveys.definition import Question, Questionnaire, content_hash
from app.surveys.loader import (
    Problem,
    SurveyFileError,
    field_name,
    line_of,
    load_dir,
    load_file,
    shown_path,
)

__all__ = ["Hole", "legacy_holes", "load_proven", "problems", "prove"]

Loc = tuple[str | int, ...]
Value = AnswerValue | None  # None: blank (skipped, or hidden)

# Beyond these, a file is refused as too large to prove rather than passed unproven.
MAX_CONTEXTS = 20_000
MAX_SUBSETS = 4096
MAX_FACT_COMBINATIONS = 2000


@dataclass(frozen=True)
class Hole:
    """Why a file fails the proof, at the field that shows it."""

    loc: Loc
    message: str


@dataclass(frozen=True)
class _Gate:
    """A condition that reads behaviour answers, and what it decides."""

    condition: Condition
    loc: Loc
    effect: str  # "shows dt_x", "meets the level 'sao_3' requirement ..."


def load_proven(path: str | os.PathLike[str]) -> list[Questionnaire]:
    """Load a questionnaire file, or every file of a folder, refusing any that fails the proof."""
    path = Path(path)
    if path.is_dir():
        files, loaded = sorted(path.glob("*.yaml")), load_dir(path)
    else:
        files, loaded = [path], [load_file(path)]
    found: list[Problem] = []
    for file, questionnaire in zip(files, loaded, strict=True):
        found += problems(questionnaire, file=file, holes=prove(questionnaire))
    if found:
        raise SurveyFileError(found)
    return loaded


def problems(q: Questionnaire, *, file: Path, holes: Iterable[Hole]) -> list[Problem]:
    """Holes as problems of their file, each at the line of its field."""
    text = file.read_text(encoding="utf-8")
    return [
        Problem(shown_path(file), line_of(text, hole.loc), field_name(hole.loc), hole.message)
        for hole in holes
    ]


def prove(q: Questionnaire) -> list[Hole]:
    """Every hole of a rules 2 questionnaire: empty when the file is proven."""
    if q.scoring_rules == 1:
        return []
    digest = content_hash(q)
    if digest not in _proven:
        facts = _facts(q)
        holes = list(_monotone(q, facts))
        if not holes:
            holes += _reachable(q, facts)
        _proven[digest] = tuple(holes)
    return list(_proven[digest])


# Proofs by content hash: a file is proven once per process, however often it is loaded.
_proven: dict[str, tuple[Hole, ...]] = {}


def legacy_holes(q: Questionnaire) -> list[Hole]:
    """Where a rules 1 file lets a worse answer score higher (reported, kept for its responses)."""
    holes: list[Hole] = []
    for i, question in enumerate(q.questions):
        if not question.scored:
            continue
        if question.relevant is not None:
            gates = ", ".join(sorted(question.relevant.references()))
            holes.append(
                Hole(
                    ("questions", i, "relevant"),
                    f"{question.code} is scored and hidden by {gates}: under rules 1 a hidden "
                    "question leaves the mean, which is right when it does not apply and a "
                    f"hole when the answer to {gates} is something the respondent does (the "
                    "answer that hides it can score higher)",
                )
            )
        if not question.required:
            holes.append(
                Hole(
                    ("questions", i, "required"),
                    f"{question.code} is scored and optional: under rules 1 skipping it leaves "
                    "the mean, so a blank can score higher than its lower answers",
                )
            )
    return holes


# Facts and domains


def _facts(q: Questionnaire) -> set[str]:
    return {
        code
        for question in q.questions
        for c in [question.applies_when]
        if c
        for code in c.references()
    }


def _can_be_blank(question: Question) -> bool:
    return not question.required or bool(question.conditions)


def _constants(q: Questionnaire, code: str) -> list[float | str]:
    found: list[float | str] = []
    conditions = [c for question in q.questions for c in question.conditions]
    conditions += [r.when for level in q.levels for r in level.requires]
    for condition in conditions:
        for node in condition.nodes():
            if isinstance(node, Compare):
                for ref, other in ((node.left, node.right), (node.right, node.left)):
                    if isinstance(ref, Ref) and ref.code == code and isinstance(other, Literal):
                        found.append(other.value)
    return found


def _domain(q: Questionnaire, question: Question) -> list[AnswerValue]:
    """Answers that between them take every path any condition or points can tell apart."""
    if question.type == "single_choice":
        return [o.value for o in question.options]
    if question.type == "yes_no":
        return ["yes", "no"]
    if question.type == "scale":
        low, high = int(question.min or 0), int(question.max or 0)
        return list(range(low, high + 1))
    if question.type == "multiple_choice":
        plain = [o.value for o in question.options if not o.exclusive]
        if 2 ** len(plain) > MAX_SUBSETS:
            raise _TooLarge(f"{question.code} has too many options to prove")
        subsets: list[AnswerValue] = [[o.value] for o in question.options if o.exclusive]
        for size in range(1, len(plain) + 1):
            subsets += [list(c) for c in itertools.combinations(plain, size)]
        return subsets
    if question.type == "number":
        marks = {float(c) for c in _constants(q, question.code) if not isinstance(c, str)}
        marks |= {b.at_least for b in question.bands}
        marks |= {m for m in (question.min, question.max) if m is not None}
        ordered = sorted(marks) or [0.0]
        points = [ordered[0] - 1, *ordered, ordered[-1] + 1]
        points += [(a + b) / 2 for a, b in itertools.pairwise(ordered)]
        floor = question.min if question.min is not None else float("-inf")
        ceiling = question.max if question.max is not None else float("inf")
        return sorted({p for p in points if floor <= p <= ceiling})
    texts = {str(c) for c in _constants(q, question.code)} - {""}
    return ["x", *sorted(texts)]


class _TooLarge(Exception):
    pass


def _points(question: Question, value: Value) -> Fraction:
    """What an answer earns; blank sorts below every answer."""
    if value is None:
        return Fraction(-1)
    return answer_points(question, value) or Fraction(0)


def _show(value: Value) -> str:
    if value is None:
        return "blank"
    if isinstance(value, list):
        return "[" + ", ".join(value) + "]"
    if isinstance(value, float | int):
        return format_number(value)
    return repr(value)


# Monotonicity


def _gates(q: Questionnaire) -> list[_Gate]:
    gates = [
        _Gate(question.asked_when, ("questions", i, "asked_when"), f"shows {question.code}")
        for i, question in enumerate(q.questions)
        if question.asked_when is not None
    ]
    for i, level in enumerate(q.levels):
        for j, requirement in enumerate(level.requires):
            effect = f"meets the requirement of level {level.key!r} ({requirement.label.en})"
            gates.append(_Gate(requirement.when, ("levels", i, "requires", j, "when"), effect))
    return gates


def _context_domain(q: Questionnaire, question: Question, condition: Condition) -> list[Value]:
    """One answer per way the condition can read the question, blank included when possible."""
    values: list[Value] = list(_domain(q, question))
    if question.type == "multiple_choice":
        mentioned = {
            n.value
            for n in condition.nodes()
            if isinstance(n, Selected) and n.code == question.code
        }
        counted = any(
            isinstance(n, CountSelected) and n.code == question.code for n in condition.nodes()
        )
        seen: dict[object, Value] = {}
        for value in values:
            chosen = set(value) if isinstance(value, list) else set()
            seen.setdefault((frozenset(chosen & mentioned), len(chosen) if counted else 0), value)
        values = list(seen.values())
    if _can_be_blank(question):
        values.append(None)
    return values


def _truth_sets(
    q: Questionnaire, gate: _Gate, code: str
) -> tuple[list[Value], list[frozenset[int]], list[dict[str, Value]]]:
    """For each value of `code`, the combinations of the gate's other answers where it holds."""
    question = q.question(code)
    others = sorted(gate.condition.references() - {code})
    domains = [_context_domain(q, q.question(other), gate.condition) for other in others]
    size = 1
    for domain in domains:
        size *= len(domain)
    values: list[Value] = list(_domain(q, question))
    if _can_be_blank(question):
        values.append(None)
    if size * len(values) > MAX_CONTEXTS:
        raise _TooLarge(f"the condition at {gate.effect} reads too many answers to prove")
    contexts = [dict(zip(others, combo, strict=True)) for combo in itertools.product(*domains)]
    sets = []
    for value in values:
        holds = set()
        for index, context in enumerate(contexts):
            answers = {k: v for k, v in {**context, code: value}.items() if v is not None}
            if gate.condition.evaluate(answers):
                holds.add(index)
        sets.append(frozenset(holds))
    return values, sets, contexts


def _monotone(q: Questionnaire, facts: set[str]) -> Iterator[Hole]:
    reads: dict[str, list[_Gate]] = {}
    for gate in _gates(q):
        for code in sorted(gate.condition.references() - facts):
            reads.setdefault(code, []).append(gate)
    for code, gates in reads.items():
        try:
            yield from _monotone_in(q, code, gates)
        except _TooLarge as error:
            yield Hole(gates[0].loc, f"cannot be proven: {error}")


def _monotone_in(q: Questionnaire, code: str, gates: list[_Gate]) -> Iterator[Hole]:
    question = q.question(code)
    tables = [(gate, *_truth_sets(q, gate, code)) for gate in gates]
    values = tables[0][1]
    points = [_points(question, v) for v in values]
    for a, b in itertools.permutations(range(len(values)), 2):
        if points[b] >= points[a]:
            continue
        for gate, _, sets, contexts in tables:
            extra = sets[b] - sets[a]
            if extra:
                context = contexts[min(extra)]
                yield Hole(gate.loc, _worse_message(question, values, points, a, b, gate, context))
                break
    for a, b in itertools.combinations(range(len(values)), 2):
        if points[a] != points[b]:
            continue
        favour_b = _favours(tables, b, a)
        favour_a = _favours(tables, a, b)
        if favour_a is not None and favour_b is not None:
            yield Hole(favour_b[0].loc, _tie_message(question, values, a, b, favour_b, favour_a))


def _favours(
    tables: Sequence[tuple[_Gate, list[Value], list[frozenset[int]], list[dict[str, Value]]]],
    x: int,
    y: int,
) -> tuple[_Gate, Mapping[str, Value]] | None:
    """A gate that holds for value `x` where it fails for `y`, with that combination."""
    for gate, _, sets, contexts in tables:
        extra = sets[x] - sets[y]
        if extra:
            return gate, contexts[min(extra)]
    return None


def _context(context: Mapping[str, Value]) -> str:
    if not context:
        return ""
    return " (with " + ", ".join(f"{k} = {_show(v)}" for k, v in context.items()) + ")"


def _worse_message(
    question: Question,
    values: Sequence[Value],
    points: Sequence[Fraction],
    a: int,
    b: int,
    gate: _Gate,
    context: Mapping[str, Value],
) -> str:
    worse = "leaving it blank" if values[b] is None else f"{_show(values[b])} ({points[b]} points)"
    return (
        f"{question.code}: {worse} {gate.effect} where the better answer "
        f"{_show(values[a])} ({points[a]} points) does not{_context(context)}; a worse answer "
        "could score higher"
    )


def _tie_message(
    question: Question,
    values: Sequence[Value],
    a: int,
    b: int,
    favour_b: tuple[_Gate, Mapping[str, Value]],
    favour_a: tuple[_Gate, Mapping[str, Value]],
) -> str:
    return (
        f"{question.code}: {_show(values[b])} and {_show(values[a])} earn the same points, yet "
        f"{_show(values[b])} {favour_b[0].effect}{_context(favour_b[1])} and {_show(values[a])} "
        f"{favour_a[0].effect}{_context(favour_a[1])}; neither is the better answer, so give "
        "them different points or ask separately"
    )


# Reachability


def _reachable(q: Questionnaire, facts: set[str]) -> Iterator[Hole]:
    fact_codes = [question.code for question in q.questions if question.code in facts]
    domains = [_domain(q, q.question(code)) for code in fact_codes]
    combinations = 1
    for domain in domains:
        combinations *= len(domain)
    if combinations > MAX_FACT_COMBINATIONS:
        yield Hole((), "cannot be proven: too many combinations of facts")
        return
    behaviour = [question for question in q.questions if question.code not in facts]
    levels: set[str] = set()
    best: dict[str, float] = {d.key: 0.0 for d in q.dimensions}
    for combo in itertools.product(*domains):
        for answers in _descent(q, behaviour, dict(zip(fact_codes, combo, strict=True))):
            result = score(q, answers)
            levels.add(result.level)
            for key, reached in result.dimensions.items():
                best[key] = max(best[key], reached.score)
    for i, level in enumerate(q.levels):
        if level.key not in levels:
            yield Hole(("levels", i, "key"), f"no answers reach level {level.key!r}")
    for i, dimension in enumerate(q.dimensions):
        if best[dimension.key] < 100:
            yield Hole(
                ("dimensions", i, "key"),
                f"dimension {dimension.key!r} never reaches 100 (at most {best[dimension.key]:g})",
            )


def _descent(
    q: Questionnaire, behaviour: Iterable[Question], facts: Mapping[str, AnswerValue]
) -> Iterator[dict[str, AnswerValue]]:
    """The best answers, then one answer lowered a step at a time down to the lowest."""
    # Answers that a level requires are lowered last, so that the score walks down through
    # every band while the requirements still hold.
    required = {
        code
        for gate in _gates(q)
        if gate.loc[0] == "levels"
        for code in gate.condition.references()
    }
    order = sorted(behaviour, key=lambda question: question.code in required)
    ranked = {question.code: _ranked(q, question) for question in order}
    answers: dict[str, AnswerValue] = dict(facts)
    for code, values in ranked.items():
        if values:
            question = q.question(code)
            answers[code] = _best(q, question, _domain(q, question))
    yield dict(answers)
    for code, values in reversed(ranked.items()):
        for value in values[1:]:
            answers[code] = value
            yield dict(answers)


def _ranked(q: Questionnaire, question: Question) -> list[AnswerValue]:
    """Its answers, best first; of answers worth the same points only the first is kept."""
    by_points: dict[Fraction, AnswerValue] = {}
    for value in _domain(q, question):
        by_points.setdefault(_points(question, value), value)
    return [by_points[p] for p in sorted(by_points, reverse=True)]


def _best(q: Questionnaire, question: Question, domain: list[AnswerValue]) -> AnswerValue:
    """Among the answers worth the most, one that shows what any of them shows."""
    most = max(_points(question, v) for v in domain)
    top = [v for v in domain if _points(question, v) == most]
    if len(top) == 1:
        return top[0]
    tables = [
        _truth_sets(q, gate, question.code)
        for gate in _gates(q)
        if question.code in gate.condition.references()
    ]
    for value in top:
        if all(
            sets[values.index(value)] >= sets[values.index(other)]
            for values, sets, _ in tables
            for other in top
        ):
            return value
    return top[0]
