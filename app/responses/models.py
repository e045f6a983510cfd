"""Waves, responses, their answers and their stored scores."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ColumnElement,
    Float,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    and_,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow


class WaveStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class ResponseStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


def wave_title(name: str, name_en: str | None, key: str) -> dict[str, str]:
    """A wave's name in each language: a wave given no English name is "Wave <key>" in English."""
    return {"vi": name, "en": name_en or f"Wave {key}"}


class Wave(Base):
    """A period in which subjects answer chosen questionnaire versions (e.g. "2026")."""

    __tablename__ = "waves"
    __table_args__ = (
        CheckConstraint("status in ('draft', 'open', 'closed')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Shown to English readers; without it they read "Wave <key>" (see `title`).
    name_en: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=WaveStatus.DRAFT)
    opens_on: Mapped[dt.date | None]
    closes_on: Mapped[dt.date | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @property
    def title(self) -> dict[str, str]:
        """The name in each language, for the web layer to pick (as a questionnaire's title)."""
        return wave_title(self.name, self.name_en, self.key)


class WaveQuestionnaire(Base):
    """The version of one questionnaire a wave asks."""

    __tablename__ = "wave_questionnaires"
    __table_args__ = (UniqueConstraint("wave_id", "questionnaire_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id", ondelete="CASCADE"))
    questionnaire_key: Mapped[str] = mapped_column(String(32))
    version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_versions.id", ondelete="RESTRICT")
    )


class Response(Base):
    """One subject × one wave × one questionnaire version, at one revision.

    A draft while being filled; submitted once by a conditional UPDATE; never changed after.
    A correction is a new revision; the newest submitted revision is the one that counts.
    """

    __tablename__ = "responses"
    __table_args__ = (
        CheckConstraint("status in ('draft', 'submitted')", name="status_known"),
        CheckConstraint("revision >= 1", name="revision_positive"),
        # Two taps, two tabs or a retry can never create a second draft of the same revision.
        UniqueConstraint("wave_id", "questionnaire_key", "subject_key", "revision"),
        # At most one current (unsuperseded) submission per subject, wave and questionnaire.
        Index(
            "uq_responses_current_submission",
            "wave_id",
            "questionnaire_key",
            "subject_key",
            unique=True,
            sqlite_where=text("status = 'submitted' AND superseded_at IS NULL"),
            postgresql_where=text("status = 'submitted' AND superseded_at IS NULL"),
        ),
        # What reports filter on (app.reports.scope.current), superseded_at included so that
        # SQLite finds the counting submissions without reading them.
        Index("ix_responses_counting", "wave_id", "questionnaire_key", "status", "superseded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id", ondelete="RESTRICT"))
    questionnaire_key: Mapped[str] = mapped_column(String(32))
    version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_versions.id", ondelete="RESTRICT")
    )
    cooperative_id: Mapped[int] = mapped_column(
        ForeignKey("cooperatives.id", ondelete="RESTRICT"), index=True
    )
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="RESTRICT"), index=True
    )
    # "c<id>" for a cooperative, "p<id>" for a product: one column that constraints can use
    # on both databases (NULLs are never equal in a unique constraint).
    subject_key: Mapped[str] = mapped_column(String(32))
    revision: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(16), default=ResponseStatus.DRAFT)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    on_behalf: Mapped[bool] = mapped_column(default=False)
    last_step: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[dt.datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    superseded_at: Mapped[dt.datetime | None]
    # The score, computed once at submission and never recomputed on read.
    overall: Mapped[float | None] = mapped_column(Float)
    level: Mapped[str | None] = mapped_column(String(32))
    scoring_version: Mapped[str | None] = mapped_column(String(16))

    @hybrid_property
    def counting(self) -> bool:
        """The submission that counts: submitted and not superseded by a correction.

        The one definition, in Python and in SQL (`where(Response.counting)`); the partial
        unique index above keeps it to one per subject, wave and questionnaire.
        """
        return self.status == ResponseStatus.SUBMITTED and self.superseded_at is None

    @counting.inplace.expression
    @classmethod
    def _counting_expression(cls) -> ColumnElement[bool]:
        return and_(cls.status == ResponseStatus.SUBMITTED, cls.superseded_at.is_(None))

    score_detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Answer(Base):
    """One answer, stored the moment it is given."""

    __tablename__ = "answers"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    question_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DimensionScore(Base):
    """A submitted response's score on one dimension, kept as rows so SQL can aggregate them."""

    __tablename__ = "dimension_scores"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    dimension_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    score: Mapped[float] = mapped_column(Float)


class WaveContact(Base):
    """An advisor reminded a cooperative to answer a wave: when, by whom and how."""

    __tablename__ = "wave_contacts"
    __table_args__ = (
        CheckConstraint("channel in ('phone', 'sms', 'zalo', 'visit')", name="channel_known"),
        Index("ix_wave_contacts_wave_cooperative", "wave_id", "cooperative_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id", ondelete="CASCADE"))
    cooperative_id: Mapped[int] = mapped_column(
        ForeignKey("cooperatives.id", ondelete="CASCADE"), index=True
    )
    contacted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    contacted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(16))
