"""The condition language of questionnaire files (`relevant`, `requires.when`).

A condition is parsed once, by a LALR grammar, into a small immutable tree of
the node classes below; evaluating it walks that tree. Nothing is ever passed
to `eval`. The grammar and the semantics are documented in surveys/README.md.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, UnexpectedToken

__all__ = [
    "And",
    "Compare",
    "Condition",
    "ConditionSyntaxError",
    "CountSelected",
    "Literal",
    "Node",
    "Not",
    "Or",
    "Ref",
    "Selected",
    "parse_condition",
]

# Long or deeply nested conditions are certainly mistakes; the limits also keep
# the recursive tree walk far below Python's recursion limit.
MAX_LENGTH = 2000
MAX_DEPTH = 64

_GRAMMAR = r"""
start: or_expr
?or_expr: and_expr (_OR and_expr)*
?and_expr: not_expr (_AND not_expr)*
?not_expr: _NOT not_expr -> negation
         | comparison
         | selected
         | _LPAR or_expr _RPAR
comparison: value COMP_OP value
?value: REF -> ref
      | NUMBER -> number
      | STRING -> string
      | _COUNT_SELECTED _LPAR REF _RPAR -> count_selected
selected: _SELECTED _LPAR REF _COMMA STRING _RPAR

_OR: "or"
_AND: "and"
_NOT: "not"
_SELECTED: "selected"
_COUNT_SELECTED: "count-selected"
COMP_OP: "<=" | ">=" | "!=" | "=" | "<" | ">"
REF: /\$\{[a-z][a-z0-9_]*\}/
NUMBER: /-?[0-9]+(\.[0-9]+)?/
STRING: /'[^']*'/ | /"[^"]*"/
_LPAR: "("
_RPAR: ")"
_COMMA: ","
%ignore /[ \t\r\n]+/
"""

_PARSER = Lark(_GRAMMAR, parser="lalr", maybe_placeholders=False)

_TOKEN_NAMES = {
    "_OR": "'or'",
    "_AND": "'and'",
    "_NOT": "'not'",
    "_SELECTED": "'selected('",
    "_COUNT_SELECTED": "'count-selected('",
    "COMP_OP": "a comparison (= != < <= > >=)",
    "REF": "${code}",
    "NUMBER": "a number",
    "STRING": "a quoted string",
    "_LPAR": "'('",
    "_RPAR": "')'",
    "_COMMA": "','",
    "$END": "the end",
}

_NUMERIC = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?", re.ASCII)

_ORDERING: dict[str, Callable[[float, float], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


class ConditionSyntaxError(ValueError):
    """A condition that does not parse; `column` is 1-based (0 when unknown)."""

    def __init__(self, message: str, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


@dataclass(frozen=True, slots=True)
class Ref:
    """`${code}`: the answer to a question."""

    code: str


@dataclass(frozen=True, slots=True)
class Literal:
    """A number or a string written in the condition."""

    value: int | float | str


@dataclass(frozen=True, slots=True)
class CountSelected:
    """`count-selected(${code})`: how many values a multiple-choice answer holds."""

    code: str


@dataclass(frozen=True, slots=True)
class Compare:
    """`left op right`."""

    op: str
    left: Value
    right: Value


@dataclass(frozen=True, slots=True)
class Selected:
    """`selected(${code}, 'value')`."""

    code: str
    value: str


@dataclass(frozen=True, slots=True)
class Not:
    """`not item`."""

    item: Node


@dataclass(frozen=True, slots=True)
class And:
    """`a and b and ...`."""

    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """`a or b or ...`."""

    items: tuple[Node, ...]


Value = Ref | Literal | CountSelected
Node = Compare | Selected | Not | And | Or


@dataclass(frozen=True)
class Condition:
    """A parsed condition: its source text and its tree."""

    source: str
    tree: Node
    _refs: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        refs = frozenset(
            n.code for n in self.nodes() if isinstance(n, Ref | CountSelected | Selected)
        )
        object.__setattr__(self, "_refs", refs)

    def __str__(self) -> str:
        return self.source

    def nodes(self) -> Iterator[Node | Value]:
        """Every node of the tree, depth first."""
        stack: list[Node | Value] = [self.tree]
        while stack:
            node = stack.pop()
            yield node
            match node:
                case And(items) | Or(items):
                    stack.extend(reversed(items))
                case Not(item):
                    stack.append(item)
                case Compare(_, left, right):
                    stack.extend((right, left))
                case _:
                    pass

    def references(self) -> set[str]:
        """The codes of the questions this condition reads."""
        return set(self._refs)

    def evaluate(self, answers: Mapping[str, object]) -> bool:
        """True or false for any answers; never raises."""
        return _truth(self.tree, answers)


def parse_condition(text: object) -> Condition:
    """Parse a condition, raising ConditionSyntaxError (only) when it is not one."""
    if not isinstance(text, str):
        raise ConditionSyntaxError("a condition must be text")
    if not text.strip():
        raise ConditionSyntaxError("the condition is empty")
    if len(text) > MAX_LENGTH:
        raise ConditionSyntaxError(f"the condition is longer than {MAX_LENGTH} characters")
    try:
        parsed = _PARSER.parse(text)
    except UnexpectedInput as error:
        raise ConditionSyntaxError(_describe(error, text), _column(error, text)) from None
    except LarkError as error:  # pragma: no cover - lark raises UnexpectedInput for bad text
        raise ConditionSyntaxError(f"cannot parse the condition: {error}") from None
    return Condition(text, _build(parsed.children[0], 0))


def _column(error: UnexpectedInput, text: str) -> int:
    if isinstance(error, UnexpectedToken) and error.token.type == "$END":
        return len(text.rstrip()) + 1
    column = getattr(error, "column", -1)
    return column if isinstance(column, int) and column > 0 else len(text) + 1


def _describe(error: UnexpectedInput, text: str) -> str:
    column = _column(error, text)
    if isinstance(error, UnexpectedCharacters):
        position = error.pos_in_stream or 0
        char = text[position] if position < len(text) else ""
        if char in "'\"":
            return f"column {column}: string not closed (missing {char})"
        if char == "$":
            return f"column {column}: write a question as ${{code}}, code in a-z, 0-9 and _"
        return f"column {column}: unexpected character {char!r}"
    names: Iterable[str] = getattr(error, "expected", None) or ()
    expected = sorted(_TOKEN_NAMES.get(name, name) for name in names)
    wanted = f"; expected {', '.join(expected)}" if expected else ""
    if isinstance(error, UnexpectedToken) and error.token.type != "$END":
        return f"column {column}: unexpected {str(error.token)!r}{wanted}"
    return f"column {column}: the condition ends too early{wanted}"


def _build(tree: Tree[Token] | Token, depth: int) -> Node:
    if depth > MAX_DEPTH:
        raise ConditionSyntaxError(f"the condition is nested more than {MAX_DEPTH} deep")
    assert isinstance(tree, Tree)
    kids = tree.children
    if tree.data == "or_expr":
        return Or(tuple(_build(kid, depth + 1) for kid in kids))
    if tree.data == "and_expr":
        return And(tuple(_build(kid, depth + 1) for kid in kids))
    if tree.data == "negation":
        return Not(_build(kids[0], depth + 1))
    if tree.data == "selected":
        return Selected(_ref_code(kids[0]), _unquote(kids[1]))
    assert tree.data == "comparison", tree.data
    return Compare(str(kids[1]), _build_value(kids[0]), _build_value(kids[2]))


def _build_value(tree: Tree[Token] | Token) -> Value:
    assert isinstance(tree, Tree)
    token = tree.children[0]
    if tree.data == "ref":
        return Ref(_ref_code(token))
    if tree.data == "count_selected":
        return CountSelected(_ref_code(token))
    if tree.data == "string":
        return Literal(_unquote(token))
    number = _number(str(token))
    if number is None:
        raise ConditionSyntaxError(f"{str(token)!r} is not a usable number")
    return Literal(number)


def _ref_code(token: Tree[Token] | Token) -> str:
    return str(token)[2:-1]


def _unquote(token: Tree[Token] | Token) -> str:
    return str(token)[1:-1]


def _number(text: str) -> int | float | None:
    """A number read from text in the condition's own notation, or None."""
    if not _NUMERIC.fullmatch(text):
        return None
    try:
        return float(text) if "." in text else int(text)
    except ValueError:  # more digits than int() accepts
        return None


