"""The dashboard: who may read it, and that its figures are the coverage and ranking figures."""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts import passwords
from app.advice.models import FollowUp
from app.reports import dashboard, scope
from app.targets import service as targets
from tests import factories
from tests.conftest import csrf_from
from tests.db.test_rankings import EVERYONE, Province, province
from tests.web.test_reports import as_user


@pytest.fixture(autouse=True)
def quick_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )


@pytest.fixture
def world(session: Session) -> Province:
    return province(session)


def board(session: Session) -> dashboard.Dashboard:
    choice = scope.choose_wave(session, wave_key="2026")
    return dashboard.dashboard(session, choice=choice, level="former-district", visible=EVERYONE)


class TestFigures:
    def test_headline__is_the_province_row_of_coverage_and_ranking(
        self, session: Session, world: Province
    ) -> None:
        found = board(session)
        assert found.coverage_total is not None
        # 21 active cooperatives, 19 submitted (A7 is suspended and counts nowhere).
        assert (found.coverage_total.active, found.coverage_total.finished) == (21, 19)
        mini = found.questionnaire("mini")
        assert mini is not None
        assert mini.total is not None
        assert mini.total.mean == pytest.approx(55.0)
        assert [(c.key, c.count) for c in mini.levels] == [("low", 5), ("mid", 10), ("high", 4)]
        # "ops" is 100 minus the overall score: 45 on average, below "sales" at 55.
        assert mini.weakest is not None
        assert mini.weakest.key == "ops"
        assert mini.weakest_mean == pytest.approx(45.0)

    def test_change__is_against_the_previous_wave(self, session: Session, world: Province) -> None:
        mini = board(session).questionnaire("mini")
        assert mini is not None
        assert mini.total is not None
        # The previous wave: A1 45, A2 55, mean 50.
        assert mini.total.change == pytest.approx(5.0)

    def test_inactive__counts_the_suspended_and_the_silent_two_waves(
        self, session: Session, world: Province
    ) -> None:
        found = board(session).inactive
        # Suspended: A7. Silent in 2026 and 2025: A6 (never started) and D6 (a draft only).
        assert (found.suspended, found.silent) == (1, 2)
        rows, total = dashboard.inactive_list(
            session, choice=scope.choose_wave(session, wave_key="2026"), visible=EVERYONE
        )
        assert total == 3
        assert {r.name for r in rows} == {"HTX A6", "HTX A7", "HTX D6"}

    def test_follow_ups__due_in_the_wave_count_planned_done_and_overdue(
        self, session: Session, world: Province
    ) -> None:
        a1 = world.cooperatives["A1"]
        for due, done in (
            (dt.date(2026, 3, 10), True),
            (dt.date(2026, 4, 1), False),
            (dt.date(2025, 6, 1), False),  # before the wave opened: not counted
        ):
            session.add(
                FollowUp(
                    cooperative_id=a1.id,
                    description="Gọi lại",
                    due_on=due,
                    done_at=dt.datetime(2026, 3, 11, tzinfo=dt.UTC) if done else None,
                )
            )
        session.flush()
        found = board(session).follow_ups
        assert (found.planned, found.done, found.overdue) == (2, 1, 1)

    def test_targets__show_progress_from_the_same_figures(
        self, session: Session, world: Province
    ) -> None:
        admin = factories.user(session, role=factories.Role.ADMIN, username="quantri1")
        for metric, key, level, percent in (
            ("coverage", "", "", "80"),
            ("level", "mini", "mid", "40"),
        ):
            target, errors = targets.check_target(
                session,
                wave=world.wave,
                metric=metric,
                questionnaire=key,
                level=level,
                percent=percent,
            )
            assert not errors
            assert target is not None
            targets.set_target(
                session, wave=world.wave, target=target, actor=admin, ip_address=None
            )
        coverage, level = board(session).targets
        assert (coverage.reached, coverage.of, coverage.met) == (19, 21, True)
        # mid or high: 10 + 4 = 14 of the 21 asked, 66.7% against 40%.
        assert (level.reached, level.of, level.met) == (14, 21, True)


