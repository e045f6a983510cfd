"""The checked registry file waits in the database: any server confirms it, exactly as checked."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from app.accounts.models import Role
from app.config import Settings
from app.cooperatives.models import Cooperative, RegistryUpload
from app.db import Database
from app.main import create_app
from tests import factories
from tests.conftest import TEST_SECRET, csrf_from

CONTENT = "Mã số HTX,Tên HTX,Huyện,Lĩnh vực\n4900000061,HTX Hai Máy,Chi Lăng,Nông nghiệp\n"


def server(url: str) -> TestClient:
    """One more server behind the same address: its own engine and app, the same database."""
    settings = Settings(environment="test", secret_key=TEST_SECRET, database_url=url)
    return TestClient(create_app(settings, db=Database(url)), follow_redirects=False)


def signed_in(client: TestClient) -> TestClient:
    page = client.get("/signin")
    client.post(
        "/signin",
        data={
            "username": "quantri",
            "password": factories.PASSWORD,
            "csrf_token": csrf_from(page.text),
        },
    )
    return client


def checked(client: TestClient) -> str:
    csrf = csrf_from(client.get("/admin/registry").text)
    reply = client.post(
        "/admin/registry/check",
        files={"file": ("htx.csv", CONTENT.encode(), "text/csv")},
        data={"csrf_token": csrf},
    )
    assert reply.status_code == 200, reply.text
    found = re.search(r'name="token" value="([^"]+)"', reply.text)
    assert found
    return found.group(1)


def confirm(client: TestClient, token: str) -> int:
    csrf = csrf_from(client.get("/admin/registry").text)
    reply = client.post("/admin/registry/import", data={"token": token, "csrf_token": csrf})
    return reply.status_code


def names(db: Database) -> list[str]:
    with db.read_sessions() as session:
        return list(session.scalars(select(Cooperative.name).order_by(Cooperative.name)))


def test_a_file_checked_on_one_server__is_imported_once_by_another(real_db: Database) -> None:
    with real_db.transaction() as session:
        factories.user(session, role=Role.ADMIN, username="quantri")
    first, second = signed_in(server(real_db.url)), server(real_db.url)
    token = checked(first)
    for cookie in first.cookies.jar:  # the same browser, answered by the other server
        second.cookies.set(cookie.name, cookie.value)
    assert confirm(second, token) == 303
    assert "HTX Hai Máy" in names(real_db)
    assert confirm(first, token) == 404
    with real_db.read_sessions() as session:
        assert session.scalars(select(RegistryUpload)).all() == []


def test_a_staged_file_changed_or_expired__is_not_imported(real_db: Database) -> None:
    with real_db.transaction() as session:
        factories.user(session, role=Role.ADMIN, username="quantri")
    client = signed_in(server(real_db.url))
    tampered, expired = checked(client), checked(client)
    with real_db.transaction() as session:
        uploads = session.scalars(select(RegistryUpload).order_by(RegistryUpload.id)).all()
        uploads[0].data = CONTENT.replace("Hai Máy", "Đổi Trộm").encode()
        session.execute(
            update(RegistryUpload)
            .where(RegistryUpload.id == uploads[1].id)
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
        )
    assert confirm(client, tampered) == 404
    assert confirm(client, expired) == 404
    assert "HTX Đổi Trộm" not in names(real_db)
    assert "HTX Hai Máy" not in names(real_db)