def _truth(node: Node, answers: Mapping[str, object]) -> bool:
    match node:
        case Or(items):
            return any(_truth(item, answers) for item in items)
        case And(items):
            return all(_truth(item, answers) for item in items)
        case Not(item):
            return not _truth(item, answers)
        case Compare(op, left, right):
            return _compare(op, _value(left, answers), _value(right, answers))
        case Selected(code, value):
            chosen = answers.get(code)
            return isinstance(chosen, list | tuple) and any(
                isinstance(item, str) and item == value for item in chosen
            )
    return False  # pragma: no cover - every node class is matched above


def _value(node: Value, answers: Mapping[str, object]) -> object:
    match node:
        case Ref(code):
            answer = answers.get(code)
            return "" if answer is None else answer
        case CountSelected(code):
            chosen = answers.get(code)
            return len(chosen) if isinstance(chosen, list | tuple) else 0
        case Literal(value):
            return value
    return ""  # pragma: no cover


def _as_number(value: object) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        return _number(value.strip())
    return None


def _compare(op: str, left: object, right: object) -> bool:
    """Compare two values; mismatched kinds compare false, whatever the operator."""
    x, y = _as_number(left), _as_number(right)
    if isinstance(left, str) and isinstance(right, str):
        if op in ("=", "!="):
            return (left == right) == (op == "=")
        # Ordering two strings only makes sense when both read as numbers.
        return x is not None and y is not None and _ORDERING[op](x, y)
    if x is None or y is None:
        return False
    return _ORDERING[op](x, y)
