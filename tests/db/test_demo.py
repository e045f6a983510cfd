"""The demo province: deterministic, two waves in every state, scores the engine agrees with."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.areas import service as areas
from app.cooperatives.models import Cooperative, Product
from app.demo import DemoResult, generate
from app.responses.models import Answer, DimensionScore, Response, Wave, WaveQuestionnaire
from app.scoring.engine import missing_required, score, visible_codes
from app.surveys import service as surveys
from app.surveys.definition import Questionnaire
from app.surveys.loader import load_dir
from app.surveys.models import QuestionnaireVersion

SURVEYS = Path(__file__).resolve().parents[2] / "surveys"
SMALL = 40


@pytest.fixture(scope="module")
def questionnaires() -> list[Questionnaire]:
    return list(load_dir(SURVEYS))


@pytest.fixture
def province(session: Session, questionnaires: list[Questionnaire]) -> Session:
    """Areas loaded and the questionnaires published, as `htxso init` leaves them."""
    areas.load_provinces(session, codes=["20"])
    for questionnaire in questionnaires:
        surveys.publish(session, questionnaire=questionnaire)
    return session


def make(session: Session, *, seed: int = 20) -> DemoResult:
    return generate(session, cooperatives=SMALL, seed=seed)


def snapshot(session: Session) -> list[tuple[Any, ...]]:
    """Every response, keyed by what survives a rollback (codes and names, not ids)."""
    rows = session.execute(
        select(
            Cooperative.registration_code,
            Product.name,
            Wave.key,
            Response.questionnaire_key,
            Response.status,
            Response.overall,
            Response.level,
            Response.id,
        )
        .join(Cooperative, Cooperative.id == Response.cooperative_id)
        .join(Wave, Wave.id == Response.wave_id)
        .outerjoin(Product, Product.id == Response.product_id)
    ).all()
    answers: dict[int, list[tuple[str, Any]]] = {}
    for response_id, code, value in session.execute(
        select(Answer.response_id, Answer.question_code, Answer.value)
    ):
        answers.setdefault(response_id, []).append((code, value))
    # Code, product, wave and questionnaire identify a response: the sort never reaches a None.
    return sorted(
        (row[0], row[1] or "", *row[2:-1], sorted(answers.get(row[-1], []), key=lambda a: a[0]))
        for row in rows
    )


def wave(session: Session, key: str) -> Wave:
    return session.scalars(select(Wave).where(Wave.key == key)).one()


def stored_answers(session: Session, response_id: int) -> dict[str, Any]:
    return dict(
        session.execute(
            select(Answer.question_code, Answer.value).where(Answer.response_id == response_id)
        ).all()
    )


def test_same_seed__gives_the_same_responses_and_scores(province: Session) -> None:
    savepoint = province.begin_nested()
    first = make(province)
    before = snapshot(province)
    savepoint.rollback()
    second = make(province)
    assert snapshot(province) == before
    assert (first.submitted, first.drafts, first.answers) == (
        second.submitted,
        second.drafts,
        second.answers,
    )
    assert first.submitted > 0


def test_another_seed__gives_other_scores(province: Session) -> None:
    savepoint = province.begin_nested()
    make(province, seed=20)
    before = snapshot(province)
    savepoint.rollback()
    make(province, seed=21)
    assert snapshot(province) != before


def test_waves__are_2025_closed_on_2026_1_and_2026_open_on_2026_2(
    province: Session,
) -> None:
    result = make(province)
    assert result.waves == ("2025", "2026")
    waves = province.scalars(select(Wave).order_by(Wave.key)).all()
    assert [(w.key, w.name, w.status, w.opens_on, w.closes_on) for w in waves] == [
        ("2025", "Đợt đánh giá 2025", "closed", dt.date(2025, 3, 1), dt.date(2025, 10, 31)),
        ("2026", "Đợt đánh giá 2026", "open", dt.date(2026, 3, 1), dt.date(2026, 12, 31)),
    ]
    for w in waves:
        asked = dict(
            province.execute(
                select(WaveQuestionnaire.questionnaire_key, WaveQuestionnaire.version_id).where(
                    WaveQuestionnaire.wave_id == w.id
                )
            ).all()
        )
        # The closed wave asked the first published version, the open one asks the latest.
        expected = "2026.2" if w.status == "open" else "2026.1"
        versions = {key: province.get(QuestionnaireVersion, i).version for key, i in asked.items()}
        assert versions == dict.fromkeys(("digital", "value_chain", "ocop"), expected)


def test_submitted_responses__store_exactly_the_engines_score(province: Session) -> None:
    result = make(province)
    submitted = province.scalars(select(Response).where(Response.status == "submitted")).all()
    assert len(submitted) == result.submitted > 0
    waves = {w.id: w for w in province.scalars(select(Wave))}
    for response in submitted:
        version = province.get(QuestionnaireVersion, response.version_id)
        assert version is not None
        questionnaire = surveys.definition(version)
        answers = stored_answers(province, response.id)
        expected = score(questionnaire, answers)
        assert missing_required(questionnaire, answers) == []
        assert set(answers) <= visible_codes(questionnaire, answers)
        assert (response.overall, response.level, response.scoring_version) == (
            expected.overall,
            expected.level,
            expected.scoring_version,
        )
        assert response.score_detail == expected.to_json()
        dimensions = dict(
            province.execute(
                select(DimensionScore.dimension_key, DimensionScore.score).where(
                    DimensionScore.response_id == response.id
                )
            ).all()
        )
        assert dimensions == {k: d.score for k, d in expected.dimensions.items()}
        assert (response.revision, response.superseded_at) == (1, None)
        assert response.submitted_at is not None
        opened = waves[response.wave_id]
        assert opened.opens_on is not None
        assert opened.closes_on is not None
        assert opened.opens_on <= response.submitted_at.date() <= opened.closes_on
        assert response.created_at <= response.submitted_at


def test_product_responses__answer_for_the_product_with_its_ocop_group(
    province: Session,
) -> None:
    make(province)
    rows = province.execute(
        select(Response.id, Response.subject_key, Product.id, Product.ocop_group)
        .join(Product, Product.id == Response.product_id)
        .where(Response.questionnaire_key == "ocop")
    ).all()
    assert rows
    for response_id, subject, product_id, group in rows:
        assert subject == f"p{product_id}"
        given = stored_answers(province, response_id).get("ocop_group")
        assert given == {"handicrafts": "handicraft"}.get(group, group)
    cooperative_keys = province.scalars(
        select(Response.subject_key).where(Response.questionnaire_key != "ocop")
    ).all()
    assert all(key.startswith("c") for key in cooperative_keys)


def test_states__spread_as_documented_per_wave(province: Session) -> None:
    result = make(province)
    active = province.scalar(
        select(func.count()).select_from(Cooperative).where(Cooperative.status == "active")
    )
    products = province.scalar(
        select(func.count())
        .select_from(Product)
        .join(Cooperative, Cooperative.id == Product.cooperative_id)
        .where(Cooperative.status == "active")
    )
    assert active
    assert products
    subjects = 2 * active + products
    counts = {
        (key, status): count
        for key, status, count in province.execute(
            select(Wave.key, Response.status, func.count())
            .join(Wave, Wave.id == Response.wave_id)
            .group_by(Wave.key, Response.status)
        ).all()
    }
    assert counts.get(("2025", "draft"), 0) == 0  # a closed wave keeps no work in progress
    assert 0.75 <= counts[("2025", "submitted")] / subjects <= 0.95
    assert 0.5 <= counts[("2026", "submitted")] / subjects <= 0.8
    assert 0.05 <= counts[("2026", "draft")] / subjects <= 0.3
    assert counts[("2026", "submitted")] + counts[("2026", "draft")] < subjects  # some not started
    assert result.drafts == counts[("2026", "draft")]
    assert result.answers == province.scalar(select(func.count()).select_from(Answer))


def test_drafts__hold_a_prefix_of_answers_and_no_score(province: Session) -> None:
    make(province)
    drafts = province.scalars(select(Response).where(Response.status == "draft")).all()
    assert drafts
    for draft in drafts:
        assert (draft.overall, draft.level, draft.score_detail, draft.submitted_at) == (
            None,
            None,
            None,
            None,
        )
        version = province.get(QuestionnaireVersion, draft.version_id)
        assert version is not None
        questionnaire = surveys.definition(version)
        answers = stored_answers(province, draft.id)
        assert answers
        assert missing_required(questionnaire, answers)  # not finished
        assert 1 <= draft.last_step <= len(questionnaire.dimensions)
        assert not province.scalar(
            select(func.count())
            .select_from(DimensionScore)
            .where(DimensionScore.response_id == draft.id)
        )


def test_some_responses__were_entered_by_the_advisor_on_paper(province: Session) -> None:
    make(province)
    advisor = accounts.get_user(province, username="canbo")
    assert advisor is not None
    entered = province.execute(select(Response.entered_by_id, Response.on_behalf)).all()
    on_behalf = [by for by, behalf in entered if behalf]
    assert on_behalf
    assert set(on_behalf) == {advisor.id}
    assert all(not behalf for by, behalf in entered if by != advisor.id)


def test_demo_manager__sees_every_state_on_their_home(province: Session) -> None:
    make(province)
    manager = accounts.get_user(province, username="giamdoc")
    assert manager is not None
    mine = list(province.scalars(accounts.accessible_cooperative_ids(province, user=manager)))
    assert len(mine) == 2
    last, current = wave(province, "2025"), wave(province, "2026")
    for cooperative_id in mine:
        states = {
            (w, key): (status, by, behalf, response_id)
            for w, key, status, by, behalf, response_id in province.execute(
                select(
                    Response.wave_id,
                    Response.questionnaire_key,
                    Response.status,
                    Response.entered_by_id,
                    Response.on_behalf,
                    Response.id,
                ).where(
                    Response.cooperative_id == cooperative_id, Response.questionnaire_key != "ocop"
                )
            ).all()
        }
        assert set(states) == {
            (last.id, "digital"),
            (last.id, "value_chain"),
            (current.id, "digital"),
        }
        assert states[last.id, "digital"][:3] == ("submitted", manager.id, False)
        assert states[last.id, "value_chain"][:3] == ("submitted", manager.id, False)
        status, by, behalf, draft_id = states[current.id, "digital"]
        assert (status, by, behalf) == ("draft", manager.id, False)
        version = surveys.latest_version(province, key="digital")
        questionnaire = surveys.definition(version)
        answers = stored_answers(province, draft_id)
        share = len(answers) / len(visible_codes(questionnaire, answers))
        assert 0.3 <= share <= 0.7  # about half answered


def test_running_again__adds_nothing_and_only_renews_the_sign_ins(province: Session) -> None:
    make(province)
    before = province.scalar(select(func.count()).select_from(Response))
    again = make(province)
    assert (again.cooperatives, again.submitted, again.answers, again.waves) == (0, 0, 0, ())
    assert set(again.passwords) == {"admin", "canbo", "bancd", "giamdoc"}
    assert province.scalar(select(func.count()).select_from(Response)) == before


def test_unpublished_questionnaire__is_neither_asked_nor_answered(
    session: Session, questionnaires: list[Questionnaire]
) -> None:
    areas.load_provinces(session, codes=["20"])
    for questionnaire in questionnaires:
        if questionnaire.key != "ocop":
            surveys.publish(session, questionnaire=questionnaire)
    result = make(session)
    assert result.submitted > 0
    asked = set(session.scalars(select(WaveQuestionnaire.questionnaire_key)))
    assert asked == {"digital", "value_chain"}
    assert not session.scalar(select(func.count()).where(Response.product_id.is_not(None)))


def test_nothing_published__makes_the_registry_but_no_waves(session: Session) -> None:
    areas.load_provinces(session, codes=["20"])
    result = make(session)
    assert result.cooperatives == SMALL
    assert (result.waves, result.submitted) == ((), 0)
    assert not session.scalar(select(func.count()).select_from(Wave))
