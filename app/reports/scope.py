"""Which cooperatives a report covers, and the areas (commune, former district, province) they
count in.

Reports cover the cooperatives a user may see (`accessible_cooperative_ids`) whose registry
status is active. Each counts in its 2025 commune (when placed in one), its former district
(when known) and its province, found with one join, in SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, get_args

from sqlalchemy import ColumnElement, Select, Subquery, and_, case, func, select
from sqlalchemy.orm import Session, aliased

from app.areas.models import Area, AreaLevel
from app.cooperatives.models import Cooperative, CooperativeStatus, Product
from app.errors import Invalid, NotFound
from app.messages import N_
from app.responses import service as responses
from app.responses.models import Response, Wave
from app.surveys import service as surveys
from app.surveys.models import QuestionnaireVersion

GroupLevel = Literal["commune", "former-district", "province"]
GROUP_LEVELS: tuple[GroupLevel, ...] = get_args(GroupLevel)
# Links and files made before the 2025 reform say "district" for the former district.
_GROUP_ALIASES: dict[str, GroupLevel] = {"district": "former-district"}

_own = aliased(Area, name="own_area")

# A cooperative's area is its 2025 commune, or its province until it is placed in one; its
# former district is kept beside it. One join gives all three.
_commune_id = case((_own.level == AreaLevel.COMMUNE, _own.id), else_=None)
_province_id = case((_own.level == AreaLevel.PROVINCE, _own.id), else_=_own.parent_id)
UNIT_IDS: dict[str, ColumnElement[int | None]] = {
    "commune": _commune_id,
    "former-district": Cooperative.__table__.c.former_district_id,
    "province": _province_id,
}
# The area level each grouping shows.
AREA_LEVELS: dict[GroupLevel, AreaLevel] = {
    "commune": AreaLevel.COMMUNE,
    "former-district": AreaLevel.FORMER_DISTRICT,
    "province": AreaLevel.PROVINCE,
}


def group_level(text: str | None) -> GroupLevel | None:
    """The grouping a link or a command asks for (None when it asks for none)."""
    if not text:
        return None
    if text in _GROUP_ALIASES:
        return _GROUP_ALIASES[text]
    for level in GROUP_LEVELS:
        if text == level:
            return level
    raise Invalid(
        N_("Cannot group by '%(by)s': use commune, former-district or province."), by=text
    )


def population(visible: Select[int], *, level: GroupLevel) -> Select[tuple[int, int, int]]:
    """Active visible cooperatives with the area they count in at `level` and their province.

    Columns: cooperative_id, unit_id (None when not known at that level), province_id.
    """
    return (
        select(
            Cooperative.id.label("cooperative_id"),
            UNIT_IDS[level].label("unit_id"),
            _province_id.label("province_id"),
        )
        .join(_own, _own.id == Cooperative.area_id)
        .where(Cooperative.status == CooperativeStatus.ACTIVE, Cooperative.id.in_(visible))
    )


def placement(cooperative_ids: Select[int]) -> Select[tuple[int, int | None, int | None]]:
    """For each given cooperative: its former district and its commune, when known."""
    return (
        select(
            Cooperative.id.label("cooperative_id"),
            Cooperative.former_district_id.label("district_id"),
            _commune_id.label("commune_id"),
        )
        .join(_own, _own.id == Cooperative.area_id)
        .where(Cooperative.id.in_(cooperative_ids))
    )


def _known(session: Session, *, visible: Select[int]) -> tuple[int, int, int]:
    """Active visible cooperatives: all, placed in a commune, with a former district."""
    pop = population(visible, level="commune").subquery()
    total, placed, with_district = session.execute(
        select(func.count(), func.count(pop.c.unit_id), func.count(Cooperative.former_district_id))
        .select_from(pop)
        .join(Cooperative, Cooperative.id == pop.c.cooperative_id)
    ).one()
    return int(total), int(placed), int(with_district)


def available_levels(session: Session, *, visible: Select[int]) -> list[GroupLevel]:
    """The groupings with data behind them for these cooperatives, commune first."""
    _, placed, with_district = _known(session, visible=visible)
    found: list[GroupLevel] = []
    if placed:
        found.append("commune")
    if with_district:
        found.append("former-district")
    found.append("province")
    return found


def choose_level(session: Session, *, asked: str | None, visible: Select[int]) -> GroupLevel:
    """The asked grouping; else the commune when most cooperatives are placed in one, else the
    former district when most have one, else the province."""
    level = group_level(asked)
    if level is not None:
        return level
    total, placed, with_district = _known(session, visible=visible)
    if placed and 2 * placed >= total:
        return "commune"
    if with_district and 2 * with_district >= total:
        return "former-district"
    return "province"


def area_names(session: Session, *, area_ids: set[int]) -> dict[int, Area]:
    """The areas with these ids."""
    if not area_ids:
        return {}
    return {a.id: a for a in session.scalars(select(Area).where(Area.id.in_(area_ids)))}


# What `accounts.accessible_cooperative_ids` gives a user who may see every cooperative.
_EVERY_COOPERATIVE = str(select(Cooperative.id))


def every_cooperative(visible: Select[int]) -> bool:
    """Whether `visible` is every cooperative by construction (the steering committee, an
    administrator, an advisor of the whole province): figures then depend on the data alone."""
    return str(visible) == _EVERY_COOPERATIVE


def sees_everything(session: Session, *, visible: Select[int]) -> bool:
    """Whether no cooperative is hidden from the user (their totals are the province's)."""
    if every_cooperative(visible):
        # No need to look for a hidden one among 30,000.
        return True
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
