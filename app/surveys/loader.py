"""Load questionnaire files and report every problem with its file, line and field."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from app.surveys.conditions import Compare, Condition, CountSelected, Literal, Ref, Selected
from app.surveys.definition import (
    Band,
    Dimension,
    Level,
    Option,
    Question,
    Questionnaire,
    Requirement,
    Text,
    YesNoPoints,
)

__all__ = [
    "Problem",
    "SurveyFileError",
    "field_name",
    "line_of",
    "load_dir",
    "load_file",
    "load_text",
    "shown_path",
    "validate_questionnaire",
]

M = TypeVar("M", bound=BaseModel)
Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a questionnaire file."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class SurveyFileError(Exception):
    """One or more questionnaire files are invalid; `problems` lists them all."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class _YamlLoader(yaml.SafeLoader):
    """Safe YAML where only true/false are booleans, so `yes:` and `no:` stay text."""


_YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def load_file(path: str | os.PathLike[str]) -> Questionnaire:
    """Load and validate one questionnaire file; its name must be `<key>-<version>.yaml`."""
    path = Path(path)
    shown = _shown(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SurveyFileError(
            [Problem(shown, None, "", f"cannot read the file: {error}")]
        ) from None
    return load_text(text, file=shown, expected_name=path.name)


def load_dir(path: str | os.PathLike[str]) -> list[Questionnaire]:
    """Load every `*.yaml` file of a folder, sorted by name; report the problems of all."""
    folder = Path(path)
    if not folder.is_dir():
        raise SurveyFileError([Problem(_shown(folder), None, "", "not a folder")])
    loaded: list[Questionnaire] = []
    problems = [
        Problem(_shown(stray), None, "", "questionnaire files end in .yaml; this one is ignored")
        for stray in sorted(folder.glob("*.yml"))
    ]
    for file in sorted(folder.glob("*.yaml")):
        try:
            loaded.append(load_file(file))
        except SurveyFileError as error:
            problems.extend(error.problems)
    if problems:
        raise SurveyFileError(problems)
    return loaded


def load_text(
    text: str, *, file: str = "<text>", expected_name: str | None = None
) -> Questionnaire:
    """Load a questionnaire from YAML text; `file` names it in problems."""
    try:
        node, data = _parse_yaml(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(error, "problem", None) or str(error)
        if "{" in reason or "}" in reason or "mapping values" in reason:
            reason += " (put text that contains : , ? # { } in quotes)"
        raise SurveyFileError([Problem(file, line, "", f"YAML syntax error: {reason}")]) from None
    if node is None or not isinstance(data, dict):
        what = "empty" if node is None else "not a mapping of fields"
        raise SurveyFileError([Problem(file, 1, "", f"the file is {what}")])

    lines = _line_map(node)
    repeated = [Problem(file, line, _field(loc), msg) for line, loc, msg in _duplicate_keys(node)]
    found: list[tuple[Loc, str]] = []
    questionnaire: Questionnaire | None = None
    try:
        questionnaire = Questionnaire.model_validate(data)
        parts = _Parts.of(questionnaire)
    except ValidationError as error:
        shape = _pydantic_problems(error)
        found.extend(shape)
        parts = _partial_parts(data, {loc[:3] for loc, _ in shape if len(loc) >= 3})
    # A field already reported as malformed is not reported again by the checks.
    found.extend((loc, m) for loc, m in _check(parts) if loc[:3] not in parts.salvaged)
    if expected_name is not None and parts.key is not None and parts.version is not None:
        wanted = f"{parts.key}-{parts.version}.yaml"
        if expected_name != wanted:
            found.append((("key",), f"the file must be named {wanted!r} (<key>-<version>.yaml)"))

    if repeated or found or questionnaire is None:
        problems = repeated + [Problem(file, _line(lines, loc), _field(loc), m) for loc, m in found]
        problems.sort(key=lambda p: p.line or 0)
        raise SurveyFileError(problems)
    return questionnaire


def validate_questionnaire(
    questionnaire: Questionnaire, *, file: str = "<questionnaire>"
) -> list[Problem]:
    """Whole-file checks on an already built questionnaire (no line numbers)."""
    return [Problem(file, None, _field(loc), msg) for loc, msg in _check(_Parts.of(questionnaire))]


def line_of(text: str, loc: Loc) -> int | None:
    """The line of a field in a questionnaire's YAML text (of its nearest enclosing node)."""
    node, _ = _parse_yaml(text)
    return None if node is None else _line(_line_map(node), loc)


def field_name(loc: Loc) -> str:
    """A field's path as problems name it, e.g. `questions[3].asked_when`."""
    return _field(loc)


def shown_path(path: Path) -> str:
    """A path as people read it: relative to the working folder when inside it."""
    return _shown(path)


def _shown(path: Path) -> str:
    """A path as people read it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _parse_yaml(text: str) -> tuple[yaml.Node | None, Any]:
    loader = _YamlLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, data


def _line_map(root: yaml.Node) -> dict[Loc, int]:
    """The 1-based line of every field and list item of the document."""
    lines: dict[Loc, int] = {(): root.start_mark.line + 1}
    stack: list[tuple[Loc, yaml.Node]] = [((), root)]
    while stack:
        loc, node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    child = (*loc, key_node.value)
                    lines.setdefault(child, key_node.start_mark.line + 1)
                    stack.append((child, value_node))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                child = (*loc, index)
                lines[child] = item.start_mark.line + 1
                stack.append((child, item))
    return lines


def _duplicate_keys(root: yaml.Node) -> Iterable[tuple[int, Loc, str]]:
    """YAML keeps the last of two equal keys silently; we refuse them."""
    stack: list[tuple[Loc, yaml.Node]] = [((), root)]
    while stack:
        loc, node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if key in seen:
                    line = key_node.start_mark.line + 1
                    yield line, (*loc, key), f"the key {key!r} appears twice in this mapping"
                seen.add(key)
                stack.append(((*loc, key), value_node))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(((*loc, i), item) for i, item in enumerate(node.value))


def _line(lines: Mapping[Loc, int], loc: Loc) -> int | None:
    """The line of a field, or of the nearest enclosing node that is in the file."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def _field(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_FIELD_NAMES = sorted(
    {
        (info.alias or name)
        for model in (Questionnaire, Level, Requirement, Dimension, Question, Option, Band)
        for name, info in model.model_fields.items()
    }
    | set(YesNoPoints.model_fields)
    | set(Text.model_fields)
)

_TEXT_FIELDS = {"title", "description", "label", "help", "min_label", "max_label", "unit"}

_PATTERNS = {
    r"^[a-z][a-z0-9_]*$": "use a-z, 0-9 and _, starting with a letter",
    r"^[a-z_]+$": "use a-z and _",
    r"^[A-Za-z0-9][A-Za-z0-9_.-]*$": "use letters, digits, _ . and -",
    r"^[0-9A-Za-z][0-9A-Za-z._-]*$": "use letters, digits, _ . and -",
}


def _pydantic_problems(error: ValidationError) -> list[tuple[Loc, str]]:
    details = error.errors(include_url=False)
    # A list whose items failed also reports itself as too short: noise.
    failed_lists = {d["loc"][:-2] for d in details if len(d["loc"]) >= 2}
    return [
        (_clean_loc(d["loc"]), _message(d))
        for d in details
        if not (d["type"] == "too_short" and d["loc"] in failed_lists)
    ]


def _clean_loc(loc: tuple[int | str, ...]) -> Loc:
    return tuple(part for part in loc if part != "[key]")


def _message(detail: ErrorDetails) -> str:
    kind, given, ctx = detail["type"], detail.get("input"), detail.get("ctx") or {}
    if kind == "missing":
        return "this field is required"
    if kind == "extra_forbidden":
        name = str(detail["loc"][-1])
        close = difflib.get_close_matches(name, _FIELD_NAMES, n=1)
        return "unknown field" + (f" (did you mean {close[0]!r}?)" if close else "")
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern"))
        return f"{given!r} is not allowed here: {_PATTERNS.get(pattern, pattern)}"
    if kind in ("float_type", "float_parsing"):
        hint = " (write it without quotes)" if isinstance(given, str) else ""
        return f"expected a number, got {given!r}{hint}"
    if kind == "string_type":
        hint = ' (put it in quotes, e.g. "2026.1")' if isinstance(given, int | float) else ""
        return f"expected text, got {given!r}{hint}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        loc = detail["loc"]
        text = loc[-1] in _TEXT_FIELDS or (len(loc) > 1 and loc[-2] in ("advice", "requires"))
        wanted = "a text pair {vi: ..., en: ...}" if text else "a mapping of fields"
        return f"expected {wanted}, got {given!r}"
    if kind in ("tuple_type", "list_type"):
        return f"expected a list, got {given!r}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, got {given!r}"
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge', 0):g}, got {given!r}"
    if kind == "greater_than":
        return f"must be more than {ctx.get('gt', 0):g}, got {given!r}"
    if kind in ("string_too_short", "too_short"):
        return "must not be empty"
    if kind == "condition":
        return f"invalid condition: {detail['msg']}"
    if kind == "literal_error":
        return f"{given!r} is not allowed: {detail['msg'].removeprefix('Input should be ')}"
    return str(detail["msg"])


def _items(data: Mapping[str, Any], name: str) -> list[Any]:
    items = data.get(name)
    return items if isinstance(items, list) else []


# Stand-ins for required fields that did not validate, so that the rest of the
# item can still be checked; problems about these fields are then dropped.
_TEXT_STAND_IN = {"vi": "-", "en": "-"}
_STAND_INS: dict[str, dict[str, Any]] = {
    "levels": {"label": _TEXT_STAND_IN, "min": 0},
    "dimensions": {"title": _TEXT_STAND_IN, "source": "-", "advice": {}},
    "questions": {"label": _TEXT_STAND_IN},
}


def _valid(model: type[M], section: str, items: list[Any], bad: set[Loc]) -> list[tuple[int, M]]:
    out: list[tuple[int, M]] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        fixed = dict(item)
        for loc in bad:
            if loc[:2] == (section, index) and isinstance(loc[2], str):
                fixed.pop(loc[2], None)
                if loc[2] in _STAND_INS[section]:
                    fixed[loc[2]] = _STAND_INS[section][loc[2]]
        try:
            out.append((index, model.model_validate(fixed)))
        except ValidationError:
            continue
    return out


def _text_at(item: Any, key: str) -> str | None:
    value = item.get(key) if isinstance(item, dict) else None
    return value if isinstance(value, str) else None


def _partial_parts(data: Mapping[str, Any], bad: set[Loc]) -> _Parts:
    """What whole-file checks can still see when some parts do not validate."""
    raw_questions = _items(data, "questions")
    codes: dict[str, int] = {}
    for index, item in enumerate(raw_questions):
        code = _text_at(item, "code")
        if code is not None:
            codes.setdefault(code, index)
    return _Parts(
        key=data.get("key") if isinstance(data.get("key"), str) else None,
        version=data.get("version") if isinstance(data.get("version"), str) else None,
        levels=_valid(Level, "levels", _items(data, "levels"), bad),
        dimensions=_valid(Dimension, "dimensions", _items(data, "dimensions"), bad),
        questions=_valid(Question, "questions", raw_questions, bad),
        level_keys=[k for i in _items(data, "levels") if (k := _text_at(i, "key"))],
        dimension_keys={k for i in _items(data, "dimensions") if (k := _text_at(i, "key"))},
        code_index=codes,
        question_dimensions=[d for i in raw_questions if (d := _text_at(i, "dimension"))],
        complete=False,
        levels_known=all(
            re.fullmatch(r"[a-z][a-z0-9_]*", _text_at(item, "key") or "")
            for item in _items(data, "levels")
        ),
        salvaged=frozenset(bad),
        rules=2 if data.get("scoring_rules") == 2 else 1,
    )


# Whole-file checks. They run on whatever validated, so that one wrong type does
# not hide an unknown dimension three screens further down.


@dataclass(frozen=True)
class _Parts:
    key: str | None
    version: str | None
    levels: list[tuple[int, Level]]
    dimensions: list[tuple[int, Dimension]]
    questions: list[tuple[int, Question]]
    level_keys: list[str]
    dimension_keys: set[str]
    code_index: dict[str, int]  # first position of each code, valid question or not
    question_dimensions: list[str]
    complete: bool  # every part validated: absence of evidence is evidence
    levels_known: bool  # every level key is valid, so advice can be checked against them
    salvaged: frozenset[Loc] = frozenset()  # (section, index, field) that did not validate
    rules: int = 1  # the file's `scoring_rules`

    @classmethod
    def of(cls, q: Questionnaire) -> _Parts:
        codes: dict[str, int] = {}
        for index, question in enumerate(q.questions):
            codes.setdefault(question.code, index)
        return cls(
            key=q.key,
            version=q.version,
            levels=list(enumerate(q.levels)),
            dimensions=list(enumerate(q.dimensions)),
            questions=list(enumerate(q.questions)),
            level_keys=[level.key for level in q.levels],
            dimension_keys={d.key for d in q.dimensions},
            code_index=codes,
            question_dimensions=[question.dimension for question in q.questions],
            complete=True,
            levels_known=True,
            rules=q.scoring_rules,
        )


def _check(parts: _Parts) -> list[tuple[Loc, str]]:
    by_code = {q.code: q for _, q in reversed(parts.questions)}
    return [
        *_check_levels(parts, by_code),
        *_check_dimensions(parts),
        *(p for i, q in parts.questions for p in _check_question(i, q, parts, by_code)),
    ]


def _duplicates(items: Iterable[tuple[Loc, str]], what: str) -> Iterable[tuple[Loc, str]]:
    seen: set[str] = set()
    for loc, key in items:
        if key in seen:
            yield loc, f"duplicate {what} {key!r}"
        seen.add(key)


def _check_levels(parts: _Parts, by_code: Mapping[str, Question]) -> Iterable[tuple[Loc, str]]:
    yield from _duplicates(((("levels", i, "key"), lv.key) for i, lv in parts.levels), "level key")
    previous: float | None = None
    for i, level in parts.levels:
        loc: Loc = ("levels", i, "min")
        if i == 0 and level.min != 0:
            yield loc, "the first level must start at 0"
        elif previous is not None and level.min <= previous:
            yield loc, f"must be more than the min of the level before ({previous:g})"
        if level.min >= 100:
            yield loc, "must be below 100"
        previous = level.min
        for j, requirement in enumerate(level.requires):
            yield from _check_condition(
                requirement.when, ("levels", i, "requires", j, "when"), None, parts, by_code
            )


def _check_dimensions(parts: _Parts) -> Iterable[tuple[Loc, str]]:
    keys = ((("dimensions", i, "key"), d.key) for i, d in parts.dimensions)
    yield from _duplicates(keys, "dimension key")
    for i, dimension in parts.dimensions:
        for level_key in parts.level_keys if parts.levels_known else ():
            if level_key not in dimension.advice:
                yield ("dimensions", i, "advice"), f"no advice for level {level_key!r}"
        for level_key in dimension.advice:
            if parts.levels_known and level_key not in parts.level_keys:
                yield ("dimensions", i, "advice", level_key), f"unknown level {level_key!r}"
        if dimension.key not in parts.question_dimensions:
            yield ("dimensions", i, "key"), f"dimension {dimension.key!r} has no questions"
        elif parts.complete and not any(
            q.scored for _, q in parts.questions if q.dimension == dimension.key
        ):
            yield ("dimensions", i, "key"), f"dimension {dimension.key!r} has no scored question"


_ONLY_FOR: dict[str, tuple[set[str], str]] = {
    "options": ({"single_choice", "multiple_choice"}, "choice questions"),
    "points": ({"yes_no"}, "yes_no questions (options carry their own points)"),
    "min": ({"scale", "number"}, "scale and number questions"),
    "max": ({"scale", "number"}, "scale and number questions"),
    "min_label": ({"scale"}, "scale questions"),
    "max_label": ({"scale"}, "scale questions"),
    "unit": ({"number"}, "number questions"),
    "bands": ({"number"}, "number questions"),
    "max_points": ({"multiple_choice"}, "multiple_choice questions"),
}


def _check_question(
    i: int, q: Question, parts: _Parts, by_code: Mapping[str, Question]
) -> Iterable[tuple[Loc, str]]:
    at: Loc = ("questions", i)
    first = parts.code_index.get(q.code, i)
    if first != i:
        yield (*at, "code"), f"duplicate question code {q.code!r} (also questions[{first}])"
    if q.dimension not in parts.dimension_keys:
        close = difflib.get_close_matches(q.dimension, sorted(parts.dimension_keys), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        yield (*at, "dimension"), f"unknown dimension {q.dimension!r}{hint}"
    given = q.model_dump(by_alias=True, exclude_defaults=True)
    for name, (types, what) in _ONLY_FOR.items():
        if name in given and q.type not in types:
            yield (*at, name), f"only {what} have {name!r}"
    if q.type in ("single_choice", "multiple_choice"):
        if not q.options:
            yield (*at, "options"), f"a {q.type} question needs options"
        values = (((*at, "options", j, "value"), o.value) for j, o in enumerate(q.options))
        yield from _duplicates(values, "option value")
        if q.type == "single_choice":
            for j, option in enumerate(q.options):
                if option.exclusive:
                    where = (*at, "options", j, "exclusive")
                    yield where, "only multiple_choice options are exclusive"
    elif q.type == "yes_no" and q.points is None:
        yield (*at, "points"), "a yes_no question needs points: {yes: P, no: Q}"
    elif q.type == "scale":
        yield from _check_scale(at, q)
    elif q.type == "number":
        if q.min is not None and q.max is not None and q.min >= q.max:
            yield (*at, "max"), f"must be more than min ({q.min:g})"
        for j in range(1, len(q.bands)):
            if q.bands[j].at_least <= q.bands[j - 1].at_least:
                yield (*at, "bands", j, "at_least"), "bands must be in increasing order"
    yield from _check_kinds(at, q, parts.rules)
    unasked = q.asked_when is not None or not q.required
    if parts.rules == 2 and q.scored and q.min_points > 0 and unasked:
        why = "not asked" if q.asked_when is not None else "left blank"
        field = "options" if q.type in ("single_choice", "multiple_choice") else "type"
        yield (
            (*at, field),
            (
                f"{why}, it counts at its lowest points ({float(q.min_points):g}): give its "
                "lowest answer 0 points, so that not doing the thing is worth nothing"
            ),
        )
    for name in ("relevant", "applies_when", "asked_when"):
        condition = getattr(q, name)
        if condition is not None:
            yield from _check_condition(condition, (*at, name), i, parts, by_code, kind=name)


def _check_kinds(at: Loc, q: Question, rules: int) -> Iterable[tuple[Loc, str]]:
    if rules == 1:
        for name in ("applies_when", "asked_when"):
            if getattr(q, name) is not None:
                yield (*at, name), f"{name!r} needs `scoring_rules: 2` at the top of the file"
    elif q.relevant is not None:
        yield (
            (*at, "relevant"),
            (
                "under scoring_rules 2 say which kind of condition this is: 'applies_when' "
                "(the question does not apply: it leaves the mean) or 'asked_when' (the "
                "respondent does not do it: it counts at its lowest points)"
            ),
        )


def _check_scale(at: Loc, q: Question) -> Iterable[tuple[Loc, str]]:
    for name, value in (("min", q.min), ("max", q.max)):
        if value is None:
            yield (*at, name), f"a scale question needs {name!r}"
        elif not float(value).is_integer():
            yield (*at, name), f"must be a whole number, got {value:g}"
    if q.min is not None and q.max is not None and q.min >= q.max:
        yield (*at, "max"), f"must be more than min ({q.min:g})"


def _check_condition(
    condition: Condition,
    loc: Loc,
    position: int | None,
    parts: _Parts,
    by_code: Mapping[str, Question],
    *,
    kind: str | None = None,
) -> Iterable[tuple[Loc, str]]:
    """`position` is the asking question's index; None for a level requirement.

    `kind` is the field the condition sits in (`relevant`, `applies_when`, `asked_when`).
    """
    for code in sorted(condition.references()):
        index = parts.code_index.get(code)
        target = by_code.get(code)
        if index is None:
            close = difflib.get_close_matches(code, sorted(parts.code_index), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            yield loc, f"unknown question {code!r}{hint}"
        elif position is not None and index == position:
            yield loc, "a question's condition cannot read its own answer"
        elif position is not None and index > position:
            yield loc, f"{code!r} is asked later; a condition may only read earlier questions"
        elif kind == "applies_when" and target is not None and not _is_fact(target):
            yield loc, _NOT_A_FACT.format(code=code)
        elif kind in ("relevant", "applies_when") and target is not None and target.scored:
            yield loc, _SCORED_GATE.format(code=code)
    for node in condition.nodes():
        yield from ((loc, message) for message in _node_problems(node, by_code) if message)


# Why a gate must be unscored: see "Questions" in surveys/README.md.
_SCORED_GATE = (
    "{code!r} is scored, so it cannot decide what is asked "
    "(give it 0 points or ask a separate unscored question)"
)


# Applicability must not depend on what the respondent does, or answering "we don't do
# this" would take questions out of the mean: see "Conditions" in surveys/README.md.
_NOT_A_FACT = (
    "{code!r} is not a fact every respondent gives: 'applies_when' may only read "
    "required, unscored questions without 'asked_when' (use 'asked_when' here)"
)


def _is_fact(question: Question) -> bool:
    return question.required and not question.scored and question.asked_when is None


def _node_problems(node: object, by_code: Mapping[str, Question]) -> Iterable[str | None]:
    if isinstance(node, Selected | CountSelected):
        target = by_code.get(node.code)
        name = "selected()" if isinstance(node, Selected) else "count-selected()"
        if target is not None and target.type != "multiple_choice":
            yield f"{name} needs a multiple_choice question; {node.code!r} is {target.type}"
        elif target is not None and isinstance(node, Selected):
            yield _unknown_value(target, node.value)
    elif isinstance(node, Compare):
        for ref, other in ((node.left, node.right), (node.right, node.left)):
            if not isinstance(ref, Ref) or not isinstance(other, Literal):
                continue
            target = by_code.get(ref.code)
            if target is None:
                continue
            if target.type == "multiple_choice" and other.value != "":
                yield f"compare {ref.code!r} with selected() or count-selected()"
            elif target.type in ("single_choice", "yes_no") and isinstance(other.value, str):
                yield _unknown_value(target, other.value)


def _unknown_value(question: Question, value: str) -> str | None:
    values = ["yes", "no"] if question.type == "yes_no" else [o.value for o in question.options]
    if value == "" or value in values:
        return None
    return f"{value!r} is not a value of {question.code!r} ({', '.join(map(repr, values))})"
