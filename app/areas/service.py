"""Reading and loading the two area trees and their crosswalk."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, aliased

from app.areas import catalogue
from app.areas.models import PARENT_LEVELS, Area, AreaLevel, AreaLink
from app.errors import Invalid
from app.messages import N_, Message

# Spellings `htxso areas list --level` and CSV files may use for a level.
LEVEL_NAMES: dict[str, AreaLevel] = {
    **{level.value: level for level in AreaLevel},
    **{level.value.replace("_", "-"): level for level in AreaLevel},
    # Files written before the 2025 reform call the old tiers district and commune.
    "district": AreaLevel.FORMER_DISTRICT,
    "ward": AreaLevel.FORMER_WARD,
}


def get_by_code(session: Session, code: str, *, level: AreaLevel | None = None) -> Area | None:
    """The area with this official code; without a level, the current tree's comes first."""
    query = select(Area).where(Area.code == code)
    if level is not None:
        return session.scalar(query.where(Area.level == level))
    found = {AreaLevel(a.level): a for a in session.scalars(query)}
    for preferred in (
        AreaLevel.COUNTRY,
        AreaLevel.PROVINCE,
        AreaLevel.COMMUNE,
        AreaLevel.FORMER_DISTRICT,
        AreaLevel.FORMER_WARD,
    ):
        if preferred in found:
            return found[preferred]
    return None


def list_areas(
    session: Session, *, level: AreaLevel | None = None, within: int | None = None
) -> list[Area]:
    """Areas, optionally of one level and under one area, ordered by code."""
    query = select(Area).order_by(Area.code, Area.level)
    if level is not None:
        query = query.where(Area.level == level)
    if within is not None:
        query = query.where(Area.id.in_(descendant_ids(session, area_ids=[within])))
    return list(session.scalars(query))


def _store(session: Session, *, units: Sequence[catalogue.Unit]) -> dict[tuple[str, str], int]:
    """Insert or update units (parents first); returns the id of every (level, code) stored."""
    ids: dict[tuple[str, str], int] = {}
    existing = {(a.level, a.code): a for a in session.scalars(select(Area))}
    for (level, code), area in existing.items():
        ids[level, code] = area.id
    fresh = [u for u in units if (u.level, u.code) not in existing]
    # New rows in one multi-row insert per level: the national catalogue is 14,000 units.
    for level in AreaLevel:
        batch = [u for u in fresh if u.level == level]
        if not batch:
            continue
        session.execute(
            insert(Area),
            [
                {
                    "code": u.code,
                    "name": u.name,
                    "level": u.level.value,
                    "parent_id": _parent_id(ids, u),
                    "latitude": u.latitude,
                    "longitude": u.longitude,
                }
                for u in batch
            ],
        )
        for area_id, code in session.execute(select(Area.id, Area.code).where(Area.level == level)):
            ids[level.value, code] = area_id
    for unit in units:
        known = existing.get((unit.level, unit.code))
        if known is not None:
            known.name, known.parent_id = unit.name, _parent_id(ids, unit)
            if unit.latitude is not None:
                known.latitude, known.longitude = unit.latitude, unit.longitude
    session.flush()
    return ids


def _parent_id(ids: Mapping[tuple[str, str], int], unit: catalogue.Unit) -> int | None:
    if unit.parent_code is None:
        return None
    for level in PARENT_LEVELS[unit.level]:
        found = ids.get((level.value, unit.parent_code))
        if found is not None:
            return found
    raise Invalid(
        N_("%(name)s (%(code)s): parent %(parent)s is not loaded"),
        name=unit.name,
        code=unit.code,
        parent=unit.parent_code,
    )


