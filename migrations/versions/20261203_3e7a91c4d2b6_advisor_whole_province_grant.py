"""advisor scope fails closed: an explicit whole-province grant

Until now an advisor with no area saw the whole province, so removing an advisor's last area
widened their view. From this revision an advisor with no area sees nothing, and seeing the
whole province is a grant an administrator gives. Advisors who had no area when this runs
saw the whole province on purpose (that was the only way to give it), so they get the grant
and nobody loses access silently.

Revision ID: 3e7a91c4d2b6
Revises: 7c41d2e9a8b3
Create Date: 2026-12-03 14:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3e7a91c4d2b6"
down_revision: str | None = "9ebb9149d41a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE, never batch mode: SQLite's batch mode rebuilds `users`, and dropping the
# old table cascades (foreign keys are on) to every user's areas, cooperatives and sessions.


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column("whole_province", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.execute(
        sa.text(
            "UPDATE users SET whole_province = TRUE WHERE role = 'advisor' "
            "AND NOT EXISTS (SELECT 1 FROM user_areas WHERE user_areas.user_id = users.id)"
        )
    )


def downgrade() -> None:
    # SQLite has had DROP COLUMN since 3.35 (2021).
    op.execute(sa.text("ALTER TABLE users DROP COLUMN whole_province"))
