"""Racing submissions of one draft, on separate connections, end in exactly one submission."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from app.accounts.models import Role, User
from app.areas.models import Area
from app.cooperatives.models import Cooperative
from app.db import Database
from app.responses import service as responses
from app.responses.models import (
    Answer,
    DimensionScore,
    Response,
    Wave,
    WaveQuestionnaire,
    WaveStatus,
)
from app.surveys import service as surveys
from app.surveys.loader import load_file
from app.surveys.models import QuestionnaireVersion
from tests import factories

MINI = Path(__file__).resolve().parents[1] / "unit" / "fixtures" / "mini-1.yaml"


@pytest.fixture
def committed_draft(database: Database) -> Iterator[int]:
    """A complete draft committed for real, so other connections see it; removed afterwards."""
    with database.read_sessions() as session:
        areas_before = set(session.scalars(select(Area.id)))
    with database.transaction() as session:
        surveys.publish(session, questionnaire=load_file(MINI))
        version = surveys.latest_version(session, key="mini")
        wave = responses.create_wave(
            session,
            key="race",
            name="Race",
            status=WaveStatus.OPEN,
            version_ids={"mini": version.id},
            opens_on=dt.date(2026, 1, 1),
        )
        coop = factories.cooperative(session, name="HTX Đua")
        user = factories.user(session, role=Role.MANAGER, username="racer", cooperatives=(coop,))
        draft = responses.start(
            session, wave=wave, key="mini", cooperative_id=coop.id, product_id=None, user=user
        )
        questionnaire = responses.questionnaire_of(session, response=draft)
        for code, raw in [
            ("has_web", ["no"]),
            ("online_share", ["3"]),
            ("has_plan", ["yes"]),
            ("tools", ["excel"]),
        ]:
            responses.save_answer(
                session, response=draft, question=questionnaire.question(code), raw=raw, step=1
            )
        ids = (draft.id, wave.id, coop.id, user.id, version.id)
    yield ids[0]
    with database.transaction() as session:
        session.execute(delete(DimensionScore).where(DimensionScore.response_id == ids[0]))
        session.execute(delete(Answer).where(Answer.response_id == ids[0]))
        session.execute(delete(Response).where(Response.wave_id == ids[1]))
        session.execute(delete(WaveQuestionnaire).where(WaveQuestionnaire.wave_id == ids[1]))
        session.execute(delete(Wave).where(Wave.id == ids[1]))
        session.execute(delete(User).where(User.id == ids[3]))
        session.execute(delete(Cooperative).where(Cooperative.id == ids[2]))
        session.execute(delete(QuestionnaireVersion).where(QuestionnaireVersion.id == ids[4]))
        # Areas this fixture made, deepest first: other tests count the districts they see.
        made = set(session.scalars(select(Area.id))) - areas_before
        for level in ("former_ward", "commune", "former_district", "province", "country"):
            session.execute(delete(Area).where(Area.id.in_(made), Area.level == level))


def test_eight_simultaneous_submissions__make_one(database: Database, committed_draft: int) -> None:
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def submit_once() -> None:
        try:
            barrier.wait()
            with database.transaction() as session:
                draft = session.get(Response, committed_draft)
                user = session.scalar(select(User).where(User.username == "racer"))
                assert draft is not None
                assert user is not None
                responses.submit(session, response=draft, user=user)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=submit_once) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with database.read_sessions() as session:
        rows = session.scalars(select(Response).where(Response.id == committed_draft)).all()
        scores = session.scalars(
            select(DimensionScore.dimension_key).where(
                DimensionScore.response_id == committed_draft
            )
        ).all()
    assert [r.status for r in rows] == ["submitted"]
    assert sorted(scores) == ["ops", "sales"]
