"""Scores of hand-worked answer sets on the fixture questionnaire (tests/unit/fixtures/mini-1.yaml).

The fixture: dimension `sales` (weight 2) scores web_channels (max 4, weight 1,
asked when has_web = 'yes') and online_share (scale 0–4, weight 2); dimension
`ops` (weight 1) scores has_plan (yes 3 / no 0), members (optional, bands
0→0, 10→1, 50→2) and tools (paper 0, excel 1, software 3). Levels: low 0,
mid 40, high 75 when has_plan = 'yes'.
"""

import json
from pathlib import Path

import pytest

from app.scoring import (
    DimensionScore,
    NextLevel,
    ScoreResult,
    missing_required,
    score,
    visible_codes,
)
from app.surveys.definition import Questionnaire
from app.surveys.loader import load_file, load_text

MINI_FILE = Path(__file__).parent / "fixtures" / "mini-1.yaml"
MINI = load_file(MINI_FILE)
PLAN = MINI.level("high").requires[0].label

TYPICAL = {
    "has_web": "yes",
    "web_channels": ["site", "shop"],
    "online_share": 2,
    "has_plan": "yes",
    "members": 30,
    "tools": "excel",
}


def test_typical_answers__score_as_worked_out_by_hand() -> None:
    result = score(MINI, TYPICAL)
    # sales = 100 × (1·4/4 + 2·2/4) / (1 + 2) = 100 × 2/3 = 66.67
    # ops   = 100 × (3/3 + 1/2 + 1/3) / 3 = 100 × 11/18 = 61.11
    # overall = (2 × 200/3 + 1 × 1100/18) / 3 = 1750/27 = 64.81
    # points: sales 66.67 × 2/3 = 44.44, ops 61.11 × 1/3 = 20.37
    assert result == ScoreResult(
        questionnaire="mini",
        version="1",
        scoring_version="1",
        dimensions={
            "sales": DimensionScore("sales", 66.67, 44.44, "mid", answered=2, counted=2),
            "ops": DimensionScore("ops", 61.11, 20.37, "mid", answered=3, counted=3),
        },
        overall=64.81,
        level="mid",
        next_level=NextLevel("high", points_needed=10.19, unmet=()),  # 75 − 64.81
    )


def test_closed_gate__hides_its_questions_and_their_answers() -> None:
    answers = {
        "has_web": "no",
        "web_channels": ["site", "shop"],  # answered before the gate closed: ignored
        "online_share": 4,
        "has_plan": "no",
        "tools": "paper",
    }
    result = score(MINI, answers)
    # sales = online_share only = 100 × 4/4 = 100; ops = (0 + 0) / 2 = 0 (members optional)
    # overall = (2 × 100 + 0) / 3 = 66.67
    assert result.dimensions["sales"] == DimensionScore("sales", 100.0, 66.67, "high", 1, 1)
    assert result.dimensions["ops"] == DimensionScore("ops", 0.0, 0.0, "low", 2, 2)
    assert result.overall == 66.67
    assert result.next_level == NextLevel("high", 8.33, (PLAN,))


def test_hidden_question__is_not_scored() -> None:
    base = {"has_web": "no", "online_share": 4, "has_plan": "no", "tools": "paper"}
    assert score(MINI, {**base, "web_channels": ["site"]}) == score(MINI, base)


def test_score_above_a_threshold_without_its_requirement__stays_below_the_level() -> None:
    answers = {**TYPICAL, "web_channels": ["site", "fanpage", "shop"], "online_share": 4}
    answers |= {"has_plan": "no", "members": 50, "tools": "software"}
    result = score(MINI, answers)
    # sales = 100 (5 points capped at 4); ops = (0 + 2/2 + 3/3) / 3 = 66.67
    # overall = (200 + 66.67) / 3 = 88.89 ≥ 75, but high requires has_plan = 'yes'
    assert result.overall == 88.89
    assert result.level == "mid"
    assert result.next_level == NextLevel("high", points_needed=0.0, unmet=(PLAN,))


def test_best_answers__reach_the_top_level_with_no_next_level() -> None:
    answers = {**TYPICAL, "web_channels": ["site", "shop"], "online_share": 4}
    answers |= {"members": 50, "tools": "software"}
    result = score(MINI, answers)
    assert (result.overall, result.level, result.next_level) == (100.0, "high", None)


