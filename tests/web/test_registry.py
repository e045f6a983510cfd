"""The registry list (/cooperatives): search, filters, wave progress and pages of at most 100.

The targeting world of tests/worlds.py, plus HTX Lan (nothing started in the wave) and a
second "HTX An" in Hữu Lũng that only its registration code tells apart.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import Role
from tests import factories
from tests.conftest import sign_in, table_rows
from tests.worlds import TargetingProvince, targeting_province


@pytest.fixture
def world(session: Session) -> TargetingProvince:
    made = targeting_province(session)
    factories.cooperative(session, in_area=made.chi_lang, name="HTX Lan", code="4900000001")
    factories.cooperative(session, in_area=made.huu_lung, name="HTX An", code="4900000002")
    factories.user(session, role=Role.ADVISOR, username="canbo.list")
    return made


def names(client: TestClient, query: str = "") -> list[str]:
    """The cooperative column of the list, as "name code"."""
    page = client.get(f"/cooperatives{query}")
    assert page.status_code == 200, page.text
    if "<tbody>" not in page.text:
        return []
    return [" ".join(row.split("|")[:2]) for row in table_rows(page.text)]


@pytest.fixture
def advisor(client: TestClient, world: TargetingProvince) -> TestClient:
    sign_in(client, "canbo.list", factories.PASSWORD)
    return client


class TestRegistryList:
    def test_a_manager__may_not_open_it(
        self, client: TestClient, session: Session, world: TargetingProvince
    ) -> None:
        factories.user(
            session, role=Role.MANAGER, username="giamdoc.an", cooperatives=(world.coops["An"],)
        )
        sign_in(client, "giamdoc.an", factories.PASSWORD)
        assert client.get("/cooperatives").status_code == 403

    def test_two_cooperatives_of_one_name__are_told_apart_by_registration_code(
        self, advisor: TestClient, world: TargetingProvince
    ) -> None:
        listed = [n for n in names(advisor) if n.startswith("HTX An ")]
        # Same name: by registration code.
        assert listed == ["HTX An 4900000002", f"HTX An {world.coops['An'].registration_code}"]

    @pytest.mark.parametrize(
        ("typed", "expected"),
        [
            ("khanh", ["HTX Khánh"]),  # without diacritics
            ("KHÁNH", ["HTX Khánh"]),  # upper case, with them
            ("4900000001", ["HTX Lan"]),  # a registration code
            ("quang lang", ["HTX Bình"]),  # the commune it is registered in
        ],
    )
    def test_search__matches_name_code_and_commune_ignoring_case_and_diacritics(
        self, advisor: TestClient, typed: str, expected: list[str]
    ) -> None:
        found = [n.rsplit(" ", 1)[0] for n in names(advisor, f"?q={typed}")]
        assert found == expected

    def test_search_by_district__finds_its_communes_cooperatives_too(
        self, advisor: TestClient
    ) -> None:
        found = {n.rsplit(" ", 1)[0] for n in names(advisor, "?q=hữu lũng")}
        assert found == {"HTX Dũng", "HTX Em", "HTX An"}

    def test_a_search_with_like_signs__matches_them_literally(self, advisor: TestClient) -> None:
        assert names(advisor, "?q=%25") == []

    @pytest.mark.parametrize(
        ("wave_status", "expected"),
        [
            ("draft", {"HTX Giang"}),
            ("not_started", {"HTX Lan", "HTX An"}),
        ],
    )
    def test_wave_status_filter__lists_by_progress_in_the_current_wave(
        self, advisor: TestClient, wave_status: str, expected: set[str]
    ) -> None:
        found = {n.rsplit(" ", 1)[0] for n in names(advisor, f"?wave_status={wave_status}")}
        assert found == expected

    def test_answered__counts_a_corrected_submission_once(self, advisor: TestClient) -> None:
        found = [n.rsplit(" ", 1)[0] for n in names(advisor, "?wave_status=answered")]
        assert sorted(found) == sorted(
            ["HTX An", "HTX Bình", "HTX Cường", "HTX Dũng", "HTX Em", "HTX Hà", "HTX Khánh"]
        )

    def test_sector_and_status_filters__combine(self, advisor: TestClient) -> None:
        assert [n.rsplit(" ", 1)[0] for n in names(advisor, "?sector=handicraft")] == ["HTX Cường"]
        assert [n.rsplit(" ", 1)[0] for n in names(advisor, "?status=dissolved")] == ["HTX Hà"]
        assert names(advisor, "?status=dissolved&sector=handicraft") == []

    def test_the_all_districts_choice__filters_nothing(self, advisor: TestClient) -> None:
        assert len(names(advisor, "?district=&sector=&status=&wave_status=&q=")) == 10

    def test_an_unknown_filter_value__is_a_clear_422(self, advisor: TestClient) -> None:
        response = advisor.get("/cooperatives?sector=mining")
        assert response.status_code == 422
        assert "chưa hợp lệ" in response.text

    def test_the_page_shows_the_wave_state_in_vietnamese(self, advisor: TestClient) -> None:
        page = advisor.get("/cooperatives?q=giang").text
        assert "Đang làm dở" in page
        assert '<th scope="col">Mã số</th>' in page


class TestRegistryPaging:
    def test_a_long_registry__pages_by_100_with_the_filters_kept(
        self, client: TestClient, session: Session
    ) -> None:
        district = factories.area(session, name="Bắc Sơn")
        for number in range(205):
            factories.cooperative(
                session, in_area=district, name=f"HTX Số {number:03d}", code=f"48{number:08d}"
            )
        factories.user(session, role=Role.ADMIN, username="quantri.list")
        sign_in(client, "quantri.list", factories.PASSWORD)

        first = client.get("/cooperatives?q=số").text
        assert len(table_rows(first)) == 100
        assert "1–100 trong 205 hợp tác xã" in first
        assert 'href="/cooperatives?q=s%E1%BB%91&amp;page=2"' in first

        last = client.get("/cooperatives?q=số&page=3").text
        assert [row.split("|")[0] for row in table_rows(last)] == [
            "HTX Số 200",
            "HTX Số 201",
            "HTX Số 202",
            "HTX Số 203",
            "HTX Số 204",
        ]
        assert "201–205 trong 205 hợp tác xã" in last
        assert 'rel="next"' not in last
