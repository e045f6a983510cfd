"""A cooperative's score beside its district and province for the same wave."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.areas.models import Area, AreaLevel
from app.areas.service import descendant_ids
from app.cooperatives.models import Cooperative
from app.reports import scope
from app.responses.models import DimensionScore, Response


@dataclass(frozen=True)
class Average:
    responses: int
    overall: float | None
    dimensions: dict[str, float]


def average(session: Session, *, wave_id: int, key: str, area_ids: set[int] | None) -> Average:
    """Mean overall and dimension scores of the current submissions in some areas (None: all)."""
    overall_query = select(func.count(), func.avg(Response.overall)).where(
        scope.current(wave_id, key)
    )
    dimension_query = (
        select(DimensionScore.dimension_key, func.avg(DimensionScore.score))
        .join(Response, Response.id == DimensionScore.response_id)
        .where(scope.current(wave_id, key))
        .group_by(DimensionScore.dimension_key)
    )
    if area_ids is not None:
        in_areas = Response.cooperative_id.in_(
            select(Cooperative.id).where(Cooperative.area_id.in_(area_ids))
        )
        overall_query = overall_query.where(in_areas)
        dimension_query = dimension_query.where(in_areas)
    count, mean = session.execute(overall_query).one()
    dimensions = {k: float(v) for k, v in session.execute(dimension_query).all()}
    return Average(int(count), float(mean) if mean is not None else None, dimensions)


def district_of(session: Session, *, area_id: int) -> Area | None:
    """The district an area lies in (itself when it is one)."""
    area = session.get(Area, area_id)
    while area is not None and area.level not in (
        AreaLevel.DISTRICT,
        AreaLevel.PROVINCE,
        AreaLevel.COUNTRY,
    ):
        area = session.get(Area, area.parent_id) if area.parent_id else None
    return area if area is not None and area.level == AreaLevel.DISTRICT else None


def district_and_province(
    session: Session, *, wave_id: int, key: str, area_id: int
) -> tuple[Area | None, Average, Average]:
    """The cooperative's district, the district's average and the province's."""
    district = district_of(session, area_id=area_id)
    district_average = (
        average(
            session,
            wave_id=wave_id,
            key=key,
            area_ids=descendant_ids(session, area_ids=[district.id]),
        )
        if district is not None
        else Average(0, None, {})
    )
    province_areas = None
    if district is not None and district.parent_id is not None:
        province_areas = descendant_ids(session, area_ids=[district.parent_id])
    return (
        district,
        district_average,
        average(session, wave_id=wave_id, key=key, area_ids=province_areas),
    )
