"""Rescoring: stored scores that disagree with the engine are found, reported and fixed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app import cli
from app.cli import app as htxso
from app.cooperatives.models import Cooperative
from app.db import utcnow
from app.errors import NotFound
from app.responses.models import Answer, DimensionScore, Response, Wave, WaveQuestionnaire
from app.responses.rescoring import Change, count_submitted, rescore_version
from app.scoring.engine import ScoreResult, score
from app.surveys import service as surveys
from app.surveys.definition import Questionnaire
from app.surveys.loader import load_file
from app.surveys.models import QuestionnaireVersion
from tests import conftest, factories

SURVEY = Path(__file__).resolve().parents[2] / "surveys" / "digital-2026.1.yaml"
GOOD = {
    "dt_dx_plan": "written",
    "dt_dx_in_business_plan": "yes",
    "dt_online_presence": ["fanpage", "zalo_oa"],
    "dt_sell_online": "yes",
    "dt_online_share": 12,
    "dt_members_openness": 4,
}
POOR = {"dt_dx_plan": "none", "dt_online_presence": ["none"], "dt_sell_online": "no"}


@pytest.fixture
def version(session: Session) -> QuestionnaireVersion:
    surveys.publish(session, questionnaire=load_file(SURVEY))
    return surveys.latest_version(session, key="digital")


@pytest.fixture
def wave(session: Session, version: QuestionnaireVersion) -> Wave:
    made = Wave(key="2026", name="Đợt đánh giá 2026", status="open")
    session.add(made)
    session.flush()
    session.add(
        WaveQuestionnaire(wave_id=made.id, questionnaire_key="digital", version_id=version.id)
    )
    session.flush()
    return made


def definition(version: QuestionnaireVersion) -> Questionnaire:
    return surveys.definition(version)


def respond(
    session: Session,
    *,
    wave: Wave,
    version: QuestionnaireVersion,
    answers: dict[str, Any],
    submitted: bool = True,
) -> Response:
    """A response with its answers; a submitted one carries the score the engine gives."""
    cooperative: Cooperative = factories.cooperative(session)
    result = score(definition(version), answers) if submitted else None
    response = Response(
        wave_id=wave.id,
        questionnaire_key="digital",
        version_id=version.id,
        cooperative_id=cooperative.id,
        subject_key=f"c{cooperative.id}",
        status="submitted" if submitted else "draft",
        submitted_at=utcnow() if submitted else None,
        overall=result.overall if result else None,
        level=result.level if result else None,
        scoring_version=result.scoring_version if result else None,
        score_detail=result.to_json() if result else None,
    )
    session.add(response)
    session.flush()
    session.execute(
        insert(Answer),
        [{"response_id": response.id, "question_code": c, "value": v} for c, v in answers.items()],
    )
    if result:
        session.execute(
            insert(DimensionScore),
            [
                {"response_id": response.id, "dimension_key": d.key, "score": d.score}
                for d in result.dimensions.values()
            ],
        )
    session.flush()
    return response


def stored(session: Session, response: Response) -> tuple[Any, ...]:
    """What a response holds now: its score, its dimension rows and its answers."""
    session.expire_all()
    row = session.get_one(Response, response.id)
    dimensions = dict(
        session.execute(
            select(DimensionScore.dimension_key, DimensionScore.score).where(
                DimensionScore.response_id == response.id
            )
        ).all()
    )
    answers = dict(
        session.execute(
            select(Answer.question_code, Answer.value).where(Answer.response_id == response.id)
        ).all()
    )
    return (row.overall, row.level, row.scoring_version, row.score_detail, dimensions, answers)


def as_engine_gives(result: ScoreResult, answers: dict[str, Any]) -> tuple[Any, ...]:
    dimensions = {k: d.score for k, d in result.dimensions.items()}
    return (
        result.overall,
        result.level,
        result.scoring_version,
        result.to_json(),
        dimensions,
        answers,
    )


def tamper(session: Session, response: Response, **values: Any) -> None:
    session.execute(update(Response).where(Response.id == response.id).values(**values))


def test_scores_that_agree__report_no_changes(
    session: Session, wave: Wave, version: QuestionnaireVersion
) -> None:
    respond(session, wave=wave, version=version, answers=GOOD)
    respond(session, wave=wave, version=version, answers=POOR)
    assert count_submitted(session, version_id=version.id) == 2
    assert rescore_version(session, version_id=version.id) == []


def test_tampered_overall_and_level__are_reported_and_fixed(
    session: Session, wave: Wave, version: QuestionnaireVersion
) -> None:
    good = respond(session, wave=wave, version=version, answers=GOOD)
    untouched = respond(session, wave=wave, version=version, answers=POOR)
    expected = score(definition(version), GOOD)
    assert expected.overall != 99.0
    tamper(session, good, overall=99.0, level="dan_dat")

    changes = rescore_version(session, version_id=version.id)

    assert changes == [
        Change(
            response_id=good.id,
            cooperative_id=good.cooperative_id,
            old_overall=99.0,
            new_overall=expected.overall,
            old_level="dan_dat",
            new_level=expected.level,
            old_scoring_version="1",
            new_scoring_version="1",
        )
    ]
    assert stored(session, good) == as_engine_gives(expected, GOOD)
    assert stored(session, untouched) == as_engine_gives(score(definition(version), POOR), POOR)


def test_tampered_dimension_row__is_fixed_even_when_overall_agrees(
    session: Session, wave: Wave, version: QuestionnaireVersion
) -> None:
    good = respond(session, wave=wave, version=version, answers=GOOD)
    session.execute(
        update(DimensionScore)
        .where(DimensionScore.response_id == good.id, DimensionScore.dimension_key == "sales")
        .values(score=100.0)
    )
    session.execute(
        delete(DimensionScore).where(
            DimensionScore.response_id == good.id, DimensionScore.dimension_key == "data"
        )
    )

    changes = rescore_version(session, version_id=version.id)

    assert [c.response_id for c in changes] == [good.id]
    assert stored(session, good) == as_engine_gives(score(definition(version), GOOD), GOOD)


def test_an_older_scoring_version__is_rewritten_to_the_current_one(
    session: Session, wave: Wave, version: QuestionnaireVersion
) -> None:
    good = respond(session, wave=wave, version=version, answers=GOOD)
    tamper(session, good, scoring_version="0")

    [change] = rescore_version(session, version_id=version.id)

    assert (change.old_scoring_version, change.new_scoring_version) == ("0", "1")
    assert stored(session, good)[2] == "1"


def test_dry_run__reports_the_change_and_stores_nothing(
    session: Session, wave: Wave, version: QuestionnaireVersion
) -> None:
    good = respond(session, wave=wave, version=version, answers=GOOD)
    tamper(session, good, overall=1.0)
    before = stored(session, good)

    changes = rescore_version(session, version_id=version.id, dry_run=True)

    assert [(c.response_id, c.old_overall) for c in changes] == [(good.id, 1.0)]
    assert stored(session, good) == before
    assert rescore_version(session, version_id=version.id, dry_run=True) == changes


def test_drafts__are_never_scored_nor_changed(
    session: Session, wave: Wave, version: QuestionnaireVersion
) -> None:
    draft = respond(session, wave=wave, version=version, answers=GOOD, submitted=False)
    before = stored(session, draft)
    assert before[:5] == (None, None, None, None, {})

    assert rescore_version(session, version_id=version.id) == []
    assert count_submitted(session, version_id=version.id) == 0
    assert stored(session, draft) == before


def test_unknown_version__is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        rescore_version(session, version_id=999_999)


class TestRescoreCommand:
    @pytest.fixture
    def runner(
        self, session: Session, database_url: str, monkeypatch: pytest.MonkeyPatch
    ) -> CliRunner:
        monkeypatch.setattr(cli, "database", lambda: conftest.TestDatabase(session, database_url))
        return CliRunner()

    def test_unknown_version__exits_with_an_error(
        self, runner: CliRunner, version: QuestionnaireVersion
    ) -> None:
        done = runner.invoke(htxso, ["surveys", "rescore", "digital", "9.9"])
        assert done.exit_code == 1
        assert "digital 9.9 is not published" in done.output

    def test_nothing_wrong__says_no_changes(
        self, runner: CliRunner, session: Session, wave: Wave, version: QuestionnaireVersion
    ) -> None:
        respond(session, wave=wave, version=version, answers=GOOD)
        done = runner.invoke(htxso, ["surveys", "rescore", "digital", version.version])
        assert done.exit_code == 0, done.output
        assert f"1 submitted response(s) of digital {version.version} checked" in done.output
        assert "no changes" in done.output

    def test_a_change__is_listed_and_a_dry_run_saves_nothing(
        self, runner: CliRunner, session: Session, wave: Wave, version: QuestionnaireVersion
    ) -> None:
        good = respond(session, wave=wave, version=version, answers=GOOD)
        tamper(session, good, overall=99.0)
        expected = score(definition(version), GOOD)

        dry = runner.invoke(htxso, ["surveys", "rescore", "digital", version.version, "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert f"response {good.id} (cooperative {good.cooperative_id}): 99.0" in dry.output
        assert f"→ {expected.overall} {expected.level}" in dry.output
        assert "dry run, nothing saved" in dry.output
        assert stored(session, good)[0] == 99.0

        done = runner.invoke(htxso, ["surveys", "rescore", "digital", version.version])
        assert "1 response(s) rescored" in done.output
        assert stored(session, good)[0] == expected.overall
