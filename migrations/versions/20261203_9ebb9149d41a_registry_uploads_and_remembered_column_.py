"""registry uploads and remembered column mappings

Revision ID: 9ebb9149d41a
Revises: 7c41d2e9a8b3
Create Date: 2026-12-03 13:30:10.779741
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "9ebb9149d41a"
down_revision: str | None = "7c41d2e9a8b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "registry_mappings",
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("signature", name=op.f("pk_registry_mappings")),
    )
    op.create_table(
        "registry_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=True),
        sa.Column("clear_blanks", sa.Boolean(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_registry_uploads_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_uploads")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_registry_uploads_token_hash")),
    )
    with op.batch_alter_table("registry_uploads", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_registry_uploads_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_registry_uploads_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("registry_uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registry_uploads_user_id"))
        batch_op.drop_index(batch_op.f("ix_registry_uploads_expires_at"))

    op.drop_table("registry_uploads")
    op.drop_table("registry_mappings")
