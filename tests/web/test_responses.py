"""The manager's journey: fill, save answer by answer, conditions, review, submit once, revise."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.cooperatives.models import Cooperative
from app.responses import service as responses
from app.responses.models import Answer, Response, Wave
from app.surveys import service as surveys
from app.surveys.loader import load_file
from app.web.templating import LANG_COOKIE
from tests import factories
from tests.conftest import page_csrf, sign_in

MINI = Path(__file__).resolve().parents[1] / "unit" / "fixtures" / "mini-1.yaml"


@dataclass
class World:
    wave: Wave
    cooperative: Cooperative
    other: Cooperative
    manager: User


@pytest.fixture
def world(session: Session) -> World:
    wave = factories.open_mini_wave(session, closes_on=dt.date(2026, 12, 31))
    district = factories.area(session, name="Chi Lăng")
    mine = factories.cooperative(session, in_area=district, name="HTX Của Tôi")
    other = factories.cooperative(session, in_area=district, name="HTX Người Khác")
    manager = factories.user(session, role=Role.MANAGER, username="giamdoc", cooperatives=(mine,))
    return World(wave, mine, other, manager)


def start(client: TestClient, cooperative: Cooperative) -> int:
    response = client.post(
        "/fill/start",
        data={
            "key": "mini",
            "cooperative_id": str(cooperative.id),
            "csrf_token": page_csrf(client),
        },
    )
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def save(client: TestClient, response_id: int, code: str, *values: str) -> object:
    token = page_csrf(client)
    return client.post(
        f"/responses/{response_id}/answers/{code}",
        data={code: list(values)},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )


def answer_all(client: TestClient, response_id: int) -> None:
    for code, values in [
        ("has_web", ["yes"]),
        ("web_channels", ["fanpage"]),
        ("online_share", ["2"]),
        ("has_plan", ["yes"]),
        ("tools", ["excel"]),
    ]:
        assert save(client, response_id, code, *values).status_code == 200  # type: ignore[attr-defined]


def submitted(client: TestClient, world: World) -> int:
    """The manager's response, every question answered and submitted."""
    sign_in(client, "giamdoc", factories.PASSWORD)
    response_id = start(client, world.cooperative)
    answer_all(client, response_id)
    client.post(
        f"/responses/{response_id}/submit",
        data={"csrf_token": page_csrf(client, f"/responses/{response_id}/review")},
    )
    return response_id


