"""The JSON API: session-cookie authentication, roles, visibility, and the pages' figures."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.surveys import service as surveys
from app.surveys.loader import load_file
from app.web.i18n import number, percent
from tests import factories
from tests.conftest import page_csrf, table_rows
from tests.worlds import MINI, Province, as_user, make_wave, province, publish, stored


@pytest.fixture
def world(session: Session) -> Province:
    return province(session)


class TestAuthentication:
    def test_anonymous__gets_401_json(self, client: TestClient, world: Province) -> None:
        response = client.get("/api/v1/areas")
        assert response.status_code == 401
        assert response.json() == {"detail": "Not signed in"}

    def test_wrong_role__gets_403_json(self, client: TestClient, world: Province) -> None:
        response = as_user(client, "giamdoc").get("/api/v1/rankings?wave=2026")
        assert response.status_code == 403
        assert "detail" in response.json()

    def test_only_reads__a_post_is_not_allowed(self, client: TestClient, world: Province) -> None:
        token = page_csrf(as_user(client, "canbo"), "/reports/rankings")
        response = client.post("/api/v1/areas", headers={"X-CSRF-Token": token})
        assert response.status_code == 405
        assert "detail" in response.json()

    def test_openapi__is_for_signed_in_readers_only(
        self, client: TestClient, world: Province
    ) -> None:
        assert client.get("/api/openapi.json").status_code == 401
        assert client.get("/api/docs").status_code == 404
        assert as_user(client, "giamdoc").get("/api/openapi.json").status_code == 403

    def test_openapi__documents_every_endpoint_and_its_model(
        self, client: TestClient, world: Province
    ) -> None:
        schema = as_user(client, "canbo").get("/api/openapi.json").json()
        for path in ("areas", "cooperatives", "scores", "coverage", "rankings"):
            assert f"/api/v1/{path}" in schema["paths"]
        assert "rank_best" in schema["components"]["schemas"]["RankingRowOut"]["properties"]
        assert "/reports/rankings" not in schema["paths"]


class TestAreas:
    def test_signed_in__lists_the_hierarchy(self, client: TestClient, world: Province) -> None:
        areas = as_user(client, "bancd").get("/api/v1/areas?level=district").json()
        assert [a["name"] for a in areas] == ["An Bình", "Bắc Hà", "Cẩm Lý", "Đông Sơn"]


class TestCooperatives:
    def test_manager__sees_only_their_own(self, client: TestClient, world: Province) -> None:
        found = as_user(client, "giamdoc").get("/api/v1/cooperatives").json()
        assert [c["name"] for c in found] == ["HTX A1"]
        assert "phone" not in found[0]

    def test_limited_advisor__sees_only_their_area(
        self, client: TestClient, world: Province
    ) -> None:
        found = as_user(client, "canbo.a").get("/api/v1/cooperatives").json()
        assert {c["name"] for c in found} == {f"HTX A{n}" for n in range(1, 8)}

    def test_pages__carry_the_total_and_links_to_the_next_and_previous(
        self, client: TestClient, world: Province
    ) -> None:
        client = as_user(client, "canbo.a")
        first = client.get("/api/v1/cooperatives?size=3")
        assert first.headers["x-total-count"] == "7"
        assert [c["name"] for c in first.json()] == ["HTX A1", "HTX A2", "HTX A3"]
        assert first.headers["link"] == (
            '<http://testserver/api/v1/cooperatives?size=3&page=2>; rel="next"'
        )
        last = client.get("/api/v1/cooperatives?size=3&page=3")
        assert [c["name"] for c in last.json()] == ["HTX A7"]
        assert last.headers["link"] == (
            '<http://testserver/api/v1/cooperatives?size=3&page=2>; rel="prev"'
        )

    def test_a_page_larger_than_allowed__is_refused(
        self, client: TestClient, world: Province
    ) -> None:
        assert as_user(client, "bancd").get("/api/v1/cooperatives?size=1001").status_code == 422


class TestScores:
    def test_manager__gets_their_own_scores_only(self, client: TestClient, world: Province) -> None:
        found = as_user(client, "giamdoc").get("/api/v1/scores?wave=2026").json()
        assert len(found) == 1
        [mine] = found
        assert mine["name"] == "HTX A1"
        [standing] = mine["standings"]
        assert standing == {
            "questionnaire": "mini",
            "overall": 40.0,
            "level": "mid",
            "product_id": None,
            "product_name": None,
            "dimensions": {"sales": 40.0, "ops": 60.0},
        }

    def test_a_submission_answered_on_an_earlier_version__keeps_the_dimensions_it_was_scored_on(
        self, client: TestClient, session: Session
    ) -> None:
        first = publish(session)
        definition = load_file(MINI)
        # Version 2 drops the "ops" dimension and its questions.
        second = definition.model_copy(
            update={
                "version": "2",
                "dimensions": tuple(d for d in definition.dimensions if d.key != "ops"),
                "questions": tuple(q for q in definition.questions if q.dimension != "ops"),
            }
        )
        surveys.publish(session, questionnaire=second)
        wave = make_wave(
            session,
            key="2026",
            versions=[surveys.latest_version(session, key="mini")],
            opens=dt.date(2026, 3, 1),
        )
        district = factories.area(session, code="D5", name="Chi Lăng")
        cooperative = factories.cooperative(session, in_area=district, name="HTX Cũ")
        stored(session, wave=wave, version=first, cooperative=cooperative, overall=40)
        [found] = as_user(client, "bancd").get("/api/v1/scores?wave=2026").json()
        assert found["standings"][0]["dimensions"] == {"sales": 40.0, "ops": 60.0}

    def test_asking_for_another_cooperative__returns_nothing(
        self, client: TestClient, world: Province
    ) -> None:
        other = world.cooperatives["B1"].id
        found = as_user(client, "giamdoc").get(f"/api/v1/scores?cooperative_id={other}").json()
        assert found == []

    def test_steering__reads_every_scored_cooperative(
        self, client: TestClient, world: Province
    ) -> None:
        found = as_user(client, "bancd").get("/api/v1/scores?wave=2026")
        assert len(found.json()) == 20  # 19 active with a score, and the suspended A7
        assert found.headers["x-total-count"] == "20"

    def test_pages__hold_only_scored_cooperatives_and_the_total_counts_them(
        self, client: TestClient, world: Province
    ) -> None:
        # A6 has not started and D6 has only a draft: neither takes a place on a page.
        second = as_user(client, "bancd").get("/api/v1/scores?wave=2026&size=15&page=2")
        assert second.headers["x-total-count"] == "20"
        assert len(second.json()) == 5


class TestCoverage:
    def test_figures__are_the_pages_figures(self, client: TestClient, world: Province) -> None:
        client = as_user(client, "bancd")
        api = client.get("/api/v1/coverage?wave=2026").json()
        html = table_rows(client.get("/reports/coverage?wave=2026").text)
        for row, line in zip(api["rows"], html, strict=True):
            tally = row["questionnaires"]["mini"]
            assert line == (
                f"{row['name']}|{row['active']}|{row['started']}|{row['finished']}|"
                f"{percent(row['coverage'], 'vi')}|{tally['started']}|"
                f"{tally['submitted']} / {tally['asked']}|{percent(tally['coverage'], 'vi')}"
            )
        assert api["provinces"][0]["finished"] == 19


class TestRankings:
    def test_figures__are_the_pages_figures(self, client: TestClient, world: Province) -> None:
        client = as_user(client, "canbo")
        api = client.get("/api/v1/rankings?wave=2026&questionnaire=mini").json()
        html = table_rows(client.get("/reports/rankings?wave=2026&questionnaire=mini").text)
        assert [r["name"] for r in api["rows"]] == [line.split("|")[2] for line in html]
        for row, line in zip(api["rows"], html, strict=True):
            cells = line.split("|")
            assert cells[0] == (str(row["rank"]) if row["rank"] else "–")
            assert cells[3] == str(row["responses"])
            assert cells[4] == percent(row["coverage"], "vi")
            assert cells[5] == number(row["mean"], "vi")
            assert cells[6] == f"{number(row['ci_low'], 'vi')}–{number(row['ci_high'], 'vi')}"
            assert cells[7] == number(row["median"], "vi")
            assert cells[8] == number(row["iqr"], "vi")
        assert api["minimum_responses"] == 5
        assert api["previous_wave"] == "2025"

    def test_limited_advisor__ranks_only_their_areas(
        self, client: TestClient, world: Province
    ) -> None:
        api = as_user(client, "canbo.a").get("/api/v1/rankings?wave=2026").json()
        assert [r["name"] for r in api["rows"]] == ["An Bình"]
        assert api["whole_scope"] is False

    def test_sort_and_level__follow_the_page(self, client: TestClient, world: Province) -> None:
        client = as_user(client, "quantri")
        by_ops = client.get("/api/v1/rankings?wave=2026&sort=ops").json()
        assert (by_ops["measure"], by_ops["rows"][0]["name"]) == ("ops", "Đông Sơn")
        communes = client.get("/api/v1/rankings?wave=2026&level=commune").json()
        assert "Xã Đồng" in [r["name"] for r in communes["rows"]]

    def test_unknown_questionnaire__is_404_json(self, client: TestClient, world: Province) -> None:
        response = as_user(client, "canbo").get("/api/v1/rankings?questionnaire=nope")
        assert response.status_code == 404
        assert "detail" in response.json()
