"""Loading questionnaire files: the models, the JSON snapshot, and every kind of error."""

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.surveys.definition import Questionnaire, content_hash
from app.surveys.loader import (
    Problem,
    SurveyFileError,
    load_dir,
    load_file,
    load_text,
    validate_questionnaire,
)

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini-1.yaml"

# A small valid file; each bad case below edits one spot and marks the line
# where the problem must be reported with "# <-".
BASE = """\
key: tiny
version: "1"
subject: cooperative
title: {vi: Thử, en: Test}
levels:
  - {key: low, min: 0, label: {vi: Thấp, en: Low}}
  - {key: high, min: 50, label: {vi: Cao, en: High}}
dimensions:
  - key: main
    weight: 1
    title: {vi: Chính, en: Main}
    source: test
    advice:
      low: {vi: Cố lên, en: Keep going}
      high: {vi: Tốt, en: Good}
questions:
  - code: gate
    dimension: main
    type: yes_no
    label: {vi: Cổng, en: Gate}
    points: {yes: 0, no: 0}
  - code: pick
    dimension: main
    type: single_choice
    weight: 1
    label: {vi: Chọn, en: Pick}
    relevant: "${gate} = 'yes'"
    options:
      - {value: a, label: {vi: A, en: A}, points: 0}
      - {value: b, label: {vi: B, en: B}, points: 2}
"""


def _extra(question: str) -> str:
    return BASE + question


def _problems(tmp_path: Path, text: str, name: str = "tiny-1.yaml") -> list[Problem]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SurveyFileError) as raised:
        load_file(path)
    return raised.value.problems


def _marked_line(text: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if "# <-" in line)


def test_base_file__loads(tmp_path: Path) -> None:
    path = tmp_path / "tiny-1.yaml"
    path.write_text(BASE, encoding="utf-8")
    assert load_file(path).question("pick").relevant is not None


def test_fixture__loads_with_its_fields_and_derived_properties() -> None:
    q = load_file(MINI)
    assert (q.key, q.version, q.subject) == ("mini", "1", "cooperative")
    assert [d.key for d in q.dimensions] == ["sales", "ops"]
    assert [x.code for x in q.questions_by_dimension["ops"]] == [
        "has_plan",
        "members",
        "tools",
        "note",
    ]
    assert q.level("high").requires[0].label.en == "A written plan"
    assert q.question("has_web").points is not None  # `yes:` and `no:` stay text in YAML
    assert {x.code: x.max_points for x in q.questions} == {
        "has_web": 0,
        "web_channels": 4,  # 2 + 1 + 2 = 5, capped at max_points 4
        "platforms": 0,
        "shop_name": 0,
        "online_share": 4,  # scale 0..4
        "has_plan": 3,
        "members": 2,  # highest band
        "tools": 3,
        "note": 0,
    }
    assert not q.question("has_web").scored
    with pytest.raises(KeyError):
        q.question("nope")


def test_questionnaire__round_trips_through_json_with_the_same_hash() -> None:
    q = load_file(MINI)
    again = Questionnaire.model_validate(q.model_dump(mode="json"))
    assert again == q
    assert content_hash(again) == content_hash(q)
    assert len(content_hash(q)) == 64


def test_content_hash__ignores_comments_layout_and_key_order(tmp_path: Path) -> None:
    original = load_file(MINI)
    edited = MINI.read_text(encoding="utf-8").replace(
        'key: mini\nversion: "1"\n', "# a new comment\nversion:   '1'\nkey: mini\n\n"
    )
    assert edited != MINI.read_text(encoding="utf-8")
    assert content_hash(load_text(edited)) == content_hash(original)


def test_content_hash__changes_with_the_content() -> None:
    edited = MINI.read_text(encoding="utf-8").replace("min: 40", "min: 45")
    assert content_hash(load_text(edited)) != content_hash(load_file(MINI))


def test_order_and_model_level__change_the_hash_only_when_a_file_sets_them() -> None:
    original = load_file(MINI)
    assert (original.order, original.model_level) == (100, None)
    defaults = MINI.read_text(encoding="utf-8").replace(
        "subject: cooperative\n", "subject: cooperative\norder: 100\n"
    )
    assert content_hash(load_text(defaults)) == content_hash(original)
    placed = load_text(defaults.replace("order: 100\n", "order: 1\nmodel_level: mid\n"))
    assert (placed.order, placed.model_level) == (1, "mid")
    assert content_hash(placed) != content_hash(original)


