"""Small things an attacker or time uses: dead sessions and codes, cookies, search wildcards."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import admin as account_admin
from app.accounts import onboarding
from app.accounts import service as accounts
from app.accounts.models import AuthSession, Role, SignInCode
from app.config import Settings
from app.db import utcnow
from tests import factories
from tests.conftest import TEST_SECRET, csrf_from, portal_app, sign_in


class TestPurge:
    def test_signing_in__deletes_expired_sessions_and_spent_codes(
        self, client: TestClient, session: Session
    ) -> None:
        old = factories.user(session, username="cu_qua")
        accounts.start_session(session, user=old, ip_address=None, user_agent=None)
        live = accounts.start_session(session, user=old, ip_address=None, user_agent=None)
        spent = onboarding.issue_code(session, user=old)
        rows = list(session.scalars(select(AuthSession).where(AuthSession.user_id == old.id)))
        stale = next(r for r in rows if r.token_hash != accounts._hash_token(live))
        stale.last_seen_at = utcnow() - dt.timedelta(hours=3)  # idle timeout is 2 hours
        code = session.scalars(select(SignInCode).where(SignInCode.user_id == old.id)).one()
        code.used_at = utcnow() - dt.timedelta(days=2)
        session.flush()
        assert spent.code

        factories.user(session, username="nguoi_khac")
        sign_in(client, "nguoi_khac", factories.PASSWORD)

        remaining = set(session.scalars(select(AuthSession.token_hash)))
        assert accounts._hash_token(live) in remaining
        assert stale.token_hash not in remaining
        assert session.scalars(select(SignInCode).where(SignInCode.user_id == old.id)).all() == []


class TestCookies:
    def test_the_language_cookie__is_secure_when_https_is_on(
        self, session: Session, database_url: str
    ) -> None:
        settings = Settings(environment="test", secret_key=TEST_SECRET, https=True)
        app = portal_app(session, settings, database_url)
        with TestClient(app, base_url="https://portal.example", follow_redirects=False) as c:
            token = csrf_from(c.get("/signin").text)
            reply = c.post("/lang", data={"lang": "en", "next": "/", "csrf_token": token})
        cookie = reply.headers["set-cookie"].lower()
        assert cookie.startswith("htxso_lang=en")
        assert "secure" in cookie

    def test_the_language_cookie__is_plain_over_http(self, client: TestClient) -> None:
        token = csrf_from(client.get("/signin").text)
        reply = client.post("/lang", data={"lang": "en", "next": "/", "csrf_token": token})
        assert "secure" not in reply.headers["set-cookie"].lower()


class TestAccountSearch:
    def test_percent_and_underscore__are_searched_as_themselves(self, session: Session) -> None:
        factories.user(session, username="nguyen_van_a", full_name="Nguyễn Văn A")
        factories.user(session, username="nguyenxvanxb", full_name="Giảm 100% phí")
        factories.user(session, username="tran_thi_c", full_name="Trần Thị C", role=Role.ADVISOR)

        def found(term: str) -> list[str]:
            page, _ = account_admin.list_accounts(session, search=term)
            return [a.user.username for a in page]

        assert found("%") == ["nguyenxvanxb"]
        assert found("n_v") == ["nguyen_van_a"]
        assert found("_") == ["nguyen_van_a", "tran_thi_c"]
