"""Remembered report figures: any write to a table a report reads gives them up, nothing else."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Select, event, select, text, update
from sqlalchemy.orm import Session

from app import migrate
from app.accounts.models import Role
from app.areas.models import Area, AreaLink
from app.config import Settings
from app.cooperatives.models import Cooperative
from app.db import Database
from app.main import create_app
from app.reports import downloads, rankings, remembered, scope
from app.responses.models import DimensionScore, Response
from app.responses.models import Wave as WaveRow
from app.surveys.models import QuestionnaireVersion
from tests import factories
from tests.conftest import TEST_SECRET, scratch_database, sign_in, table_rows
from tests.db.conftest import migrated_database
from tests.worlds import EVERYONE, Province, province, stored


@pytest.fixture
def world(session: Session) -> Province:
    return province(session)


def rank(session: Session, visible=EVERYONE) -> rankings.Ranking:  # type: ignore[no-untyped-def]
    choice = scope.choose_wave(session, wave_key="2026")
    return rankings.ranking(
        session, choice=choice, key="mini", level="former-district", sort=None, visible=visible
    )


def a6_submits(session: Session, world: Province) -> None:
    """HTX A6 of An Bình, which had not answered, submits a score of 100."""
    stored(
        session,
        wave=world.wave,
        version=world.version,
        cooperative=world.cooperatives["A6"],
        overall=100,
    )


def in_an_binh(world: Province) -> Select[tuple[int]]:
    """What an advisor of An Bình alone sees."""
    return select(Cooperative.id).where(Cooperative.former_district_id == world.districts["A"].id)


def means(report: rankings.Ranking) -> dict[str, float | None]:
    return {r.name: r.mean for r in report.rows}


class Statements:
    """The SELECTs the session sends while counted."""

    def __init__(self, session: Session) -> None:
        self.bind = session.get_bind()
        self.seen: list[str] = []

    def record(self, *args: object) -> None:
        self.seen.append(str(args[2]))

    def __enter__(self) -> list[str]:
        event.listen(self.bind, "before_cursor_execute", self.record)
        return self.seen

    def __exit__(self, *exc: object) -> None:
        event.remove(self.bind, "before_cursor_execute", self.record)


class TestToken:
    # Writes the way the portal and its tools make them, the ORM's and plain SQL alike.
    WRITES: ClassVar[dict[str, Callable[[Session, Province], object]]] = {
        "a submission": lambda s, w: stored(
            s, wave=w.wave, version=w.version, cooperative=w.cooperatives["A6"], overall=75
        ),
        "a correction superseding it (SQL)": lambda s, w: s.execute(
            update(Response)
            .where(Response.cooperative_id == w.cooperatives["A1"].id)
            .values(superseded_at=Response.created_at)
        ),
        "a rescored dimension (SQL)": lambda s, w: s.execute(
            update(DimensionScore).values(score=DimensionScore.score + 1)
        ),
        "a cooperative suspended": lambda s, w: s.execute(
            update(Cooperative)
            .where(Cooperative.id == w.cooperatives["B1"].id)
            .values(status="suspended")
        ),
        "a product registered": lambda s, w: factories.product(s, of=w.cooperatives["B2"]),
        "an area renamed": lambda s, w: s.execute(
            update(Area).where(Area.id == w.districts["A"].id).values(name="An Bình Mới")
        ),
        "the crosswalk changed": lambda s, w: s.add(
            AreaLink(former_ward_id=w.districts["B"].id, commune_id=w.commune.id)
        ),
        "a wave closed": lambda s, w: s.execute(
            update(WaveRow).where(WaveRow.id == w.wave.id).values(status="closed")
        ),
    }

    @pytest.mark.parametrize("write", list(WRITES))
    def test_a_write_to_a_table_a_report_reads__changes_it(
        self, session: Session, world: Province, write: str
    ) -> None:
        before = remembered.token(session)
        self.WRITES[write](session, world)
        session.flush()
        assert remembered.token(session) != before

    def test_saving_an_answer__leaves_it(self, session: Session, world: Province) -> None:
        # What the save route writes to a draft besides the answer itself.
        before = remembered.token(session)
        session.execute(
            update(Response)
            .where(Response.status == "draft")
            .values(updated_at=Response.created_at, last_step=3)
        )
        assert remembered.token(session) == before


class TestRemembered:
    def test_the_whole_ranking__is_computed_once_until_the_data_changes(
        self, session: Session, world: Province
    ) -> None:
        first = rank(session)
        with Statements(session) as seen:
            again = rank(session)
        assert again.rows is first.rows
        # The labels, and the token: no scores are read again.
        assert not [s for s in seen if "dimension_scores" in s or "responses" in s.lower()]

        a6_submits(session, world)
        after = rank(session)
        assert after.rows is not first.rows
        assert means(after)["An Bình"] == pytest.approx((40 + 50 + 60 + 70 + 80 + 100) / 6)
        assert means(first)["An Bình"] == pytest.approx(60.0)

    def test_the_ranking_file__is_written_once_until_the_data_changes(
        self, session: Session, world: Province
    ) -> None:
        choice = scope.choose_wave(session, wave_key="2026")
        request = downloads.ExportRequest(what="rankings", fmt="csv", key="mini")

        def download(visible=EVERYONE) -> bytes:  # type: ignore[no-untyped-def]
            found = downloads.export(
                session, choice=choice, request=request, visible=visible, actor=None, via="cli"
            )
            assert found.body is not None
            return found.body

        first = download()
        assert download() is first
        mine = in_an_binh(world)
        assert download(mine) is not download(mine)
        a6_submits(session, world)
        changed = download()
        assert changed != first
        assert "An Bình" in changed.decode("utf-8-sig")

    def test_a_limited_reader__always_gets_figures_of_their_own(
        self, session: Session, world: Province
    ) -> None:
        mine = in_an_binh(world)
        first = rank(session, mine)
        assert rank(session, mine).rows is not first.rows
        assert [r.name for r in first.rows] == ["An Bình"]


def test_on_a_committed_database__a_transaction_changes_the_token_once_at_commit(
    tmp_path: Path,
) -> None:
    # As the server runs: other connections see the old token until the writer commits.
    with scratch_database(tmp_path) as url:
        migrate.upgrade(url)
        db = Database(url)
        try:

            def token(conn: Connection) -> str:
                return str(conn.scalar(text("SELECT token FROM report_generation")))

            with db.engine.connect() as reader:
                initial = token(reader)
                reader.rollback()
                with db.engine.begin() as writer:
                    writer.execute(
                        text(
                            "INSERT INTO areas (code, name, level) "
                            "VALUES ('X1', 'Một', 'country'), ('X2', 'Hai', 'country')"
                        )
                    )
                    if db.engine.dialect.name == "postgresql":
                        assert token(reader) == initial
                        reader.rollback()
                after = token(reader)
                reader.rollback()
            assert after != initial
        finally:
            db.dispose()


def test_a_writing_postgresql_session__computes_without_remembering(tmp_path: Path) -> None:
    # Its writes move the token only at commit: figures it computes before then include them
    # and must not be filed under the token other readers still see.
    with scratch_database(tmp_path) as url:
        migrate.upgrade(url)
        db = Database(url)
        try:
            with db.transaction() as writer:
                before_writing = remembered._may_remember(writer)
                writer.execute(
                    text("INSERT INTO areas (code, name, level) VALUES ('X1', 'Một', 'country')")
                )
                after_writing = remembered._may_remember(writer)
            with db.read_sessions() as reader:
                assert remembered._may_remember(reader)
            assert before_writing
            assert after_writing == (db.engine.dialect.name == "sqlite")
        finally:
            db.dispose()


def test_a_served_ranking__shows_a_submission_committed_after_it_was_remembered(
    tmp_path: Path,
) -> None:
    # As the server runs: committed transactions, read-only sessions for the pages, and on
    # PostgreSQL triggers that wait for COMMIT.
    with migrated_database(tmp_path) as db:
        with db.transaction() as session:
            world = province(session)
            factories.user(session, role=Role.STEERING, username="bancd")
            wave_id, version_id = world.wave.id, world.version.id
            a6 = world.cooperatives["A6"].id
        settings = Settings(environment="test", secret_key=TEST_SECRET, database_url=db.url)
        with TestClient(create_app(settings, db=db), follow_redirects=False) as client:
            sign_in(client, "bancd", factories.PASSWORD)
            path = "/reports/rankings?wave=2026&level=former-district"

            def an_binh() -> str:
                return next(r for r in table_rows(client.get(path).text) if "An Bình" in r)

            before = an_binh()
            assert an_binh() == before  # remembered
            assert "60,0" in before
            with db.transaction() as session:
                stored(
                    session,
                    wave=session.get(WaveRow, wave_id),
                    version=session.get(QuestionnaireVersion, version_id),
                    cooperative=session.get(Cooperative, a6),
                    overall=100,
                )
            assert "66,7" in an_binh()
