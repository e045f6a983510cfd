"""Test databases built by the migrations, and a transaction per test that is rolled back.

Set TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test) to run the
same suite on PostgreSQL; the default is a temporary SQLite file.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, make_url, text
from sqlalchemy.orm import Session

from app import migrate
from app.accounts import passwords
from app.config import Settings
from app.db import Database
from app.main import create_app
from app.reports import remembered
from app.web.deps import get_session

TEST_SECRET = "test-secret-" + "x" * 40

# argon2 at the production cost takes a tenth of a second and 64 MiB a hash; a test that signs
# five accounts in would spend most of its time there. Only the tests of hashing itself pay it.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_password_hashes(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Cheap argon2 parameters, unless the test is marked `real_password_hashing`."""
    if request.node.get_closest_marker("real_password_hashing") is None:
        monkeypatch.setattr(passwords, "_hasher", CHEAP_HASHER)
    # The dummy hash that keeps unknown users slow is cached: it must match the hasher in use.
    passwords._dummy_hash.cache_clear()
    yield
    passwords._dummy_hash.cache_clear()


def reset_postgres(url: str) -> None:
    """Empty the test database so the migrations start from nothing."""
    db = Database(url)
    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    db.dispose()


@contextmanager
def scratch_database(folder: Path) -> Iterator[str]:
    """An empty database of the same kind as the suite's, dropped afterwards."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{folder / 'scratch.db'}"
        return
    admin = Database(base, isolation_level="AUTOCOMMIT")
    name = f"htxso_scratch_{os.getpid()}_{next(_scratch_numbers)}"
    with admin.engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


_scratch_numbers = itertools.count()


def worker_database(base: str, worker: str) -> str:
    """The PostgreSQL database of one xdist worker: `make test` runs the suite on two workers,
    and two workers resetting and migrating the same database would wipe each other's data."""
    name = f"{make_url(base).database}_{worker}"
    admin = Database(base, isolation_level="AUTOCOMMIT")
    with admin.engine.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        if worker_id != "master":
            url = worker_database(url, worker_id)
        reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def connection(database: Database) -> Iterator[Connection]:
    with database.engine.connect() as conn:
        outer = conn.begin()
        if conn.dialect.name == "postgresql":
            # The report token's triggers wait for COMMIT, which a test never reaches: fired
            # at each statement instead, the token changes with the test's data as it would
            # with each committed request's.
            conn.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
            conn = conn.execution_options(**{remembered.IMMEDIATE_TRIGGERS: True})
        yield conn
        outer.rollback()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    """A session whose commits only release savepoints; the test's outer transaction rolls back."""
    with Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    ) as s:
        yield s


class TestDatabase:
    """Stands in for app.db.Database inside a test: everything goes through the test session."""

    __test__ = False  # a stand-in, not a test class for pytest to collect

    def __init__(self, session: Session, url: str) -> None:
        self.session = session
        self.url = url

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self.session.begin_nested():
            yield self.session

    @contextmanager
    def read_sessions(self) -> Iterator[Session]:
        yield self.session

    snapshot_sessions = read_sessions

    def dispose(self) -> None:
        pass


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(environment="test", secret_key=TEST_SECRET, database_url="sqlite://")


# One portal per distinct settings for the whole run (per worker). FastAPI works out each
# route's dependencies on an app's first request, about a tenth of a second: a new app per
# test paid that a thousand times over, a sixth of the suite.
_shared_apps: dict[str, FastAPI] = {}


@pytest.fixture
def app(session: Session, settings: Settings, database_url: str) -> Iterator[FastAPI]:
    """The portal on the test's session: the run's app for these settings, pointed at it."""
    key = settings.model_dump_json()
    application = _shared_apps.get(key)
    if application is None:
        application = _shared_apps[key] = portal_app(session, settings, database_url)
    else:
        _point_at(application, session, settings, database_url)
    routes = list(application.router.routes)
    yield application
    if application.router.routes != routes:
        # The test added a route of its own (an endpoint that fails on purpose): the next
        # test gets a clean portal.
        del _shared_apps[key]


def portal_app(session: Session, settings: Settings, database_url: str) -> FastAPI:
    """A new portal on the test's session, whatever the settings."""
    application = create_app(settings, db=TestDatabase(session, database_url))  # type: ignore[arg-type]
    _point_at(application, session, settings, database_url)
    return application


def _point_at(
    application: FastAPI, session: Session, settings: Settings, database_url: str
) -> None:
    """Everything of a portal that belongs to one test: its settings (a test may change them),
    its database and the request sessions on it; nothing else lives on the app."""
    application.state.settings = settings
    application.state.db = TestDatabase(session, database_url)

    def test_session() -> Iterator[Session]:
        # Each request gets a savepoint of its own: a failed request rolls back only its own
        # work, never the data the test set up.
        request_work = session.begin_nested()
        try:
            yield session
            if request_work.is_active:
                request_work.commit()
        except BaseException:
            if request_work.is_active:
                request_work.rollback()
            raise

    application.dependency_overrides.clear()
    application.dependency_overrides[get_session] = test_session


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as c:
        yield c


CSRF_INPUT = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token a page handed out."""
    found = CSRF_INPUT.search(html)
    assert found, "page has no CSRF token"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str) -> None:
    """Sign in through the real form, as a browser would."""
    page = client.get("/signin")
    response = client.post(
        "/signin",
        data={"username": username, "password": password, "csrf_token": csrf_from(page.text)},
    )
    assert response.status_code == 303, response.text


@pytest.fixture
def signed_in_admin(client: TestClient) -> TestClient:
    """The client, signed in as a fresh administrator."""
    from app.accounts.models import Role
    from tests import factories

    with client.app.state.db.transaction() as session:  # type: ignore[attr-defined]
        factories.user(session, role=Role.ADMIN, username="quantri_chung")
    sign_in(client, "quantri_chung", factories.PASSWORD)
    return client


def page_csrf(client: TestClient, path: str = "/") -> str:
    """The CSRF token of a page the signed-in client can open."""
    return csrf_from(client.get(path).text)


def table_rows(html: str) -> list[str]:
    """The text of each body row of the first table, cells joined by '|', spaces collapsed."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        rows.append("|".join(" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells))
    return rows