class TestFilling:
    def test_anonymous__cannot_start(self, client: TestClient, world: World) -> None:
        response = client.post("/fill/start", data={"key": "mini", "cooperative_id": "1"})
        assert response.status_code == 403  # no CSRF token either: refused before anything

    def test_manager__starts_a_draft_and_sees_the_first_step(
        self, client: TestClient, world: World
    ) -> None:
        sign_in(client, "giamdoc", factories.PASSWORD)
        response_id = start(client, world.cooperative)
        page = client.get(f"/responses/{response_id}/steps/1")
        assert page.status_code == 200
        assert "Bước 1/2" in page.text
        assert 'id="q-has_web"' in page.text

    def test_starting_twice__reuses_the_same_draft(self, client: TestClient, world: World) -> None:
        sign_in(client, "giamdoc", factories.PASSWORD)
        assert start(client, world.cooperative) == start(client, world.cooperative)

    def test_an_answer__is_saved_at_once_in_a_small_fragment(
        self, client: TestClient, world: World, session: Session
    ) -> None:
        sign_in(client, "giamdoc", factories.PASSWORD)
        response_id = start(client, world.cooperative)
        reply = save(client, response_id, "online_share", "3")
        assert reply.status_code == 200  # type: ignore[attr-defined]
        assert "Đã lưu" in reply.text  # type: ignore[attr-defined]
        assert len(reply.content) <= 4096  # type: ignore[attr-defined]
        stored = session.scalar(
            select(Answer.value).where(
                Answer.response_id == response_id, Answer.question_code == "online_share"
            )
        )
        assert stored == 3

    def test_a_gate_answer__shows_its_follow_up_and_hides_it_again(
        self, client: TestClient, world: World
    ) -> None:
        sign_in(client, "giamdoc", factories.PASSWORD)
        response_id = start(client, world.cooperative)
        page = client.get(f"/responses/{response_id}/steps/1").text
        assert re.search(r'id="q-web_channels" hidden', page)
        shown = save(client, response_id, "has_web", "yes").text  # type: ignore[attr-defined]
        assert 'id="q-web_channels" hx-swap-oob="outerHTML"' in shown
        hidden = save(client, response_id, "has_web", "no").text  # type: ignore[attr-defined]
        assert 'id="q-web_channels" hidden hx-swap-oob="outerHTML"' in hidden

    def test_a_number_out_of_bounds__gets_a_vietnamese_message_and_keeps_the_old_answer(
        self, client: TestClient, world: World, session: Session
    ) -> None:
        sign_in(client, "giamdoc", factories.PASSWORD)
        response_id = start(client, world.cooperative)
        assert save(client, response_id, "members", "25").status_code == 200  # type: ignore[attr-defined]
        reply = save(client, response_id, "members", "99999")
        assert reply.status_code == 422  # type: ignore[attr-defined]
        assert "10.000" in reply.text  # type: ignore[attr-defined]
        stored = session.scalar(
            select(Answer.value).where(
                Answer.response_id == response_id, Answer.question_code == "members"
            )
        )
        assert stored == 25

    def test_without_javascript__a_step_post_saves_everything_and_moves_on(
        self, client: TestClient, world: World, session: Session
    ) -> None:
        sign_in(client, "giamdoc", factories.PASSWORD)
        response_id = start(client, world.cooperative)
        token = page_csrf(client, f"/responses/{response_id}/steps/1")
        reply = client.post(
            f"/responses/{response_id}/steps/1",
            data={"csrf_token": token, "has_web": "no", "online_share": "1", "action": "next"},
        )
        assert reply.status_code == 303
        assert reply.headers["location"].endswith("/steps/2")
        count = session.scalar(
            select(func.count()).select_from(Answer).where(Answer.response_id == response_id)
        )
        assert count == 2

    def test_without_javascript__a_missing_required_answer_is_shown_beside_it(
        self, client: TestClient, world: World
    ) -> None:
        sign_in(client, "giamdoc", factories.PASSWORD)
        response_id = start(client, world.cooperative)
        token = page_csrf(client, f"/responses/{response_id}/steps/1")
        reply = client.post(
            f"/responses/{response_id}/steps/1",
            data={"csrf_token": token, "has_web": "no", "action": "next"},
        )
        assert reply.status_code == 422
        assert "Vui lòng trả lời câu này." in reply.text

    def test_leaving_and_coming_back__resumes_at_the_last_step_with_answers_kept(
        self, client: TestClient, world: World
    ) -> None:
        sign_in(client, "giamdoc", factories.PASSWORD)
        response_id = start(client, world.cooperative)
        save(client, response_id, "has_plan", "yes")
        client.cookies.clear()
        sign_in(client, "giamdoc", factories.PASSWORD)  # another device
        again = client.get(f"/responses/{response_id}")
        assert again.headers["location"].endswith("/steps/2")
        page = client.get(again.headers["location"]).text
        assert 'name="has_plan" value="yes" checked' in page

    def test_another_cooperatives_response__does_not_exist_for_a_manager(
        self, client: TestClient, world: World, session: Session
    ) -> None:
        advisor = factories.user(session, role=Role.ADVISOR, username="canbo")
        theirs = responses.start(
            session,
            wave=world.wave,
            key="mini",
            cooperative_id=world.other.id,
            product_id=None,
            user=advisor,
        )
        sign_in(client, "giamdoc", factories.PASSWORD)
        assert client.get(f"/responses/{theirs.id}/steps/1").status_code == 404
        assert save(client, theirs.id, "has_plan", "yes").status_code in (403, 404)  # type: ignore[attr-defined]
        reply = client.post(
            "/fill/start",
            data={
                "key": "mini",
                "cooperative_id": str(world.other.id),
                "csrf_token": page_csrf(client),
            },
        )
        assert reply.status_code == 404

    def test_steering__never_opens_a_response(
        self, client: TestClient, world: World, session: Session
    ) -> None:
        draft = responses.start(
            session,
            wave=world.wave,
            key="mini",
            cooperative_id=world.cooperative.id,
            product_id=None,
            user=world.manager,
        )
        factories.user(session, role=Role.STEERING, username="bancd")
        sign_in(client, "bancd", factories.PASSWORD)
        assert client.get(f"/responses/{draft.id}/steps/1").status_code == 403


