"""The audit log page: filters, pages, and a CSV export that is itself recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Role
from app.audit.models import AuditEvent
from tests import factories
from tests.conftest import page_csrf, sign_in

VIETNAM = dt.timezone(dt.timedelta(hours=7))


@pytest.fixture
def admin(client: TestClient, session: Session) -> TestClient:
    factories.user(session, role=Role.ADMIN, username="quantri")
    sign_in(client, "quantri", factories.PASSWORD)
    return client


def add(
    session: Session, action: str, actor: str | None, at: dt.datetime, **detail: object
) -> None:
    session.add(
        AuditEvent(
            at=at,
            actor_username=actor,
            action=action,
            target=f"thing:{action}",
            detail=detail or None,
            ip_address="10.0.0.7",
        )
    )
    session.flush()


class TestAuditPage:
    def test_anonymous__is_sent_to_sign_in(self, client: TestClient) -> None:
        assert client.get("/admin/audit").status_code == 303

    def test_the_steering_committee__is_refused(self, client: TestClient, session: Session) -> None:
        factories.user(session, role=Role.STEERING, username="bancd")
        sign_in(client, "bancd", factories.PASSWORD)
        assert client.get("/admin/audit").status_code == 403

    def test_events__are_listed_newest_first_with_who_what_and_where(
        self, admin: TestClient, session: Session
    ) -> None:
        add(session, "wave.open", "quantri", dt.datetime(2026, 3, 1, 8, tzinfo=VIETNAM))
        add(session, "wave.close", "quantri", dt.datetime(2026, 12, 31, 17, tzinfo=VIETNAM))
        page = admin.get("/admin/audit").text
        assert page.index("<code>wave.close</code>") < page.index("<code>wave.open</code>")
        assert "10.0.0.7" in page
        assert "31/12/2026" in page

    def test_filters__narrow_by_action_account_and_days(
        self, admin: TestClient, session: Session
    ) -> None:
        add(session, "wave.open", "quantri", dt.datetime(2026, 3, 1, 8, tzinfo=VIETNAM))
        add(session, "wave.close", "quantri", dt.datetime(2026, 12, 31, 23, tzinfo=VIETNAM))
        add(session, "wave.close", "khac", dt.datetime(2027, 1, 1, 0, 30, tzinfo=VIETNAM))
        by_action = admin.get("/admin/audit?action=wave.close").text
        assert "<code>wave.open</code>" not in by_action
        assert by_action.count("<code>wave.close</code>") == 2
        by_actor = admin.get("/admin/audit?action=wave.close&actor=KHAC").text
        assert by_actor.count("<code>wave.close</code>") == 1
        # The end day is included, in Vietnam's time: 23:00 on the 31st counts, 00:30 next day not.
        by_days = admin.get("/admin/audit?action=wave.close&since=2026-12-01&until=2026-12-31").text
        assert by_days.count("<code>wave.close</code>") == 1
        assert "31/12/2026" in by_days

    def test_an_invalid_date__is_refused_beside_its_field_with_the_filters_kept(
        self, admin: TestClient, session: Session
    ) -> None:
        add(session, "wave.open", "quantri", dt.datetime(2026, 3, 1, 8, tzinfo=VIETNAM))
        reply = admin.get("/admin/audit?action=wave.open&actor=quantri&since=2026-02-30")
        assert reply.status_code == 422
        error = reply.text[reply.text.index('id="since-error"') :]
        assert "Ngày không hợp lệ." in error[: error.index("</small>")]
        assert 'name="since" value="2026-02-30" aria-invalid="true"' in reply.text
        assert 'name="actor" value="quantri"' in reply.text
        assert "<code>wave.open</code>" not in reply.text  # no list for a filter not understood
        assert 'id="export-audit"' not in reply.text

    def test_an_end_before_the_start__is_refused_beside_the_end(self, admin: TestClient) -> None:
        reply = admin.get("/admin/audit?since=2026-12-31&until=2026-12-01")
        assert reply.status_code == 422
        error = reply.text[reply.text.index('id="until-error"') :]
        assert "Ngày kết thúc sớm hơn ngày bắt đầu." in error[: error.index("</small>")]

    def test_a_long_log__is_paged(self, admin: TestClient, session: Session) -> None:
        start = dt.datetime(2026, 1, 1, tzinfo=VIETNAM)
        for n in range(60):
            add(session, "test.event", "quantri", start + dt.timedelta(minutes=n), n=n)
        first = admin.get("/admin/audit?action=test.event").text
        second = admin.get("/admin/audit?action=test.event&page=2").text
        assert first.count("<code>test.event</code>") == 50
        assert second.count("<code>test.event</code>") == 10
        assert "Trang 1/2" in first
        assert "n: 59" in first
        assert "n: 0" in second


class TestAuditExport:
    def test_an_advisor__cannot_export(self, client: TestClient, session: Session) -> None:
        factories.user(session, role=Role.ADVISOR, username="canbo")
        sign_in(client, "canbo", factories.PASSWORD)
        response = client.post("/admin/audit/export", data={"csrf_token": page_csrf(client)})
        assert response.status_code == 403

    def test_the_csv__holds_the_filtered_events_and_the_export_is_recorded(
        self, admin: TestClient, session: Session
    ) -> None:
        add(session, "wave.open", "quantri", dt.datetime(2026, 3, 1, 8, tzinfo=VIETNAM), n=1)
        add(session, "=cmd|' /C calc'!A0", "quantri", dt.datetime(2026, 3, 2, tzinfo=VIETNAM))
        response = admin.post(
            "/admin/audit/export",
            data={"action": "wave.open", "csrf_token": page_csrf(admin, "/admin/audit")},
        )
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
        text = response.content.decode("utf-8")
        lines = text.splitlines()
        assert lines[0] == (
            "\ufeffat | Thời điểm (giờ Việt Nam UTC+7),actor | Người thực hiện,"
            "action_label | Thao tác,action | Mã thao tác,target_label | Đối tượng,"
            "target | Mã đối tượng,detail | Chi tiết,ip_address | Địa chỉ IP"
        )
        # Local time with its zone named, the action's name beside its code.
        assert lines[1] == (
            "2026-03-01 08:00:00 +07:00,quantri,Mở đợt đánh giá,wave.open,thing:wave.open,"
            'thing:wave.open,"{""n"": 1}",10.0.0.7'
        )
        assert text.count("\r\n") == len(lines)  # every line ends CRLF
        assert len(lines) == 2
        [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "audit.export"))
        assert event.actor_username == "quantri"
        assert event.detail == {
            "rows": 1,
            "action": "wave.open",
            "actor": "",
            "since": "",
            "until": "",
        }

    def test_an_invalid_date__exports_nothing_and_records_nothing(
        self, admin: TestClient, session: Session
    ) -> None:
        add(session, "wave.open", "quantri", dt.datetime(2026, 3, 1, 8, tzinfo=VIETNAM))
        response = admin.post(
            "/admin/audit/export",
            data={"until": "31/12/2026", "csrf_token": page_csrf(admin, "/admin/audit")},
        )
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("text/html")
        assert 'id="until-error"' in response.text
        exported = select(AuditEvent).where(AuditEvent.action == "audit.export")
        assert session.scalars(exported).all() == []

    def test_targets__are_named_not_coded(self, admin: TestClient, session: Session) -> None:
        cooperative = factories.cooperative(session, name="HTX Na Chi Lăng")
        session.add(
            AuditEvent(
                at=dt.datetime(2026, 3, 1, 8, tzinfo=VIETNAM),
                actor_username="quantri",
                action="followup.create",
                target=f"cooperative:{cooperative.id}",
                detail={"questionnaire": None, "due_on": "2026-03-05"},
            )
        )
        session.flush()
        page = admin.get("/admin/audit").text
        row = page.split("<code>followup.create</code>", 1)[1].split("</tr>", 1)[0]
        assert f"HTX Na Chi Lăng ({cooperative.registration_code})" in row
        assert "Đã lên lịch theo dõi" in page
        assert "null" not in row

    def test_a_formula__is_neutralised_in_the_csv(
        self, admin: TestClient, session: Session
    ) -> None:
        add(session, "=cmd|' /C calc'!A0", "quantri", dt.datetime(2026, 3, 2, tzinfo=VIETNAM))
        response = admin.post(
            "/admin/audit/export", data={"csrf_token": page_csrf(admin, "/admin/audit")}
        )
        assert "'=cmd|' /C calc'!A0" in response.content.decode("utf-8")
