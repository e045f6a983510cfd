"""Schemathesis drives every operation of the OpenAPI schema (the JSON API and the form
endpoints) with generated input, signed in as an administrator and as a manager: bad input
is a clear 4xx, never a server error."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from sqlalchemy.orm import Session

from app.accounts.models import Role
from app.web.security import SESSION_COOKIE
from tests import factories
from tests.conftest import page_csrf, sign_in
from tests.strategies import BIG_INTEGERS, CONTROL_TEXT


@pytest.fixture
def signed_in(client: TestClient, session: Session) -> dict[str, Any]:
    district = factories.area(session, name="Huyện Fuzz")
    coop = factories.cooperative(session, in_area=district)
    factories.user(session, role=Role.ADMIN, username="fuzzadmin", cooperatives=(coop,))
    sign_in(client, "fuzzadmin", factories.PASSWORD)
    return {
        "cookies": {SESSION_COOKIE: client.cookies.get(SESSION_COOKIE)},
        "headers": {"X-CSRF-Token": page_csrf(client)},
    }


def test_generated_requests__never_get_a_server_error(
    app: FastAPI, signed_in: dict[str, Any]
) -> None:
    # The schema itself is for signed-in readers only.
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app, cookies=signed_in["cookies"])
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(
            max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        @given(case=operation.as_strategy())
        def exercise(case: Any) -> None:
            response = case.call(cookies=signed_in["cookies"], headers=signed_in["headers"])
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.text[:200]}")

        exercise()
    assert operations > 10
    assert failures == []


def _hostile(value: Any, big: int, text: str) -> Any:
    """An integer beyond 64 bits for an integer, control characters for a string."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return big
    if isinstance(value, str):
        return text
    return value


def test_big_integers_and_control_characters__never_get_a_server_error(
    app: FastAPI, signed_in: dict[str, Any]
) -> None:
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app, cookies=signed_in["cookies"])
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=4, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        @given(case=operation.as_strategy(), big=BIG_INTEGERS, text=CONTROL_TEXT)
        def exercise(case: Any, big: int, text: str) -> None:
            for name in ("path_parameters", "query"):
                values = getattr(case, name)
                if values:
                    setattr(case, name, {k: _hostile(v, big, text) for k, v in values.items()})
            if isinstance(case.body, dict):
                case.body = {k: _hostile(v, big, text) for k, v in case.body.items()}
            response = case.call(cookies=signed_in["cookies"], headers=signed_in["headers"])
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.text[:200]}")

        exercise()
    assert failures == []
