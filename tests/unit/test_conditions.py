"""The condition language: parsing, errors, semantics, totality."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.surveys.conditions import (
    And,
    Compare,
    Condition,
    ConditionSyntaxError,
    CountSelected,
    Literal,
    Not,
    Or,
    Ref,
    Selected,
    parse_condition,
)


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("${a} = 'yes'", Compare("=", Ref("a"), Literal("yes"))),
        ('${a} != "no"', Compare("!=", Ref("a"), Literal("no"))),
        ("${n} >= 2.5", Compare(">=", Ref("n"), Literal(2.5))),
        ("-3 < ${n}", Compare("<", Literal(-3), Ref("n"))),
        ("selected(${m}, 'x')", Selected("m", "x")),
        ("count-selected(${m}) > 1", Compare(">", CountSelected("m"), Literal(1))),
        ("not ${a} = 1", Not(Compare("=", Ref("a"), Literal(1)))),
        (
            "${a} = 1 or ${b} = 2 and ${c} = 3",
            Or(
                (
                    Compare("=", Ref("a"), Literal(1)),
                    And((Compare("=", Ref("b"), Literal(2)), Compare("=", Ref("c"), Literal(3)))),
                )
            ),
        ),
        (
            "(${a} = 1 or ${b} = 2) and ${c} = 3",
            And(
                (
                    Or((Compare("=", Ref("a"), Literal(1)), Compare("=", Ref("b"), Literal(2)))),
                    Compare("=", Ref("c"), Literal(3)),
                )
            ),
        ),
    ],
)
def test_condition__parses_into_its_tree(text: str, tree: object) -> None:
    assert parse_condition(text) == Condition(text, tree)  # type: ignore[arg-type]


def test_and__binds_tighter_than_or_and_not_applies_to_a_whole_comparison() -> None:
    condition = parse_condition("not ${a} = 'x' or ${b} = 'y'")
    assert condition.evaluate({"a": "z", "b": "n"}) is True
    assert condition.evaluate({"a": "x", "b": "n"}) is False


def test_references__lists_every_question_read() -> None:
    condition = parse_condition(
        "${a} = 1 and (selected(${m}, 'x') or count-selected(${k}) > 0) and not ${a} = 2"
    )
    assert condition.references() == {"a", "m", "k"}


@pytest.mark.parametrize(
    ("text", "fragment", "column"),
    [
        ("", "empty", 0),
        ("${a} =", "ends too early", 7),
        ("${a} = 'x", "string not closed", 8),
        ("${A} = 1", "${code}", 1),
        ("(${a} = 1", "expected ')'", 10),
        ("${a} = 1 = 2", "unexpected '='", 10),
        ("${a}", "ends too early", 5),
        ("and ${a} = 1", "unexpected 'and'", 1),
        ("selected(${a}, 1)", "expected a quoted string", 16),
        ("${a} == 1", "unexpected '='", 7),
        ("${a} = 1 &", "unexpected character '&'", 10),
        ("__import__('os')", "unexpected character '_'", 1),
        ("${a} = yes", "unexpected character 'y'", 8),
    ],
)
def test_bad_condition__raises_a_syntax_error_naming_the_column(
    text: str, fragment: str, column: int
) -> None:
    with pytest.raises(ConditionSyntaxError) as raised:
        parse_condition(text)
    assert fragment in str(raised.value)
    assert raised.value.column == column


def test_condition_that_is_not_text__is_a_syntax_error() -> None:
    with pytest.raises(ConditionSyntaxError):
        parse_condition(42)


def test_very_deep_nesting__is_a_syntax_error_not_a_crash() -> None:
    with pytest.raises(ConditionSyntaxError, match="nested"):
        parse_condition("not " * 100 + "${a} = 1")


def test_very_long_condition__is_a_syntax_error() -> None:
    with pytest.raises(ConditionSyntaxError, match="longer"):
        parse_condition(" or ".join(["${a} = 1"] * 400))


@pytest.mark.parametrize(
    ("text", "answers", "expected"),
    [
        # unanswered reads as ''
        ("${a} = ''", {}, True),
        ("${a} = ''", {"a": None}, True),
        ("${a} = 'yes'", {}, False),
        ("${a} != 'yes'", {}, True),
        ("${a} = 'yes'", {"a": "yes"}, True),
        # numbers, and numeric strings against numbers
        ("${n} >= 10", {"n": 10}, True),
        ("${n} >= 10", {"n": 9.5}, False),
        ("${n} = 2.5", {"n": "2.5"}, True),
        ("${n} < 3", {"n": "2"}, True),
        ("${n} > '2'", {"n": "10"}, True),
        # mismatched kinds compare false, whatever the operator
        ("${n} = 0", {}, False),
        ("${n} != 0", {}, False),
        ("${n} < 3", {"n": "abc"}, False),
        ("${n} > 'abc'", {"n": "abd"}, False),
        ("${a} = 'x'", {"a": ["x"]}, False),
        ("${a} != 'x'", {"a": ["x"]}, False),
        ("${a} = 1", {"a": True}, False),
        ("${a} = 1", {"a": {"x": 1}}, False),
        # selected() and count-selected()
        ("selected(${m}, 'x')", {"m": ["x", "y"]}, True),
        ("selected(${m}, 'z')", {"m": ["x", "y"]}, False),
        ("selected(${m}, 'x')", {"m": "x"}, False),
        ("selected(${m}, 'x')", {}, False),
        ("count-selected(${m}) = 2", {"m": ["x", "y"]}, True),
        ("count-selected(${m}) = 0", {"m": "x"}, True),
        ("count-selected(${m}) = 0", {}, True),
        # odd numbers stay total
        ("${n} > 0", {"n": math.nan}, False),
        ("${n} > 0", {"n": math.inf}, True),
        ("${n} = 1", {"n": "1" * 5000}, False),
        # logic
        ("${a} = 1 and ${b} = 2", {"a": 1, "b": 2}, True),
        ("${a} = 1 and ${b} = 2", {"a": 1}, False),
        ("${a} = 1 or ${b} = 2", {"b": 2}, True),
        ("not (${a} = 1 or ${b} = 2)", {}, True),
    ],
)
def test_evaluate__follows_the_documented_semantics(
    text: str, answers: dict[str, object], expected: bool
) -> None:
    assert parse_condition(text).evaluate(answers) is expected


def test_evaluate__never_parses_again(monkeypatch: pytest.MonkeyPatch) -> None:
    condition = parse_condition("${a} = 'yes'")

    def refuse(*args: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr("app.surveys.conditions._PARSER.parse", refuse)
    assert condition.evaluate({"a": "yes"}) is True


_ALPHABET = "${}()'\" =!<>,.-_0123456789abcmnotdrsleuy\t"


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet=_ALPHABET, max_size=60)))
def test_parser__raises_only_condition_syntax_errors_on_any_text(text: str) -> None:
    try:
        condition = parse_condition(text)
    except ConditionSyntaxError as error:
        message = str(error)
        assert message
    else:
        assert condition.evaluate({}) in (True, False)


_CODES = st.sampled_from(["a", "b", "m"])
_VALUES = st.one_of(
    st.builds(lambda c: f"${{{c}}}", _CODES),
    st.integers(-5, 5).map(str),
    st.sampled_from(["'yes'", '"no"', "''", "'x'", "2.5"]),
    st.builds(lambda c: f"count-selected(${{{c}}})", _CODES),
)
_ATOMS = st.one_of(
    st.builds(
        lambda left, op, right: f"{left} {op} {right}",
        _VALUES,
        st.sampled_from(["=", "!=", "<", "<=", ">", ">="]),
        _VALUES,
    ),
    st.builds(lambda c, v: f"selected(${{{c}}}, '{v}')", _CODES, st.sampled_from("xyz")),
)
CONDITIONS = st.recursive(
    _ATOMS,
    lambda inner: st.one_of(
        st.builds(lambda x: f"not {x}", inner),
        st.builds(lambda x: f"({x})", inner),
        st.builds(lambda x, y: f"{x} and {y}", inner, inner),
        st.builds(lambda x, y: f"{x} or {y}", inner, inner),
    ),
    max_leaves=8,
)

ANY_VALUE = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=10),
        st.sampled_from(["", "yes", "no", "x", "2", "2.5", "-1"]),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(), inner)),
    max_leaves=6,
)
ANY_ANSWERS = st.dictionaries(st.sampled_from(["a", "b", "m", "z"]), ANY_VALUE)


@settings(max_examples=300, deadline=None)
@given(CONDITIONS, ANY_ANSWERS)
def test_evaluate__gives_a_boolean_for_any_answers(text: str, answers: dict[str, object]) -> None:
    condition = parse_condition(text)
    assert condition.evaluate(answers) in (True, False)
    assert condition.references() <= {"a", "b", "m"}


@settings(max_examples=100, deadline=None)
@given(CONDITIONS, ANY_ANSWERS)
def test_not__is_the_negation_of_any_condition(text: str, answers: dict[str, object]) -> None:
    condition = parse_condition(text)
    negated = parse_condition(f"not ({text})")
    assert negated.evaluate(answers) is not condition.evaluate(answers)
