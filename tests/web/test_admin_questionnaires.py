"""Questionnaire versions from the browser: list, preview, publish from the folder, compare."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.surveys import diff
from app.surveys import service as surveys
from app.surveys.loader import load_file, load_text
from app.surveys.models import QuestionnaireVersion
from tests import factories
from tests.conftest import page_csrf, sign_in

MINI = Path(__file__).resolve().parents[1] / "unit" / "fixtures" / "mini-1.yaml"
MINI_TEXT = MINI.read_text(encoding="utf-8")
# Version 2: one label reworded, one option's points raised, `note` removed, `website` added.
MINI_2 = (
    MINI_TEXT.replace('version: "1"', 'version: "2"')
    .replace('en: "A digital plan?"', 'en: "A written digital plan?"')
    .replace(
        "{value: excel, label: {vi: Bảng tính, en: Spreadsheet}, points: 1}",
        "{value: excel, label: {vi: Bảng tính, en: Spreadsheet}, points: 2}",
    )
    .replace(
        """  - code: note
    dimension: ops
    type: text
    required: false
    label: {vi: Ghi chú, en: Notes}""",
        """  - code: website
    dimension: sales
    type: text
    required: false
    label: {vi: Địa chỉ trang web, en: Website address}""",
    )
)


@pytest.fixture
def admin(client: TestClient, session: Session) -> TestClient:
    factories.user(session, role=Role.ADMIN, username="quantri")
    sign_in(client, "quantri", factories.PASSWORD)
    return client


@pytest.fixture
def folder(tmp_path: Path, app: FastAPI) -> Path:
    """The questionnaire folder the portal publishes from, empty to start with."""
    surveys_dir = tmp_path / "surveys"
    surveys_dir.mkdir()
    app.state.settings = app.state.settings.model_copy(update={"surveys_dir": surveys_dir})
    return surveys_dir


def published(session: Session) -> set[tuple[str, str]]:
    return {(v.key, v.version) for v in session.scalars(select(QuestionnaireVersion))}


def publish_events(session: Session) -> list[AuditEvent]:
    return list(
        session.scalars(select(AuditEvent).where(AuditEvent.action == "questionnaire.publish"))
    )


class TestQuestionnaireList:
    def test_anonymous__is_sent_to_sign_in(self, client: TestClient) -> None:
        assert client.get("/admin/questionnaires").status_code == 303

    def test_a_manager__is_refused(self, client: TestClient, session: Session) -> None:
        factories.user(session, role=Role.MANAGER, username="giamdoc")
        sign_in(client, "giamdoc", factories.PASSWORD)
        assert client.get("/admin/questionnaires").status_code == 403

    def test_admin__sees_each_version_with_hash_date_and_counts(
        self, admin: TestClient, session: Session, folder: Path
    ) -> None:
        surveys.publish(session, questionnaire=load_file(MINI))
        version = surveys.latest_version(session, key="mini")
        page = admin.get("/admin/questionnaires")
        assert page.status_code == 200
        row = page.text.split('<small class="muted">mini</small>')[1].split("</tr>")[0]
        assert version.content_hash[:12] in row
        assert '<td class="num">2</td>' in row  # dimensions
        assert '<td class="num">9</td>' in row  # questions

    def test_the_folder__says_what_publishing_would_do(
        self, admin: TestClient, session: Session, folder: Path
    ) -> None:
        surveys.publish(session, questionnaire=load_file(MINI))
        (folder / "mini-1.yaml").write_text(MINI_TEXT, encoding="utf-8")
        (folder / "mini-2.yaml").write_text(MINI_2, encoding="utf-8")
        page = admin.get("/admin/questionnaires").text
        assert "đã công bố, không thay đổi" in page
        assert "phiên bản mới: sẽ được công bố" in page


class TestPreview:
    def test_an_advisor__is_refused(self, client: TestClient, session: Session) -> None:
        surveys.publish(session, questionnaire=load_file(MINI))
        version = surveys.latest_version(session, key="mini")
        factories.user(session, role=Role.ADVISOR, username="canbo")
        sign_in(client, "canbo", factories.PASSWORD)
        assert client.get(f"/admin/questionnaires/{version.id}/preview").status_code == 403

    def test_preview__shows_every_step_with_the_respondent_widgets_and_saves_nothing(
        self, admin: TestClient, session: Session
    ) -> None:
        surveys.publish(session, questionnaire=load_file(MINI))
        version = surveys.latest_version(session, key="mini")
        page = admin.get(f"/admin/questionnaires/{version.id}/preview")
        assert page.status_code == 200
        assert "Bước 1/2" in page.text
        assert "Bước 2/2" in page.text
        for code in ("has_web", "web_channels", "online_share", "members", "tools", "note"):
            assert f'id="q-{code}"' in page.text
        assert 'name="tools" value="software"' in page.text
        assert "hx-post" not in page.text
        assert '<form method="post"' not in page.text.split("<main")[1]
        # A conditional question is shown, with its condition.
        assert "Chỉ hiện khi:" in page.text
        assert "${has_web} = &#39;yes&#39;" in page.text

    def test_an_unknown_version__is_not_found(self, admin: TestClient) -> None:
        assert admin.get("/admin/questionnaires/999999/preview").status_code == 404


class TestPublish:
    def test_an_advisor__cannot_publish(
        self, client: TestClient, session: Session, folder: Path
    ) -> None:
        (folder / "mini-1.yaml").write_text(MINI_TEXT, encoding="utf-8")
        factories.user(session, role=Role.ADVISOR, username="canbo")
        sign_in(client, "canbo", factories.PASSWORD)
        response = client.post(
            "/admin/questionnaires/publish", data={"csrf_token": page_csrf(client)}
        )
        assert response.status_code == 403
        assert published(session) == set()

    def test_admin__publishes_the_new_files_and_each_is_audited(
        self, admin: TestClient, session: Session, folder: Path
    ) -> None:
        (folder / "mini-1.yaml").write_text(MINI_TEXT, encoding="utf-8")
        (folder / "mini-2.yaml").write_text(MINI_2, encoding="utf-8")
        response = admin.post(
            "/admin/questionnaires/publish",
            data={"csrf_token": page_csrf(admin, "/admin/questionnaires")},
        )
        assert response.status_code == 200
        assert "Đã công bố thư mục bộ câu hỏi." in response.text
        assert published(session) == {("mini", "1"), ("mini", "2")}
        assert sorted(e.target or "" for e in publish_events(session)) == [
            "questionnaire:mini 1",
            "questionnaire:mini 2",
        ]

    def test_publishing_again__changes_nothing_and_records_nothing(
        self, admin: TestClient, session: Session, folder: Path
    ) -> None:
        surveys.publish(session, questionnaire=load_file(MINI))
        (folder / "mini-1.yaml").write_text(MINI_TEXT, encoding="utf-8")
        response = admin.post(
            "/admin/questionnaires/publish",
            data={"csrf_token": page_csrf(admin, "/admin/questionnaires")},
        )
        assert response.status_code == 200
        assert publish_events(session) == []

    def test_a_bad_file__shows_every_problem_with_file_and_line_and_publishes_nothing(
        self, admin: TestClient, session: Session, folder: Path
    ) -> None:
        (folder / "mini-1.yaml").write_text(MINI_TEXT, encoding="utf-8")
        broken = MINI_2.replace("type: yes_no", "type: yes_or_no", 1).replace(
            "weight: 2\n    title", "weight: -2\n    title", 1
        )
        (folder / "mini-2.yaml").write_text(broken, encoding="utf-8")
        response = admin.post(
            "/admin/questionnaires/publish",
            data={"csrf_token": page_csrf(admin, "/admin/questionnaires")},
        )
        assert response.status_code == 422
        assert "Không công bố gì" in response.text
        assert "mini-2.yaml:44: questions[0].type:" in response.text
        assert "mini-2.yaml:24: dimensions[0].weight:" in response.text
        assert published(session) == set()
        assert publish_events(session) == []

    def test_a_published_version_changed_in_its_file__is_refused_and_nothing_is_published(
        self, admin: TestClient, session: Session, folder: Path
    ) -> None:
        surveys.publish(session, questionnaire=load_file(MINI))
        alpha = MINI_TEXT.replace("key: mini", "key: alpha")
        (folder / "alpha-1.yaml").write_text(alpha, encoding="utf-8")  # new, sorted first
        (folder / "mini-1.yaml").write_text(
            MINI_TEXT.replace("Does the cooperative sell online?", "Sells online?"),
            encoding="utf-8",
        )
        response = admin.post(
            "/admin/questionnaires/publish",
            data={"csrf_token": page_csrf(admin, "/admin/questionnaires")},
        )
        assert response.status_code == 409
        assert "đã được công bố với nội dung khác" in response.text
        assert published(session) == {("mini", "1")}
        assert publish_events(session) == []


class TestCompare:
    def test_an_advisor__is_refused(self, client: TestClient, session: Session) -> None:
        factories.user(session, role=Role.ADVISOR, username="canbo")
        sign_in(client, "canbo", factories.PASSWORD)
        assert client.get("/admin/questionnaires/compare").status_code == 403

    def test_two_versions__show_questions_added_removed_and_changed_by_code(
        self, admin: TestClient, session: Session
    ) -> None:
        surveys.publish(session, questionnaire=load_file(MINI))
        surveys.publish(session, questionnaire=load_text(MINI_2, file="mini-2.yaml"))
        old, new = (
            next(v for v in surveys.list_versions(session, key="mini") if v.version == n)
            for n in ("1", "2")
        )
        page = admin.get(f"/admin/questionnaires/compare?old={old.id}&new={new.id}")
        assert page.status_code == 200
        added = page.text.split("<h3>Thêm mới</h3>")[1].split("</ul>")[0]
        removed = page.text.split("<h3>Bị bỏ</h3>")[1].split("</ul>")[0]
        changed = page.text.split("<h3>Thay đổi</h3>")[1].split("</table>")[0]
        assert "<code>website</code>" in added
        assert "<code>note</code>" in removed
        assert "<code>has_plan</code>" in changed
        assert "<code>tools</code>" in changed
        assert "excel: 1" in changed
        assert "excel: 2" in changed
        assert "<code>online_share</code>" not in changed
        # Versions and dimensions are named by their titles, not their keys.
        assert "Bộ câu hỏi thử 1 → Bộ câu hỏi thử 2" in page.text
        assert "(Bán hàng)" in added or "(Vận hành)" in added
        assert "(sales)" not in page.text
        assert "(ops)" not in page.text


class TestCompareFunction:
    def test_each_kind_of_change__is_named_by_field(self) -> None:
        old = load_file(MINI)
        moved = MINI_TEXT.replace(
            """  - code: tools
    dimension: ops
    type: single_choice""",
            """  - code: tools
    dimension: sales
    type: single_choice
    relevant: "${has_web} = 'yes'\"""",
        ).replace(
            "{value: software, label: {vi: Phần mềm kế toán, en: Accounting software}, points: 3}",
            "{value: cloud, label: {vi: Phần mềm trực tuyến, en: Online software}, points: 3}",
        )
        new = load_text(moved.replace('version: "1"', 'version: "3"'), file="mini-3.yaml")
        result = diff.compare(old, new)
        [change] = result.changed
        assert change.code == "tools"
        assert {c.field for c in change.changes} == {"dimension", "condition", "options", "points"}
        assert result.added == []
        assert result.removed == []
        assert not result.identical

    def test_the_same_version__is_identical(self) -> None:
        q = load_file(MINI)
        result = diff.compare(q, q)
        assert result.identical
        assert result.unchanged == len(q.questions)
