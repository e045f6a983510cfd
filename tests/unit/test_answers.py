"""Answers: parsing form input, reading stored values back, and their points."""

from fractions import Fraction
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.surveys.answers import (
    ANSWER_TYPES,
    InvalidAnswer,
    answer_points,
    coerce_stored,
    format_number,
    parse_answer,
    parse_number,
)
from app.surveys.definition import QUESTION_TYPES, Question, Questionnaire
from app.surveys.loader import load_file
from app.web.i18n import translate

ROOT = Path(__file__).resolve().parents[2]
MINI = Path(__file__).parent / "fixtures" / "mini-1.yaml"
FILES = [MINI, *sorted((ROOT / "surveys").glob("*.yaml"))]


@cache
def _load(path: Path) -> Questionnaire:
    return load_file(path)


def _q(code: str) -> Question:
    return _load(MINI).question(code)


def test_registry__covers_every_question_type() -> None:
    assert set(ANSWER_TYPES) == set(QUESTION_TYPES)


@pytest.mark.parametrize(
    ("code", "raw", "expected"),
    [
        ("tools", ["excel"], "excel"),
        ("tools", [" excel "], "excel"),
        ("web_channels", ["shop", "site"], ["site", "shop"]),  # in option order
        ("web_channels", ["site", "site"], ["site"]),
        ("web_channels", ["none"], ["none"]),
        ("online_share", ["3"], 3),
        ("online_share", ["0"], 0),
        ("has_plan", ["yes"], "yes"),
        ("has_plan", ["NO"], "no"),
        ("members", ["25"], 25),
        ("members", ["2,5"], 2.5),
        ("members", ["1.234"], 1234),
        ("note", ["  xin chào \r\n"], "xin chào"),
        ("note", ["Hợp tác xã"], "Hợp tác xã"),  # decomposed input comes out composed
    ],
)
def test_valid_input__parses_to_a_typed_answer(code: str, raw: list[str], expected: object) -> None:
    answer = parse_answer(_q(code), raw)
    assert answer == expected
    assert type(answer) is type(expected)


@pytest.mark.parametrize("raw", [[], [""], ["   "], ["", " "]])
def test_empty_input__is_no_answer(raw: list[str]) -> None:
    for code in ("tools", "web_channels", "online_share", "has_plan", "members", "note"):
        assert parse_answer(_q(code), raw) is None


@pytest.mark.parametrize(
    ("code", "raw", "vi", "en"),
    [
        (
            "tools",
            ["gold"],
            "Vui lòng chọn một phương án trong danh sách.",
            "Please choose one of the options.",
        ),
        (
            "tools",
            ["excel", "paper"],
            "Vui lòng chỉ chọn một phương án.",
            "Please choose only one option.",
        ),
        (
            "web_channels",
            ["site", "tv"],
            "Vui lòng chọn một phương án trong danh sách.",
            "Please choose one of the options.",
        ),
        (
            "web_channels",
            ["site", "none"],
            "Phương án “Không kênh nào” không thể chọn cùng các phương án khác.",
            "“None of these” cannot be chosen together with other options.",
        ),
        (
            "online_share",
            ["5"],
            "Vui lòng chọn một mức từ 0 đến 4.",
            "Please choose a level from 0 to 4.",
        ),
        (
            "online_share",
            ["2.5"],
            "Vui lòng chọn một mức từ 0 đến 4.",
            "Please choose a level from 0 to 4.",
        ),
        ("has_plan", ["maybe"], "Vui lòng chọn Có hoặc Không.", "Please answer yes or no."),
        (
            "members",
            ["nhiều"],
            "Vui lòng nhập một số, ví dụ 12 hoặc 2,5.",
            "Please enter a number, e.g. 12 or 2.5.",
        ),
        (
            "members",
            ["-1"],
            "Giá trị phải từ 0 đến 10.000.",
            "The value must be between 0 and 10,000.",
        ),
        (
            "members",
            ["10001"],
            "Giá trị phải từ 0 đến 10.000.",
            "The value must be between 0 and 10,000.",
        ),
        (
            "note",
            ["x" * 2001],
            "Câu trả lời không được dài quá 2.000 ký tự.",
            "The answer must not be longer than 2,000 characters.",
        ),
    ],
)
def test_invalid_input__raises_with_a_vietnamese_and_an_english_message(
    code: str, raw: list[str], vi: str, en: str
) -> None:
    with pytest.raises(InvalidAnswer) as raised:
        parse_answer(_q(code), raw)
    message = raised.value.message
    assert (translate(message, "vi"), translate(message, "en")) == (vi, en)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("12", 12),
        ("-3", -3),
        ("2,5", 2.5),  # Vietnamese decimal comma
        ("2.5", 2.5),  # also read as a decimal
        ("1.234", 1234),  # one dot then three digits: thousands, the Vietnamese way
        ("1.234.567", 1234567),
        ("1 234 567", 1234567),
        ("1.234,5", 1234.5),  # both marks: the last one is decimal
        ("1,234.5", 1234.5),
        ("1,234,567", 1234567),
        ("0.500", 0.5),  # a leading 0 is never a thousands group
        ("1234.567", 1234.567),
        ("1,234", 1.234),  # one comma is always decimal
        ("2,0", 2),
        ("abc", None),
        ("1e5", None),
        ("nan", None),
        ("1..2", None),
        ("1.2,5", None),
        ("1,2,3", None),
        ("12,", None),
        ("٣", None),
        ("9" * 16, None),
    ],
)
def test_parse_number__reads_vietnamese_and_english_notation(
    text: str, number: float | None
) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize(
    ("number", "text"), [(0, "0"), (1234.5, "1.234,5"), (-2.5, "-2,5"), (10000, "10.000")]
)
def test_format_number__writes_vietnamese_notation(number: float, text: str) -> None:
    assert format_number(number) == text