def test_a_model_level__must_be_one_of_the_levels() -> None:
    text = MINI.read_text(encoding="utf-8").replace(
        "subject: cooperative\n", "subject: cooperative\nmodel_level: top\n"
    )
    with pytest.raises(SurveyFileError, match="model_level"):
        load_text(text)


def test_a_result__is_a_level_unless_the_file_says_star_band() -> None:
    assert load_file(MINI).result == "level"
    assert not load_file(MINI).banded
    banded = load_text(
        MINI.read_text(encoding="utf-8").replace(
            "subject: cooperative\n", "subject: cooperative\nresult: star_band\n"
        )
    )
    assert banded.banded


def test_an_unknown_result__is_refused_naming_the_line_and_the_choices() -> None:
    text = MINI.read_text(encoding="utf-8").replace(
        "subject: cooperative\n", "subject: cooperative\nresult: stars\n"
    )
    with pytest.raises(SurveyFileError) as refused:
        load_text(text, file="mini-1.yaml")
    (problem,) = refused.value.problems
    assert (problem.field, problem.line) == ("result", text.splitlines().index("result: stars") + 1)
    assert "'level' or 'star_band'" in problem.message


def test_a_short_title__names_the_questionnaire_in_tables_else_its_title() -> None:
    original = load_file(MINI)
    assert original.name == original.title
    named = load_text(
        MINI.read_text(encoding="utf-8").replace(
            "subject: cooperative\n", "subject: cooperative\nshort_title: {vi: Ngắn, en: Short}\n"
        )
    )
    assert (named.name.vi, named.name.en) == ("Ngắn", "Short")
    assert content_hash(named) != content_hash(original)


def test_condition__is_compiled_once_per_questionnaire() -> None:
    q = load_file(MINI)
    gate = q.question("web_channels").relevant
    assert gate is not None
    assert q.question("web_channels").relevant is gate
    assert gate.references() == {"has_web"}


def test_load_dir__loads_every_yaml_file_in_name_order(tmp_path: Path) -> None:
    (tmp_path / "tiny-2.yaml").write_text(BASE.replace('version: "1"', 'version: "2"'))
    (tmp_path / "tiny-1.yaml").write_text(BASE)
    (tmp_path / "README.md").write_text("not a questionnaire")
    assert [q.version for q in load_dir(tmp_path)] == ["1", "2"]


def test_load_dir__reports_the_problems_of_every_file(tmp_path: Path) -> None:
    (tmp_path / "tiny-1.yaml").write_text(
        BASE.replace("dimension: main\n    type: yes", "dimension: x\n    type: yes")
    )
    (tmp_path / "tiny-2.yaml").write_text(BASE)  # named for version 2, says version 1
    (tmp_path / "old.yml").write_text(BASE)
    with pytest.raises(SurveyFileError) as raised:
        load_dir(tmp_path)
    files = {Path(p.file).name for p in raised.value.problems}
    assert files == {"tiny-1.yaml", "tiny-2.yaml", "old.yml"}


def test_every_problem_in_a_file__is_reported_at_once(tmp_path: Path) -> None:
    text = (
        BASE.replace("weight: 1\n    title", "weight: heavy\n    title")
        .replace("dimension: main\n    type: single", "dimension: mian\n    type: single")
        .replace("points: 2}", "points: -2}")
    )
    messages = [str(p) for p in _problems(tmp_path, text)]
    assert len(messages) == 3, messages
    assert any("dimensions[0].weight: expected a number" in m for m in messages)
    assert any("questions[1].dimension: unknown dimension 'mian'" in m for m in messages)
    assert any("questions[1].options[1].points: must be at least 0" in m for m in messages)


def test_problem__reads_file_line_field_message() -> None:
    problem = Problem("surveys/digital-2026.1.yaml", 42, "questions[3].dimension", "unknown")
    assert str(problem) == "surveys/digital-2026.1.yaml:42: questions[3].dimension: unknown"


def test_validate_questionnaire__checks_a_built_questionnaire() -> None:
    q = load_file(MINI)
    assert validate_questionnaire(q) == []
    broken = q.model_copy(update={"questions": q.questions[1:]})
    assert any("unknown question 'has_web'" in str(p) for p in validate_questionnaire(broken))


