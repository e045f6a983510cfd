"""Waves from the browser: create with chosen versions, open, close with a confirm step."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.responses import service as responses
from app.responses.models import Response, ResponseStatus, Wave, WaveStatus
from app.surveys import service as surveys
from app.surveys.loader import load_file
from app.surveys.models import QuestionnaireVersion
from app.web.templating import LANG_COOKIE
from tests import factories
from tests.conftest import page_csrf, sign_in

MINI = Path(__file__).resolve().parents[1] / "unit" / "fixtures" / "mini-1.yaml"


@pytest.fixture
def version(session: Session) -> QuestionnaireVersion:
    surveys.publish(session, questionnaire=load_file(MINI))
    return surveys.latest_version(session, key="mini")


@pytest.fixture
def admin(client: TestClient, session: Session) -> TestClient:
    factories.user(session, role=Role.ADMIN, username="quantri")
    sign_in(client, "quantri", factories.PASSWORD)
    return client


def make_wave(
    session: Session, version: QuestionnaireVersion, key: str, status: WaveStatus
) -> Wave:
    return responses.create_wave(
        session,
        key=key,
        name=f"Đợt {key}",
        version_ids={"mini": version.id},
        opens_on=dt.date(int(key), 3, 1),
        closes_on=dt.date(int(key), 12, 31),
        status=status,
    )


def events(session: Session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


class TestAdminIndex:
    def test_admin__sees_every_section(self, admin: TestClient) -> None:
        page = admin.get("/admin")
        assert page.status_code == 200
        for section in ("waves", "questionnaires", "registry", "accounts", "audit"):
            assert f'href="/admin/{section}"' in page.text


class TestWaveList:
    def test_anonymous__is_sent_to_sign_in(self, client: TestClient) -> None:
        response = client.get("/admin/waves")
        assert response.status_code == 303
        assert response.headers["location"].startswith("/signin")

    def test_an_advisor__is_refused(self, client: TestClient, session: Session) -> None:
        factories.user(session, role=Role.ADVISOR, username="canbo")
        sign_in(client, "canbo", factories.PASSWORD)
        assert client.get("/admin/waves").status_code == 403
        assert client.get("/admin").status_code == 403

    def test_admin__sees_each_wave_with_its_versions_and_counts(
        self, admin: TestClient, session: Session, version: QuestionnaireVersion
    ) -> None:
        wave = make_wave(session, version, "2026", WaveStatus.OPEN)
        cooperative = factories.cooperative(session)
        session.add(
            Response(
                wave_id=wave.id,
                questionnaire_key="mini",
                version_id=version.id,
                cooperative_id=cooperative.id,
                subject_key=f"c{cooperative.id}",
                status=ResponseStatus.DRAFT,
            )
        )
        session.flush()
        page = admin.get("/admin/waves")
        assert page.status_code == 200
        assert "Đợt 2026" in page.text
        assert "Bộ câu hỏi thử · 1" in page.text  # the questionnaire by its title
        assert "mini 1" not in page.text
        assert "Đang mở" in page.text
        row = page.text.split('id="wave-2026"')[1].split("</tr>")[0]
        assert '<td class="num">1</td>' in row  # one unfinished draft


class TestCreateWave:
    def test_an_advisor__cannot_create(
        self, client: TestClient, session: Session, version: QuestionnaireVersion
    ) -> None:
        factories.user(session, role=Role.ADVISOR, username="canbo")
        sign_in(client, "canbo", factories.PASSWORD)
        response = client.post(
            "/admin/waves",
            data={
                "key": "2027",
                "name": "x",
                "version_mini": str(version.id),
                "csrf_token": page_csrf(client),
            },
        )
        assert response.status_code == 403
        assert session.scalar(select(Wave).where(Wave.key == "2027")) is None

    def test_the_form__offers_every_published_version(
        self, admin: TestClient, version: QuestionnaireVersion
    ) -> None:
        page = admin.get("/admin/waves/new")
        assert page.status_code == 200
        assert f'<option value="{version.id}" selected>' in page.text

    def test_admin__creates_a_wave_not_yet_open_and_it_is_audited(
        self, admin: TestClient, session: Session, version: QuestionnaireVersion
    ) -> None:
        response = admin.post(
            "/admin/waves",
            data={
                "key": "2027",
                "name": "Đợt đánh giá 2027",
                "opens_on": "2027-03-01",
                "closes_on": "2027-12-31",
                "version_mini": str(version.id),
                "csrf_token": page_csrf(admin, "/admin/waves/new"),
            },
        )
        assert response.status_code == 303
        wave = session.scalar(select(Wave).where(Wave.key == "2027"))
        assert wave is not None
        assert wave.status == WaveStatus.DRAFT
        assert wave.opens_on == dt.date(2027, 3, 1)
        assert responses.wave_versions(session, wave_id=wave.id)["mini"].id == version.id
        [event] = events(session, "wave.create")
        assert event.actor_username == "quantri"
        assert event.target == "wave:2027"
        assert event.detail == {"name": "Đợt đánh giá 2027", "versions": {"mini": "1"}}
        # The administrator is told, on the list the form returns to.
        assert "Đã tạo đợt đánh giá." in admin.get(response.headers["location"]).text
        assert event.ip_address

    def test_a_wave_named_in_english__reads_so_in_the_english_interface(
        self, admin: TestClient, session: Session, version: QuestionnaireVersion
    ) -> None:
        make_wave(session, version, "2026", WaveStatus.OPEN)
        admin.post(
            "/admin/waves",
            data={
                "key": "2027",
                "name": "Đợt đánh giá 2027",
                "name_en": "Assessment wave 2027",
                "version_mini": str(version.id),
                "csrf_token": page_csrf(admin, "/admin/waves/new"),
            },
        )
        assert "Đợt đánh giá 2027" in admin.get("/admin/waves").text
        admin.cookies.set(LANG_COOKIE, "en")
        english = admin.get("/admin/waves").text
        assert "Assessment wave 2027" in english
        assert "Đợt đánh giá 2027" not in english
        # A wave given no English name reads by its key.
        assert "Wave 2026" in english

    def test_bad_fields__are_shown_beside_each_field_with_422(
        self, admin: TestClient, session: Session, version: QuestionnaireVersion
    ) -> None:
        make_wave(session, version, "2026", WaveStatus.OPEN)
        response = admin.post(
            "/admin/waves",
            data={
                "key": "2026",
                "name": "",
                "opens_on": "2027-12-31",
                "closes_on": "2027-01-01",
                "csrf_token": page_csrf(admin, "/admin/waves/new"),
            },
        )
        assert response.status_code == 422
        assert "Đợt &#39;2026&#39; đã có." in response.text
        assert "Vui lòng nhập tên đợt." in response.text
        assert "Ngày kết thúc phải sau ngày bắt đầu." in response.text
        assert "Hãy chọn ít nhất một bộ câu hỏi." in response.text
        assert events(session, "wave.create") == []


class TestOpenAndCloseWave:
    def test_an_advisor__cannot_close(
        self, client: TestClient, session: Session, version: QuestionnaireVersion
    ) -> None:
        wave = make_wave(session, version, "2026", WaveStatus.OPEN)
        factories.user(session, role=Role.ADVISOR, username="canbo")
        sign_in(client, "canbo", factories.PASSWORD)
        token = page_csrf(client)
        assert (
            client.post(f"/admin/waves/{wave.id}/close", data={"csrf_token": token}).status_code
            == 403
        )
        assert client.get(f"/admin/waves/{wave.id}/close").status_code == 403
        assert wave.status == WaveStatus.OPEN

    def test_closing__asks_to_confirm_and_says_what_happens_to_drafts(
        self, admin: TestClient, session: Session, version: QuestionnaireVersion
    ) -> None:
        wave = make_wave(session, version, "2026", WaveStatus.OPEN)
        page = admin.get(f"/admin/waves/{wave.id}/close")
        assert page.status_code == 200
        assert "phiếu nháp được giữ nguyên" in page.text
        assert f'action="/admin/waves/{wave.id}/close"' in page.text
        session.refresh(wave)
        assert wave.status == WaveStatus.OPEN  # looking at the confirm page changes nothing

    def test_closing__keeps_drafts_as_drafts_and_stops_answering(
        self, admin: TestClient, session: Session, version: QuestionnaireVersion
    ) -> None:
        wave = make_wave(session, version, "2026", WaveStatus.OPEN)
        cooperative = factories.cooperative(session)
        manager = factories.user(session, role=Role.MANAGER, cooperatives=(cooperative,))
        draft = responses.start(
            session,
            wave=wave,
            key="mini",
            cooperative_id=cooperative.id,
            product_id=None,
            user=manager,
        )
        response = admin.post(
            f"/admin/waves/{wave.id}/close",
            data={"csrf_token": page_csrf(admin, f"/admin/waves/{wave.id}/close")},
        )
        assert response.status_code == 303
        session.refresh(wave)
        session.refresh(draft)
        assert wave.status == WaveStatus.CLOSED
        assert draft.status == ResponseStatus.DRAFT
        questionnaire = responses.questionnaire_of(session, response=draft)
        with pytest.raises(Exception, match="closed"):
            responses.save_answer(
                session,
                response=draft,
                question=questionnaire.question("has_plan"),
                raw=["yes"],
                step=1,
            )
        [event] = events(session, "wave.close")
        assert event.target == "wave:2026"

    def test_opening__is_refused_while_another_wave_is_open(
        self, admin: TestClient, session: Session, version: QuestionnaireVersion
    ) -> None:
        make_wave(session, version, "2026", WaveStatus.OPEN)
        later = make_wave(session, version, "2027", WaveStatus.DRAFT)
        response = admin.post(
            f"/admin/waves/{later.id}/open", data={"csrf_token": page_csrf(admin, "/admin/waves")}
        )
        assert response.status_code == 409
        assert "Hãy đóng đợt đó trước" in response.text
        session.refresh(later)
        assert later.status == WaveStatus.DRAFT
        assert events(session, "wave.open") == []

    def test_a_closed_wave__can_be_reopened_and_it_is_audited(
        self, admin: TestClient, session: Session, version: QuestionnaireVersion
    ) -> None:
        wave = make_wave(session, version, "2026", WaveStatus.CLOSED)
        response = admin.post(
            f"/admin/waves/{wave.id}/open", data={"csrf_token": page_csrf(admin, "/admin/waves")}
        )
        assert response.status_code == 303
        session.refresh(wave)
        assert wave.status == WaveStatus.OPEN
        assert responses.open_wave(session) == wave
        [event] = events(session, "wave.open")
        assert event.detail == {"from": "closed"}

    def test_opening_an_open_wave_again__records_nothing_new(
        self, admin: TestClient, session: Session, version: QuestionnaireVersion
    ) -> None:
        wave = make_wave(session, version, "2026", WaveStatus.OPEN)
        response = admin.post(
            f"/admin/waves/{wave.id}/open", data={"csrf_token": page_csrf(admin, "/admin/waves")}
        )
        assert response.status_code == 303
        assert events(session, "wave.open") == []
