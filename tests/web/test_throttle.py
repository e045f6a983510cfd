"""Sign-in throttling: growing delays per account and per address, kept in the database, and no
lockout of the right password from the owner's own browser."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import throttle
from app.accounts.models import SignInAttempt
from app.config import Settings
from app.web.security import DEVICE_COOKIE
from tests import factories
from tests.conftest import TEST_SECRET, csrf_from, portal_app

WRONG = "wrong guess!"


def attempt(client: TestClient, username: str, password: str) -> int:
    token = csrf_from(client.get("/signin").text)
    reply = client.post(
        "/signin", data={"username": username, "password": password, "csrf_token": token}
    )
    return reply.status_code


def age_attempts(session: Session, by: dt.timedelta) -> None:
    """Move every recorded attempt back in time, as if the delay had passed."""
    for row in session.scalars(select(SignInAttempt)):
        row.at -= by
    session.flush()


@pytest.fixture
def stranger(app: FastAPI) -> Iterator[TestClient]:
    """Another browser on the same portal, which never signed in to the account."""
    with TestClient(app, follow_redirects=False) as other:
        yield other


class TestGrowingDelays:
    def test_three_failures_are_free__the_fourth_attempt_waits_even_with_the_right_password(
        self, client: TestClient, session: Session
    ) -> None:
        factories.user(session, username="canbo_t")
        assert [attempt(client, "canbo_t", WRONG) for _ in range(3)] == [422] * 3
        token = csrf_from(client.get("/signin").text)
        reply = client.post(
            "/signin",
            data={"username": "canbo_t", "password": factories.PASSWORD, "csrf_token": token},
        )
        assert reply.status_code == 429
        assert 0 < int(reply.headers["retry-after"]) <= 15
        assert "Vui lòng đợi" in reply.text
        assert "giây" in reply.text

    def test_once_the_delay_has_passed__the_right_password_signs_in(
        self, client: TestClient, session: Session
    ) -> None:
        factories.user(session, username="canbo_d")
        for _ in range(3):
            attempt(client, "canbo_d", WRONG)
        assert attempt(client, "canbo_d", factories.PASSWORD) == 429
        age_attempts(session, dt.timedelta(seconds=16))
        assert attempt(client, "canbo_d", factories.PASSWORD) == 303

    def test_each_failure__doubles_the_delay_up_to_fifteen_minutes(self) -> None:
        now = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)
        waits = [
            throttle.PER_ACCOUNT.wait(failures, now, now).total_seconds()
            for failures in range(2, 12)
        ]
        assert waits == [0, 15, 30, 60, 120, 240, 480, 900, 900, 900]
        assert throttle.PER_ACCOUNT.wait(5, now - dt.timedelta(minutes=2), now).total_seconds() == 0

    def test_the_message__is_the_same_for_an_unknown_account(
        self, client: TestClient, session: Session
    ) -> None:
        for _ in range(3):
            attempt(client, "khongtontai", WRONG)
        token = csrf_from(client.get("/signin").text)
        reply = client.post(
            "/signin", data={"username": "khongtontai", "password": "x", "csrf_token": token}
        )
        assert reply.status_code == 429
        assert "Vui lòng đợi 15 giây" in reply.text

    def test_one_address__is_slowed_across_accounts(self, session: Session) -> None:
        for number in range(throttle.PER_ADDRESS.free + 1):
            throttle.record_attempt(
                session, username=f"u{number}", ip_address="203.0.113.9", succeeded=False
            )
        assert throttle.wait(session, username="someone-new", ip_address="203.0.113.9")
        assert not throttle.wait(session, username="someone-new", ip_address="203.0.113.10")

    def test_a_success__clears_the_accounts_failures(
        self, client: TestClient, session: Session
    ) -> None:
        factories.user(session, username="canbo_s")
        for _ in range(2):
            attempt(client, "canbo_s", WRONG)
        assert attempt(client, "canbo_s", factories.PASSWORD) == 303
        assert not throttle.wait(session, username="canbo_s", ip_address=None)


class TestLockoutAbuse:
    def test_a_strangers_failures__never_hold_back_the_owner_on_a_known_device(
        self, client: TestClient, stranger: TestClient, session: Session
    ) -> None:
        factories.user(session, username="giamdoc_k")
        assert attempt(client, "giamdoc_k", factories.PASSWORD) == 303
        assert client.cookies.get(DEVICE_COOKIE)
        client.post("/signout", data={"csrf_token": csrf_from(client.get("/").text)})
        # Someone who knows the username tries to keep its owner out.
        for _ in range(12):
            attempt(stranger, "giamdoc_k", WRONG)
        assert attempt(stranger, "giamdoc_k", factories.PASSWORD) == 429
        assert attempt(client, "giamdoc_k", factories.PASSWORD) == 303

    def test_a_known_device__has_growing_delays_of_its_own(
        self, client: TestClient, session: Session
    ) -> None:
        factories.user(session, username="giamdoc_m")
        assert attempt(client, "giamdoc_m", factories.PASSWORD) == 303
        client.post("/signout", data={"csrf_token": csrf_from(client.get("/").text)})
        assert [attempt(client, "giamdoc_m", WRONG) for _ in range(3)] == [422] * 3
        assert attempt(client, "giamdoc_m", factories.PASSWORD) == 429

    def test_a_device_cookie__is_worth_nothing_for_another_account_or_forged(self) -> None:
        token = throttle.device_token(TEST_SECRET, username="giamdoc_a")
        assert throttle.is_known_device(TEST_SECRET, username="giamdoc_a", token=token)
        assert not throttle.is_known_device(TEST_SECRET, username="giamdoc_b", token=token)
        assert not throttle.is_known_device(TEST_SECRET, username="giamdoc_a", token="x.y")
        assert not throttle.is_known_device(TEST_SECRET, username="giamdoc_a", token=None)


def test_the_delays__hold_across_workers(session: Session, database_url: str) -> None:
    """Two application instances (two workers) on one database see the same failures."""
    settings = Settings(environment="test", secret_key=TEST_SECRET)
    factories.user(session, username="canbo_w")
    with (
        TestClient(portal_app(session, settings, database_url), follow_redirects=False) as one,
        TestClient(portal_app(session, settings, database_url), follow_redirects=False) as two,
    ):
        for _ in range(3):
            attempt(one, "canbo_w", WRONG)
        assert attempt(two, "canbo_w", factories.PASSWORD) == 429
