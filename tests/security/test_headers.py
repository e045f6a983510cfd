"""Security headers: a strict CSP on every response, HSTS only over https."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.config import Settings
from app.main import create_app
from tests.conftest import TEST_SECRET, TestDatabase


def test_hsts__is_sent_when_served_over_https(session: Session, database_url: str) -> None:
    settings = Settings(environment="test", secret_key=TEST_SECRET, https=True)
    app = create_app(settings, db=TestDatabase(session, database_url))  # type: ignore[arg-type]
    with TestClient(app, base_url="https://portal.example") as client:
        response = client.get("/signin")
    assert response.headers["strict-transport-security"].startswith("max-age=")
    assert "secure" in response.headers["set-cookie"].lower()


def test_hsts__is_not_sent_over_plain_http(client: TestClient) -> None:
    assert "strict-transport-security" not in client.get("/signin").headers


def test_every_page__forbids_inline_script_and_framing(client: TestClient) -> None:
    for path in ("/signin", "/healthz", "/no-such-page", "/static/app.css"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["x-frame-options"] == "DENY"
