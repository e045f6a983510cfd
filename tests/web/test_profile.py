"""A cooperative's profile: assessments across waves, products, answers read back, and the
advisors' notes and follow-ups (internal to the Alliance, audited)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.advice import service as advice
from app.advice.models import AdvisorNote, FollowUp
from app.advice.schemas import FollowUpForm, NoteForm
from app.areas.models import Area
from app.audit.models import AuditEvent
from app.cooperatives.models import Cooperative, Product
from app.responses import service as responses
from app.responses.models import Answer, Response, WaveStatus
from app.surveys import service as surveys
from app.surveys.models import QuestionnaireVersion
from tests import factories
from tests.conftest import page_csrf, sign_in
from tests.worlds import real_questionnaires, submit


@dataclass
class Setting:
    cooperative: Cooperative
    other: Cooperative
    huu_lung: Area
    product: Product
    earlier: Response
    current: Response
    ocop: Response
    advisor: User


@pytest.fixture
def setting(session: Session) -> Setting:
    for questionnaire in real_questionnaires():
        surveys.publish(session, questionnaire=questionnaire)
    versions = {
        key: surveys.latest_version(session, key=key).id
        for key in ("digital", "value_chain", "ocop")
    }
    waves = [
        responses.create_wave(
            session,
            key=key,
            name=f"Đợt đánh giá {key}",
            version_ids=versions,
            opens_on=dt.date(int(key), 3, 1),
            closes_on=dt.date(int(key), 12, 31),
            status=status,
        )
        for key, status in (("2025", WaveStatus.CLOSED), ("2026", WaveStatus.OPEN))
    ]
    chi_lang = factories.area(session, name="Chi Lăng")
    huu_lung = factories.area(session, name="Hữu Lũng")
    cooperative = factories.cooperative(session, in_area=chi_lang, name="HTX Na Chi Lăng")
    other = factories.cooperative(session, in_area=huu_lung, name="HTX Hữu Lũng")
    product = factories.product(session, of=cooperative, name="Na dai", stars=3)
    advisor = factories.user(session, role=Role.ADVISOR, username="canbo")
    earlier = submit(
        session,
        wave=waves[0],
        key="digital",
        cooperative=cooperative,
        overall=30.4,
        level="bat_dau",
        entered_by=advisor,
    )
    submit(
        session,
        wave=waves[1],
        key="digital",
        cooperative=cooperative,
        overall=12.0,
        level="khoi_dong",
        superseded=True,
    )
    current = submit(
        session,
        wave=waves[1],
        key="digital",
        cooperative=cooperative,
        overall=48.4,
        level="hinh_thanh",
        revision=2,
    )
    ocop = submit(
        session,
        wave=waves[1],
        key="ocop",
        cooperative=cooperative,
        product=product,
        overall=55.0,
        level="ba_sao",
    )
    return Setting(cooperative, other, huu_lung, product, earlier, current, ocop, advisor)


def enter_as(client: TestClient, session: Session, setting: Setting, who: str) -> None:
    """Sign in as someone other than the unrestricted advisor `canbo` (made only when needed:
    every password hash costs a noticeable fraction of a second)."""
    if who == "bancd":
        factories.user(session, role=Role.STEERING, username=who)
    elif who == "giamdoc":
        factories.user(
            session, role=Role.MANAGER, username=who, cooperatives=(setting.cooperative,)
        )
    elif who == "canbo_huulung":
        factories.user(session, role=Role.ADVISOR, username=who, areas=(setting.huu_lung,))
    sign_in(client, who, factories.PASSWORD)


def profile(client: TestClient, setting: Setting) -> str:
    page = client.get(f"/cooperatives/{setting.cooperative.id}")
    assert page.status_code == 200
    return page.text


def tomorrow() -> str:
    return (advice.today() + dt.timedelta(days=1)).isoformat()


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


class TestProfilePage:
    def test_anonymous__is_sent_to_sign_in(self, client: TestClient, setting: Setting) -> None:
        reply = client.get(f"/cooperatives/{setting.cooperative.id}")
        assert reply.headers["location"].startswith("/signin")

    def test_steering__is_refused(
        self, client: TestClient, setting: Setting, session: Session
    ) -> None:
        enter_as(client, session, setting, "bancd")
        assert client.get(f"/cooperatives/{setting.cooperative.id}").status_code == 403

    def test_another_areas_cooperative__does_not_exist_for_a_limited_advisor(
        self, client: TestClient, setting: Setting, session: Session
    ) -> None:
        enter_as(client, session, setting, "canbo_huulung")
        assert client.get(f"/cooperatives/{setting.cooperative.id}").status_code == 404
        assert client.get(f"/cooperatives/{setting.other.id}").status_code == 200

    def test_advisor__sees_each_waves_current_submission_with_who_entered_it(
        self, client: TestClient, setting: Setting
    ) -> None:
        sign_in(client, "canbo", factories.PASSWORD)
        page = profile(client, setting)
        history = page[page.index('id="history"') : page.index('id="products"')]
        rows = history.split("<tr>")[2:]
        assert len(rows) == 3  # 2026 digital (revision 2 only), 2026 OCOP, 2025 digital
        assert "Đợt đánh giá 2026" in rows[0]
        assert "48,4" in rows[0]
        assert "Hình thành" in rows[0]
        assert '<td class="num narrow-hide">2</td>' in rows[0]
        assert f'href="/responses/{setting.current.id}/result"' in rows[0]
        assert "12,0" not in history  # the superseded revision
        assert "Na dai" in rows[1]
        assert "3 sao" in rows[1]
        assert "Đợt đánh giá 2025" in rows[2]
        assert "Bắt đầu" in rows[2]
        assert "Người dùng thử" in rows[2]
        assert "nhập thay HTX" in rows[2]

    def test_products__show_official_stars_and_the_self_check_of_each_wave(
        self, client: TestClient, setting: Setting
    ) -> None:
        sign_in(client, "canbo", factories.PASSWORD)
        page = profile(client, setting)
        products = page[page.index('id="products"') :]
        header = products[: products.index("</thead>")]
        assert "Tự đánh giá Đợt đánh giá 2026" in header
        start = products.index("Na dai")
        row = products[start : products.index("</tr>", start)]
        assert "★★★" in row
        assert "3 sao" in row
        assert "55,0" in row

    def test_manager__sees_their_profile_without_the_alliances_notes_or_answers(
        self, client: TestClient, setting: Setting, session: Session
    ) -> None:
        advice.add_note(
            session,
            cooperative_id=setting.cooperative.id,
            author=setting.advisor,
            note=NoteForm(body="Ghi chú nội bộ"),
            ip_address=None,
        )
        enter_as(client, session, setting, "giamdoc")
        page = profile(client, setting)
        assert "Đợt đánh giá 2025" in page
        assert "Ghi chú nội bộ" not in page
        assert 'id="advice"' not in page
        assert "/answers" not in page
        assert client.get(f"/cooperatives/{setting.other.id}").status_code == 404


class TestAnswersPage:
    @pytest.fixture
    def answered(self, session: Session, setting: Setting) -> Setting:
        session.add_all(
            [
                Answer(response_id=setting.current.id, question_code=code, value=value)
                for code, value in (
                    ("dt_dx_plan", "written"),
                    ("dt_dx_in_business_plan", "yes"),
                    ("dt_dx_steps", ["training", "visit"]),
                )
            ]
        )
        session.flush()
        return setting

    def test_anonymous__is_sent_to_sign_in(self, client: TestClient, answered: Setting) -> None:
        reply = client.get(f"/cooperatives/{answered.cooperative.id}/answers")
        assert reply.headers["location"].startswith("/signin")

    @pytest.mark.parametrize("username", ["giamdoc", "bancd"])
    def test_a_manager_or_steering__is_refused(
        self, client: TestClient, answered: Setting, session: Session, username: str
    ) -> None:
        enter_as(client, session, answered, username)
        assert client.get(f"/cooperatives/{answered.cooperative.id}/answers").status_code == 403

    def test_another_areas_cooperative__does_not_exist_for_a_limited_advisor(
        self, client: TestClient, answered: Setting, session: Session
    ) -> None:
        enter_as(client, session, answered, "canbo_huulung")
        reply = client.get(
            f"/cooperatives/{answered.cooperative.id}/answers",
            params={"response": answered.current.id},
        )
        assert reply.status_code == 404

    def test_advisor__reads_option_labels_not_stored_values(
        self, client: TestClient, answered: Setting
    ) -> None:
        sign_in(client, "canbo", factories.PASSWORD)
        page = client.get(
            f"/cooperatives/{answered.cooperative.id}/answers",
            params={"response": answered.current.id},
        ).text
        plan = page[page.index("HTX đã có kế hoạch chuyển đổi số chưa?") :]
        answer = plan[plan.index("<dd>") + 4 : plan.index("</dd>")]
        assert answer == (
            "Có kế hoạch bằng văn bản, được ban lãnh đạo hoặc Đại hội thành viên thông qua"
        )
        assert "Cử người dự hội nghị, tập huấn về chuyển đổi số; Đi học tập" in page
        assert ">Có<" in page
        assert "Chưa trả lời" in page  # visible questions without an answer
        assert "written" not in page

    def test_a_cooperative_that_submitted_nothing__says_so(
        self, client: TestClient, answered: Setting
    ) -> None:
        sign_in(client, "canbo", factories.PASSWORD)
        reply = client.get(f"/cooperatives/{answered.other.id}/answers")
        assert reply.status_code == 200
        assert "Chưa nộp bộ câu hỏi nào." in reply.text

    def test_a_response_asked_through_another_cooperative__is_not_found(
        self, client: TestClient, answered: Setting
    ) -> None:
        sign_in(client, "canbo", factories.PASSWORD)
        reply = client.get(
            f"/cooperatives/{answered.other.id}/answers",
            params={"response": answered.current.id},
        )
        assert reply.status_code == 404


def post_note(client: TestClient, cooperative_id: int, body: str, **headers: str) -> httpx.Response:
    token = page_csrf(client)
    return client.post(
        f"/cooperatives/{cooperative_id}/notes",
        data={"body": body, "csrf_token": token},
        headers=headers,
    )


class TestWriteNote:
    def test_anonymous__is_sent_to_sign_in_and_nothing_is_stored(
        self, client: TestClient, setting: Setting, session: Session
    ) -> None:
        token = page_csrf(client, "/signin")
        reply = client.post(
            f"/cooperatives/{setting.cooperative.id}/notes",
            data={"body": "Không được lưu", "csrf_token": token},
        )
        assert reply.headers["location"].startswith("/signin")
        assert count(session, AdvisorNote) == 0

    @pytest.mark.parametrize("username", ["bancd", "giamdoc"])
    def test_steering_and_managers__are_refused(
        self, client: TestClient, setting: Setting, session: Session, username: str
    ) -> None:
        enter_as(client, session, setting, username)
        reply = post_note(client, setting.cooperative.id, "Không được lưu")
        assert reply.status_code == 403
        assert count(session, AdvisorNote) == 0

    def test_another_areas_cooperative__is_not_found_for_a_limited_advisor(
        self, client: TestClient, setting: Setting, session: Session
    ) -> None:
        enter_as(client, session, setting, "canbo_huulung")
        reply = post_note(client, setting.cooperative.id, "Không được lưu")
        assert reply.status_code == 404
        assert count(session, AdvisorNote) == 0

    def test_advisor__writes_a_note_that_is_shown_and_audited(
        self, client: TestClient, setting: Setting, session: Session
    ) -> None:
        sign_in(client, "canbo", factories.PASSWORD)
        reply = post_note(client, setting.cooperative.id, "  Đã gọi điện, hẹn tập huấn.\n")
        assert reply.status_code == 303
        assert reply.headers["location"] == f"/cooperatives/{setting.cooperative.id}#advice"
        note = session.scalar(select(AdvisorNote))
        assert note is not None
        assert note.body == "Đã gọi điện, hẹn tập huấn."
        assert note.author_id == setting.advisor.id
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "note.create"))
        assert event is not None
        assert (event.actor_username, event.target, event.detail) == (
            "canbo",
            f"cooperative:{setting.cooperative.id}",
            {"note_id": note.id},
        )
        assert "Đã gọi điện, hẹn tập huấn." in profile(client, setting)

    def test_a_script_in_a_note__is_shown_as_text(
        self, client: TestClient, setting: Setting
    ) -> None:
        sign_in(client, "canbo", factories.PASSWORD)
        post_note(client, setting.cooperative.id, '<script>alert("x")</script>')
        page = profile(client, setting)
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page

    def test_an_empty_note__is_refused_beside_the_field_and_nothing_is_stored(
        self, client: TestClient, setting: Setting, session: Session
    ) -> None:
        sign_in(client, "canbo", factories.PASSWORD)
        reply = post_note(client, setting.cooperative.id, "   ")
        assert reply.status_code == 422
        assert 'id="note-body-error"' in reply.text
        assert "Vui lòng nhập nội dung ghi chú." in reply.text
        assert count(session, AdvisorNote) == 0
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "note.create")) is None

    def test_with_htmx__the_advice_panel_comes_back_alone(
        self, client: TestClient, setting: Setting
    ) -> None:
        sign_in(client, "canbo", factories.PASSWORD)
        reply = post_note(client, setting.cooperative.id, "Ghi chú nhanh", **{"HX-Request": "true"})
        assert reply.status_code == 200
        assert reply.text.lstrip().startswith('<section id="advice"')
        assert "Ghi chú nhanh" in reply.text
        assert "<html" not in reply.text


def plan(client: TestClient, cooperative_id: int, description: str, due_on: str) -> httpx.Response:
    token = page_csrf(client)
    return client.post(
        f"/cooperatives/{cooperative_id}/follow-ups",
        data={"description": description, "due_on": due_on, "csrf_token": token},
    )


class TestPlanFollowUp:
    def test_anonymous__is_sent_to_sign_in(
        self, client: TestClient, setting: Setting, session: Session
    ) -> None:
        token = page_csrf(client, "/signin")
        reply = client.post(
            f"/cooperatives/{setting.cooperative.id}/follow-ups",
            data={"description": "Gọi lại", "due_on": tomorrow(), "csrf_token": token},
        )
        assert reply.headers["location"].startswith("/signin")
        assert count(session, FollowUp) == 0

    def test_steering__is_refused(
        self, client: TestClient, setting: Setting, session: Session
    ) -> None:
        enter_as(client, session, setting, "bancd")
        assert plan(client, setting.cooperative.id, "Gọi lại", tomorrow()).status_code == 403
        assert count(session, FollowUp) == 0

    def test_another_areas_cooperative__is_not_found_for_a_limited_advisor(
        self, client: TestClient, setting: Setting, session: Session
    ) -> None:
        enter_as(client, session, setting, "canbo_huulung")
        assert plan(client, setting.cooperative.id, "Gọi lại", tomorrow()).status_code == 404
        assert count(session, FollowUp) == 0

    def test_advisor__plans_a_follow_up_that_is_listed_and_audited(
        self, client: TestClient, setting: Setting, session: Session
    ) -> None:
        sign_in(client, "canbo", factories.PASSWORD)
        due = advice.today() + dt.timedelta(days=10)
        reply = plan(client, setting.cooperative.id, "Kiểm tra sổ sách điện tử", due.isoformat())
        assert reply.status_code == 303
        follow_up = session.scalar(select(FollowUp))
        assert follow_up is not None
        assert (follow_up.description, follow_up.due_on, follow_up.done_at) == (
            "Kiểm tra sổ sách điện tử",
            due,
            None,
        )
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "followup.create"))
        assert event is not None
        assert event.detail == {"follow_up_id": follow_up.id, "due_on": due.isoformat()}
        page = profile(client, setting)
        assert "Kiểm tra sổ sách điện tử" in page
        assert due.strftime("%d/%m/%Y") in page
        assert "Đánh dấu đã xong" in page

    @pytest.mark.parametrize(
        ("due_on", "message"),
        [
            ("yesterday", "Ngày theo dõi không được ở trong quá khứ."),
            ("2026-02-30", "Ngày không hợp lệ."),
            ("", "Ngày không hợp lệ."),
        ],
    )
    def test_a_past_or_invalid_date__is_refused_beside_the_field(
        self, client: TestClient, setting: Setting, session: Session, due_on: str, message: str
    ) -> None:
        if due_on == "yesterday":
            due_on = (advice.today() - dt.timedelta(days=1)).isoformat()
        sign_in(client, "canbo", factories.PASSWORD)
        reply = plan(client, setting.cooperative.id, "Gọi lại", due_on)
        assert reply.status_code == 422
        error = reply.text[reply.text.index('id="follow-up-date-error"') :]
        assert message in error[: error.index("</small>")]
        assert 'value="Gọi lại"' in reply.text
        assert count(session, FollowUp) == 0

    def test_today__is_a_valid_date(
        self, client: TestClient, setting: Setting, session: Session
    ) -> None:
        sign_in(client, "canbo", factories.PASSWORD)
        plan(client, setting.cooperative.id, "Gọi lại", advice.today().isoformat())
        assert count(session, FollowUp) == 1

    def test_an_empty_description__is_refused_beside_the_field(
        self, client: TestClient, setting: Setting, session: Session
    ) -> None:
        sign_in(client, "canbo", factories.PASSWORD)
        reply = plan(client, setting.cooperative.id, "  ", tomorrow())
        assert reply.status_code == 422
        assert "Vui lòng nhập việc cần theo dõi." in reply.text
        assert count(session, FollowUp) == 0


class TestMarkDone:
    @pytest.fixture
    def planned(self, session: Session, setting: Setting) -> FollowUp:
        return advice.plan_follow_up(
            session,
            cooperative_id=setting.cooperative.id,
            author=setting.advisor,
            planned=FollowUpForm(
                description="Gửi tài liệu tập huấn", due_on=advice.today() + dt.timedelta(days=3)
            ),
            ip_address=None,
        )

    def done(self, client: TestClient, cooperative_id: int, follow_up_id: int) -> httpx.Response:
        token = page_csrf(client)
        return client.post(
            f"/cooperatives/{cooperative_id}/follow-ups/{follow_up_id}/done",
            data={"csrf_token": token},
        )

    def test_anonymous__is_sent_to_sign_in(
        self, client: TestClient, setting: Setting, planned: FollowUp
    ) -> None:
        token = page_csrf(client, "/signin")
        reply = client.post(
            f"/cooperatives/{setting.cooperative.id}/follow-ups/{planned.id}/done",
            data={"csrf_token": token},
        )
        assert reply.headers["location"].startswith("/signin")
        assert planned.done_at is None

    def test_steering__is_refused(
        self, client: TestClient, setting: Setting, planned: FollowUp, session: Session
    ) -> None:
        enter_as(client, session, setting, "bancd")
        assert self.done(client, setting.cooperative.id, planned.id).status_code == 403

    def test_a_follow_up_through_another_cooperatives_address__is_not_found(
        self, client: TestClient, setting: Setting, planned: FollowUp, session: Session
    ) -> None:
        sign_in(client, "canbo", factories.PASSWORD)
        assert self.done(client, setting.other.id, planned.id).status_code == 404
        session.refresh(planned)
        assert planned.done_at is None

    def test_advisor__marks_it_done_once_and_it_is_audited(
        self, client: TestClient, setting: Setting, planned: FollowUp, session: Session
    ) -> None:
        sign_in(client, "canbo", factories.PASSWORD)
        assert self.done(client, setting.cooperative.id, planned.id).status_code == 303
        assert self.done(client, setting.cooperative.id, planned.id).status_code == 303
        session.refresh(planned)
        assert planned.done_at is not None
        assert planned.done_by_id == setting.advisor.id
        events = session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "followup.done")
        ).all()
        assert events == [{"follow_up_id": planned.id}]
        page = profile(client, setting)
        item = page[page.index("Gửi tài liệu tập huấn") - 300 :]
        assert "Đã xong" in item[: item.index("</li>")]
        assert f"/follow-ups/{planned.id}/done" not in page


class TestResultPdf:
    @pytest.fixture
    def scored(self, session: Session, setting: Setting) -> Setting:
        """The current digital response with the score detail submission stores."""
        from app.scoring.engine import score

        questionnaire = surveys.definition(
            session.get(QuestionnaireVersion, setting.current.version_id)
        )
        setting.current.score_detail = score(questionnaire, {}).to_json()
        session.flush()
        return setting

    def test_another_areas_cooperative__does_not_exist_for_a_limited_advisor(
        self, client: TestClient, session: Session, scored: Setting
    ) -> None:
        enter_as(client, session, scored, "canbo_huulung")
        assert client.get(f"/responses/{scored.current.id}/result.pdf").status_code == 404

    def test_manager__gets_a_pdf_with_the_score_the_version_and_the_advice(
        self, client: TestClient, session: Session, scored: Setting
    ) -> None:
        from pypdf import PdfReader

        enter_as(client, session, scored, "giamdoc")
        reply = client.get(f"/responses/{scored.current.id}/result.pdf")
        assert reply.status_code == 200
        assert reply.headers["content-type"] == "application/pdf"
        reader = PdfReader(io.BytesIO(reply.content))
        assert 1 <= len(reader.pages) <= 2
        text = " ".join(p.extract_text() for p in reader.pages).replace("\n", " ")
        assert "HTX Na Chi Lăng" in text
        assert "Phiên bản bộ câu hỏi" in text
        assert "Khuyến nghị" in text
        assert f"/responses/{scored.current.id}/result" in text
        box = reader.pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (595, 842)

    def test_advisor__finds_the_pdf_on_the_profile(
        self, client: TestClient, scored: Setting
    ) -> None:
        sign_in(client, "canbo", factories.PASSWORD)
        page = profile(client, scored)
        assert f'href="/responses/{scored.current.id}/result.pdf"' in page
