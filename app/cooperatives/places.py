"""Where a registry row says a cooperative is: its area, commune, former district or address.

The importer asks one function, `area_resolver`, and nothing else about areas; it reads the
row's place cells together through the address resolver (`app.areas.resolver`), which knows
both trees: the 2025 communes and the former districts and wards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.areas.resolver import Placement, Problem, Query, Resolver

# As administrators read them in the documentation.
PREFIXES_SHOWN = "Huyện, Quận, Thị xã, TP, TP., Thành phố, Xã, Phường, Thị trấn"


@dataclass(frozen=True)
class Where:
    """A row's place cells, as typed (empty when the file has no such column)."""

    area: str = ""
    commune_code: str = ""
    commune: str = ""
    former_district_code: str = ""
    former_district: str = ""
    address: str = ""


PlaceFinder = Callable[[Where], Placement | Problem]


def area_resolver(session: Session) -> PlaceFinder:
    """A function from a row's place cells to the commune, former district and ward they name."""
    resolver = Resolver(session)

    def find(where: Where) -> Placement | Problem:
        query = Query(
            commune_code=where.commune_code,
            commune=where.commune,
            district=where.former_district_code or where.former_district,
            address=where.address,
            area=where.area,
        )
        found = resolver.resolve(query)
        if found is None:
            said = next(t for t in (where.area, where.commune, where.address) if t)
            return Problem(said, ambiguous=False)
        return found

    return find
