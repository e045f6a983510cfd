"""Reviewing every answer before submitting, and corrections that never hide the result."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.responses.models import Answer, Response
from tests import factories
from tests.conftest import page_csrf, sign_in
from tests.web import test_responses as journey
from tests.web.test_responses import World, answer_all, save, start

world = journey.world  # the same cooperative, manager and open wave as the filling tests


def submit(client: TestClient, response_id: int) -> None:
    token = page_csrf(client, f"/responses/{response_id}/review")
    reply = client.post(f"/responses/{response_id}/submit", data={"csrf_token": token})
    assert reply.status_code == 303, reply.text


def submitted_response(client: TestClient, world: World) -> int:
    """The manager signs in, answers everything and submits; the response's id."""
    sign_in(client, "giamdoc", factories.PASSWORD)
    response_id = start(client, world.cooperative)
    answer_all(client, response_id)
    submit(client, response_id)
    return response_id


def start_correction(client: TestClient, response_id: int) -> int:
    reply = client.post(f"/responses/{response_id}/revise", data={"csrf_token": page_csrf(client)})
    return int(reply.headers["location"].split("/")[2])


class TestReview:
    def test_anonymous__is_sent_to_sign_in(self, client: TestClient, world: World) -> None:
        assert client.get("/responses/1/review").status_code in (303, 401)

    def test_every_visible_answer__is_listed_by_dimension_with_labels(
        self, client: TestClient, world: World
    ) -> None:
        sign_in(client, "giamdoc", factories.PASSWORD)
        response_id = start(client, world.cooperative)
        save(client, response_id, "has_web", "yes")
        save(client, response_id, "web_channels", "fanpage", "site")
        page = client.get(f"/responses/{response_id}/review").text
        sales, ops = page.index("Bán hàng</h3>"), page.index("Vận hành</h3>")
        assert sales < ops
        # The option labels a person chose, not the stored codes.
        assert "Trang web; Fanpage" in page[sales:ops]

    def test_unanswered_questions__are_marked_and_each_has_a_change_link(
        self, client: TestClient, world: World
    ) -> None:
        sign_in(client, "giamdoc", factories.PASSWORD)
        response_id = start(client, world.cooperative)
        save(client, response_id, "has_web", "no")
        page = client.get(f"/responses/{response_id}/review").text
        line = page[page.index('id="review-online_share"') :]
        line = line[: line.index("</div>")]
        assert "Chưa trả lời (bắt buộc)" in line
        assert f'href="/responses/{response_id}/steps/1?from=review#q-online_share"' in line
        answered = page[page.index('id="review-has_web"') :]
        answered = answered[: answered.index("</div>")]
        assert "Không" in answered
        assert "Sửa" in answered

    def test_the_submit_button__comes_after_every_answer(
        self, client: TestClient, world: World
    ) -> None:
        sign_in(client, "giamdoc", factories.PASSWORD)
        response_id = start(client, world.cooperative)
        answer_all(client, response_id)
        page = client.get(f"/responses/{response_id}/review").text
        assert page.index('id="submit-response"') > page.rindex('class="change-link"')

    def test_a_change_from_the_review__comes_back_to_the_review(
        self, client: TestClient, world: World
    ) -> None:
        sign_in(client, "giamdoc", factories.PASSWORD)
        response_id = start(client, world.cooperative)
        answer_all(client, response_id)
        step = client.get(f"/responses/{response_id}/steps/2?from=review").text
        assert "Lưu và quay lại xem lại" in step
        token = page_csrf(client, f"/responses/{response_id}/steps/2")
        reply = client.post(
            f"/responses/{response_id}/steps/2",
            data={"csrf_token": token, "has_plan": "no", "tools": "excel", "from": "review"},
        )
        assert reply.status_code == 303
        assert reply.headers["location"] == f"/responses/{response_id}/review#review-step-2"


