"""The audit log is append-only in the database, and submissions and revisions are recorded once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.audit import service as audit
from app.audit.models import AuditEvent
from app.cooperatives.models import Cooperative
from tests import factories
from tests.conftest import page_csrf, sign_in

MINI = Path(__file__).resolve().parents[1] / "unit" / "fixtures" / "mini-1.yaml"


class TestAppendOnly:
    @pytest.fixture
    def event(self, session: Session) -> AuditEvent:
        audit.record(session, actor=None, action="test.event", detail={"n": 1})
        found = session.scalar(select(AuditEvent).where(AuditEvent.action == "test.event"))
        assert found is not None
        return found

    def test_an_update__is_refused_by_the_database(
        self, session: Session, event: AuditEvent
    ) -> None:
        with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
            session.execute(
                update(AuditEvent).where(AuditEvent.id == event.id).values(action="forged")
            )
        session.expire_all()
        assert session.scalar(select(AuditEvent.action).where(AuditEvent.id == event.id)) == (
            "test.event"
        )

    def test_a_delete__is_refused_by_the_database(
        self, session: Session, event: AuditEvent
    ) -> None:
        with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
            session.execute(delete(AuditEvent).where(AuditEvent.id == event.id))
        assert session.scalar(select(AuditEvent.id).where(AuditEvent.id == event.id)) == event.id


@pytest.fixture
def filled(session: Session) -> tuple[Cooperative, User, User]:
    """An open wave of the mini questionnaire, a cooperative, its manager and an advisor."""
    factories.open_mini_wave(session)
    cooperative = factories.cooperative(session)
    manager = factories.user(
        session, role=Role.MANAGER, username="giamdoc", cooperatives=(cooperative,)
    )
    advisor = factories.user(session, role=Role.ADVISOR, username="canbo")
    return cooperative, manager, advisor


def fill_and_submit(client: TestClient, cooperative: Cooperative) -> int:
    started = client.post(
        "/fill/start",
        data={
            "key": "mini",
            "cooperative_id": str(cooperative.id),
            "csrf_token": page_csrf(client),
        },
    )
    response_id = int(started.headers["location"].rsplit("/", 1)[1])
    token = page_csrf(client)
    for code, value in [
        ("has_web", "no"),
        ("online_share", "2"),
        ("has_plan", "yes"),
        ("tools", "excel"),
    ]:
        saved = client.post(
            f"/responses/{response_id}/answers/{code}",
            data={code: value},
            headers={"HX-Request": "true", "X-CSRF-Token": token},
        )
        assert saved.status_code == 200
    assert submit(client, response_id).status_code == 303
    return response_id


def submit(client: TestClient, response_id: int) -> Any:
    return client.post(f"/responses/{response_id}/submit", data={"csrf_token": page_csrf(client)})


def events(session: Session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


class TestResponseEvents:
    def test_a_submission__is_recorded_once_even_when_repeated(
        self, client: TestClient, session: Session, filled: tuple[Cooperative, User, User]
    ) -> None:
        cooperative, _, _ = filled
        sign_in(client, "giamdoc", factories.PASSWORD)
        response_id = fill_and_submit(client, cooperative)
        assert submit(client, response_id).status_code == 303
        [event] = events(session, "response.submit")
        assert event.actor_username == "giamdoc"
        assert event.target == f"response:{response_id}"
        assert event.detail == {
            "on_behalf": False,
            "cooperative_id": cooperative.id,
            "questionnaire": "mini",
            "revision": 1,
        }
        assert event.ip_address

    def test_an_entry_on_behalf__says_so(
        self, client: TestClient, session: Session, filled: tuple[Cooperative, User, User]
    ) -> None:
        cooperative, _, _ = filled
        sign_in(client, "canbo", factories.PASSWORD)
        fill_and_submit(client, cooperative)
        [event] = events(session, "response.submit")
        assert event.actor_username == "canbo"
        assert event.detail is not None
        assert event.detail["on_behalf"] is True

    def test_a_revision__is_recorded_once_and_its_submission_too(
        self, client: TestClient, session: Session, filled: tuple[Cooperative, User, User]
    ) -> None:
        cooperative, _, _ = filled
        sign_in(client, "giamdoc", factories.PASSWORD)
        first = fill_and_submit(client, cooperative)
        for _ in range(2):
            revised = client.post(
                f"/responses/{first}/revise", data={"csrf_token": page_csrf(client)}
            )
            assert revised.status_code == 303
        draft_id = int(revised.headers["location"].split("/")[2])
        [event] = events(session, "response.revise")
        assert event.target == f"response:{draft_id}"
        assert event.detail is not None
        assert event.detail["revision"] == 2
        assert event.detail["revises"] == first
        assert submit(client, draft_id).status_code == 303
        assert sorted(e.target or "" for e in events(session, "response.submit")) == sorted(
            [f"response:{first}", f"response:{draft_id}"]
        )
