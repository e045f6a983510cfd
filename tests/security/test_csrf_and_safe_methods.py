"""Walks the application's own route table: every unsafe route demands the CSRF token and the
site's own origin, and no GET or HEAD changes stored state."""

from __future__ import annotations

import hashlib
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from app.accounts.models import Role
from app.tables import metadata
from tests import factories
from tests.conftest import page_csrf, sign_in
from tests.security.routes import all_routes

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
PARAM = re.compile(r"{(\w+)(:\w+)?}")


def routes(app: FastAPI, methods: set[str]) -> list[tuple[str, str]]:
    return all_routes(app, methods)


def concrete(path: str, value: str = "1") -> str:
    return PARAM.sub(value, path)


def state_digest(session: Session) -> str:
    """A fingerprint of every stored row (sessions' last-seen times excluded)."""
    digest = hashlib.sha256()
    for table in sorted(metadata.tables):
        columns = [c["name"] for c in inspect(session.connection()).get_columns(table)]
        if table == "auth_sessions":
            columns.remove("last_seen_at")
        rows = session.execute(text(f"SELECT {', '.join(columns)} FROM {table} ORDER BY 1")).all()
        digest.update(f"{table}:{rows!r}".encode())
    return digest.hexdigest()


class TestUnsafeRoutes:
    def test_every_unsafe_route__refuses_a_missing_token(
        self, client: TestClient, app: FastAPI, session: Session
    ) -> None:
        factories.user(session, role=Role.ADMIN, username="quantri")
        sign_in(client, "quantri", factories.PASSWORD)
        unsafe = routes(app, UNSAFE)
        assert unsafe, "no unsafe routes found"
        for method, path in unsafe:
            reply = client.request(method, concrete(path), data={"x": "1"})
            assert reply.status_code == 403, (method, path, reply.status_code)

    def test_every_unsafe_route__refuses_a_wrong_token(
        self, client: TestClient, app: FastAPI, session: Session
    ) -> None:
        factories.user(session, role=Role.ADMIN, username="quantri2")
        sign_in(client, "quantri2", factories.PASSWORD)
        for method, path in routes(app, UNSAFE):
            reply = client.request(
                method,
                concrete(path),
                data={"csrf_token": "f" * 64},
                headers={"X-CSRF-Token": "f" * 64},
            )
            assert reply.status_code == 403, (method, path, reply.status_code)

    def test_every_unsafe_route__refuses_a_foreign_origin_even_with_the_token(
        self, client: TestClient, app: FastAPI, session: Session
    ) -> None:
        factories.user(session, role=Role.ADMIN, username="quantri3")
        sign_in(client, "quantri3", factories.PASSWORD)
        token = page_csrf(client)
        for method, path in routes(app, UNSAFE):
            reply = client.request(
                method,
                concrete(path),
                data={"csrf_token": token},
                headers={"Origin": "https://evil.example"},
            )
            assert reply.status_code == 403, (method, path, reply.status_code)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ADVISOR, Role.STEERING, Role.MANAGER, None])
def test_no_get_or_head__changes_stored_state(
    client: TestClient, app: FastAPI, session: Session, role: Role | None
) -> None:
    district = factories.area(session, name="Huyện GET")
    coop = factories.cooperative(session, in_area=district)
    if role is not None:
        factories.user(session, role=role, username="nguoixem", cooperatives=(coop,))
        sign_in(client, "nguoixem", factories.PASSWORD)
        client.get("/")  # settle anything sign-in itself writes
    before = state_digest(session)
    for method, path in routes(app, {"GET", "HEAD"}):
        for value in ("1", str(coop.id)):
            reply = client.request(method, concrete(path, value))
            assert reply.status_code < 500, (method, path, reply.status_code)
    assert state_digest(session) == before
