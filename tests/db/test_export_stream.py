"""The raw-answers export streams from a read-only snapshot of a real database.

A shared test transaction would hide what matters here: on PostgreSQL a server-side cursor
needs a transaction of its own (request reads run in autocommit), and on SQLite an export
that held the write lock would stop every save for as long as it streams.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from app import cli
from app.audit.models import AuditEvent
from app.cli import app as htxso
from app.cooperatives.models import Cooperative
from app.db import Database
from app.reports import answers, scope
from app.responses.models import Answer, Response
from tests.db.conftest import migrated_database
from tests.worlds import province

EVERYONE = select(Cooperative.id)


@pytest.fixture
def filled(tmp_path: Path) -> Iterator[Database]:
    """The rankings' province, committed to a scratch database, with one answer stored."""
    with migrated_database(tmp_path) as db:
        with db.transaction() as session:
            world = province(session)
            response = session.scalars(
                select(Response).where(Response.cooperative_id == world.cooperatives["A1"].id)
            ).first()
            assert response is not None
            session.add(Answer(response_id=response.id, question_code="tools", value="excel"))
        yield db


def _lines(body: bytes) -> list[str]:
    return body.decode("utf-8").split("\r\n")


def test_web_stream__sees_one_snapshot_and_lets_a_save_through_meanwhile(
    filled: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = filled
    monkeypatch.setattr(answers, "STREAM_LINES", 1)  # a chunk per line: pause mid-export
    with db.read_sessions() as session:
        choice = scope.choose_wave(session, wave_key="2026")
        columns = answers.answer_columns(session, choice=choice, key="mini", visible=EVERYONE)
        last = max(session.scalars(select(Response.id).where(Response.wave_id == choice.wave.id)))
    stream = answers.stream_answers(
        db.snapshot_sessions, choice=choice, key="mini", visible=EVERYONE, columns=columns
    )
    header, first = next(stream), next(stream)  # the query has run: the snapshot is taken
    started = time.monotonic()
    with db.transaction() as writer:
        writer.add(Answer(response_id=last, question_code="note", value="ghi chú mới"))
    assert time.monotonic() - started < 2, "a save waited on the export"
    lines = _lines(header + first + b"".join(stream))
    # the header, one line per current submission, the final newline
    assert len(lines) == 1 + 20 + 1
    codes = [h.split(" | ")[0] for h in lines[0].lstrip("\ufeff").split(",")]
    assert any(line.split(",")[codes.index("tools")] == "excel" for line in lines[1:])
    # Written after the export began: not in it, on either database.
    assert "ghi chú mới" not in "\n".join(lines)


def test_an_export_left_half_read__gives_its_connection_back_in_working_order(
    filled: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = filled
    # A line and a row at a time: the database is mid-query when the reader goes away.
    monkeypatch.setattr(answers, "STREAM_LINES", 1)
    monkeypatch.setattr(answers, "STREAM_ROWS", 1)
    with db.read_sessions() as session:
        choice = scope.choose_wave(session, wave_key="2026")
        columns = answers.answer_columns(session, choice=choice, key="mini", visible=EVERYONE)

    def export() -> Iterator[bytes]:
        return answers.stream_answers(
            db.snapshot_sessions, choice=choice, key="mini", visible=EVERYONE, columns=columns
        )

    for _ in range(3):  # more than once: every connection the pool hands out again
        stream = export()
        next(stream), next(stream)
        stream.close()  # as when the browser goes away
    assert len(_lines(b"".join(export()))) == 1 + 20 + 1
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Response)) > 0


def test_cli_export__streams_from_a_real_database(
    filled: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = filled
    monkeypatch.setattr(cli, "database", lambda: Database(db.url))
    out = tmp_path / "tra-loi.csv"
    done = CliRunner().invoke(
        htxso,
        ["export", "answers", "--wave", "2026", "--questionnaire", "mini", "--out", str(out)],
    )
    assert done.exit_code == 0, done.output
    lines = _lines(out.read_bytes())
    assert len(lines) == 1 + 20 + 1
    codes = [h.split(" | ")[0] for h in lines[0].lstrip("\ufeff").split(",")]
    assert any(line.split(",")[codes.index("tools")] == "excel" for line in lines[1:])


def test_cli_export__to_a_path_that_cannot_be_written_records_nothing(
    filled: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = filled
    monkeypatch.setattr(cli, "database", lambda: Database(db.url))
    out = tmp_path / "no-such-folder" / "tra-loi.csv"
    done = CliRunner().invoke(
        htxso,
        ["export", "answers", "--wave", "2026", "--questionnaire", "mini", "--out", str(out)],
    )
    assert done.exit_code != 0
    with db.read_sessions() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0
