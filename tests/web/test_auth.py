"""Sign-in, sign-out, sessions, CSRF and the Origin check."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts.models import AuthSession, Role
from app.web.security import SESSION_COOKIE
from tests import factories
from tests.conftest import csrf_from, page_csrf, sign_in


class TestSignIn:
    def test_sign_in_page__is_vietnamese_with_a_csrf_token(self, client: TestClient) -> None:
        page = client.get("/signin")
        assert page.status_code == 200
        assert "Đăng nhập" in page.text
        assert '<html lang="vi"' in page.text
        assert csrf_from(page.text)

    def test_right_password__starts_a_session_and_lands_home(
        self, client: TestClient, session: Session
    ) -> None:
        factories.user(session, role=Role.ADMIN, username="quantri")
        sign_in(client, "quantri", factories.PASSWORD)
        cookie = client.cookies.get(SESSION_COOKIE)
        assert cookie
        assert len(cookie) >= 32
        home = client.get("/")
        assert home.status_code == 200
        assert "Quản trị" in home.text

    def test_username__is_case_insensitive(self, client: TestClient, session: Session) -> None:
        factories.user(session, username="canbo1")
        sign_in(client, "  CanBo1 ", factories.PASSWORD)
        assert client.get("/").status_code == 200

    def test_wrong_password_and_unknown_user__get_the_same_answer(
        self, client: TestClient, session: Session
    ) -> None:
        factories.user(session, username="canbo2")
        answers = []
        for username in ("canbo2", "nobody"):
            token = csrf_from(client.get("/signin").text)
            response = client.post(
                "/signin",
                data={"username": username, "password": "wrong password!", "csrf_token": token},
            )
            answers.append((response.status_code, response.text.replace(username, "")))
        assert answers[0][0] == answers[1][0] == 422
        assert answers[0][1] == answers[1][1]
        assert "Tên đăng nhập hoặc mật khẩu không đúng" in answers[0][1]
        assert client.cookies.get(SESSION_COOKIE) is None

    def test_control_characters_in_the_username__are_a_wrong_sign_in_not_an_error(
        self, client: TestClient, session: Session
    ) -> None:
        factories.user(session, username="canbo2")
        for username in ("\x00", "canbo2\x00", "\x1b[2J"):
            token = csrf_from(client.get("/signin").text)
            response = client.post(
                "/signin",
                data={"username": username, "password": "wrong password!", "csrf_token": token},
            )
            assert response.status_code == 422, username
            assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.text

    def test_disabled_account__cannot_sign_in(self, client: TestClient, session: Session) -> None:
        user = factories.user(session, username="nghiviec")
        user.is_active = False
        session.flush()
        token = csrf_from(client.get("/signin").text)
        response = client.post(
            "/signin",
            data={"username": "nghiviec", "password": factories.PASSWORD, "csrf_token": token},
        )
        assert response.status_code == 422

    def test_next__only_redirects_within_the_site(
        self, client: TestClient, session: Session
    ) -> None:
        factories.user(session, username="canbo3")
        token = csrf_from(client.get("/signin").text)
        response = client.post(
            "/signin",
            data={
                "username": "canbo3",
                "password": factories.PASSWORD,
                "csrf_token": token,
                "next": "//evil.example/steal",
            },
        )
        assert response.headers["location"] == "/"

    def test_each_sign_in__issues_a_new_token_and_drops_the_old(
        self, client: TestClient, session: Session
    ) -> None:
        factories.user(session, username="canbo4")
        sign_in(client, "canbo4", factories.PASSWORD)
        first = client.cookies.get(SESSION_COOKIE)
        token = page_csrf(client)
        # Signing in again from the same browser rotates the token.
        response = client.post(
            "/signin",
            data={"username": "canbo4", "password": factories.PASSWORD, "csrf_token": token},
        )
        assert response.status_code == 303
        second = client.cookies.get(SESSION_COOKIE)
        assert second
        assert second != first
        client.cookies.clear()
        client.cookies.set(SESSION_COOKIE, first or "")
        assert client.get("/").status_code == 303

    def test_a_token_planted_before_sign_in__is_not_accepted_after(
        self, client: TestClient, session: Session
    ) -> None:
        factories.user(session, username="canbo5")
        client.cookies.set(SESSION_COOKIE, "planted-by-an-attacker", domain="testserver.local")
        sign_in(client, "canbo5", factories.PASSWORD)
        assert client.cookies.get(SESSION_COOKIE) != "planted-by-an-attacker"


class TestSessions:
    def test_anonymous__is_sent_to_sign_in(self, client: TestClient) -> None:
        response = client.get("/")
        assert response.status_code == 303
        assert response.headers["location"] == "/signin?next=/"

    def test_sign_out__ends_the_session_on_the_server(
        self, client: TestClient, session: Session
    ) -> None:
        factories.user(session, username="canbo6")
        sign_in(client, "canbo6", factories.PASSWORD)
        token = client.cookies.get(SESSION_COOKIE)
        response = client.post("/signout", data={"csrf_token": page_csrf(client)})
        assert response.status_code == 303
        assert session.scalars(select(AuthSession)).all() == []
        client.cookies.clear()
        client.cookies.set(SESSION_COOKIE, token or "")
        assert client.get("/").status_code == 303

    def test_idle_session__expires(self, client: TestClient, session: Session) -> None:
        factories.user(session, username="canbo7")
        sign_in(client, "canbo7", factories.PASSWORD)
        session.execute(
            update(AuthSession).values(last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=3))
        )
        assert client.get("/").status_code == 303

    def test_old_session__expires_however_active(
        self, client: TestClient, session: Session
    ) -> None:
        factories.user(session, username="canbo8")
        sign_in(client, "canbo8", factories.PASSWORD)
        session.execute(
            update(AuthSession).values(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=8))
        )
        assert client.get("/").status_code == 303

    def test_activity__extends_the_idle_timeout(self, client: TestClient, session: Session) -> None:
        factories.user(session, username="canbo9")
        sign_in(client, "canbo9", factories.PASSWORD)
        stale = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)
        session.execute(update(AuthSession).values(last_seen_at=stale))
        assert client.get("/").status_code == 200
        refreshed = session.scalars(select(AuthSession.last_seen_at)).one()
        assert refreshed > stale + dt.timedelta(minutes=29)

    def test_disabling_an_account__ends_its_sessions_at_once(
        self, client: TestClient, session: Session
    ) -> None:
        user = factories.user(session, username="canbo10")
        sign_in(client, "canbo10", factories.PASSWORD)
        user.is_active = False
        session.flush()
        assert client.get("/").status_code == 303

    def test_session_cookie__is_httponly_and_lax(
        self, client: TestClient, session: Session
    ) -> None:
        factories.user(session, username="canbo11")
        page = client.get("/signin")
        response = client.post(
            "/signin",
            data={
                "username": "canbo11",
                "password": factories.PASSWORD,
                "csrf_token": csrf_from(page.text),
            },
        )
        cookie = response.headers["set-cookie"].lower()
        assert "httponly" in cookie
        assert "samesite=lax" in cookie


class TestCsrf:
    def test_a_post_without_token__is_refused(self, client: TestClient, session: Session) -> None:
        factories.user(session, username="canbo12")
        sign_in(client, "canbo12", factories.PASSWORD)
        response = client.post("/signout")
        assert response.status_code == 403
        assert session.scalars(select(AuthSession)).all() != []

    def test_a_wrong_token__is_refused(self, client: TestClient, session: Session) -> None:
        factories.user(session, username="canbo13")
        sign_in(client, "canbo13", factories.PASSWORD)
        response = client.post("/signout", data={"csrf_token": "0" * 64})
        assert response.status_code == 403
        assert "biểu mẫu không hợp lệ" in response.text

    def test_the_token_of_another_session__is_refused(
        self, client: TestClient, app: object, session: Session
    ) -> None:
        factories.user(session, username="canbo14")
        anonymous_token = csrf_from(client.get("/signin").text)
        sign_in(client, "canbo14", factories.PASSWORD)
        response = client.post("/signout", data={"csrf_token": anonymous_token})
        assert response.status_code == 403

    def test_the_token_in_a_header__is_accepted(self, client: TestClient, session: Session) -> None:
        factories.user(session, username="canbo15")
        sign_in(client, "canbo15", factories.PASSWORD)
        response = client.post("/signout", headers={"X-CSRF-Token": page_csrf(client)})
        assert response.status_code == 303

    def test_a_foreign_origin__is_refused_even_with_the_token(
        self, client: TestClient, session: Session
    ) -> None:
        factories.user(session, username="canbo16")
        sign_in(client, "canbo16", factories.PASSWORD)
        response = client.post(
            "/signout",
            data={"csrf_token": page_csrf(client)},
            headers={"Origin": "https://evil.example"},
        )
        assert response.status_code == 403
        assert "trang khác" in response.text

    def test_the_own_origin__is_accepted(self, client: TestClient, session: Session) -> None:
        factories.user(session, username="canbo17")
        sign_in(client, "canbo17", factories.PASSWORD)
        response = client.post(
            "/signout",
            data={"csrf_token": page_csrf(client)},
            headers={"Origin": "http://testserver"},
        )
        assert response.status_code == 303
