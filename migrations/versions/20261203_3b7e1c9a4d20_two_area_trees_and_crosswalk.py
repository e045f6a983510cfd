"""two area trees (2025 communes, former districts and wards), the crosswalk, placements

Before the 2025 reform the portal knew districts and, where loaded, their communes. Those
become the historical tree (former_district, former_ward); the 2025 communes are loaded from
the catalogue afterwards (`htxso init`, `htxso areas load --national`). A cooperative keeps
its former district (and former ward) and counts in its province until it is placed in a
2025 commune.

Revision ID: 3b7e1c9a4d20
Revises: 7c41e9a25b1d
Create Date: 2026-12-03 13:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3b7e1c9a4d20"
down_revision: str | None = "7c41e9a25b1d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_LEVELS = "level in ('country', 'province', 'commune', 'former_district', 'former_ward')"
OLD_LEVELS = "level in ('country', 'province', 'district', 'commune')"


def upgrade() -> None:
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_areas_level_known"), type_="check")
        batch_op.drop_constraint(op.f("uq_areas_code"), type_="unique")
        batch_op.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("longitude", sa.Float(), nullable=True))
    op.execute("update areas set level = 'former_ward' where level = 'commune'")
    op.execute("update areas set level = 'former_district' where level = 'district'")
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.create_check_constraint("level_known", NEW_LEVELS)
        batch_op.create_unique_constraint(batch_op.f("uq_areas_level_code"), ["level", "code"])

    op.create_table(
        "area_links",
        sa.Column("former_ward_id", sa.Integer(), nullable=False),
        sa.Column("commune_id", sa.Integer(), nullable=False),
        sa.Column("main", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_id"],
            ["areas.id"],
            name=op.f("fk_area_links_commune_id_areas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["former_ward_id"],
            ["areas.id"],
            name=op.f("fk_area_links_former_ward_id_areas"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("former_ward_id", "commune_id", name=op.f("pk_area_links")),
    )
    with op.batch_alter_table("area_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_area_links_commune_id"), ["commune_id"], unique=False)

    with op.batch_alter_table("cooperatives", schema=None) as batch_op:
        batch_op.add_column(sa.Column("former_district_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("former_ward_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_cooperatives_former_district_id"), ["former_district_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_cooperatives_former_district_id_areas"),
            "areas",
            ["former_district_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_cooperatives_former_ward_id_areas"),
            "areas",
            ["former_ward_id"],
            ["id"],
            ondelete="RESTRICT",
        )
    # Cooperatives registered in a former ward keep it and its district; those registered in a
    # former district keep that. Both now count in the province until placed in a commune.
    op.execute(
        """
        update cooperatives set
            former_ward_id = area_id,
            former_district_id = (select w.parent_id from areas w where w.id = cooperatives.area_id)
        where area_id in (select id from areas where level = 'former_ward')
        """
    )
    op.execute(
        """
        update cooperatives set former_district_id = area_id
        where area_id in (select id from areas where level = 'former_district')
        """
    )
    op.execute(
        """
        update cooperatives set
            area_id = (select d.parent_id from areas d where d.id = cooperatives.former_district_id)
        where former_district_id is not null
          and area_id in (select id from areas where level in ('former_district', 'former_ward'))
        """
    )


def downgrade() -> None:
    # The old schema had no 2025 communes: cooperatives go back to their former ward or
    # district (else their province) and the 2025 communes are dropped.
    op.execute(
        """
        update cooperatives set area_id = coalesce(
            former_ward_id,
            former_district_id,
            (select c.parent_id from areas c where c.id = cooperatives.area_id and c.level = 'commune'),
            area_id
        )
        """
    )
    with op.batch_alter_table("cooperatives", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_cooperatives_former_ward_id_areas"), type_="foreignkey")
        batch_op.drop_constraint(
            op.f("fk_cooperatives_former_district_id_areas"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_cooperatives_former_district_id"))
        batch_op.drop_column("former_ward_id")
        batch_op.drop_column("former_district_id")
    with op.batch_alter_table("area_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_area_links_commune_id"))
    op.drop_table("area_links")
    op.execute(
        "delete from user_areas where area_id in (select id from areas where level = 'commune')"
    )
    op.execute("delete from areas where level = 'commune'")
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_areas_level_known"), type_="check")
        batch_op.drop_constraint(op.f("uq_areas_level_code"), type_="unique")
    op.execute("update areas set level = 'commune' where level = 'former_ward'")
    op.execute("update areas set level = 'district' where level = 'former_district'")
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.drop_column("longitude")
        batch_op.drop_column("latitude")
        batch_op.create_check_constraint("level_known", OLD_LEVELS)
        batch_op.create_unique_constraint(batch_op.f("uq_areas_code"), ["code"])
