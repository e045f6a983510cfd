"""Scores worked out by hand under each kind of condition (tests/unit/fixtures/mini-2.yaml).

The fixture, under scoring rules 2: dimension `sales` (weight 2) scores web_channels (max 4,
weight 1, asked when has_web = 'yes') and online_share (scale 0–4, weight 2); dimension `ops`
(weight 1) scores has_plan (yes 3 / no 0), members (optional, bands 10→1, 50→2, min 0),
tools (paper 0, excel 1, software 3) and field_records (none 0, paper 1, app 2; applies to
farming only). Levels: low 0, mid 40, high 75 when has_plan = 'yes'.
"""

from pathlib import Path

import pytest

from app.scoring import DimensionScore, score, visible_codes
from app.surveys.loader import load_file, load_text

MINI_2 = load_file(Path(__file__).parent / "fixtures" / "mini-2.yaml")

FARM = {
    "sector": "farming",
    "has_web": "no",
    "online_share": 2,
    "has_plan": "yes",
    "tools": "excel",
    "field_records": "app",
}


def test_behaviour_hidden_question__counts_at_its_lowest_points() -> None:
    result = score(MINI_2, FARM)
    # sales = 100 × (1·0/4 + 2·2/4) / 3 = 33.33: web_channels is not asked and counts 0 of 4
    # ops   = 100 × (3/3 + 0/2 + 1/3 + 2/2) / 4 = 100 × 7/12 = 58.33 (members skipped: 0 of 2)
    # overall = (2 × 100/3 + 700/12) / 3 = 375/9 = 41.67
    assert "web_channels" not in visible_codes(MINI_2, FARM)
    assert result.dimensions["sales"] == DimensionScore("sales", 33.33, 22.22, "low", 1, 2)
    assert result.dimensions["ops"] == DimensionScore("ops", 58.33, 19.44, "mid", 3, 4)
    assert (result.overall, result.level, result.scoring_version) == (41.67, "mid", "2")


def test_not_applicable_question__leaves_the_mean() -> None:
    result = score(MINI_2, {**FARM, "sector": "services"})
    # ops = 100 × (3/3 + 0/2 + 1/3) / 3 = 100 × 4/9 = 44.44; field_records does not apply
    # overall = (2 × 100/3 + 400/9) / 3 = 1000/27 = 37.04
    assert result.dimensions["ops"] == DimensionScore("ops", 44.44, 14.81, "mid", 2, 3)
    assert (result.overall, result.level) == (37.04, "low")


def test_answered_behaviour__scores_above_not_doing_it() -> None:
    answered = score(MINI_2, {**FARM, "has_web": "yes", "web_channels": ["none"]})
    # Answering "yes, but no channel" gives the same 0 of 4 as answering "no".
    assert answered.overall == score(MINI_2, FARM).overall == 41.67
    better = score(MINI_2, {**FARM, "has_web": "yes", "web_channels": ["fanpage"]})
    # sales = 100 × (1·1/4 + 2·2/4) / 3 = 41.67; overall = (2 × 125/3 + 700/12) / 3 = 47.22
    assert (better.dimensions["sales"].score, better.overall) == (41.67, 47.22)


def test_optional_scored_question_left_blank__counts_at_its_lowest_points() -> None:
    skipped = score(MINI_2, FARM)
    lowest = score(MINI_2, {**FARM, "members": 3})
    assert skipped.dimensions["ops"].score == lowest.dimensions["ops"].score == 58.33
    assert skipped.overall == lowest.overall
    assert skipped.dimensions["ops"].answered == 3  # the blank is counted, not answered
    assert lowest.dimensions["ops"].answered == 4


def test_rules_1_file__keeps_its_scores() -> None:
    mini_1 = load_file(Path(__file__).parent / "fixtures" / "mini-1.yaml")
    hidden = score(mini_1, {"has_web": "no", "online_share": 2, "has_plan": "no", "tools": "paper"})
    # Under rules 1 the hidden web_channels leaves the mean: sales = 100 × 2·2/4 / 2 = 50.
    assert (hidden.dimensions["sales"].score, hidden.scoring_version) == (50.0, "1")


RULES_2_HEAD = """
key: k
version: "1"
subject: cooperative
scoring_rules: 2
title: {vi: T, en: T}
levels: [{key: low, min: 0, label: {vi: T, en: T}}]
dimensions: [{key: d, title: {vi: T, en: T}, source: s, advice: {low: {vi: A, en: A}}}]
questions:
"""


def _rules_2(gate: str, follow_up: str) -> str:
    return (
        RULES_2_HEAD
        + f"""
  - code: g
    dimension: d
    type: yes_no
    label: {{vi: G, en: G}}
    points: {{yes: 0, no: 0}}
    {gate}
  - code: f
    dimension: d
    type: yes_no
    label: {{vi: F, en: F}}
    points: {{yes: 1, no: 0}}
    {follow_up}
"""
    )


def test_rules_2_relevant__must_say_its_kind() -> None:
    with pytest.raises(Exception, match="say which kind of condition this is: 'applies_when'"):
        load_text(_rules_2("", "relevant: \"${g} = 'yes'\""))


def test_applies_when__reads_a_required_unscored_fact() -> None:
    assert load_text(_rules_2("", "applies_when: \"${g} = 'yes'\"")).scoring_rules == 2


@pytest.mark.parametrize(
    "gate",
    ["required: false", "asked_when: \"${d0} = 'yes'\"", "points: {yes: 1, no: 0}"],
    ids=["optional", "behaviour", "scored"],
)
def test_applies_when__refuses_a_behaviour_answer(gate: str) -> None:
    text = _rules_2(gate, "applies_when: \"${g} = 'yes'\"")
    text = text.replace("    points: {yes: 0, no: 0}\n    points:", "    points:")
    if "d0" in gate:
        first = "  - {code: d0, dimension: d, type: yes_no, label: {vi: D, en: D}, "
        text = text.replace("questions:\n", f"questions:\n{first}points: {{yes: 0, no: 0}}}}\n")
    with pytest.raises(Exception, match="'applies_when' may only read required, unscored"):
        load_text(text)


def test_condition_kinds__need_rules_2() -> None:
    text = (
        RULES_2_HEAD.replace("scoring_rules: 2\n", "")
        + """
  - {code: g, dimension: d, type: yes_no, label: {vi: G, en: G}, points: {yes: 0, no: 0}}
  - code: f
    dimension: d
    type: yes_no
    label: {vi: F, en: F}
    points: {yes: 1, no: 0}
    asked_when: "${g} = 'yes'"
"""
    )
    with pytest.raises(Exception, match="'asked_when' needs `scoring_rules: 2`"):
        load_text(text)


def test_unasked_follow_up__needs_a_zero_point_answer() -> None:
    text = _rules_2("", "asked_when: \"${g} = 'yes'\"").replace(
        "points: {yes: 1, no: 0}", "points: {yes: 2, no: 1}"
    )
    with pytest.raises(Exception, match=r"not asked, it counts at its lowest points \(1\)"):
        load_text(text)
