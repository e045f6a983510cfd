"""The area table: one row per place, each pointing at the place that contains it."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class AreaLevel(StrEnum):
    COUNTRY = "country"
    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"


LEVEL_ORDER = [AreaLevel.COUNTRY, AreaLevel.PROVINCE, AreaLevel.DISTRICT, AreaLevel.COMMUNE]


class Area(Base):
    __tablename__ = "areas"
    __table_args__ = (
        CheckConstraint(
            "level in ('country', 'province', 'district', 'commune')", name="level_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Official statistics code (e.g. 20 for Lạng Sơn, 178 for Thành phố Lạng Sơn).
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("areas.id", ondelete="RESTRICT"), index=True
    )
