"""Changing one's password when signed in; a manager who forgot it asks their advisor for a code."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import onboarding
from app.accounts.models import AuthSession, PasswordRequest, Role, User
from app.accounts.passwords import verify_password
from app.audit.models import AuditEvent
from app.web.security import SESSION_COOKIE
from tests import factories
from tests.conftest import csrf_from, page_csrf, sign_in

NEW_PASSWORD = "ba con ga trong vuon nha"


@dataclass
class People:
    manager: User
    advisor: User
    elsewhere: User  # an advisor limited to another district


@pytest.fixture
def people(session: Session) -> People:
    district, other = (
        factories.area(session, name="Chi Lăng"),
        factories.area(session, name="Bắc Sơn"),
    )
    cooperative = factories.cooperative(session, in_area=district, name="HTX Na Chi Lăng")
    return People(
        manager=factories.user(
            session, role=Role.MANAGER, username="giamdoc", cooperatives=(cooperative,)
        ),
        advisor=factories.user(session, role=Role.ADVISOR, username="canbo", areas=(district,)),
        elsewhere=factories.user(session, role=Role.ADVISOR, username="canbo_bs", areas=(other,)),
    )


def change(client: TestClient, current: str, new: str, confirm: str | None = None) -> object:
    return client.post(
        "/account/password",
        data={
            "current": current,
            "password": new,
            "confirm": new if confirm is None else confirm,
            "csrf_token": page_csrf(client, "/account/password"),
        },
    )


def ask_for_code(client: TestClient, username: str) -> object:
    token = csrf_from(client.get("/signin/forgot").text)
    return client.post("/signin/forgot", data={"username": username, "csrf_token": token})


class TestChangePassword:
    def test_anonymous__is_sent_to_sign_in(self, client: TestClient, people: People) -> None:
        assert client.get("/account/password").status_code == 303

    def test_the_menu__offers_it(self, client: TestClient, people: People) -> None:
        sign_in(client, "giamdoc", factories.PASSWORD)
        assert 'href="/account/password"' in client.get("/").text

    def test_a_right_current_password__sets_the_new_one_and_confirms(
        self, client: TestClient, people: People, session: Session
    ) -> None:
        sign_in(client, "giamdoc", factories.PASSWORD)
        reply = change(client, factories.PASSWORD, NEW_PASSWORD)
        assert reply.status_code == 303  # type: ignore[attr-defined]
        session.refresh(people.manager)
        assert verify_password(people.manager.password_hash, NEW_PASSWORD)
        assert "Đã đổi mật khẩu." in client.get("/").text  # still signed in, and told so
        actions = session.scalars(select(AuditEvent.action)).all()
        assert "account.password" in actions

    def test_other_devices__are_signed_out(
        self, client: TestClient, people: People, session: Session
    ) -> None:
        sign_in(client, "giamdoc", factories.PASSWORD)
        this_browser = client.cookies.get(SESSION_COOKIE)
        client.cookies.clear()
        sign_in(client, "giamdoc", factories.PASSWORD)  # a second device
        change(client, factories.PASSWORD, NEW_PASSWORD)
        sessions = session.scalars(
            select(AuthSession).where(AuthSession.user_id == people.manager.id)
        ).all()
        assert len(sessions) == 1
        client.cookies.clear()
        client.cookies.set(SESSION_COOKIE, this_browser or "")
        assert client.get("/").status_code == 303

    @pytest.mark.parametrize(
        ("current", "new", "confirm", "message"),
        [
            ("sai mat khau roi", NEW_PASSWORD, NEW_PASSWORD, "Mật khẩu hiện tại không đúng."),
            (factories.PASSWORD, "ngan", "ngan", "ít nhất 10 ký tự"),
            (factories.PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "không khớp"),
        ],
    )
    def test_a_refused_change__says_why_and_keeps_the_old_password(
        self,
        client: TestClient,
        people: People,
        session: Session,
        current: str,
        new: str,
        confirm: str,
        message: str,
    ) -> None:
        sign_in(client, "giamdoc", factories.PASSWORD)
        reply = change(client, current, new, confirm)
        assert reply.status_code == 422  # type: ignore[attr-defined]
        assert message in reply.text  # type: ignore[attr-defined]
        session.refresh(people.manager)
        assert verify_password(people.manager.password_hash, factories.PASSWORD)


class TestForgotPassword:
    def test_the_sign_in_page__links_to_it(self, client: TestClient, people: People) -> None:
        assert 'href="/signin/forgot"' in client.get("/signin").text

    def test_the_page__says_who_gives_the_code(self, client: TestClient, people: People) -> None:
        page = client.get("/signin/forgot").text
        assert "cán bộ" in page
        assert "không gửi email" in page

    def test_a_request__reaches_the_advisor_of_that_district_only(
        self, client: TestClient, people: People, session: Session
    ) -> None:
        reply = ask_for_code(client, "giamdoc")
        assert reply.status_code == 303  # type: ignore[attr-defined]
        assert reply.headers["location"] == "/signin/code"  # type: ignore[attr-defined]
        assert "Đã gửi yêu cầu" in client.get("/signin/code").text
        sign_in(client, "canbo", factories.PASSWORD)
        assert 'id="password-requests"' in client.get("/").text
        page = client.get("/password-requests").text
        assert "giamdoc" in page
        assert "HTX Na Chi Lăng" in page
        client.cookies.clear()
        sign_in(client, "canbo_bs", factories.PASSWORD)
        assert 'id="password-requests"' not in client.get("/").text
        assert "giamdoc" not in client.get("/password-requests").text

    def test_asking_twice__makes_one_request(
        self, client: TestClient, people: People, session: Session
    ) -> None:
        ask_for_code(client, "giamdoc")
        ask_for_code(client, "giamdoc")
        assert len(session.scalars(select(PasswordRequest)).all()) == 1

    def test_an_unknown_username__gets_the_same_answer_and_stores_nothing(
        self, client: TestClient, people: People, session: Session
    ) -> None:
        known = ask_for_code(client, "giamdoc")
        unknown = ask_for_code(client, "khong_co_ai")
        assert known.status_code == unknown.status_code == 303  # type: ignore[attr-defined]
        assert known.headers["location"] == unknown.headers["location"]  # type: ignore[attr-defined]
        assert len(session.scalars(select(PasswordRequest)).all()) == 1

    def test_the_advisor__issues_a_code_that_lets_the_manager_set_a_password(
        self, client: TestClient, people: People, session: Session
    ) -> None:
        ask_for_code(client, "giamdoc")
        request_id = session.scalars(select(PasswordRequest.id)).one()
        sign_in(client, "canbo", factories.PASSWORD)
        reply = client.post(
            f"/password-requests/{request_id}/code",
            data={"csrf_token": page_csrf(client, "/password-requests")},
        )
        assert reply.status_code == 200
        code = reply.text.split('class="slip-code">')[1].split("<")[0]
        assert onboarding.check_code(session, username="giamdoc", code=code)[0] == "ok"
        handled = session.scalars(select(PasswordRequest)).one()
        assert handled.handled_by_id == people.advisor.id
        assert 'id="password-requests"' not in client.get("/").text

    def test_another_districts_advisor__cannot_issue_the_code(
        self, client: TestClient, people: People, session: Session
    ) -> None:
        ask_for_code(client, "giamdoc")
        request_id = session.scalars(select(PasswordRequest.id)).one()
        sign_in(client, "canbo_bs", factories.PASSWORD)
        reply = client.post(
            f"/password-requests/{request_id}/code", data={"csrf_token": page_csrf(client)}
        )
        assert reply.status_code == 404
        assert session.scalars(select(PasswordRequest)).one().handled_at is None
