"""A wave's targets: a share of cooperatives to reach, for coverage or for a level."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow


class WaveTarget(Base):
    """One target of a wave, as a percentage of the active cooperatives asked.

    `coverage`: the share that finished every questionnaire of the wave.
    `level`: the share scored at `level_key` or above on `questionnaire_key`.
    """

    __tablename__ = "wave_targets"
    __table_args__ = (
        CheckConstraint("metric in ('coverage', 'level')", name="metric_known"),
        CheckConstraint("percent >= 0 and percent <= 100", name="percent_bounded"),
        CheckConstraint(
            "(metric = 'coverage' and questionnaire_key is null and level_key is null)"
            " or (metric = 'level' and questionnaire_key is not null and level_key is not null)",
            name="level_needs_questionnaire",
        ),
        UniqueConstraint("wave_id", "metric", "questionnaire_key", "level_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id", ondelete="CASCADE"), index=True)
    metric: Mapped[str] = mapped_column(String(16))
    questionnaire_key: Mapped[str | None] = mapped_column(String(32))
    level_key: Mapped[str | None] = mapped_column(String(64))
    percent: Mapped[float] = mapped_column(Float)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