class TestSubmitting:
    def test_review__lists_unanswered_required_questions_with_links(
        self, client: TestClient, world: World
    ) -> None:
        sign_in(client, "giamdoc", factories.PASSWORD)
        response_id = start(client, world.cooperative)
        save(client, response_id, "has_web", "no")
        page = client.get(f"/responses/{response_id}/review").text
        assert f"/responses/{response_id}/steps/1#q-online_share" in page
        assert f"/responses/{response_id}/steps/2#q-tools" in page
        assert 'id="submit-response"' not in page

    def test_submitting_twice__makes_one_submission(
        self, client: TestClient, world: World, session: Session
    ) -> None:
        sign_in(client, "giamdoc", factories.PASSWORD)
        response_id = start(client, world.cooperative)
        answer_all(client, response_id)
        token = page_csrf(client, f"/responses/{response_id}/review")
        first = client.post(f"/responses/{response_id}/submit", data={"csrf_token": token})
        second = client.post(f"/responses/{response_id}/submit", data={"csrf_token": token})
        assert first.status_code == second.status_code == 303
        rows = session.scalars(
            select(Response).where(Response.cooperative_id == world.cooperative.id)
        ).all()
        assert [(r.status, r.revision) for r in rows] == [("submitted", 1)]
        assert rows[0].overall is not None
        assert rows[0].on_behalf is False

    def test_a_submitted_response__is_read_only(
        self, client: TestClient, world: World, session: Session
    ) -> None:
        response_id = submitted(client, world)
        reply = save(client, response_id, "has_plan", "no")
        assert reply.status_code == 409  # type: ignore[attr-defined]
        stored = session.scalar(
            select(Answer.value).where(
                Answer.response_id == response_id, Answer.question_code == "has_plan"
            )
        )
        assert stored == "yes"

    def test_the_result__shows_score_level_advice_and_averages(
        self, client: TestClient, world: World
    ) -> None:
        page = client.get(f"/responses/{submitted(client, world)}/result").text
        assert "Điểm tổng" in page
        assert "data-chart=" in page
        assert "Khuyến nghị, khía cạnh yếu nhất trước" in page
        assert "Huyện: Chi Lăng" in page
        assert "Bộ câu hỏi phiên bản 1" in page
        assert '<p class="stat-caption">Mức độ</p>' in page

    def test_the_result_of_a_star_band_questionnaire__is_called_a_star_band(
        self, client: TestClient, world: World, session: Session
    ) -> None:
        banded = load_file(MINI).model_copy(update={"result": "star_band"})
        surveys.publish(session, questionnaire=banded)  # a listing setting: same version
        page = client.get(f"/responses/{submitted(client, world)}/result").text
        assert '<p class="stat-caption">Hạng sao dự kiến</p>' in page
        assert '<p class="stat-caption">Mức độ</p>' not in page

    def test_the_result_in_english__cites_each_source_in_english(
        self, client: TestClient, world: World
    ) -> None:
        response_id = submitted(client, world)
        vietnamese = client.get(f"/responses/{response_id}/result").text
        assert "Căn cứ: Nguồn thử A" in vietnamese
        client.cookies.set(LANG_COOKIE, "en")
        english = client.get(f"/responses/{response_id}/result").text
        assert "Source: Test source A" in english
        assert "Nguồn thử A" not in english
        assert "Source: Test source B" in english  # a plain-text source reads the same in both

    def test_a_correction__is_a_new_revision_and_the_first_stays(
        self, client: TestClient, world: World, session: Session
    ) -> None:
        sign_in(client, "giamdoc", factories.PASSWORD)
        response_id = start(client, world.cooperative)
        answer_all(client, response_id)
        token = page_csrf(client, f"/responses/{response_id}/review")
        client.post(f"/responses/{response_id}/submit", data={"csrf_token": token})
        revise = client.post(
            f"/responses/{response_id}/revise", data={"csrf_token": page_csrf(client)}
        )
        draft_id = int(revise.headers["location"].split("/")[2])
        assert draft_id != response_id
        save(client, draft_id, "has_plan", "no")
        client.post(
            f"/responses/{draft_id}/submit",
            data={"csrf_token": page_csrf(client, f"/responses/{draft_id}/review")},
        )
        rows = session.scalars(select(Response).order_by(Response.revision)).all()
        assert [(r.revision, r.status, r.superseded_at is not None) for r in rows] == [
            (1, "submitted", True),
            (2, "submitted", False),
        ]
        assert rows[1].overall is not None
        assert rows[0].overall is not None
        assert rows[1].overall < rows[0].overall

    def test_an_advisor__enters_on_the_cooperatives_behalf(
        self, client: TestClient, world: World, session: Session
    ) -> None:
        advisor = factories.user(session, role=Role.ADVISOR, username="canbo2")
        sign_in(client, "canbo2", factories.PASSWORD)
        response_id = start(client, world.cooperative)
        answer_all(client, response_id)
        client.post(
            f"/responses/{response_id}/submit",
            data={"csrf_token": page_csrf(client, f"/responses/{response_id}/review")},
        )
        row = session.get(Response, response_id)
        assert row is not None
        session.refresh(row)
        assert (row.on_behalf, row.entered_by_id, row.submitted_by_id) == (
            True,
            advisor.id,
            advisor.id,
        )


def test_manager_home__shows_each_questionnaire_state(client: TestClient, world: World) -> None:
    sign_in(client, "giamdoc", factories.PASSWORD)
    page = client.get("/").text
    assert "Chưa bắt đầu" in page
    response_id = start(client, world.cooperative)
    save(client, response_id, "has_web", "no")
    assert "Đang làm" in client.get("/").text
