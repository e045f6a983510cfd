"""sign-in attempts remember whether they came from a device known to the account

A browser where the account signed in before carries a signed device cookie; its attempts
are counted apart, so failures from elsewhere (someone trying to lock the account) never
hold back the right password from the owner's own device.

Revision ID: 8b2d5f0e9a17
Revises: 3e7a91c4d2b6
Create Date: 2026-12-03 14:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8b2d5f0e9a17"
down_revision: str | None = "3e7a91c4d2b6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE, as in 3e7a91c4d2b6: no table rebuilt.
    op.add_column(
        "sign_in_attempts",
        sa.Column("known_device", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    op.execute(sa.text("ALTER TABLE sign_in_attempts DROP COLUMN known_device"))
