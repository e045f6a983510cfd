"""Comparing questionnaire versions by stable question code, so exports stay comparable; and
what publishing the folder of questionnaire files would do."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.surveys.definition import Question, Questionnaire, content_hash
from app.surveys.loader import Problem, SurveyFileError, load_dir
from app.surveys.models import QuestionnaireVersion

Shown = str | dict[str, str]  # plain text, or a {vi, en} pair


@dataclass(frozen=True)
class FieldChange:
    field: str  # label, type, dimension, options, points, condition, range, required, weight
    old: Shown
    new: Shown


@dataclass(frozen=True)
class QuestionChange:
    code: str
    label: dict[str, str]
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class VersionDiff:
    added: list[Question] = field(default_factory=list)
    removed: list[Question] = field(default_factory=list)
    changed: list[QuestionChange] = field(default_factory=list)
    unchanged: int = 0
    dimensions_added: list[str] = field(default_factory=list)
    dimensions_removed: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not (
            self.added
            or self.removed
            or self.changed
            or self.dimensions_added
            or self.dimensions_removed
        )


def _number(value: float | None) -> str:
    if value is None:
        return "–"
    return str(int(value)) if float(value).is_integer() else str(value)


def _pair(text: Any) -> dict[str, str]:
    return {"vi": text.vi, "en": text.en}


def _options(q: Question) -> Shown:
    if not q.options:
        return "–"
    return {
        lang: "; ".join(f"{o.value} = {getattr(o.label, lang)}" for o in q.options)
        for lang in ("vi", "en")
    }


def _points(q: Question) -> str:
    parts: list[str] = []
    if q.options:
        parts.append(
            ", ".join(
                f"{o.value}: {_number(o.points)}{' (exclusive)' if o.exclusive else ''}"
                for o in q.options
            )
        )
    if q.points is not None:
        parts.append(f"yes: {_number(q.points.yes)}, no: {_number(q.points.no)}")
    if q.bands:
        parts.append(", ".join(f"≥{_number(b.at_least)}: {_number(b.points)}" for b in q.bands))
    if q.points_cap is not None:
        parts.append(f"max {_number(q.points_cap)}")
    if q.type == "scale":
        parts.append(f"{_number(q.min)}–{_number(q.max)}")
    return " · ".join(parts) or "–"


def _conditions(q: Question) -> str:
    """Every condition with its kind, so a move from `relevant` to a kind shows as a change."""
    kinds = (
        ("relevant", q.relevant),
        ("applies_when", q.applies_when),
        ("asked_when", q.asked_when),
    )
    return " · ".join(f"{name}: {c.source}" for name, c in kinds if c is not None) or "–"


def _fields(q: Question) -> dict[str, Shown]:
    return {
        "label": _pair(q.label),
        "type": q.type,
        "dimension": q.dimension,
        "options": _options(q),
        "points": _points(q),
        "condition": _conditions(q),
        "range": f"{_number(q.min)}–{_number(q.max)}" if q.type == "number" else "–",
        "required": "yes" if q.required else "no",
        "weight": _number(q.weight),
    }


def compare(old: Questionnaire, new: Questionnaire) -> VersionDiff:
    """Questions added, removed and changed from one version to another, matched by code."""
    old_codes = {q.code: q for q in old.questions}
    new_codes = {q.code: q for q in new.questions}
    changed: list[QuestionChange] = []
    unchanged = 0
    for code, now in new_codes.items():
        before = old_codes.get(code)
        if before is None:
            continue
        was, is_ = _fields(before), _fields(now)
        changes = tuple(
            FieldChange(name, was[name], is_[name]) for name in was if was[name] != is_[name]
        )
        if changes:
            changed.append(QuestionChange(code, _pair(now.label), changes))
        else:
            unchanged += 1
    old_dimensions = [d.key for d in old.dimensions]
    new_dimensions = [d.key for d in new.dimensions]
    return VersionDiff(
        added=[q for code, q in new_codes.items() if code not in old_codes],
        removed=[q for code, q in old_codes.items() if code not in new_codes],
        changed=changed,
        unchanged=unchanged,
        dimensions_added=[k for k in new_dimensions if k not in old_dimensions],
        dimensions_removed=[k for k in old_dimensions if k not in new_dimensions],
    )


@dataclass(frozen=True)
class PendingFile:
    """A questionnaire file and what publishing it would do: new, unchanged or refused."""

    questionnaire: Questionnaire
    state: str  # "new", "unchanged", "changed" (a published version edited: refused)


@dataclass(frozen=True)
class FolderState:
    files: list[PendingFile]
    problems: list[Problem]

    @property
    def publishable(self) -> bool:
        return not self.problems and not any(f.state == "changed" for f in self.files)


def folder_state(session: Session, *, path: Path) -> FolderState:
    """Validate every file of the questionnaire folder and compare it with what is published."""
    try:
        loaded = load_dir(path)
    except SurveyFileError as error:
        return FolderState([], error.problems)
    published = {
        (v.key, v.version): v.content_hash for v in session.scalars(select(QuestionnaireVersion))
    }
    files = []
    for q in loaded:
        stored = published.get((q.key, q.version))
        if stored is None:
            state = "new"
        elif stored == content_hash(q):
            state = "unchanged"
        else:
            state = "changed"
        files.append(PendingFile(q, state))
    return FolderState(files, [])
