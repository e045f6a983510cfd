"""wave targets

Revision ID: 7c41d2e9a8b3
Revises: 05fedf9a2fe5
Create Date: 2026-12-03 13:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "7c41d2e9a8b3"
down_revision: str | None = "05fedf9a2fe5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "wave_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=16), nullable=False),
        sa.Column("questionnaire_key", sa.String(length=32), nullable=True),
        sa.Column("level_key", sa.String(length=64), nullable=True),
        sa.Column("percent", sa.Float(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(metric = 'coverage' and questionnaire_key is null and level_key is null) or (metric = 'level' and questionnaire_key is not null and level_key is not null)",
            name=op.f("ck_wave_targets_level_needs_questionnaire"),
        ),
        sa.CheckConstraint(
            "metric in ('coverage', 'level')", name=op.f("ck_wave_targets_metric_known")
        ),
        sa.CheckConstraint(
            "percent >= 0 and percent <= 100", name=op.f("ck_wave_targets_percent_bounded")
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"],
            ["users.id"],
            name=op.f("fk_wave_targets_set_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"],
            ["waves.id"],
            name=op.f("fk_wave_targets_wave_id_waves"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wave_targets")),
        sa.UniqueConstraint(
            "wave_id",
            "metric",
            "questionnaire_key",
            "level_key",
            name=op.f("uq_wave_targets_wave_id_metric_questionnaire_key_level_key"),
        ),
    )
    with op.batch_alter_table("wave_targets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wave_targets_wave_id"), ["wave_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("wave_targets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wave_targets_wave_id"))
    op.drop_table("wave_targets")
