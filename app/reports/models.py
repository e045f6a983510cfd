"""The token the reports' remembered figures are keyed by (app.reports.remembered)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class ReportGeneration(Base):
    """One row whose token database triggers change on every write to a table the reports
    read (migration a4c9e1f27b6d lists them); nothing in the portal writes it."""

    __tablename__ = "report_generation"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
