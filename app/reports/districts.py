"""One commune's or former district's cooperatives with their stored scores, weakest dimension
and trend."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session

from app.areas.models import Area, AreaLevel
from app.cooperatives.models import Cooperative
from app.cooperatives.service import in_areas
from app.errors import NotFound
from app.messages import N_
from app.paging import Page, page_of
from app.reports.rankings import COMBINED_TITLE, Label, labels, ranking_keys
from app.reports.scope import WaveChoice, placement, sees_everything
from app.reports.scores import COMBINED, by_dimension, cooperative_scores
from app.responses import service as responses

PAGE_SIZE = 100


@dataclass(frozen=True)
class DistrictRow:
    cooperative_id: int
    registration_code: str
    name: str
    commune: str | None
    former_district: str | None
    sector: str
    status: str
    overall: float | None
    level: str | None
    product_name: str | None
    dimensions: dict[str, float]
    weakest: str | None
    previous_overall: float | None

    @property
    def change(self) -> float | None:
        if self.overall is None or self.previous_overall is None:
            return None
        return self.overall - self.previous_overall


@dataclass(frozen=True)
class DistrictReport:
    area: Area
    choice: WaveChoice
    key: str
    title: dict[str, str]
    dimensions: list[Label]
    levels: list[Label]
    rows: list[DistrictRow]
    total: int  # rows matching the filters, over every page
    scored: int  # of those, with a score
    sectors: list[str]  # sectors present in the district, for the filter
    page: Page

    @property
    def has_communes(self) -> bool:
        return self.area.level != AreaLevel.COMMUNE and any(r.commune for r in self.rows)

    @property
    def has_districts(self) -> bool:
        return self.area.level != AreaLevel.FORMER_DISTRICT and any(
            r.former_district for r in self.rows
        )

    @property
    def level_titles(self) -> dict[str, dict[str, str]]:
        return {lv.key: lv.title for lv in self.levels}

    @property
    def dimension_titles(self) -> dict[str, dict[str, str]]:
        return {d.key: d.title for d in self.dimensions}


# The areas that have a page: a 2025 commune and a former district.
PAGE_LEVELS = (AreaLevel.COMMUNE, AreaLevel.FORMER_DISTRICT)


def get_district(session: Session, *, area_id: int, visible: Select[int]) -> Area:
    """A commune or former district the user may look into: one holding a cooperative they
    see (or they see all)."""
    area = session.get(Area, area_id)
    if area is None or area.level not in PAGE_LEVELS:
        raise NotFound(N_("Area not found."))
    holds_visible = session.scalar(
        select(exists().where(in_areas({area.id}), Cooperative.id.in_(visible)))
    )
    if not holds_visible and not sees_everything(session, visible=visible):
        raise NotFound(N_("Area not found."))
    return area


def _weakest(dimensions: dict[str, float], order: list[Label]) -> str | None:
    """The lowest-scoring dimension; on a tie, the one the questionnaire lists first."""
    scored = [
        (dimensions[d.key], index, d.key) for index, d in enumerate(order) if d.key in dimensions
    ]
    return min(scored)[2] if scored else None


def district_report(
    session: Session,
    *,
    area: Area,
    choice: WaveChoice,
    key: str,
    visible: Select[int],
    sector: str | None = None,
    level: str | None = None,
    status: str | None = "active",
    page: int = 1,
) -> DistrictReport:
    """The district's visible cooperatives with their scores in one questionnaire of a wave."""
    if key not in ranking_keys(choice):
        raise NotFound(N_("This wave does not ask that questionnaire."))
    dimensions, levels = labels(session, choice=choice, key=key)
    in_district = select(Cooperative.id).where(in_areas({area.id}), Cooperative.id.in_(visible))
    sectors = sorted(
        set(session.scalars(select(Cooperative.sector).where(Cooperative.id.in_(in_district))))
    )
    chosen = in_district
    if sector:
        chosen = chosen.where(Cooperative.sector == sector)
    if status:
        chosen = chosen.where(Cooperative.status == status)
    placed = placement(chosen).subquery("placed")
    commune = Area.__table__.alias("commune_area")
    district = Area.__table__.alias("district_area")
    registry = session.execute(
        select(Cooperative, commune.c.name, district.c.name)
        .join(placed, placed.c.cooperative_id == Cooperative.id)
        .outerjoin(commune, commune.c.id == placed.c.commune_id)
        .outerjoin(district, district.c.id == placed.c.district_id)
    ).all()
    # The combined index's "dimensions" are its questionnaires (each entry's components).
    keys = [d.key for d in dimensions] if key != COMBINED else []
    scores = cooperative_scores(
        session,
        wave_id=choice.wave.id,
        subjects=choice.subjects,
        cooperatives=chosen,
        dimensions={key: keys},
    )
    before = {}
    if choice.previous is not None:
        versions = responses.wave_versions(session, wave_id=choice.previous.id)
        subjects = {k: v.subject for k, v in versions.items()}
        if key in subjects or (key == COMBINED and subjects):
            before = cooperative_scores(
                session,
                wave_id=choice.previous.id,
                subjects=subjects,
                cooperatives=chosen,
            )
    rows = []
    for cooperative, commune_name, district_name in registry:
        entry = scores.get(cooperative.id)
        earlier = before.get(cooperative.id)
        overall: float | None = None
        found_level: str | None = None
        product_name: str | None = None
        dims: dict[str, float] = {}
        previous: float | None = None
        if key == COMBINED:
            if entry is not None:
                overall, dims = entry.combined, dict(entry.components)
            previous = earlier.combined if earlier is not None else None
        else:
            standing = entry.by_key.get(key) if entry is not None else None
            if standing is not None:
                overall, found_level = standing.overall, standing.level
                product_name = standing.product_name
                dims = by_dimension(keys, standing.dimensions)
            old = earlier.by_key.get(key) if earlier is not None else None
            previous = old.overall if old is not None else None
        if level and found_level != level:
            continue
        rows.append(
            DistrictRow(
                cooperative_id=cooperative.id,
                registration_code=cooperative.registration_code,
                name=cooperative.name,
                commune=commune_name,
                former_district=district_name,
                sector=cooperative.sector,
                status=cooperative.status,
                overall=overall,
                level=found_level,
                product_name=product_name,
                dimensions=dims,
                weakest=_weakest(dims, dimensions),
                previous_overall=previous,
            )
        )
    # Highest score first; cooperatives without one follow, by name.
    rows.sort(key=lambda r: (r.overall is None, -(r.overall or 0.0), r.name, r.cooperative_id))
    # Sorted by a score that may combine several questionnaires in Python, so paged here.
    shown, where = page_of(rows, page=page, size=PAGE_SIZE)
    return DistrictReport(
        area=area,
        choice=choice,
        key=key,
        title=COMBINED_TITLE if key == COMBINED else choice.titles[key],
        dimensions=dimensions,
        levels=levels,
        rows=shown,
        total=len(rows),
        scored=sum(1 for r in rows if r.overall is not None),
        sectors=sectors,
        page=where,
    )
