"""password requests and wave contacts

Revision ID: 7c41e9a25b1d
Revises: 8b2d5f0e9a17
Create Date: 2026-12-03 13:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "7c41e9a25b1d"
down_revision: str | None = "8b2d5f0e9a17"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "password_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("handled_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["handled_by_id"],
            ["users.id"],
            name=op.f("fk_password_requests_handled_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_password_requests_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_requests")),
    )
    with op.batch_alter_table("password_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_password_requests_user_id"), ["user_id"], unique=False)

    op.create_table(
        "wave_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("contacted_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("contacted_by_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "channel in ('phone', 'sms', 'zalo', 'visit')",
            name=op.f("ck_wave_contacts_channel_known"),
        ),
        sa.ForeignKeyConstraint(
            ["contacted_by_id"],
            ["users.id"],
            name=op.f("fk_wave_contacts_contacted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["cooperatives.id"],
            name=op.f("fk_wave_contacts_cooperative_id_cooperatives"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"],
            ["waves.id"],
            name=op.f("fk_wave_contacts_wave_id_waves"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wave_contacts")),
    )
    with op.batch_alter_table("wave_contacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wave_contacts_cooperative_id"), ["cooperative_id"], unique=False
        )
        batch_op.create_index(
            "ix_wave_contacts_wave_cooperative", ["wave_id", "cooperative_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("wave_contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_wave_contacts_wave_cooperative")
        batch_op.drop_index(batch_op.f("ix_wave_contacts_cooperative_id"))
    op.drop_table("wave_contacts")
    with op.batch_alter_table("password_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_password_requests_user_id"))
    op.drop_table("password_requests")