class TestTargetInput:
    @pytest.mark.parametrize(
        ("metric", "key", "level", "percent", "field"),
        [
            ("coverage", "", "", "120", "percent"),
            ("coverage", "", "", "abc", "percent"),
            ("level", "other", "mid", "40", "questionnaire"),
            ("level", "mini", "nope", "40", "level"),
            ("speed", "", "", "40", "metric"),
        ],
    )
    def test_bad_input__names_the_field(
        self,
        session: Session,
        world: Province,
        metric: str,
        key: str,
        level: str,
        percent: str,
        field: str,
    ) -> None:
        target, errors = targets.check_target(
            session, wave=world.wave, metric=metric, questionnaire=key, level=level, percent=percent
        )
        assert target is None
        assert field in errors


class TestPage:
    def test_manager__may_not_read_it(self, client: TestClient, world: Province) -> None:
        as_user(client, "giamdoc")
        assert client.get("/dashboard").status_code == 403

    def test_steering__home_is_the_dashboard(self, client: TestClient, world: Province) -> None:
        as_user(client, "bancd")
        page = client.get("/").text
        assert "Tổng quan" in page
        assert "19 trên 21 HTX đang hoạt động" in page
        assert 'href="/reports/coverage?wave=2026"' in page
        # Steering may not open targeting pages: the figures link to their definitions.
        assert 'href="#def-models"' in page
        assert "/targeting/models" not in page

    def test_advisor__figures_link_to_their_pages(
        self, client: TestClient, world: Province
    ) -> None:
        as_user(client, "canbo")
        page = client.get("/dashboard?wave=2026&level=district").text
        assert 'href="/targeting/shortlists"' in page
        assert 'href="/dashboard/inactive?wave=2026"' in page
        assert "An Bình" in page
        assert "Đông Sơn" in page

    def test_inactive_page__lists_them(self, client: TestClient, world: Province) -> None:
        as_user(client, "bancd")
        page = client.get("/dashboard/inactive?wave=2026").text
        assert "HTX A6" in page
        assert "HTX A7" in page
        assert "HTX D6" in page
        assert "HTX A1" not in page


class TestReportDownload:
    def test_manager__may_not_download_it(self, client: TestClient, world: Province) -> None:
        as_user(client, "giamdoc")
        assert client.get("/dashboard/report.docx?wave=2026").status_code == 403

    def test_steering__downloads_the_pdf(self, client: TestClient, world: Province) -> None:
        as_user(client, "bancd")
        response = client.get("/dashboard/report.pdf?wave=2026")
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        assert 'filename="htxso-bao-cao-2026.pdf"' in response.headers["content-disposition"]
        assert response.content.startswith(b"%PDF")

    def test_unknown_format__is_not_found(self, client: TestClient, world: Province) -> None:
        as_user(client, "bancd")
        assert client.get("/dashboard/report.xlsx?wave=2026").status_code == 404


class TestTargetsAdmin:
    def test_advisor__may_not_set_targets(self, client: TestClient, world: Province) -> None:
        as_user(client, "canbo")
        assert client.get(f"/admin/waves/{world.wave.id}/targets").status_code == 403

    def test_admin__sets_a_level_target_and_the_dashboard_shows_progress(
        self, client: TestClient, session: Session, world: Province
    ) -> None:
        as_user(client, "quantri")
        page = client.get(f"/admin/waves/{world.wave.id}/targets")
        reply = client.post(
            f"/admin/waves/{world.wave.id}/targets",
            data={
                "metric": "level",
                "questionnaire_level": "mini:mid",
                "percent": "40",
                "csrf_token": csrf_from(page.text),
            },
        )
        assert reply.status_code == 303
        board = client.get("/dashboard?wave=2026").text
        assert "Bộ câu hỏi thử: đạt mức Trung bình trở lên" in board
        assert "14/21" in board

    def test_a_percentage_over_100__is_refused_beside_the_field(
        self, client: TestClient, session: Session, world: Province
    ) -> None:
        as_user(client, "quantri")
        page = client.get(f"/admin/waves/{world.wave.id}/targets")
        reply = client.post(
            f"/admin/waves/{world.wave.id}/targets",
            data={"metric": "coverage", "percent": "120", "csrf_token": csrf_from(page.text)},
        )
        assert reply.status_code == 422
        assert 'id="percent-error"' in reply.text
        assert targets.list_targets(session, wave_id=world.wave.id) == []
