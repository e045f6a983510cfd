"""Request bodies are bounded before they are read, and refused before they are read when the
headers already tell (app.web.limits)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import anyio
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import SignInAttempt
from app.cooperatives import staging
from app.web.limits import FORM_LIMIT, body_limit
from app.web.security import ANON_COOKIE, csrf_token
from tests.conftest import TEST_SECRET

CHUNK = 64 * 1024


@dataclass
class Exchange:
    """One request driven straight through the ASGI interface, counting what the app read."""

    chunks_read: int = 0
    status: int | None = None
    body: bytes = b""
    sent: list[dict[str, Any]] = field(default_factory=list)


def drive(
    app: FastAPI,
    path: str,
    *,
    headers: dict[str, str],
    chunks: int,
    method: str = "POST",
) -> Exchange:
    """Send up to `chunks` chunks of 64 KB; the app reads as many as it wants."""
    exchange = Exchange()

    async def receive() -> dict[str, Any]:
        exchange.chunks_read += 1
        more = exchange.chunks_read < chunks
        return {"type": "http.request", "body": b"a" * CHUNK, "more_body": more}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            exchange.status = message["status"]
        elif message["type"] == "http.response.body":
            exchange.body += message.get("body", b"")

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("203.0.113.5", 50000),
        "server": ("testserver", 80),
    }
    anyio.run(app, scope, receive, send)
    return exchange


FORM = {"content-type": "application/x-www-form-urlencoded", "host": "testserver"}
ANON = {"cookie": f"{ANON_COOKIE}=visitor"}


@pytest.fixture
def started(app: FastAPI) -> Iterator[FastAPI]:
    with TestClient(app):
        yield app


def attempts(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(SignInAttempt)) or 0


class TestDeclaredLength:
    def test_a_form_longer_than_its_limit__is_refused_before_a_byte_is_read(
        self, started: FastAPI, session: Session
    ) -> None:
        before = attempts(session)
        reply = drive(
            started,
            "/signin",
            headers=FORM | ANON | {"content-length": str(200 * 2**20)},
            chunks=3200,
        )
        assert reply.status == 413
        assert reply.chunks_read == 0
        assert "Dữ liệu gửi lên quá lớn (tối đa 512 KB)" in reply.body.decode()
        assert attempts(session) == before

    def test_an_upload_longer_than_the_registry_limit__is_refused_before_it_is_read(
        self, started: FastAPI
    ) -> None:
        reply = drive(
            started,
            "/admin/registry/check",
            headers={"content-type": "multipart/form-data; boundary=x", "host": "testserver"}
            | ANON
            | {"content-length": str(2**30)},
            chunks=16384,
        )
        assert reply.status == 413
        assert reply.chunks_read == 0
        assert "tối đa 10 MB" in reply.body.decode()

    def test_the_registry_upload__may_be_larger_than_a_form(self) -> None:
        assert body_limit("/admin/registry/check") > staging.MAX_BYTES > FORM_LIMIT
        assert body_limit("/signin") == FORM_LIMIT


class TestStreamedBody:
    def test_a_streamed_form__is_refused_once_it_passes_the_limit(
        self, started: FastAPI, session: Session
    ) -> None:
        before = attempts(session)
        reply = drive(started, "/signin", headers=FORM | ANON, chunks=3200)
        assert reply.status == 413
        # Read up to the limit and one chunk past it, never the 200 MB.
        assert reply.chunks_read == FORM_LIMIT // CHUNK + 1
        assert attempts(session) == before

    def test_a_form_within_the_limit__is_read_and_answered(self, client: TestClient) -> None:
        token = csrf_from_cookie(client)
        reply = client.post(
            "/signin",
            data={
                "username": "ai",
                "password": "x" * 900,
                "csrf_token": token,
                "pad": "y" * 400_000,
            },
        )
        assert reply.status_code == 422  # a wrong sign-in, not a refusal at the door


def csrf_from_cookie(client: TestClient) -> str:
    client.get("/signin")
    return csrf_token(TEST_SECRET, client.cookies[ANON_COOKIE])


class TestCsrfAtTheDoor:
    def test_a_post_without_any_cookie__is_refused_before_its_body_is_read(
        self, started: FastAPI
    ) -> None:
        reply = drive(started, "/signin", headers=FORM, chunks=3200)
        assert reply.status == 403
        assert reply.chunks_read == 0

    def test_an_upload_without_any_cookie__is_refused_before_it_is_read(
        self, started: FastAPI
    ) -> None:
        multipart = {"content-type": "multipart/form-data; boundary=x", "host": "testserver"}
        reply = drive(started, "/admin/registry/check", headers=multipart, chunks=16384)
        assert reply.status == 403
        assert reply.chunks_read == 0

    def test_another_sites_origin__is_refused_before_the_body_is_read(
        self, started: FastAPI
    ) -> None:
        headers = FORM | ANON | {"origin": "https://evil.example"}
        reply = drive(started, "/signin", headers=headers, chunks=3200)
        assert reply.status == 403
        assert reply.chunks_read == 0
        assert "trang khác" in reply.body.decode()

    def test_a_wrong_header_token__is_refused_before_the_body_is_read(
        self, started: FastAPI
    ) -> None:
        headers = FORM | ANON | {"x-csrf-token": "0" * 64}
        reply = drive(started, "/signin", headers=headers, chunks=3200)
        assert reply.status == 403
        assert reply.chunks_read == 0

    def test_a_right_header_token__lets_the_form_be_read(self, started: FastAPI) -> None:
        headers = FORM | ANON | {"x-csrf-token": csrf_token(TEST_SECRET, "visitor")}
        reply = drive(started, "/signin", headers=headers, chunks=2)
        assert reply.status == 422  # read, and an ordinary wrong sign-in
        assert reply.chunks_read == 2

    def test_a_get_declaring_a_huge_body__is_refused_without_reading_it(
        self, started: FastAPI
    ) -> None:
        headers = {"host": "testserver", "content-length": str(2**30)}
        reply = drive(started, "/healthz", headers=headers, chunks=16384, method="GET")
        assert reply.status == 413
        assert reply.chunks_read == 0
