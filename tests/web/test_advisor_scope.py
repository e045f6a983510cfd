"""An advisor's view fails closed: no area is no cooperative; the province is an explicit grant."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app import migrate
from app.accounts import service as accounts
from app.accounts.models import Role, User
from app.areas.models import Area
from app.audit.models import AuditEvent
from app.db import Database
from tests import factories
from tests.conftest import page_csrf, scratch_database, sign_in


@pytest.fixture
def province(session: Session) -> dict[str, int]:
    north = factories.area(session, name="Bắc Sơn")
    south = factories.area(session, name="Hữu Lũng")
    one = factories.cooperative(session, in_area=north, name="HTX Bắc")
    two = factories.cooperative(session, in_area=south, name="HTX Nam")
    return {"north": north.id, "south": south.id, "one": one.id, "two": two.id}


def visible(session: Session, user: User) -> set[int]:
    return set(session.scalars(accounts.accessible_cooperative_ids(session, user=user)))


class TestScope:
    def test_an_advisor_with_an_area__sees_its_cooperatives_only(
        self, session: Session, province: dict[str, int]
    ) -> None:
        north = session.get_one(Area, province["north"])
        advisor = factories.user(session, username="canbo_bac", areas=(north,))
        assert visible(session, advisor) == {province["one"]}

    def test_an_advisor_with_no_area_and_no_grant__sees_nothing(
        self, session: Session, province: dict[str, int]
    ) -> None:
        advisor = factories.user(session, username="canbo_moi", whole_province=False)
        assert visible(session, advisor) == set()
        assert accounts.sees_nothing(session, user=advisor)

    def test_the_whole_province__is_a_grant(
        self, session: Session, province: dict[str, int]
    ) -> None:
        advisor = factories.user(session, username="canbo_tinh", whole_province=True)
        assert {province["one"], province["two"]} <= visible(session, advisor)
        assert not accounts.sees_nothing(session, user=advisor)


class TestRemovingTheLastArea:
    def test_leaves_the_advisor_seeing_nothing_and_told_so(
        self, signed_in_admin: TestClient, session: Session, province: dict[str, int]
    ) -> None:
        north = session.get_one(Area, province["north"])
        advisor = factories.user(session, username="canbo_mat", areas=(north,))
        token = page_csrf(signed_in_admin, f"/admin/accounts/{advisor.id}")
        reply = signed_in_admin.post(
            f"/admin/accounts/{advisor.id}/areas/{north.id}/remove", data={"csrf_token": token}
        )
        assert reply.status_code == 303
        assert visible(session, advisor) == set()
        page = signed_in_admin.get(f"/admin/accounts/{advisor.id}").text
        assert "chưa xem được HTX nào" in page

        signed_in_admin.cookies.clear()
        sign_in(signed_in_admin, "canbo_mat", factories.PASSWORD)
        home = signed_in_admin.get("/")
        assert "Tài khoản của bạn chưa được giao địa bàn nào" in home.text
        assert "HTX Bắc" not in home.text
        assert signed_in_admin.get("/api/v1/cooperatives").json() == []


class TestGrantingTheProvince:
    def test_an_administrator_grants_and_withdraws_it_and_each_is_audited(
        self, signed_in_admin: TestClient, session: Session, province: dict[str, int]
    ) -> None:
        advisor = factories.user(session, username="canbo_cap", whole_province=False)
        path = f"/admin/accounts/{advisor.id}/whole-province"
        token = page_csrf(signed_in_admin, f"/admin/accounts/{advisor.id}")
        reply = signed_in_admin.post(path, data={"csrf_token": token, "granted": "true"})
        assert reply.status_code == 303
        session.refresh(advisor)
        assert advisor.whole_province
        assert (
            "Thu hồi quyền xem toàn tỉnh"
            in signed_in_admin.get(f"/admin/accounts/{advisor.id}").text
        )
        signed_in_admin.post(path, data={"csrf_token": token})
        session.refresh(advisor)
        assert not advisor.whole_province
        events = session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "account.scope")
        ).all()
        assert events == [{"whole_province": True}, {"whole_province": False}]

    def test_only_an_advisor__is_given_the_province(
        self, signed_in_admin: TestClient, session: Session
    ) -> None:
        manager = factories.user(session, username="giamdoc_x", role=Role.MANAGER)
        token = page_csrf(signed_in_admin, f"/admin/accounts/{manager.id}")
        reply = signed_in_admin.post(
            f"/admin/accounts/{manager.id}/whole-province",
            data={"csrf_token": token, "granted": "true"},
        )
        assert reply.status_code == 422


@pytest.fixture
def scratch_url(tmp_path: Path) -> Iterator[str]:
    with scratch_database(tmp_path) as url:
        yield url


def test_the_migration__keeps_province_wide_advisors_province_wide(scratch_url: str) -> None:
    migrate.upgrade(scratch_url, "7c41d2e9a8b3")
    db = Database(scratch_url)
    try:
        with db.transaction() as session:
            session.execute(
                text(
                    "INSERT INTO areas (id, code, name, level) "
                    "VALUES (1, 'D1', 'Chi Lăng', 'district')"
                )
            )
            for number, (name, role) in enumerate(
                [("tinh", "advisor"), ("huyen", "advisor"), ("bcd", "steering")], start=1
            ):
                session.execute(
                    text(
                        "INSERT INTO users (id, username, full_name, role, is_active, created_at) "
                        "VALUES (:id, :name, :name, :role, TRUE, CURRENT_TIMESTAMP)"
                    ),
                    {"id": number, "name": name, "role": role},
                )
            session.execute(text("INSERT INTO user_areas (user_id, area_id) VALUES (2, 1)"))
        migrate.upgrade(scratch_url)
        with db.read_sessions() as session:
            granted = dict(
                session.execute(text("SELECT username, whole_province FROM users")).all()
            )
        assert {k: bool(v) for k, v in granted.items()} == {
            "tinh": True,
            "huyen": False,
            "bcd": False,
        }
    finally:
        db.dispose()
