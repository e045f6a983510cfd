"""Properties of scoring and conditions over the fixture and every questionnaire in surveys/.

Each property runs once per file: the fixture always, and each `surveys/*.yaml`
as soon as it exists, so a new questionnaire is covered without editing tests.
"""

import contextlib
import json
from functools import cache
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.scoring import ScoreResult, missing_required, score, visible_codes
from app.scoring.engine import walk
from app.surveys.answers import answer_points
from app.surveys.conditions import ConditionSyntaxError, parse_condition
from app.surveys.definition import Question, Questionnaire
from app.surveys.loader import load_file

ROOT = Path(__file__).resolve().parents[2]
FILES = [Path(__file__).parent / "fixtures" / "mini-1.yaml", *sorted(ROOT.glob("surveys/*.yaml"))]
by_file = pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
# Each property runs per file; 60 examples each keeps the unit suite quick.
SETTINGS = settings(max_examples=60, deadline=None)


@cache
def _load(path: Path) -> Questionnaire:
    return load_file(path)


@cache
def _snapshot(path: Path) -> Questionnaire:
    """The questionnaire as the database gives it back: from its JSON snapshot."""
    data = json.loads(json.dumps(_load(path).model_dump(mode="json")))
    return Questionnaire.model_validate(data)


def valid_answer(question: Question) -> st.SearchStrategy[object]:
    """Any answer the form would accept for this question."""
    if question.type == "single_choice":
        return st.sampled_from([o.value for o in question.options])
    if question.type == "multiple_choice":
        plain = [o.value for o in question.options if not o.exclusive]
        alone = [[o.value] for o in question.options if o.exclusive]
        chosen = st.sets(st.sampled_from(plain), min_size=1) if plain else st.nothing()
        subsets = chosen.map(lambda values: [v for v in plain if v in values])
        return st.one_of(subsets, st.sampled_from(alone)) if alone else subsets
    if question.type == "scale":
        return st.integers(int(question.min or 0), int(question.max or 0))
    if question.type == "yes_no":
        return st.sampled_from(["yes", "no"])
    if question.type == "number":
        low = question.min if question.min is not None else -1e6
        high = question.max if question.max is not None else 1e6
        edges = [b.at_least for b in question.bands if low <= b.at_least <= high]
        numbers = st.one_of(st.integers(int(low), int(high)), st.floats(low, high))
        return st.one_of(st.sampled_from(edges), numbers) if edges else numbers
    return st.text(max_size=20)


JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=5), st.lists(st.text())
)


def answers_for(q: Questionnaire, junk: bool = True) -> st.SearchStrategy[dict[str, object]]:
    """Answer sets: each question answered or not, sometimes with stored garbage."""
    return st.fixed_dictionaries(
        {},
        optional={
            x.code: st.one_of(valid_answer(x), JUNK) if junk else valid_answer(x)
            for x in q.questions
        },
    )


@by_file
@SETTINGS
@given(data=st.data())
def test_scores__stay_between_0_and_100(path: Path, data: st.DataObject) -> None:
    q = _load(path)
    result = score(q, data.draw(answers_for(q)))
    assert 0 <= result.overall <= 100
    assert all(0 <= d.score <= 100 and 0 <= d.points <= 100 for d in result.dimensions.values())
    assert all(d.answered <= d.counted for d in result.dimensions.values())
    # The dimensions' points add up to the overall, give or take the rounding of each.
    total = sum(d.points for d in result.dimensions.values())
    assert abs(total - result.overall) <= 0.01 * len(result.dimensions)
    assert q.level(result.level).min <= result.overall


