"""Which cooperatives a report covers, and which area (district, commune, province) each counts in.

Reports cover the cooperatives a user may see (`accessible_cooperative_ids`) whose registry
status is active. The area hierarchy is at most four deep (country, province, district,
commune), so a cooperative's district and province are found with two joins, in SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, get_args

from sqlalchemy import ColumnElement, Select, Subquery, and_, case, func, select
from sqlalchemy.orm import Session, aliased

from app.areas.models import Area, AreaLevel
from app.cooperatives.models import Cooperative, CooperativeStatus, Product
from app.errors import NotFound
from app.messages import N_
from app.responses import service as responses
from app.responses.models import Response, Wave
from app.surveys import service as surveys
from app.surveys.models import QuestionnaireVersion

GroupLevel = Literal["district", "commune", "province"]
GROUP_LEVELS: tuple[GroupLevel, ...] = get_args(GroupLevel)

_own = aliased(Area, name="own_area")
_parent = aliased(Area, name="parent_area")
_grandparent = aliased(Area, name="grandparent_area")

_district_id = case(
    (_own.level == AreaLevel.DISTRICT, _own.id),
    (_parent.level == AreaLevel.DISTRICT, _parent.id),
    else_=None,
)
_province_id = case(
    (_own.level == AreaLevel.PROVINCE, _own.id),
    (_parent.level == AreaLevel.PROVINCE, _parent.id),
    (_grandparent.level == AreaLevel.PROVINCE, _grandparent.id),
    else_=None,
)
# A cooperative registered at district level has no commune: at commune level it counts in a
# row of its own district, so no response is silently left out.
_commune_id = case((_own.level == AreaLevel.COMMUNE, _own.id), else_=_district_id)
UNIT_IDS: dict[str, ColumnElement[int | None]] = {
    "district": _district_id,
    "commune": _commune_id,
    "province": _province_id,
}


def population(visible: Select[int], *, level: GroupLevel) -> Select[tuple[int, int, int]]:
    """Active visible cooperatives with the area they count in at `level` and their province.

    Columns: cooperative_id, unit_id, province_id. A subquery for every report.
    """
    return (
        select(
            Cooperative.id.label("cooperative_id"),
            UNIT_IDS[level].label("unit_id"),
            _province_id.label("province_id"),
        )
        .join(_own, _own.id == Cooperative.area_id)
        .outerjoin(_parent, _parent.id == _own.parent_id)
        .outerjoin(_grandparent, _grandparent.id == _parent.parent_id)
        .where(Cooperative.status == CooperativeStatus.ACTIVE, Cooperative.id.in_(visible))
    )


def placement(cooperative_ids: Select[int]) -> Select[tuple[int, int | None, int | None]]:
    """For each given cooperative: its district and, when it sits in one, its commune."""
    return (
        select(
            Cooperative.id.label("cooperative_id"),
            _district_id.label("district_id"),
            case((_own.level == AreaLevel.COMMUNE, _own.id), else_=None).label("commune_id"),
        )
        .join(_own, _own.id == Cooperative.area_id)
        .outerjoin(_parent, _parent.id == _own.parent_id)
        .outerjoin(_grandparent, _grandparent.id == _parent.parent_id)
        .where(Cooperative.id.in_(cooperative_ids))
    )


def area_names(session: Session, *, area_ids: set[int]) -> dict[int, Area]:
    """The areas with these ids."""
    if not area_ids:
        return {}
    return {a.id: a for a in session.scalars(select(Area).where(Area.id.in_(area_ids)))}


def sees_everything(session: Session, *, visible: Select[int]) -> bool:
    """Whether no cooperative is hidden from the user (their totals are the province's)."""
    hidden = session.scalar(
        select(func.count()).select_from(Cooperative).where(Cooperative.id.not_in(visible))
    )
    return not hidden


def current(wave_id: int, key: str | None = None) -> ColumnElement[bool]:
    """The submissions that count in a wave: submitted and not superseded by a correction."""
    condition = and_(
        Response.wave_id == wave_id,
        Response.counting,
    )
    if key is not None:
        condition = and_(condition, Response.questionnaire_key == key)
    return condition


@dataclass(frozen=True)
class WaveChoice:
    """The wave a report shows, the one before it, and the questionnaires it asks."""

    wave: Wave
    previous: Wave | None
    waves: list[Wave]
    # key -> subject ("cooperative" or "product"), in the order pages list them
    subjects: dict[str, str]
    titles: dict[str, dict[str, str]]


def ordered(versions: Mapping[str, QuestionnaireVersion]) -> list[str]:
    """Questionnaire keys in the order pages list them: each file's `order`, then the key."""
    return sorted(versions, key=lambda key: (surveys.definition(versions[key]).order, key))


def choose_wave(session: Session, *, wave_key: str | None) -> WaveChoice:
    """The asked wave by key, else the open one, else the newest that is not a draft."""
    waves = [w for w in responses.list_waves(session) if w.status != "draft"]
    if wave_key:
        wave = next((w for w in waves if w.key == wave_key), None)
        if wave is None:
            raise NotFound(N_("Wave not found."))
    else:
        wave = responses.open_wave(session) or (waves[0] if waves else None)
        if wave is None:
            raise NotFound(N_("There is no assessment wave yet."))
    versions = responses.wave_versions(session, wave_id=wave.id)
    keys = ordered(versions)
    return WaveChoice(
        wave=wave,
        previous=responses.previous_wave(session, wave=wave),
        waves=waves,
        subjects={k: versions[k].subject for k in keys},
        titles={k: {"vi": versions[k].title_vi, "en": versions[k].title_en} for k in keys},
    )


def products_per_cooperative() -> Subquery:
    """cooperative_id, products: cooperatives with at least one registered product."""
    return (
        select(Product.cooperative_id.label("cooperative_id"), func.count().label("products"))
        .group_by(Product.cooperative_id)
        .subquery("products_per_cooperative")
    )
