"""Sign-in throttling, kept in the database so it holds across workers."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts import throttle
from tests import factories
from tests.conftest import csrf_from


def attempt(client: TestClient, username: str, password: str) -> int:
    token = csrf_from(client.get("/signin").text)
    reply = client.post(
        "/signin", data={"username": username, "password": password, "csrf_token": token}
    )
    return reply.status_code


class TestThrottle:
    def test_after_five_failures__even_the_right_password_waits(
        self, client: TestClient, session: Session
    ) -> None:
        factories.user(session, username="canbo_t")
        assert [attempt(client, "canbo_t", "wrong guess!") for _ in range(5)] == [422] * 5
        assert attempt(client, "canbo_t", factories.PASSWORD) == 429
        page = client.get("/signin")
        assert page.status_code == 200

    def test_the_message__is_the_same_for_an_unknown_account(
        self, client: TestClient, session: Session
    ) -> None:
        for _ in range(5):
            attempt(client, "khongtontai", "wrong guess!")
        token = csrf_from(client.get("/signin").text)
        reply = client.post(
            "/signin", data={"username": "khongtontai", "password": "x", "csrf_token": token}
        )
        assert reply.status_code == 429
        assert "Vui lòng đợi 15 phút" in reply.text

    def test_one_address__is_throttled_across_accounts(self, session: Session) -> None:
        for number in range(throttle.MAX_FAILURES_PER_ADDRESS):
            throttle.record_attempt(
                session, username=f"u{number}", ip_address="203.0.113.9", succeeded=False
            )
        assert throttle.is_throttled(session, username="someone-new", ip_address="203.0.113.9")
        assert not throttle.is_throttled(session, username="someone-new", ip_address="203.0.113.10")

    def test_a_success__clears_the_accounts_failures(
        self, client: TestClient, session: Session
    ) -> None:
        factories.user(session, username="canbo_s")
        for _ in range(4):
            attempt(client, "canbo_s", "wrong guess!")
        assert attempt(client, "canbo_s", factories.PASSWORD) == 303
        assert not throttle.is_throttled(session, username="canbo_s", ip_address=None)