@pytest.mark.parametrize(
    ("code", "stored", "expected"),
    [
        ("tools", "excel", "excel"),
        ("tools", "gold", None),
        ("tools", 3, None),
        ("web_channels", ["shop", "site", "tv"], ["site", "shop"]),
        ("web_channels", ["none", "site"], None),
        ("web_channels", [], None),
        ("web_channels", "site", None),
        ("online_share", 3, 3),
        ("online_share", 3.0, 3),
        ("online_share", 9, None),
        ("online_share", True, None),
        ("online_share", float("inf"), None),
        ("has_plan", "yes", "yes"),
        ("has_plan", True, None),
        ("members", 12.5, 12.5),
        ("members", "12", None),
        ("members", float("nan"), None),
        ("members", -1, None),
        ("note", " hi ", "hi"),
        ("note", "", None),
        ("note", {"a": 1}, None),
    ],
)
def test_coerce_stored__returns_the_answer_or_none_for_bad_data(
    code: str, stored: object, expected: object
) -> None:
    assert coerce_stored(_q(code), stored) == expected


@pytest.mark.parametrize(
    ("code", "stored", "points"),
    [
        ("tools", "software", 3),
        ("web_channels", ["site", "fanpage", "shop"], 4),  # 5, capped at 4
        ("web_channels", ["fanpage"], 1),
        ("web_channels", ["none"], 0),
        ("online_share", 3, 3),  # answer - min
        ("has_plan", "no", 0),
        ("members", 9, 0),
        ("members", 10, 1),
        ("members", 10000, 2),
        ("note", "anything", 0),
        ("tools", None, None),
        ("tools", "gold", None),
    ],
)
def test_answer_points__follow_the_question_type(
    code: str, stored: object, points: int | None
) -> None:
    assert answer_points(_q(code), stored) == (None if points is None else Fraction(points))


ANY_RAW = st.lists(
    st.one_of(
        st.text(),
        st.sampled_from(["yes", "no", "1", "2,5", "1.234", "-0", "shop", "none", "site"]),
        st.from_regex(r"[-+]?[0-9 .,]{1,12}", fullmatch=True),
    ),
    max_size=4,
)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_parse_answer__raises_only_invalid_answer_on_any_input(
    path: Path, data: st.DataObject
) -> None:
    questionnaire = _load(path)
    question = data.draw(st.sampled_from(questionnaire.questions))
    raw = data.draw(ANY_RAW)
    try:
        answer = parse_answer(question, raw)
    except InvalidAnswer as error:
        refused: InvalidAnswer | None = error
    else:
        refused = None
    if refused is not None:
        assert translate(refused.message, "vi")
        assert translate(refused.message, "en")
        return
    # What the form accepts is stored, read back unchanged, and earns bounded points.
    assert coerce_stored(question, answer) == answer
    points = answer_points(question, answer)
    assert points is None or 0 <= points <= question.max_points