class TestCorrections:
    def test_home__keeps_the_submitted_result_while_a_correction_is_drafted(
        self, client: TestClient, world: World, session: Session
    ) -> None:
        response_id = submitted_response(client, world)
        submitted = session.get(Response, response_id)
        assert submitted is not None
        assert submitted.overall is not None
        draft_id = start_correction(client, response_id)
        save(client, draft_id, "has_plan", "no")
        home = client.get("/").text
        assert "Đã nộp" in home
        assert "Đang làm" not in home
        assert "Đang soạn bản sửa đổi" in home
        assert f'href="/responses/{response_id}/result"' in home
        assert f'href="/responses/{draft_id}"' in home
        profile = client.get(f"/cooperatives/{world.cooperative.id}").text
        assert "Đang soạn bản sửa đổi" in profile

    def test_a_draft_correction__can_be_discarded_and_the_submission_stands(
        self, client: TestClient, world: World, session: Session
    ) -> None:
        response_id = submitted_response(client, world)
        draft_id = start_correction(client, response_id)
        save(client, draft_id, "has_plan", "no")
        assert "Bỏ bản sửa đổi" in client.get(f"/responses/{draft_id}/steps/1").text
        reply = client.post(
            f"/responses/{draft_id}/discard", data={"csrf_token": page_csrf(client)}
        )
        assert reply.status_code == 303
        assert reply.headers["location"] == f"/responses/{response_id}/result"
        assert session.get(Response, draft_id) is None
        assert not session.scalars(select(Answer).where(Answer.response_id == draft_id)).all()
        result = client.get(reply.headers["location"]).text
        assert "Đã bỏ bản sửa đổi. Phiếu đã nộp vẫn được tính." in result
        # Shown once: the next page has no confirmation left.
        assert "Đã bỏ bản sửa đổi" not in client.get("/").text
        events = session.scalars(
            select(AuditEvent.action).where(AuditEvent.target == f"response:{draft_id}")
        ).all()
        assert "response.discard" in events
        # A new correction can start afresh from the submitted answers.
        again = start_correction(client, response_id)
        assert again != response_id

    def test_a_submission__cannot_be_discarded(
        self, client: TestClient, world: World, session: Session
    ) -> None:
        response_id = submitted_response(client, world)
        reply = client.post(
            f"/responses/{response_id}/discard", data={"csrf_token": page_csrf(client)}
        )
        assert reply.status_code == 409
        assert session.get(Response, response_id) is not None

    def test_a_first_draft__is_not_discarded(
        self, client: TestClient, world: World, session: Session
    ) -> None:
        sign_in(client, "giamdoc", factories.PASSWORD)
        response_id = start(client, world.cooperative)
        save(client, response_id, "has_plan", "yes")
        reply = client.post(
            f"/responses/{response_id}/discard", data={"csrf_token": page_csrf(client)}
        )
        assert reply.status_code == 409
        assert session.get(Response, response_id) is not None

    def test_another_cooperatives_correction__cannot_be_discarded(
        self, client: TestClient, world: World, session: Session
    ) -> None:
        response_id = submitted_response(client, world)
        draft_id = start_correction(client, response_id)
        client.cookies.clear()
        factories.user(session, role=Role.MANAGER, username="khac", cooperatives=(world.other,))
        sign_in(client, "khac", factories.PASSWORD)
        reply = client.post(
            f"/responses/{draft_id}/discard", data={"csrf_token": page_csrf(client)}
        )
        assert reply.status_code == 404
        assert session.get(Response, draft_id) is not None

    def test_saving_into_a_discarded_correction__says_so(
        self, client: TestClient, world: World
    ) -> None:
        response_id = submitted_response(client, world)
        draft_id = start_correction(client, response_id)
        client.post(f"/responses/{draft_id}/discard", data={"csrf_token": page_csrf(client)})
        reply = save(client, draft_id, "has_plan", "no")
        assert reply.status_code == 404  # type: ignore[attr-defined]


def test_save_and_finish_later__confirms_on_the_home_page(client: TestClient, world: World) -> None:
    sign_in(client, "giamdoc", factories.PASSWORD)
    response_id = start(client, world.cooperative)
    token = page_csrf(client, f"/responses/{response_id}/steps/1")
    reply = client.post(
        f"/responses/{response_id}/steps/1",
        data={"csrf_token": token, "has_web": "no", "action": "leave"},
    )
    assert reply.headers["location"] == "/"
    home = client.get("/").text
    assert re.search(r'class="flash-ok">✓ Câu trả lời đã được lưu', home)
