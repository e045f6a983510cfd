"""The two area trees and the crosswalk between them.

The current tree (since 1/7/2025): country → province → commune (xã, phường, đặc khu).
The historical one, kept for comparisons with earlier baselines: former district → former ward.
Every former province lies wholly inside one 2025 province, so a former district hangs under the
2025 province it now lies in, and the province row serves both trees. `AreaLink` joins each
former ward to the commune(s) it became part of.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow


class AreaLevel(StrEnum):
    COUNTRY = "country"
    PROVINCE = "province"
    COMMUNE = "commune"
    FORMER_DISTRICT = "former_district"
    FORMER_WARD = "former_ward"


# Which level may sit under which: the loaders refuse anything else.
PARENT_LEVELS: dict[AreaLevel, tuple[AreaLevel, ...]] = {
    AreaLevel.COUNTRY: (),
    AreaLevel.PROVINCE: (AreaLevel.COUNTRY,),
    AreaLevel.COMMUNE: (AreaLevel.PROVINCE,),
    AreaLevel.FORMER_DISTRICT: (AreaLevel.PROVINCE,),
    AreaLevel.FORMER_WARD: (AreaLevel.FORMER_DISTRICT,),
}


class Area(Base):
    __tablename__ = "areas"
    __table_args__ = (
        CheckConstraint(
            "level in ('country', 'province', 'commune', 'former_district', 'former_ward')",
            name="level_known",
        ),
        # GSO reused codes across the reform (commune 05977 is not former ward 05977), so a
        # code is unique within its level only.
        UniqueConstraint("level", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Official statistics code, text with its leading zeros (20 Lạng Sơn, 06196 Xã Ba Sơn).
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("areas.id", ondelete="RESTRICT"), index=True
    )
    # Centroid, where the catalogue gives one: the map places the area there.
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)


class AreaLink(Base):
    """A former ward and a commune it became (part of) on 1/7/2025."""

    __tablename__ = "area_links"

    former_ward_id: Mapped[int] = mapped_column(
        ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True
    )
    commune_id: Mapped[int] = mapped_column(
        ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # A ward split between communes: the one that took most of it.
    main: Mapped[bool] = mapped_column(Boolean, default=True)


# A boundary as stored: polygons, each an outer ring then its holes, each ring [lon, lat] pairs
# (GeoJSON's MultiPolygon coordinates, simplified for drawing).
Rings = list[list[list[list[float]]]]


class AreaBoundary(Base):
    """A commune's outline, uploaded by an administrator as GeoJSON; the map draws it."""

    __tablename__ = "area_boundaries"

    area_id: Mapped[int] = mapped_column(
        ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True
    )
    polygons: Mapped[Rings] = mapped_column(JSON)
    # The file it came from and who uploaded it; the audit log has the event itself.
    source: Mapped[str] = mapped_column(String(255))
    uploaded_by: Mapped[str | None] = mapped_column(String(100))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
