"""A cooperative's score beside its former district and its province for the same wave."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.areas.models import Area, AreaLevel
from app.areas.service import descendant_ids
from app.cooperatives.models import Cooperative
from app.cooperatives.service import in_areas
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
        chosen = Response.cooperative_id.in_(select(Cooperative.id).where(in_areas(area_ids)))
        overall_query = overall_query.where(chosen)
        dimension_query = dimension_query.where(chosen)
    count, mean = session.execute(overall_query).one()
    dimensions = {k: float(v) for k, v in session.execute(dimension_query).all()}
    return Average(int(count), float(mean) if mean is not None else None, dimensions)


def district_and_province(
    session: Session, *, wave_id: int, key: str, cooperative: Cooperative
) -> tuple[Area | None, Average, Average]:
    """The cooperative's former district, that district's average and the province's.

    The former district, not the 2025 commune: a commune holds too few cooperatives for its
    mean to say much, and the baselines managers know are by district.
    """
    district = (
        session.get(Area, cooperative.former_district_id)
        if cooperative.former_district_id
        else None
    )
    district_average = (
        average(session, wave_id=wave_id, key=key, area_ids={district.id})
        if district is not None
        else Average(0, None, {})
    )
    area = session.get(Area, cooperative.area_id)
    province_id = None
    if area is not None:
        province_id = area.id if area.level == AreaLevel.PROVINCE else area.parent_id
    province_areas = descendant_ids(session, area_ids=[province_id]) if province_id else None
    return (
        district,
        district_average,
        average(session, wave_id=wave_id, key=key, area_ids=province_areas),
    )
