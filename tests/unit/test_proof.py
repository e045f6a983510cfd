"""The proof in `htxso surveys validate`: each kind of hole is refused, naming its answers."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from app.scoring.proof import legacy_holes, load_proven, prove
from app.surveys.loader import SurveyFileError, load_file, load_text

ROOT = Path(__file__).parents[2]
MINI_2 = Path(__file__).parent / "fixtures" / "mini-2.yaml"
TEXT = MINI_2.read_text(encoding="utf-8")

FOLLOW_UP = """
  - code: extra
    dimension: ops
    type: yes_no
    label: {vi: Thêm, en: Extra}
    points: {yes: 2, no: 0}
    asked_when: "CONDITION"
"""


def _with_follow_up(condition: str, text: str = TEXT) -> str:
    return text + FOLLOW_UP.replace("CONDITION", condition)


def _holes(text: str) -> list[str]:
    return [f"{'.'.join(map(str, h.loc))}: {h.message}" for h in prove(load_text(text))]


def test_fixture__is_proven() -> None:
    assert prove(load_file(MINI_2)) == []


def test_worse_option_that_shows_a_scored_question__is_refused() -> None:
    holes = _holes(_with_follow_up("${tools} = 'paper'"))
    assert holes[0] == (
        "questions.8.asked_when: tools: 'paper' (0 points) shows extra where the better "
        "answer 'excel' (1 points) does not; a worse answer could score higher"
    )


def test_skip_that_shows_a_scored_question__is_refused() -> None:
    text = TEXT.replace(
        "    points: {yes: 0, no: 0}\n", "    points: {yes: 0, no: 0}\n    required: false\n"
    ).replace("asked_when: \"${has_web} = 'yes'\"", "asked_when: \"${has_web} != 'no'\"")
    assert _holes(text) == [
        "questions.2.asked_when: has_web: leaving it blank shows web_channels where the better "
        "answer 'no' (0 points) does not; a worse answer could score higher"
    ]


def test_two_answers_of_equal_points_showing_different_questions__are_refused() -> None:
    # "no" on the unscored gate shows a question that "yes" hides, and the other way round.
    holes = _holes(_with_follow_up("${has_web} = 'no'"))
    assert holes == [
        "questions.8.asked_when: has_web: 'no' and 'yes' earn the same points, yet 'no' shows "
        "extra and 'yes' shows web_channels; neither is the better answer, so give them "
        "different points or ask separately"
    ]


def test_level_requirement_met_by_a_worse_answer__is_refused() -> None:
    text = TEXT.replace("when: \"${has_plan} = 'yes'\"", "when: \"${tools} != 'software'\"")
    assert _holes(text)[0].startswith(
        "levels.2.requires.0.when: tools: 'paper' (0 points) meets the requirement of level "
        "'high' (A written plan) where the better answer 'software' (3 points) does not"
    )


def test_a_condition_on_another_answer__names_that_answer() -> None:
    holes = _holes(_with_follow_up("${has_plan} = 'yes' or ${tools} = 'paper'"))
    assert holes[0].endswith(
        "'paper' (0 points) shows extra where the better answer 'excel' (1 points) does not "
        "(with has_plan = 'no'); a worse answer could score higher"
    )


def test_unreachable_level__is_refused() -> None:
    text = TEXT.replace("when: \"${has_plan} = 'yes'\"", 'when: "${members} > 20000"')
    assert _holes(text) == ["levels.2.key: no answers reach level 'high'"]


def test_validate__refuses_the_file_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "mini-2.yaml"
    bad.write_text(_with_follow_up("${tools} = 'paper'"), encoding="utf-8")
    with pytest.raises(SurveyFileError) as error:
        load_proven(tmp_path)
    line = len(TEXT.splitlines()) + 7  # the `asked_when` line of the follow-up
    assert str(error.value.problems[0]).startswith(
        f"{bad}:{line}: questions[8].asked_when: tools: 'paper' (0 points) shows extra"
    )
    result = CliRunner().invoke(app, ["surveys", "validate", str(tmp_path)])
    assert result.exit_code == 1
    assert "questions[8].asked_when: tools: 'paper'" in result.output


def test_rules_1_files__report_the_holes_of_2026_1() -> None:
    ocop = [h.message for h in legacy_holes(load_file(ROOT / "surveys" / "ocop-2026.1.yaml"))]
    value_chain = load_file(ROOT / "surveys" / "value_chain-2026.1.yaml")
    assert any(
        m.startswith("ocop_export_channel is scored and hidden by ocop_exported") for m in ocop
    )
    assert any(
        m.startswith("vc_area_code is scored and optional")
        for m in (h.message for h in legacy_holes(value_chain))
    )
