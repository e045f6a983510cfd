"""area boundaries: communes' outlines uploaded as GeoJSON, drawn by the reports' map

Revision ID: 5d0c2a7e91f4
Revises: 3b7e1c9a4d20
Create Date: 2026-12-03 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "5d0c2a7e91f4"
down_revision: str | None = "3b7e1c9a4d20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "area_boundaries",
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("polygons", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=True),
        sa.Column("uploaded_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["areas.id"],
            name=op.f("fk_area_boundaries_area_id_areas"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("area_id", name=op.f("pk_area_boundaries")),
    )


def downgrade() -> None:
    op.drop_table("area_boundaries")