def test_no_answers__score_zero_because_unanswered_required_questions_count_zero() -> None:
    result = score(MINI, {})
    # sales: online_share counts 0 (web_channels hidden: has_web is unanswered)
    # ops: has_plan and tools count 0; members is optional and not counted
    assert result.dimensions["sales"] == DimensionScore("sales", 0.0, 0.0, "low", 0, 1)
    assert result.dimensions["ops"] == DimensionScore("ops", 0.0, 0.0, "low", 0, 2)
    assert result.overall == 0.0
    assert result.level == "low"
    assert result.next_level == NextLevel("mid", 40.0, ())


def test_unanswered_optional_question__does_not_count() -> None:
    answers = {"has_web": "no", "online_share": 2, "has_plan": "yes", "tools": "software"}
    # ops without members = (1 + 1) / 2 = 100; with members 5 (band 0 → 0) = (1 + 0 + 1) / 3
    assert score(MINI, answers).dimensions["ops"].score == 100.0
    assert score(MINI, {**answers, "members": 5}).dimensions["ops"].score == 66.67


def test_invalid_stored_answers__count_as_unanswered() -> None:
    answers = {**TYPICAL, "tools": "gold", "online_share": 9, "has_plan": True}
    result = score(MINI, answers)
    # sales = 100 × (1 + 2·0) / 3 = 33.33; ops = (0 + 1/2 + 0) / 3 = 16.67
    assert (result.dimensions["sales"].score, result.dimensions["ops"].score) == (33.33, 16.67)
    assert result.dimensions["ops"].answered == 1


def test_exclusive_option__earns_its_own_points() -> None:
    result = score(MINI, {**TYPICAL, "web_channels": ["none"]})
    # sales = 100 × (0 + 2·2/4) / 3 = 33.33
    assert result.dimensions["sales"].score == 33.33


def test_visible_codes__follow_gates_in_order() -> None:
    always = {"has_web", "online_share", "has_plan", "members", "tools", "note"}
    assert visible_codes(MINI, {}) == always
    assert visible_codes(MINI, {"has_web": "yes"}) == always | {"web_channels", "platforms"}
    assert visible_codes(MINI, {"has_web": "yes", "platforms": ["shopee"]}) == always | {
        "web_channels",
        "platforms",
        "shop_name",
    }


def test_question_behind_a_hidden_gate__is_hidden_too() -> None:
    # platforms still holds 'shopee', but platforms itself is hidden once has_web is 'no'
    assert "shop_name" not in visible_codes(MINI, {"has_web": "no", "platforms": ["shopee"]})


def test_missing_required__lists_visible_required_unanswered_questions_in_order() -> None:
    assert [q.code for q in missing_required(MINI, {})] == [
        "has_web",
        "online_share",
        "has_plan",
        "tools",
    ]
    assert [q.code for q in missing_required(MINI, TYPICAL)] == []
    missing = missing_required(MINI, {**TYPICAL, "web_channels": ["tv"]})
    assert [q.code for q in missing] == ["web_channels"]


def test_result__round_trips_through_json() -> None:
    result = score(MINI, {**TYPICAL, "has_plan": "no", "online_share": 4})
    stored = json.loads(json.dumps(result.to_json()))
    assert ScoreResult.from_json(stored) == result
    assert [d["key"] for d in stored["dimensions"]] == ["sales", "ops"]


def test_questionnaire_read_back_from_its_snapshot__scores_the_same() -> None:
    snapshot = Questionnaire.model_validate(json.loads(json.dumps(MINI.model_dump(mode="json"))))
    assert score(snapshot, TYPICAL) == score(MINI, TYPICAL)


@pytest.mark.parametrize(("share", "expected"), [(1, 3.13), (3, 9.38), (5, 15.63)])
def test_scores__round_half_up_to_two_decimals(share: int, expected: float) -> None:
    # With online_share on a 0–32 scale and the gate closed, sales = 100 × share/32:
    # 3.125, 9.375 and 15.625 exactly; half-even rounding would give 3.12 and 15.62.
    text = MINI_FILE.read_text(encoding="utf-8").replace("max: 4\n", "max: 32\n")
    wide = load_text(text)
    answers = {"has_web": "no", "online_share": share}
    assert score(wide, answers).dimensions["sales"].score == expected
