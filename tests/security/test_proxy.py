"""The client's address comes from a proxy's headers only when that proxy is configured."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import SignInAttempt
from app.config import Settings
from tests.conftest import TEST_SECRET, csrf_from, portal_app


def failed_sign_in_address(client: TestClient, session: Session, forwarded: str) -> str | None:
    token = csrf_from(client.get("/signin").text)
    reply = client.post(
        "/signin",
        data={"username": "ai_do", "password": "wrong guess!", "csrf_token": token},
        headers={"X-Forwarded-For": forwarded},
    )
    assert reply.status_code == 422
    return session.scalars(
        select(SignInAttempt.ip_address).where(SignInAttempt.username == "ai_do")
    ).one()


def clients(session: Session, database_url: str, **settings: str) -> Iterator[TestClient]:
    config = Settings(environment="test", secret_key=TEST_SECRET, **settings)  # type: ignore[arg-type]
    with TestClient(portal_app(session, config, database_url), follow_redirects=False) as client:
        yield client


def test_x_forwarded_for__is_ignored_by_default(client: TestClient, session: Session) -> None:
    assert Settings().forwarded_allow_ips == ""
    assert failed_sign_in_address(client, session, "198.51.100.7") == "testclient"


def test_x_forwarded_for__is_believed_from_a_configured_proxy(
    session: Session, database_url: str
) -> None:
    # The test client's address is "testclient"; a configured proxy is trusted by its address.
    for client in clients(session, database_url, forwarded_allow_ips="testclient"):
        assert failed_sign_in_address(client, session, "198.51.100.7") == "198.51.100.7"


def test_a_proxy_not_in_the_setting__is_not_believed(session: Session, database_url: str) -> None:
    for client in clients(session, database_url, forwarded_allow_ips="10.0.0.2"):
        assert failed_sign_in_address(client, session, "198.51.100.7") == "testclient"
