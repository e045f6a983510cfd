"""Which area a registry cell names: a code, or a name with or without its prefix.

The importer asks one function, `area_resolver`, and nothing else about areas, so that a
richer address reader can take its place without touching the importer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.areas.models import Area, AreaLevel
from app.cooperatives.vocabulary import fold_key

# Folded prefixes, longest first, with the level each one announces.
PREFIXES: tuple[tuple[str, str], ...] = (
    ("thanh pho", AreaLevel.DISTRICT),
    ("thi tran", AreaLevel.COMMUNE),
    ("thi xa", AreaLevel.DISTRICT),
    ("huyen", AreaLevel.DISTRICT),
    ("quan", AreaLevel.DISTRICT),
    ("tp", AreaLevel.DISTRICT),
    ("tx", AreaLevel.DISTRICT),
    ("phuong", AreaLevel.COMMUNE),
    ("xa", AreaLevel.COMMUNE),
    ("tt", AreaLevel.COMMUNE),
)
# As administrators read them in the documentation.
PREFIXES_SHOWN = "Huyện, Quận, Thị xã, TP, TP., Thành phố, Xã, Phường, Thị trấn"


@dataclass(frozen=True)
class AreaMatch:
    """The area a cell names, or why it names none (`unknown`, `ambiguous` or `province`)."""

    area_id: int | None
    problem: str | None = None


def split_prefix(folded: str) -> tuple[str | None, str]:
    """The level a folded name's prefix announces, and the name without it."""
    for prefix, level in PREFIXES:
        if folded.startswith(prefix + " ") and len(folded) > len(prefix) + 1:
            return level, folded[len(prefix) + 1 :]
    return None, folded


def area_resolver(session: Session) -> Callable[[str], AreaMatch]:
    """A function from what a cell says to the district or commune it names."""
    by_code: dict[str, int] = {}
    by_name: dict[str, set[int]] = {}
    by_core: dict[tuple[str, str], set[int]] = {}
    provinces: set[str] = set()
    for area in session.scalars(select(Area).where(Area.level != AreaLevel.COUNTRY)):
        folded = fold_key(area.name)
        if area.level == AreaLevel.PROVINCE:
            provinces.add(split_prefix(folded)[1])
            continue
        by_code[area.code.upper()] = area.id
        by_name.setdefault(folded, set()).add(area.id)
        by_core.setdefault((area.level, split_prefix(folded)[1]), set()).add(area.id)

    def one(found: set[int] | None) -> AreaMatch | None:
        if not found:
            return None
        if len(found) > 1:
            return AreaMatch(None, "ambiguous")
        return AreaMatch(next(iter(found)))

    def resolve(text: str) -> AreaMatch:
        code = text.strip().upper()
        if code in by_code:
            return AreaMatch(by_code[code])
        if code.isdigit():
            # A spreadsheet drops the leading zeros of a code it took for a number.
            for width in (3, 5):
                if code.zfill(width) in by_code:
                    return AreaMatch(by_code[code.zfill(width)])
        folded = fold_key(text)
        found = one(by_name.get(folded))
        if found:
            return found
        level, core = split_prefix(folded)
        if level is not None:
            return one(by_core.get((level, core))) or AreaMatch(None, "unknown")
        if core in provinces:
            # "Lạng Sơn" alone is the province, not the city that shares its name.
            return AreaMatch(None, "province")
        found = one(
            by_core.get((AreaLevel.DISTRICT, core), set())
            | by_core.get((AreaLevel.COMMUNE, core), set())
        )
        return found or AreaMatch(None, "unknown")

    return resolve