@pytest.mark.parametrize(
    ("text", "field", "fragment"),
    [
        pytest.param(
            BASE.replace("subject: cooperative", "subject: cooperative: x  # <-"),
            "",
            "YAML syntax error",
            id="yaml syntax error",
        ),
        pytest.param(
            BASE.replace("title: {vi: Thử, en: Test}", "titel: {vi: Thử, en: Test}  # <-"),
            "titel",
            "unknown field (did you mean 'title'?)",
            id="unknown field",
        ),
        pytest.param(
            BASE.replace("  - code: pick\n", "  - code: pick  # <-\n").replace(
                "    label: {vi: Chọn, en: Pick}\n", ""
            ),
            "questions[1].label",
            "this field is required",
            id="missing field is reported at the enclosing item",
        ),
        pytest.param(
            BASE.replace('version: "1"', "version: 1.0  # <-"),
            "version",
            "expected text",
            id="wrong type",
        ),
        pytest.param(
            BASE.replace("type: single_choice", "type: dropdown  # <-"),
            "questions[1].type",
            "'dropdown' is not allowed",
            id="unknown question type",
        ),
        pytest.param(
            BASE.replace(
                "dimension: main\n    type: single", "dimension: mian  # <-\n    type: single"
            ),
            "questions[1].dimension",
            "unknown dimension 'mian' (did you mean 'main'?)",
            id="unknown dimension",
        ),
        pytest.param(
            BASE.replace("code: pick", "code: gate  # <-"),
            "questions[1].code",
            "duplicate question code 'gate'",
            id="duplicate question code",
        ),
        pytest.param(
            BASE.replace("{value: b,", "{value: a,").replace("points: 2}", "points: 2}  # <-"),
            "questions[1].options[1].value",
            "duplicate option value 'a'",
            id="duplicate option value",
        ),
        pytest.param(
            BASE.replace("  - {key: high, min: 50,", "  - {key: low, min: 50,").replace(
                "label: {vi: Cao, en: High}}", "label: {vi: Cao, en: High}}  # <-"
            ),
            "levels[1].key",
            "duplicate level key 'low'",
            id="duplicate level key",
        ),
        pytest.param(
            BASE.replace(
                "questions:\n",
                "  - {key: main, title: {vi: X, en: X}, source: s,"
                " advice: {low: {vi: a, en: a}, high: {vi: b, en: b}}}  # <-\nquestions:\n",
            ),
            "dimensions[1].key",
            "duplicate dimension key 'main'",
            id="duplicate dimension key",
        ),
        pytest.param(
            BASE.replace(
                "{value: b, label: {vi: B, en: B}, points: 2}",
                "{value: b, label: {vi: B, en: B}}  # <-",
            ),
            "questions[1].options[1].points",
            "this field is required",
            id="option without points",
        ),
        pytest.param(
            BASE.replace("points: 2}", "points: -2}  # <-"),
            "questions[1].options[1].points",
            "must be at least 0",
            id="negative points",
        ),
        pytest.param(
            BASE.replace("relevant: \"${gate} = 'yes'\"", "relevant: \"${gate} == 'yes'\"  # <-"),
            "questions[1].relevant",
            "invalid condition: column 10: unexpected '='",
            id="condition that does not parse",
        ),
        pytest.param(
            BASE.replace("relevant: \"${gate} = 'yes'\"", "relevant: \"${gaet} = 'yes'\"  # <-"),
            "questions[1].relevant",
            "unknown question 'gaet' (did you mean 'gate'?)",
            id="condition naming an unknown question",
        ),
        pytest.param(
            _extra(
                "  - {code: late, dimension: main, type: yes_no, label: {vi: L, en: L},"
                " points: {yes: 0, no: 0}}\n"
            ).replace("relevant: \"${gate} = 'yes'\"", "relevant: \"${late} = 'yes'\"  # <-"),
            "questions[1].relevant",
            "'late' is asked later",
            id="condition naming a later question",
        ),
        pytest.param(
            BASE.replace("relevant: \"${gate} = 'yes'\"", "relevant: \"${pick} = 'a'\"  # <-"),
            "questions[1].relevant",
            "cannot read its own answer",
            id="condition naming its own question",
        ),
        pytest.param(
            BASE.replace("points: {yes: 0, no: 0}", "points: {yes: 1, no: 0}").replace(
                "relevant: \"${gate} = 'yes'\"", "relevant: \"${gate} = 'yes'\"  # <-"
            ),
            "questions[1].relevant",
            "'gate' is scored, so it cannot decide what is asked",
            id="condition on a scored question",
        ),
        pytest.param(
            BASE.replace("relevant: \"${gate} = 'yes'\"", "relevant: \"${gate} = 'yse'\"  # <-"),
            "questions[1].relevant",
            "'yse' is not a value of 'gate'",
            id="condition comparing with a value the question does not have",
        ),
        pytest.param(
            BASE.replace(
                "relevant: \"${gate} = 'yes'\"", "relevant: \"selected(${gate}, 'yes')\"  # <-"
            ),
            "questions[1].relevant",
            "selected() needs a multiple_choice question; 'gate' is yes_no",
            id="selected on a question that is not multiple choice",
        ),
        pytest.param(
            BASE.replace(
                "relevant: \"${gate} = 'yes'\"", 'relevant: "count-selected(${gate}) > 0"  # <-'
            ),
            "questions[1].relevant",
            "count-selected() needs a multiple_choice question",
            id="count-selected on a question that is not multiple choice",
        ),
        pytest.param(
            BASE.replace("    weight: 1\n    title", "    weight: 0  # <-\n    title"),
            "dimensions[0].weight",
            "must be more than 0",
            id="dimension weight of zero",
        ),
        pytest.param(
            BASE.replace("    weight: 1\n    label", "    weight: -1  # <-\n    label"),
            "questions[1].weight",
            "must be more than 0",
            id="negative question weight",
        ),
        pytest.param(
            BASE.replace("{key: low, min: 0,", "{key: low, min: 5,").replace(
                "label: {vi: Thấp, en: Low}}", "label: {vi: Thấp, en: Low}}  # <-"
            ),
            "levels[0].min",
            "the first level must start at 0",
            id="levels not starting at 0",
        ),
        pytest.param(
            BASE.replace("min: 50,", "min: 0,").replace(
                "label: {vi: Cao, en: High}}", "label: {vi: Cao, en: High}}  # <-"
            ),
            "levels[1].min",
            "must be more than the min of the level before (0)",
            id="levels not strictly increasing",
        ),
        pytest.param(
            BASE.replace("min: 50,", "min: 100,").replace(
                "label: {vi: Cao, en: High}}", "label: {vi: Cao, en: High}}  # <-"
            ),
            "levels[1].min",
            "must be below 100",
            id="level min of 100",
        ),
        pytest.param(
            BASE.replace("    advice:\n", "    advice:  # <-\n").replace(
                "      high: {vi: Tốt, en: Good}\n", ""
            ),
            "dimensions[0].advice",
            "no advice for level 'high'",
            id="advice missing for a level",
        ),
        pytest.param(
            BASE.replace(
                "high: {vi: Tốt, en: Good}",
                "high: {vi: Tốt, en: Good}\n      top: {vi: X, en: X}  # <-",
            ),
            "dimensions[0].advice.top",
            "unknown level 'top'",
            id="advice for an unknown level",
        ),
        pytest.param(
            BASE.replace(
                "questions:\n",
                "  - key: empty  # <-\n    title: {vi: R, en: E}\n    source: s\n"
                "    advice: {low: {vi: a, en: a}, high: {vi: b, en: b}}\nquestions:\n",
            ),
            "dimensions[1].key",
            "dimension 'empty' has no questions",
            id="dimension without questions",
        ),
        pytest.param(
            BASE.replace("    source: test\n", "    source: test\n")
            .replace("points: 2}", "points: 0}")
            .replace("  - key: main\n", "  - key: main  # <-\n"),
            "dimensions[0].key",
            "dimension 'main' has no scored question",
            id="dimension without a scored question",
        ),
        pytest.param(
            _extra(
                "  - {code: c, dimension: main, type: multiple_choice,"
                " label: {vi: C, en: C}}  # <-\n"
            ),
            "questions[2].options",
            "a multiple_choice question needs options",
            id="choice question without options",
        ),
        pytest.param(
            _extra(
                "  - code: s\n    dimension: main\n    type: scale\n"
                "    label: {vi: S, en: S}\n    min: 5\n    max: 5  # <-\n"
            ),
            "questions[2].max",
            "must be more than min (5)",
            id="scale with min not below max",
        ),
        pytest.param(
            _extra(
                "  - code: n\n    dimension: main\n    type: number\n    label: {vi: N, en: N}\n"
                "    bands:\n      - {at_least: 10, points: 1}\n"
                "      - {at_least: 5, points: 2}  # <-\n"
            ),
            "questions[2].bands[1].at_least",
            "bands must be in increasing order",
            id="number bands not increasing",
        ),
        pytest.param(
            BASE.replace("label: {vi: Chọn, en: Pick}", "label: {vi: Chọn}  # <-"),
            "questions[1].label.en",
            "this field is required",
            id="text missing its English",
        ),
        pytest.param(
            BASE.replace("label: {vi: Chọn, en: Pick}", "label: Chọn  # <-"),
            "questions[1].label",
            "expected a text pair {vi: ..., en: ...}, got 'Chọn'",
            id="text that is not a pair",
        ),
        pytest.param(
            BASE.replace(
                "    points: {yes: 0, no: 0}\n", "    points: {yes: 0, no: 0}\n    min: 1  # <-\n"
            ),
            "questions[0].min",
            "only scale and number questions have 'min'",
            id="field that does not apply to the question type",
        ),
        pytest.param(
            BASE.replace("    type: yes_no\n", "    type: yes_no\n    dimension: main  # <-\n"),
            "questions[0].dimension",
            "the key 'dimension' appears twice",
            id="key written twice",
        ),
    ],
)
def test_invalid_file__is_reported_with_its_file_line_and_field(
    tmp_path: Path, text: str, field: str, fragment: str
) -> None:
    problems = _problems(tmp_path, text)
    line = _marked_line(text)
    file = str(tmp_path / "tiny-1.yaml")
    expected = f"{file}:{line}: {field}: " if field else f"{file}:{line}: "
    assert any(str(p).startswith(expected) and fragment in p.message for p in problems), problems


