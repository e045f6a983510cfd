"""a wave's name in English, beside its Vietnamese name

The English interface showed every wave under its Vietnamese name. A wave created from now on
may be given an English name; one without (every wave before this) reads "Wave <key>" in English.

Revision ID: 5d2f8a6c1e94
Revises: 5d0c2a7e91f4
Create Date: 2026-12-03 17:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5d2f8a6c1e94"
down_revision: str | None = "5d0c2a7e91f4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("waves", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_en", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("waves", schema=None) as batch_op:
        batch_op.drop_column("name_en")
