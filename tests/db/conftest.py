"""A real database with real commits, for what a shared test transaction would hide."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from app import migrate
from app.accounts.models import Role
from app.db import Database
from tests import factories
from tests.conftest import scratch_database

MINI = Path(__file__).resolve().parents[1] / "unit" / "fixtures" / "mini-1.yaml"
MANAGERS = 4


@contextmanager
def migrated_database(folder: Path) -> Iterator[Database]:
    """An empty scratch database at the newest schema, dropped afterwards."""
    with scratch_database(folder) as url:
        migrate.upgrade(url)
        db = Database(url)
        try:
            yield db
        finally:
            db.dispose()


@pytest.fixture
def real_db(tmp_path: Path) -> Iterator[Database]:
    """The `mini` questionnaire in an open wave, and managers giamdoc0…3 of one cooperative each."""
    with migrated_database(tmp_path) as db:
        with db.transaction() as session:
            factories.open_mini_wave(session, opens_on=dt.date(2026, 1, 1))
            district = factories.area(session, name="Chi Lăng")
            for number in range(MANAGERS):
                coop = factories.cooperative(session, in_area=district, name=f"HTX {number}")
                factories.user(
                    session, role=Role.MANAGER, username=f"giamdoc{number}", cooperatives=(coop,)
                )
        yield db