def test_file_name_not_matching_key_and_version__is_reported(tmp_path: Path) -> None:
    problems = _problems(tmp_path, BASE, name="tiny-2026.yaml")
    assert [str(p) for p in problems] == [
        f"{tmp_path / 'tiny-2026.yaml'}:1: key: the file must be named 'tiny-1.yaml' "
        "(<key>-<version>.yaml)"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "the file is empty"), ("- a\n- b\n", "the file is not a mapping of fields")],
)
def test_file_without_a_mapping__is_reported(tmp_path: Path, text: str, message: str) -> None:
    assert [p.message for p in _problems(tmp_path, text)] == [message]


def test_missing_file__is_a_survey_file_error(tmp_path: Path) -> None:
    with pytest.raises(SurveyFileError, match="cannot read the file"):
        load_file(tmp_path / "nope-1.yaml")


def test_path_inside_the_working_folder__is_shown_relative(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES.parent)
    with pytest.raises(SurveyFileError) as raised:
        load_file(Path("fixtures") / "nope-1.yaml")
    assert raised.value.problems[0].file == "fixtures/nope-1.yaml"


def test_exact_points__are_fractions_of_decimal_values() -> None:
    q = load_text(BASE.replace("points: 2}", "points: 0.1}"))
    assert q.question("pick").max_points == Fraction(1, 10)


_ODD_LINES = [
    "1: x",
    "  - just text",
    "    options: oops",
    "    advice: [1, 2]",
    "levels: []",
    "    relevant: 3",
    "    min: .nan",
    "    weight: .inf",
    "    type: [scale]",
    "    label: null",
    "  - {code: x}",
    "    value: 2026-01-01",
    "x: !!python/object:os.system []",
]


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_loader__raises_only_survey_file_errors_on_a_mangled_file(data: st.DataObject) -> None:
    lines = MINI.read_text(encoding="utf-8").splitlines()
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(lines) - 1))
        edit = data.draw(st.sampled_from(["drop", "insert", "cut"]))
        if edit == "drop":
            del lines[at]
        elif edit == "insert":
            lines.insert(at, data.draw(st.sampled_from(_ODD_LINES)))
        else:
            lines[at] = lines[at][: data.draw(st.integers(0, len(lines[at])))]
    try:
        load_text("\n".join(lines), file="mangled.yaml")
    except SurveyFileError as error:
        problems = error.problems
    else:
        problems = []
    assert all(p.file == "mangled.yaml" and p.message for p in problems)
