"""A manager's first sign-in with a one-time code: code, then a password of their own, then home."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts import onboarding
from app.accounts.models import AuthSession, Role, SignInCode, User
from app.accounts.passwords import verify_password
from app.audit.models import AuditEvent
from app.db import utcnow
from app.web.security import SESSION_COOKIE
from tests import factories
from tests.conftest import csrf_from, sign_in

NEW_PASSWORD = "ba con ga trong vuon nha"


@pytest.fixture
def manager(session: Session) -> User:
    cooperative = factories.cooperative(session, name="HTX Na Chi Lăng")
    user = factories.user(
        session, role=Role.MANAGER, username="htx4900000001", cooperatives=(cooperative,)
    )
    user.password_hash = None
    session.flush()
    return user


def enter_code(client: TestClient, username: str, code: str) -> Any:
    token = csrf_from(client.get("/signin/code").text)
    return client.post(
        "/signin/code", data={"username": username, "code": code, "csrf_token": token}
    )


def set_password(
    client: TestClient, page: str, username: str, code: str, password: str, confirm: str
) -> Any:
    return client.post(
        "/signin/code/password",
        data={
            "username": username,
            "code": code,
            "password": password,
            "confirm": confirm,
            "csrf_token": csrf_from(page),
        },
    )


def events(session: Session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


class TestCodePage:
    def test_the_sign_in_page__links_to_the_code_page(self, client: TestClient) -> None:
        assert 'href="/signin/code"' in client.get("/signin").text

    def test_the_code_page__asks_for_username_and_code_in_vietnamese(
        self, client: TestClient
    ) -> None:
        page = client.get("/signin/code")
        assert page.status_code == 200
        assert "Đăng nhập bằng mã dùng một lần" in page.text
        assert 'name="code"' in page.text


class TestSignInWithCode:
    def test_the_right_code__asks_for_a_password_without_using_the_code_yet(
        self, client: TestClient, session: Session, manager: User
    ) -> None:
        code = onboarding.issue_code(session, user=manager).code
        page = enter_code(client, "htx4900000001", code)
        assert page.status_code == 200
        assert "Đặt mật khẩu của bạn" in page.text
        assert client.cookies.get(SESSION_COOKIE) is None
        assert onboarding.check_code(session, username="htx4900000001", code=code)[0] == (
            onboarding.CodeCheck.OK
        )

    def test_setting_the_password__signs_in_lands_home_and_spends_the_code(
        self, client: TestClient, session: Session, manager: User
    ) -> None:
        code = onboarding.issue_code(session, user=manager).code
        page = enter_code(client, "htx4900000001", code).text
        done = set_password(client, page, "htx4900000001", code, NEW_PASSWORD, NEW_PASSWORD)
        assert done.status_code == 303
        assert done.headers["location"] == "/"
        assert client.cookies.get(SESSION_COOKIE)
        home = client.get("/")
        assert home.status_code == 200
        assert "HTX Na Chi Lăng" in home.text
        session.refresh(manager)
        assert verify_password(manager.password_hash, NEW_PASSWORD)
        assert onboarding.check_code(session, username="htx4900000001", code=code)[0] == (
            onboarding.CodeCheck.USED
        )
        [event] = events(session, "signin")
        assert event.actor_username == "htx4900000001"
        assert event.detail == {"method": "code"}
        # From now on the password works.
        client.cookies.clear()
        sign_in(client, "htx4900000001", NEW_PASSWORD)

    def test_a_used_code__is_refused_the_second_time(
        self, client: TestClient, session: Session, manager: User
    ) -> None:
        code = onboarding.issue_code(session, user=manager).code
        page = enter_code(client, "htx4900000001", code).text
        set_password(client, page, "htx4900000001", code, NEW_PASSWORD, NEW_PASSWORD)
        client.cookies.clear()
        again = enter_code(client, "htx4900000001", code)
        assert again.status_code == 422
        assert "Mã này đã được sử dụng" in again.text
        replay = set_password(
            client,
            again.text,
            "htx4900000001",
            code,
            "mot mat khau khac nua",
            "mot mat khau khac nua",
        )
        assert replay.status_code == 422
        session.refresh(manager)
        assert verify_password(manager.password_hash, NEW_PASSWORD)

    def test_an_expired_code__says_to_ask_for_a_new_one(
        self, client: TestClient, session: Session, manager: User
    ) -> None:
        code = onboarding.issue_code(session, user=manager).code
        session.execute(
            update(SignInCode)
            .where(SignInCode.user_id == manager.id)
            .values(expires_at=utcnow() - dt.timedelta(minutes=1))
        )
        response = enter_code(client, "htx4900000001", code)
        assert response.status_code == 422
        assert "không còn hiệu lực" in response.text

    def test_a_wrong_code__is_refused_and_recorded_with_the_username_and_address(
        self, client: TestClient, session: Session, manager: User
    ) -> None:
        onboarding.issue_code(session, user=manager)
        response = enter_code(client, "htx4900000001", "AAAAA-BBBBB")
        assert response.status_code == 422
        assert "Tên đăng nhập hoặc mã không đúng." in response.text
        [event] = events(session, "signin.failed")
        assert event.actor_id is None
        assert event.detail == {"username": "htx4900000001", "method": "code", "reason": "wrong"}
        assert event.ip_address

    def test_guessing_codes__is_throttled(
        self, client: TestClient, session: Session, manager: User
    ) -> None:
        code = onboarding.issue_code(session, user=manager).code
        # Three wrong codes are free; then even the right one waits (growing delays).
        for _ in range(3):
            assert enter_code(client, "htx4900000001", "AAAAA-BBBBB").status_code == 422
        response = enter_code(client, "htx4900000001", code)
        assert response.status_code == 429
        assert "Vui lòng đợi 15 giây" in response.text

    def test_a_weak_password__is_refused_beside_the_field_and_the_code_still_works(
        self, client: TestClient, session: Session, manager: User
    ) -> None:
        code = onboarding.issue_code(session, user=manager).code
        page = enter_code(client, "htx4900000001", code).text
        weak = set_password(client, page, "htx4900000001", code, "123456", "123456")
        assert weak.status_code == 422
        assert "ít nhất 10 ký tự" in weak.text
        differ = set_password(
            client, weak.text, "htx4900000001", code, NEW_PASSWORD, NEW_PASSWORD + "!"
        )
        assert differ.status_code == 422
        assert "Hai mật khẩu không giống nhau." in differ.text
        assert client.cookies.get(SESSION_COOKIE) is None
        done = set_password(client, differ.text, "htx4900000001", code, NEW_PASSWORD, NEW_PASSWORD)
        assert done.status_code == 303

    def test_setting_a_password__ends_the_accounts_other_sessions(
        self, client: TestClient, session: Session, manager: User, app: Any
    ) -> None:
        manager.password_hash = None
        code = onboarding.issue_code(session, user=manager).code
        session.add(AuthSession(token_hash="x" * 64, user_id=manager.id, created_at=utcnow()))
        session.flush()
        page = enter_code(client, "htx4900000001", code).text
        set_password(client, page, "htx4900000001", code, NEW_PASSWORD, NEW_PASSWORD)
        hashes = session.scalars(
            select(AuthSession.token_hash).where(AuthSession.user_id == manager.id)
        ).all()
        assert len(hashes) == 1
        assert "x" * 64 not in hashes


class TestPasswordSignInAudit:
    def test_a_sign_in__is_recorded_with_its_address(
        self, client: TestClient, session: Session
    ) -> None:
        factories.user(session, role=Role.ADVISOR, username="canbo")
        sign_in(client, "canbo", factories.PASSWORD)
        [event] = events(session, "signin")
        assert event.actor_username == "canbo"
        assert event.detail == {"method": "password"}
        assert event.ip_address

    def test_a_failed_sign_in__is_recorded_with_the_username_tried(
        self, client: TestClient, session: Session
    ) -> None:
        token = csrf_from(client.get("/signin").text)
        client.post(
            "/signin", data={"username": "ai-do", "password": "doan thu xem", "csrf_token": token}
        )
        [event] = events(session, "signin.failed")
        assert event.actor_id is None
        assert event.detail == {"username": "ai-do", "method": "password"}
        assert event.ip_address
        assert events(session, "signin") == []
