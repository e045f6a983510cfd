"""Cooperatives and their products."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow


class CooperativeStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DISSOLVED = "dissolved"


class Cooperative(Base):
    __tablename__ = "cooperatives"
    __table_args__ = (
        CheckConstraint("status in ('active', 'suspended', 'dissolved')", name="status_known"),
        CheckConstraint("members is null or members >= 0", name="members_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    # Where it is today: its commune (2025 tree), or its province until a commune is known.
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="RESTRICT"), index=True)
    # Where it was before 1/7/2025, when known: baselines are compared by former district.
    former_district_id: Mapped[int | None] = mapped_column(
        ForeignKey("areas.id", ondelete="RESTRICT"), index=True
    )
    former_ward_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="RESTRICT"))
    sector: Mapped[str] = mapped_column(String(32))
    members: Mapped[int | None]
    founded_year: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(16), default=CooperativeStatus.ACTIVE)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    email: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (CheckConstraint("stars between 0 and 5", name="stars_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(
        ForeignKey("cooperatives.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    ocop_group: Mapped[str | None] = mapped_column(String(32))
    # 0 means not rated; 1-5 is the official OCOP star rating on the certificate.
    stars: Mapped[int] = mapped_column(default=0)
    certificate_date: Mapped[dt.date | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RegistryUpload(Base):
    """A registry file between its dry run and its confirmation, and how to read it.

    It lives in the database, not on one server's disk, so that whichever server answers the
    confirmation imports exactly the bytes that were checked (their SHA-256 is kept beside).
    """

    __tablename__ = "registry_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Only the token's hash is stored: a copy of the database does not confirm imports.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    # One field (or "" for ignore) per column, once the administrator has mapped them.
    mapping: Mapped[list[str] | None] = mapped_column(JSON)
    clear_blanks: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)


class RegistryMapping(Base):
    """The column mapping last chosen for files with these headers, offered again next time."""

    __tablename__ = "registry_mappings"

    signature: Mapped[str] = mapped_column(String(64), primary_key=True)
    mapping: Mapped[list[str]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