@by_file
@SETTINGS
@given(data=st.data())
def test_better_answer__never_lowers_a_dimension_or_the_overall_score(
    path: Path, data: st.DataObject
) -> None:
    q = _load(path)
    scored = [x for x in q.questions if x.scored]
    question = data.draw(st.sampled_from(scored))
    answers = data.draw(answers_for(q))
    first, second = data.draw(valid_answer(question)), data.draw(valid_answer(question))
    worse, better = sorted([first, second], key=lambda a: answer_points(question, a) or 0)
    low = score(q, {**answers, question.code: worse})
    high = score(q, {**answers, question.code: better})
    assert high.dimensions[question.dimension].score >= low.dimensions[question.dimension].score
    assert high.overall >= low.overall
    # Answering a required question, however badly, never lowers a score either.
    if question.required:
        skipped = score(q, {k: v for k, v in answers.items() if k != question.code})
        assert low.overall >= skipped.overall


@by_file
@SETTINGS
@given(data=st.data())
def test_scored_answers__never_change_what_is_asked_under_rules_1_nor_what_applies(
    path: Path, data: st.DataObject
) -> None:
    q = _load(path)
    question = data.draw(st.sampled_from([x for x in q.questions if x.scored]))
    answers = data.draw(answers_for(q))
    changed = {**answers, question.code: data.draw(valid_answer(question))}
    if q.scoring_rules == 1:
        assert visible_codes(q, changed) == visible_codes(q, answers)
    else:
        # Under rules 2 a scored answer may decide what is asked (the proof sees to it that
        # a better answer never hides more), never what applies.
        assert walk(q, changed).applicable == walk(q, answers).applicable


@by_file
@SETTINGS
@given(data=st.data())
def test_answers_to_hidden_questions__never_change_the_score(
    path: Path, data: st.DataObject
) -> None:
    q = _load(path)
    answers = data.draw(answers_for(q))
    hidden = [x for x in q.questions if x.code not in visible_codes(q, answers)]
    assume(hidden)
    replaced = dict(answers)
    for question in hidden:
        replaced[question.code] = data.draw(st.one_of(valid_answer(question), JUNK))
    assert score(q, replaced) == score(q, answers)
    assert visible_codes(q, replaced) == visible_codes(q, answers)


@by_file
@SETTINGS
@given(data=st.data())
def test_same_answers__always_give_the_same_result(path: Path, data: st.DataObject) -> None:
    q = _load(path)
    answers = data.draw(answers_for(q))
    result = score(q, answers)
    reordered = dict(reversed(list(answers.items())))
    assert score(q, reordered) == result
    assert score(_snapshot(path), answers) == result
    assert ScoreResult.from_json(json.loads(json.dumps(result.to_json()))) == result


@by_file
@SETTINGS
@given(data=st.data())
def test_missing_required__lists_only_visible_required_questions(
    path: Path, data: st.DataObject
) -> None:
    q = _load(path)
    answers = data.draw(answers_for(q, junk=False))
    shown = visible_codes(q, answers)
    for question in missing_required(q, answers):
        assert question.required
        assert question.code in shown
        assert question.code not in answers


ANY_VALUE = st.one_of(JUNK, st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


@by_file
@SETTINGS
@given(data=st.data())
def test_conditions__evaluate_to_a_boolean_on_any_answers(path: Path, data: st.DataObject) -> None:
    q = _load(path)
    conditions = [c for x in q.questions for c in x.conditions]
    conditions += [r.when for level in q.levels for r in level.requires]
    assume(conditions)
    answers = data.draw(st.dictionaries(st.sampled_from([x.code for x in q.questions]), ANY_VALUE))
    for condition in conditions:
        assert condition.evaluate(answers) in (True, False)


@by_file
@SETTINGS
@given(data=st.data())
def test_parser__raises_only_syntax_errors_on_mangled_conditions(
    path: Path, data: st.DataObject
) -> None:
    q = _load(path)
    sources = [c.source for x in q.questions for c in x.conditions]
    sources += [r.when.source for level in q.levels for r in level.requires]
    assume(sources)
    source = data.draw(st.sampled_from(sources))
    cut = data.draw(st.integers(0, len(source)))
    insert = data.draw(st.text(max_size=3))
    mangled = source[:cut] + insert + source[cut + data.draw(st.integers(0, 3)) :]
    with contextlib.suppress(ConditionSyntaxError):
        parse_condition(mangled)
