"""Reading and loading the area hierarchy."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.areas.models import LEVEL_ORDER, Area, AreaLevel
from app.errors import Invalid
from app.messages import N_, Message

BUILTIN = Path(__file__).parent / "data" / "lang_son.csv"


def get_by_code(session: Session, code: str) -> Area | None:
    """The area with this official code, if any."""
    return session.scalar(select(Area).where(Area.code == code))


def list_areas(session: Session, *, level: AreaLevel | None = None) -> list[Area]:
    """Areas, optionally of one level, ordered by code."""
    query = select(Area).order_by(Area.code)
    if level is not None:
        query = query.where(Area.level == level)
    return list(session.scalars(query))


def load_rows(session: Session, *, rows: Iterable[Mapping[str, str]]) -> int:
    """Insert or update areas from rows with code, name, level and parent_code; returns the count.

    Rows must list a parent before its children. Every row is checked before anything is written.
    """
    problems: list[Message] = []
    parsed: list[tuple[str, str, AreaLevel, str]] = []
    known = {a.code: a for a in session.scalars(select(Area))}
    seen: dict[str, AreaLevel] = {code: AreaLevel(a.level) for code, a in known.items()}
    for number, row in enumerate(rows, start=2):
        code = (row.get("code") or "").strip()
        name = (row.get("name") or "").strip()
        level_text = (row.get("level") or "").strip()
        parent = (row.get("parent_code") or "").strip()
        if not code or not name:
            problems.append(Message(N_("row %(row)s: missing code or name"), row=number))
            continue
        try:
            level = AreaLevel(level_text)
        except ValueError:
            problems.append(
                Message(N_("row %(row)s: unknown level '%(level)s'"), row=number, level=level_text)
            )
            continue
        if parent:
            parent_level = seen.get(parent)
            if parent_level is None:
                problems.append(
                    Message(
                        N_("row %(row)s: unknown parent code '%(parent)s'"),
                        row=number,
                        parent=parent,
                    )
                )
                continue
            if LEVEL_ORDER.index(parent_level) >= LEVEL_ORDER.index(level):
                problems.append(
                    Message(N_("row %(row)s: the parent must be a higher level"), row=number)
                )
                continue
        elif level != AreaLevel.COUNTRY:
            problems.append(Message(N_("row %(row)s: missing parent_code"), row=number))
            continue
        seen[code] = level
        parsed.append((code, name, level, parent))
    if problems:
        raise Invalid(N_("The areas were not loaded:\n%(problems)s"), problems=problems)
    for code, name, level, parent in parsed:
        area = known.get(code)
        parent_id = known[parent].id if parent else None
        if area is None:
            area = Area(code=code, name=name, level=level, parent_id=parent_id)
            session.add(area)
            known[code] = area
        else:
            area.name, area.level, area.parent_id = name, level, parent_id
        session.flush()
    return len(parsed)


def load_csv(session: Session, *, path: Path) -> int:
    """Load areas from a UTF-8 CSV file (a BOM is accepted)."""
    text = path.read_text(encoding="utf-8-sig")
    return load_rows(session, rows=csv.DictReader(io.StringIO(text)))


def load_builtin(session: Session) -> int:
    """Load the areas that ship with the portal (Lạng Sơn and its former districts)."""
    return load_csv(session, path=BUILTIN)


def descendant_ids(session: Session, *, area_ids: Iterable[int]) -> set[int]:
    """The given areas and every area below them."""
    result = set(area_ids)
    frontier = set(result)
    while frontier:
        children = set(session.scalars(select(Area.id).where(Area.parent_id.in_(frontier))))
        frontier = children - result
        result |= children
    return result


def count_areas(session: Session) -> int:
    """How many areas are loaded."""
    return session.scalar(select(func.count()).select_from(Area)) or 0