def load_catalogue(session: Session, *, found: catalogue.Catalogue) -> int:
    """Store catalogue units and crosswalk links; returns how many units were given."""
    ids = _store(session, units=found.units)
    linked: set[tuple[int, int]] = {
        (ward, commune)
        for ward, commune in session.execute(select(AreaLink.former_ward_id, AreaLink.commune_id))
    }
    rows = []
    for link in found.links:
        pair = (
            ids[AreaLevel.FORMER_WARD.value, link.former_ward],
            ids[AreaLevel.COMMUNE.value, link.commune],
        )
        if pair not in linked:
            linked.add(pair)
            rows.append({"former_ward_id": pair[0], "commune_id": pair[1], "main": link.main})
    if rows:
        session.execute(insert(AreaLink), rows)
    session.flush()
    return len(found.units)


def load_provinces(session: Session, *, codes: Iterable[str]) -> int:
    """Load 2025 provinces from the catalogue with their communes, former districts and wards."""
    wanted = list(codes)
    try:
        found = catalogue.provinces(wanted)
    except KeyError as unknown:
        raise Invalid(
            N_("No 2025 province with code %(code)s in the catalogue."), code=unknown.args[0]
        ) from None
    return load_catalogue(session, found=found)


def load_national(session: Session) -> int:
    """Load the whole country: 34 provinces, 3,321 communes, the former tree and crosswalk."""
    return load_catalogue(session, found=catalogue.national())


def load_rows(session: Session, *, rows: Iterable[Mapping[str, str]]) -> int:
    """Insert or update areas from rows with code, name, level and parent_code; returns the count.

    For places the catalogue does not cover. Rows must list a parent before its children.
    Every row is checked before anything is written.
    """
    problems: list[Message] = []
    units: list[catalogue.Unit] = []
    seen = {(AreaLevel(a.level), a.code) for a in session.scalars(select(Area))}
    for number, row in enumerate(rows, start=2):
        code = (row.get("code") or "").strip()
        name = (row.get("name") or "").strip()
        level_text = (row.get("level") or "").strip()
        parent = (row.get("parent_code") or "").strip() or None
        if not code or not name:
            problems.append(Message(N_("row %(row)s: missing code or name"), row=number))
            continue
        level = LEVEL_NAMES.get(level_text.lower())
        if level is None:
            problems.append(
                Message(N_("row %(row)s: unknown level '%(level)s'"), row=number, level=level_text)
            )
            continue
        allowed = PARENT_LEVELS[level]
        if parent is None and allowed:
            problems.append(Message(N_("row %(row)s: missing parent_code"), row=number))
            continue
        if parent is not None and not any((p, parent) in seen for p in allowed):
            names = ", ".join(p.value for p in allowed) or "-"
            problems.append(
                Message(
                    N_("row %(row)s: parent code '%(parent)s' is not loaded at level %(levels)s"),
                    row=number,
                    parent=parent,
                    levels=names,
                )
            )
            continue
        seen.add((level, code))
        units.append(catalogue.Unit(level, code, name, parent))
    if problems:
        raise Invalid(N_("The areas were not loaded:\n%(problems)s"), problems=problems)
    _store(session, units=units)
    session.flush()
    return len(units)


def load_csv(session: Session, *, path: Path) -> int:
    """Load areas from a UTF-8 CSV file (a BOM is accepted)."""
    text = path.read_text(encoding="utf-8-sig")
    return load_rows(session, rows=csv.DictReader(io.StringIO(text)))


def descendant_ids(session: Session, *, area_ids: Iterable[int]) -> set[int]:
    """The given areas and every area below them (in either tree)."""
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


def former_districts_of(session: Session, *, commune_ids: Iterable[int]) -> dict[int, list[str]]:
    """For each commune, the names of the former districts its wards came from."""
    wanted = list(commune_ids)
    if not wanted:
        return {}
    ward = aliased(Area)
    district = aliased(Area)
    found: dict[int, list[str]] = {}
    for commune_id, name in session.execute(
        select(AreaLink.commune_id, district.name)
        .join(ward, ward.id == AreaLink.former_ward_id)
        .join(district, district.id == ward.parent_id)
        .where(AreaLink.commune_id.in_(wanted))
        .distinct()
        .order_by(AreaLink.commune_id, district.name)
    ):
        found.setdefault(commune_id, []).append(name)
    return found
