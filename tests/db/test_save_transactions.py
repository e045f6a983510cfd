"""Saving an answer reads in a snapshot and holds the write lock for the write alone.

On SQLite one writer at a time holds the database's write lock; a save that held it while it
read the questionnaire and rendered the fragment made every other save wait. These tests run
against a real database with real commits and watch the statements each transaction runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select, update

from app.accounts.models import AuthSession
from app.config import Settings
from app.db import READ_ONLY, Database, utcnow
from app.main import create_app
from app.responses.models import Answer, Response, Wave, WaveStatus
from tests import factories
from tests.conftest import TEST_SECRET, csrf_from


@dataclass
class Draft:
    client: TestClient
    token: str
    response_id: int

    def save(self, code: str, value: str) -> Any:
        return self.client.post(
            f"/responses/{self.response_id}/answers/{code}",
            data={code: value},
            headers={"HX-Request": "true", "X-CSRF-Token": self.token},
        )


@pytest.fixture
def draft(real_db: Database) -> Iterator[Draft]:
    """giamdoc0 signed in, with a draft of the `mini` questionnaire started."""
    settings = Settings(environment="test", secret_key=TEST_SECRET, database_url=real_db.url)
    with TestClient(create_app(settings, db=real_db), follow_redirects=False) as client:
        page = client.get("/signin")
        client.post(
            "/signin",
            data={
                "username": "giamdoc0",
                "password": factories.PASSWORD,
                "csrf_token": csrf_from(page.text),
            },
        )
        home = client.get("/")
        token = csrf_from(home.text)
        coop_id = home.text.split('name="cooperative_id" value="')[1].split('"')[0]
        started = client.post(
            "/fill/start", data={"key": "mini", "cooperative_id": coop_id, "csrf_token": token}
        )
        yield Draft(client, token, int(started.headers["location"].rsplit("/", 1)[1]))


@dataclass
class Statements:
    """The SQL each kind of transaction ran, recorded from the engine's events."""

    writes: list[str] = field(default_factory=list)
    reads: list[str] = field(default_factory=list)
    write_transactions: int = 0


@pytest.fixture
def statements(real_db: Database) -> Iterator[Statements]:
    seen = Statements()

    def on_begin(conn: Any) -> None:
        if not conn.get_execution_options().get(READ_ONLY):
            seen.write_transactions += 1

    def on_execute(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("BEGIN"):  # SQLite's own BEGIN, issued by the begin event
            return
        kind = seen.reads if conn.get_execution_options().get(READ_ONLY) else seen.writes
        kind.append(" ".join(statement.split()))

    event.listen(real_db.engine, "begin", on_begin)
    event.listen(real_db.engine, "before_cursor_execute", on_execute)
    yield seen
    event.remove(real_db.engine, "begin", on_begin)
    event.remove(real_db.engine, "before_cursor_execute", on_execute)


def test_a_save__writes_in_one_transaction_holding_only_the_write(
    draft: Draft, statements: Statements, real_db: Database
) -> None:
    reply = draft.save("has_web", "yes")

    assert reply.status_code == 200, reply.text
    # The session, the response, the questionnaire and the answers were read outside it.
    assert statements.reads
    assert statements.write_transactions == 1
    assert [s.split()[0] for s in statements.writes] == ["UPDATE", "INSERT"]
    assert "responses" in statements.writes[0]
    assert "answers" in statements.writes[1]
    with real_db.read_sessions() as session:
        stored = session.scalar(select(Answer.value).where(Answer.question_code == "has_web"))
        last_step = session.scalar(select(Response.last_step))
    assert stored == "yes"
    assert last_step == 1


def test_a_save_from_an_idle_session__refreshes_it_and_keeps_the_answer(
    draft: Draft, real_db: Database
) -> None:
    idle_since = utcnow() - dt.timedelta(minutes=30)
    with real_db.transaction() as session:
        session.execute(update(AuthSession).values(last_seen_at=idle_since))

    reply = draft.save("has_web", "no")

    assert reply.status_code == 200, reply.text
    with real_db.read_sessions() as session:
        last_seen = session.scalar(select(AuthSession.last_seen_at))
        stored = session.scalar(select(Answer.value).where(Answer.question_code == "has_web"))
    assert last_seen is not None
    assert last_seen > idle_since + dt.timedelta(minutes=29)
    assert stored == "no"


def test_a_save_after_the_wave_closed__is_refused_and_changes_nothing(
    draft: Draft, real_db: Database
) -> None:
    assert draft.save("has_web", "yes").status_code == 200
    with real_db.transaction() as session:
        session.execute(update(Wave).values(status=WaveStatus.CLOSED))

    reply = draft.save("has_web", "no")

    assert reply.status_code == 409
    assert "Đợt đánh giá đã đóng." in reply.text
    with real_db.read_sessions() as session:
        stored = session.scalar(select(Answer.value).where(Answer.question_code == "has_web"))
    assert stored == "yes"


def test_an_invalid_answer__opens_no_write_transaction(
    draft: Draft, statements: Statements
) -> None:
    reply = draft.save("members", "many")

    assert reply.status_code == 422
    assert statements.writes == []
