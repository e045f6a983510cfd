"""Moving a registry from districts to the 2025 communes: the migration, then the placing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app import migrate
from app.areas import service as areas
from app.cooperatives import placement
from app.cooperatives.models import Cooperative
from app.db import Database
from tests.conftest import scratch_database

BEFORE = "05fedf9a2fe5"


@pytest.fixture
def old_registry(tmp_path: Path) -> Iterator[str]:
    """A database at the revision before the two trees, with districts, a commune and a
    registry placed in them the old way."""
    with scratch_database(tmp_path) as url:
        migrate.upgrade(url, BEFORE)
        db = Database(url)
        try:
            with db.engine.begin() as conn:
                conn.execute(
                    text(
                        "insert into areas (id, code, name, level, parent_id) values"
                        " (1, 'VN', 'Việt Nam', 'country', null),"
                        " (2, '20', 'Lạng Sơn', 'province', 1),"
                        " (3, '187', 'Chi Lăng', 'district', 2),"
                        " (4, '183', 'Cao Lộc', 'district', 2),"
                        " (5, '06238', 'Xã Mẫu Sơn', 'commune', 4)"
                    )
                )
                conn.execute(
                    text(
                        "insert into cooperatives"
                        " (registration_code, name, area_id, sector, status, address,"
                        "  created_at, updated_at) values"
                        " ('A', 'HTX Địa chỉ cũ', 3, 'agriculture', 'active',"
                        "  'Thôn Bản Chắt, xã Vân Thủy, huyện Chi Lăng, tỉnh Lạng Sơn',"
                        "  current_timestamp, current_timestamp),"
                        " ('B', 'HTX Xã cũ', 5, 'agriculture', 'active', null,"
                        "  current_timestamp, current_timestamp),"
                        " ('C', 'HTX Không địa chỉ', 3, 'agriculture', 'active', null,"
                        "  current_timestamp, current_timestamp),"
                        " ('D', 'HTX Tỉnh', 2, 'agriculture', 'active', null,"
                        "  current_timestamp, current_timestamp)"
                    )
                )
                conn.execute(
                    text(
                        "insert into users (id, username, full_name, role, is_active,"
                        " created_at) values (9, 'canbo', 'Cán bộ', 'advisor', true,"
                        " current_timestamp)"
                    )
                )
                conn.execute(text("insert into user_areas (user_id, area_id) values (9, 3)"))
                if conn.dialect.name == "postgresql":
                    # rows given their ids by hand: move the sequences past them
                    for table in ("areas", "users"):
                        conn.execute(
                            text(f"select setval('{table}_id_seq', (select max(id) from {table}))")
                        )
        finally:
            db.dispose()
        yield url


def test_existing_cooperatives__keep_their_former_district_and_count_in_the_province(
    old_registry: str,
) -> None:
    migrate.upgrade(old_registry)
    db = Database(old_registry)
    try:
        with db.transaction() as session:
            found = {
                c.registration_code: (c.area_id, c.former_district_id, c.former_ward_id)
                for c in session.scalars(select(Cooperative))
            }
            assert found == {
                "A": (2, 3, None),
                "B": (2, 4, 5),
                "C": (2, 3, None),
                "D": (2, None, None),
            }
            levels = dict(session.execute(text("select code, level from areas")).all())
            assert levels["187"] == "former_district"
            assert levels["06238"] == "former_ward"
            # an advisor limited to a former district keeps it
            assert session.execute(text("select area_id from user_areas")).scalar() == 3

            # Loading the catalogue places those whose data says where, and lists the rest.
            areas.load_provinces(session, codes=["20"])
            placed = placement.place_unplaced(session)
            assert (placed.placed, placed.remaining) == (2, 2)
            by_code = {c.registration_code: c for c in session.scalars(select(Cooperative))}
            chien_thang = areas.get_by_code(session, "06481", level="commune")  # type: ignore[arg-type]
            ba_son = areas.get_by_code(session, "06196", level="commune")  # type: ignore[arg-type]
            assert chien_thang is not None
            assert ba_son is not None
            assert by_code["A"].area_id == chien_thang.id
            assert by_code["A"].former_district_id == 3
            assert by_code["B"].area_id == ba_son.id  # the old Mẫu Sơn of Cao Lộc
            everyone = select(Cooperative.id)
            assert [c.registration_code for c in placement.unplaced(session, visible=everyone)] == [
                "C",
                "D",
            ]
    finally:
        db.dispose()
    # and back down: every cooperative returns to its former ward, district or province
    migrate.downgrade(old_registry, BEFORE)
    db = Database(old_registry)
    try:
        with db.engine.connect() as conn:
            rows = dict(
                conn.execute(
                    text(
                        "select c.registration_code, a.code from cooperatives c"
                        " join areas a on a.id = c.area_id"
                    )
                ).all()
            )
    finally:
        db.dispose()
    assert rows == {"A": "06472", "B": "06238", "C": "187", "D": "20"}
