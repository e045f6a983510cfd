"""Numbers no row can hold, in every integer a route takes: a 404 or a 422, never a 500."""

from __future__ import annotations

import re
from typing import Any, get_args

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import page_csrf
from tests.security.routes import api_routes

BIG = (2**63, 2**64, -(2**63) - 1, 10**30)


def _takes_int(field: Any) -> bool:
    annotation = field.field_info.annotation
    return annotation is int or int in get_args(annotation)


def integer_routes(app: FastAPI) -> list[tuple[str, str, list[str], list[str], list[str]]]:
    """(method, path, integer path, query and form parameters) of every route taking one."""
    found = []
    for path, route in api_routes(app.routes):
        dependant = route.dependant
        in_path = [f.name for f in dependant.path_params]
        in_query = [f.alias for f in dependant.query_params if _takes_int(f)]
        in_form = [f.alias for f in dependant.body_params if _takes_int(f)]
        integer_path = [f.name for f in dependant.path_params if _takes_int(f)]
        if integer_path or in_query or in_form:
            for method in sorted(route.methods):
                found.append((method, path, in_path, in_query, in_form))
    return found


@pytest.fixture
def admin(signed_in_admin: TestClient) -> TestClient:
    return signed_in_admin


def test_every_integer_a_route_takes__survives_numbers_beyond_64_bits(
    app: FastAPI, admin: TestClient
) -> None:
    routes = integer_routes(app)
    assert len(routes) >= 16
    headers = {"X-CSRF-Token": page_csrf(admin)}
    failures = []
    for method, template, in_path, in_query, in_form in routes:
        for big in BIG:
            path = template
            for name in in_path:
                path = path.replace("{" + name + "}", str(big) if name.endswith("id") else "1")
            # Any integer path parameter not named *_id (a step number) gets the number too.
            path = re.sub(r"\{[a-z_]+\}", str(big), path)
            reply = admin.request(
                method,
                path,
                params={name: str(big) for name in in_query},
                data={name: str(big) for name in in_form} if method != "GET" else None,
                headers=headers,
            )
            if reply.status_code >= 500 or (
                any(name.endswith("id") for name in in_path) and reply.status_code not in (404, 422)
            ):
                failures.append(f"{method} {path} {big}: {reply.status_code}")
            assert "content-security-policy" in reply.headers
    assert failures == []


def test_an_id_beyond_64_bits__is_a_page_that_does_not_exist(admin: TestClient) -> None:
    reply = admin.get(f"/admin/accounts/{2**64}")
    assert reply.status_code == 404
    assert "Không tìm thấy trang" in reply.text


def test_a_form_number_beyond_64_bits__is_a_clear_422(admin: TestClient, session: Session) -> None:
    reply = admin.post(
        "/fill/start",
        data={"cooperative_id": str(2**64), "csrf_token": page_csrf(admin)},
    )
    assert reply.status_code in (404, 422)


class TestErrorPages:
    def test_a_500__carries_the_security_headers_and_keeps_the_connection(
        self, app: FastAPI
    ) -> None:
        @app.get("/boom")
        def boom() -> None:
            raise RuntimeError("secret internals")

        # The default client raises what the application raises: nothing is re-raised now.
        with TestClient(app) as client:
            reply = client.get("/boom")
        assert reply.status_code == 500
        assert "secret internals" not in reply.text
        assert "frame-ancestors 'none'" in reply.headers["content-security-policy"]
        assert reply.headers["x-content-type-options"] == "nosniff"

    def test_a_404__carries_the_security_headers(self, client: TestClient) -> None:
        reply = client.get("/no-such-page")
        assert reply.status_code == 404
        assert reply.headers["x-frame-options"] == "DENY"
