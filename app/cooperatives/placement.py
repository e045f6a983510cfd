"""Placing cooperatives in the 2025 communes: from their data after a catalogue load, or by hand.

A cooperative not yet in a commune counts in its province (and former district, when known)
and is listed for an administrator to place.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from app.areas.models import Area, AreaLevel
from app.areas.resolver import Placement, Query, Resolver
from app.cooperatives.models import Cooperative
from app.errors import Invalid, NotFound
from app.messages import N_


@dataclass(frozen=True)
class Placed:
    placed: int
    remaining: int


def apply(cooperative: Cooperative, placement: Placement) -> None:
    """Set a cooperative's current area and former units from a placement."""
    cooperative.area_id = placement.area_id
    if placement.former_district_id is not None:
        cooperative.former_district_id = placement.former_district_id
    if placement.former_ward_id is not None:
        cooperative.former_ward_id = placement.former_ward_id


def _unplaced() -> Select[Cooperative]:
    own = aliased(Area)
    return (
        select(Cooperative)
        .join(own, own.id == Cooperative.area_id)
        .where(own.level != AreaLevel.COMMUNE)
    )


def place_unplaced(session: Session) -> Placed:
    """Place every cooperative outside a commune whose former ward or address says where."""
    waiting = list(session.scalars(_unplaced()))
    if not waiting:
        return Placed(0, 0)
    resolver = Resolver(session)
    placed = 0
    for cooperative in waiting:
        found = None
        if cooperative.former_ward_id is not None:
            found = resolver.resolve(Query(area=resolver.places[cooperative.former_ward_id].code))
        if not isinstance(found, Placement) or found.commune_id is None:
            district = (
                resolver.places[cooperative.former_district_id].code
                if cooperative.former_district_id
                else ""
            )
            found = resolver.resolve(Query(address=cooperative.address or "", district=district))
        if isinstance(found, Placement) and found.commune_id is not None:
            apply(cooperative, found)
            placed += 1
    session.flush()
    return Placed(placed, len(waiting) - placed)


def unplaced(session: Session, *, visible: Select[int]) -> list[Cooperative]:
    """Visible cooperatives not yet in a 2025 commune, by registration code."""
    return list(
        session.scalars(
            _unplaced().where(Cooperative.id.in_(visible)).order_by(Cooperative.registration_code)
        )
    )


def count_unplaced(session: Session, *, visible: Select[int]) -> int:
    """How many visible cooperatives are not yet in a 2025 commune."""
    query = _unplaced().where(Cooperative.id.in_(visible)).subquery()
    return session.scalar(select(func.count()).select_from(query)) or 0


def place(session: Session, *, cooperative_id: int, commune_id: int) -> Cooperative:
    """Put a cooperative in a commune (of its province), keeping what is known of its past."""
    cooperative = session.get(Cooperative, cooperative_id)
    commune = session.get(Area, commune_id)
    if cooperative is None:
        raise NotFound(N_("Cooperative not found."))
    if commune is None or commune.level != AreaLevel.COMMUNE:
        raise Invalid(N_("Choose a commune."))
    district = cooperative.former_district_id
    apply(cooperative, Resolver(session).at_commune(commune.id))
    if district is not None:
        cooperative.former_district_id = district
    session.flush()
    return cooperative
