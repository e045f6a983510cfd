"""The targeting pages, saving a shortlist, opening it and exporting it, for each role.

The figures come from the targeting world of tests/worlds.py.
"""

from __future__ import annotations

import io
import re

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.targeting.models import Shortlist, ShortlistEntry
from tests import factories
from tests.conftest import page_csrf, sign_in
from tests.workbooks import keyed_rows
from tests.worlds import TargetingProvince as Province
from tests.worlds import crowd
from tests.worlds import targeting_province as build_province


@pytest.fixture
def province(session: Session) -> Province:
    return build_province(session)


def enter_as(client: TestClient, session: Session, province: Province, who: str) -> None:
    """Sign in; accounts other than the unrestricted advisor `canbo` are made when needed."""
    if who == "bancd":
        factories.user(session, role=Role.STEERING, username=who)
    elif who == "giamdoc":
        factories.user(
            session, role=Role.MANAGER, username=who, cooperatives=(province.coops["An"],)
        )
    elif who == "canbo_huulung":
        factories.user(session, role=Role.ADVISOR, username=who, areas=(province.huu_lung,))
    sign_in(client, who, factories.PASSWORD)


def listed(page: str) -> list[str]:
    """The cooperatives of the results table, in order."""
    table = page[page.index('id="targeting-results"') :]
    table = table[: table.index("</table>")]
    return re.findall(r'<a href="/cooperatives/\d+">([^<]+)</a>', table)


def save(client: TestClient, name: str, **fields: str) -> httpx.Response:
    return client.post(
        "/targeting/shortlists",
        data={"csrf_token": page_csrf(client), "name": name, "kind": "support"} | fields,
    )


class TestSupportPage:
    def test_anonymous__is_sent_to_sign_in(self, client: TestClient) -> None:
        assert client.get("/targeting").headers["location"].startswith("/signin")

    @pytest.mark.parametrize("who", ["bancd", "giamdoc"])
    def test_steering_and_managers__are_refused(
        self, client: TestClient, session: Session, province: Province, who: str
    ) -> None:
        enter_as(client, session, province, who)
        assert client.get("/targeting").status_code == 403

    def test_advisor__sees_the_weakest_first_with_score_district_and_contact(
        self, client: TestClient, province: Province
    ) -> None:
        sign_in(client, "canbo", factories.PASSWORD)
        page = client.get("/targeting", params={"dimension": "digital:strategy"}).text
        assert listed(page) == ["HTX Dũng", "HTX Bình", "HTX An", "HTX Em"]
        assert "4 hợp tác xã dưới 40,0 điểm ở khía cạnh “Chiến lược" in page
        first = page[page.index("HTX Dũng") :]
        first = first[: first.index("</tr>")]
        assert "Hữu Lũng" in first
        assert "<strong>5,0</strong>" in first
        assert "62,0" in first
        assert "Nâng cao" in first
        assert 'href="tel:0912345678"' in first
        assert f'href="/cooperatives/{province.coops["Dũng"].id}"' in page

    def test_a_district_and_a_threshold__narrow_the_list(
        self, client: TestClient, province: Province
    ) -> None:
        sign_in(client, "canbo", factories.PASSWORD)
        page = client.get(
            "/targeting", params={"district": str(province.chi_lang.id), "threshold": "20"}
        ).text
        assert listed(page) == ["HTX Bình"]

    def test_a_limited_advisor__sees_only_their_area(
        self, client: TestClient, session: Session, province: Province
    ) -> None:
        enter_as(client, session, province, "canbo_huulung")
        assert listed(client.get("/targeting").text) == ["HTX Dũng", "HTX Em"]

    def test_a_threshold_that_is_not_a_number__gets_a_vietnamese_message_beside_it(
        self, client: TestClient, province: Province
    ) -> None:
        sign_in(client, "canbo", factories.PASSWORD)
        reply = client.get("/targeting", params={"threshold": "150"})
        assert reply.status_code == 422
        error = reply.text[reply.text.index('id="threshold-error"') :]
        assert "Ngưỡng là một số từ 0 đến 100." in error[: error.index("</small>")]
        assert 'id="targeting-results"' not in reply.text


class TestModelsPage:
    def test_anonymous__is_sent_to_sign_in(self, client: TestClient) -> None:
        assert client.get("/targeting/models").headers["location"].startswith("/signin")

    def test_steering__is_refused(
        self, client: TestClient, session: Session, province: Province
    ) -> None:
        enter_as(client, session, province, "bancd")
        assert client.get("/targeting/models").status_code == 403

    def test_advisor__sees_the_candidates_of_the_documented_defaults_strongest_first(
        self, client: TestClient, province: Province
    ) -> None:
        sign_in(client, "canbo", factories.PASSWORD)
        page = client.get("/targeting/models").text
        assert listed(page) == ["HTX Dũng", "HTX Cường"]
        assert '<option value="nang_cao" selected>' in page
        assert '<option value="nhieu_khau" selected>' in page
        assert '<option value="ba_sao" selected>' in page
        cuong = page[page.index("HTX Cường</a>") :]
        cuong = cuong[: cuong.index("</tr>")]
        assert "3 sao" in cuong
        assert "Khăn" in cuong

    def test_fewer_stars_and_a_higher_band__change_the_list(
        self, client: TestClient, province: Province
    ) -> None:
        sign_in(client, "canbo", factories.PASSWORD)
        page = client.get("/targeting/models", params={"ocop": "bon_sao", "stars": "2"}).text
        assert listed(page) == ["HTX Em", "HTX Dũng"]


class TestSaveShortlist:
    def test_anonymous__is_sent_to_sign_in_and_nothing_is_saved(
        self, client: TestClient, session: Session, province: Province
    ) -> None:
        reply = client.post(
            "/targeting/shortlists",
            data={"csrf_token": page_csrf(client, "/signin"), "name": "X", "kind": "support"},
        )
        assert reply.headers["location"].startswith("/signin")
        assert session.scalar(select(func.count()).select_from(Shortlist)) == 0

    def test_steering__is_refused(
        self, client: TestClient, session: Session, province: Province
    ) -> None:
        enter_as(client, session, province, "bancd")
        assert save(client, "Danh sách").status_code == 403
        assert session.scalar(select(func.count()).select_from(Shortlist)) == 0

    def test_advisor__saves_the_list_the_criteria_give_and_opens_it(
        self, client: TestClient, session: Session, province: Province
    ) -> None:
        sign_in(client, "canbo", factories.PASSWORD)
        reply = save(client, "Hỗ trợ chiến lược Chi Lăng", district=str(province.chi_lang.id))
        assert reply.status_code == 303
        shortlist = session.scalar(select(Shortlist))
        assert shortlist is not None
        assert reply.headers["location"] == f"/targeting/shortlists/{shortlist.id}"
        entries = session.scalars(
            select(ShortlistEntry.cooperative_id).where(ShortlistEntry.shortlist_id == shortlist.id)
        ).all()
        assert sorted(entries) == sorted([province.coops["Bình"].id, province.coops["An"].id])
        page = client.get(reply.headers["location"]).text
        assert listed(page) == ["HTX Bình", "HTX An"]
        assert "Hỗ trợ chiến lược Chi Lăng" in page
        listing = client.get("/targeting/shortlists").text
        assert f'href="/targeting/shortlists/{shortlist.id}">Hỗ trợ chiến lược Chi Lăng' in listing

    def test_an_empty_name__is_refused_beside_the_field_and_the_list_stays(
        self, client: TestClient, session: Session, province: Province
    ) -> None:
        sign_in(client, "canbo", factories.PASSWORD)
        reply = save(client, "  ", threshold="20")
        assert reply.status_code == 422
        assert 'id="name-error"' in reply.text
        assert "Vui lòng đặt tên cho danh sách." in reply.text
        assert listed(reply.text) == ["HTX Dũng", "HTX Bình"]
        assert session.scalar(select(func.count()).select_from(Shortlist)) == 0


class TestShortlistPage:
    @pytest.fixture
    def saved(self, client: TestClient, province: Province) -> int:
        sign_in(client, "canbo", factories.PASSWORD)
        reply = save(client, "Toàn tỉnh")
        client.cookies.clear()
        return int(reply.headers["location"].rsplit("/", 1)[1])

    def test_anonymous__is_sent_to_sign_in(self, client: TestClient, saved: int) -> None:
        assert (
            client.get(f"/targeting/shortlists/{saved}").headers["location"].startswith("/signin")
        )

    def test_a_limited_advisor__sees_only_the_entries_of_their_area(
        self, client: TestClient, session: Session, province: Province, saved: int
    ) -> None:
        enter_as(client, session, province, "canbo_huulung")
        assert listed(client.get(f"/targeting/shortlists/{saved}").text) == [
            "HTX Dũng",
            "HTX Em",
        ]
        listing = client.get("/targeting/shortlists").text
        row = listing[listing.index("Toàn tỉnh") :]
        assert '<td class="num">2</td>' in row[: row.index("</tr>")]

    def test_an_unknown_shortlist__is_not_found(self, client: TestClient, saved: int) -> None:
        sign_in(client, "canbo", factories.PASSWORD)
        assert client.get(f"/targeting/shortlists/{saved + 1000}").status_code == 404


class TestExportShortlist:
    @pytest.fixture
    def saved(self, client: TestClient, province: Province) -> int:
        sign_in(client, "canbo", factories.PASSWORD)
        reply = save(client, "Toàn tỉnh")
        return int(reply.headers["location"].rsplit("/", 1)[1])

    def export(self, client: TestClient, shortlist_id: int, fmt: str) -> httpx.Response:
        token = page_csrf(client, f"/targeting/shortlists/{shortlist_id}")
        return client.post(
            f"/targeting/shortlists/{shortlist_id}/export",
            data={"csrf_token": token, "format": fmt},
        )

    def test_steering__is_refused(
        self, client: TestClient, session: Session, province: Province, saved: int
    ) -> None:
        client.cookies.clear()
        enter_as(client, session, province, "bancd")
        token = page_csrf(client)
        reply = client.post(
            f"/targeting/shortlists/{saved}/export", data={"csrf_token": token, "format": "csv"}
        )
        assert reply.status_code == 403

    def test_csv__starts_with_the_bom_and_is_audited(
        self, client: TestClient, session: Session, saved: int
    ) -> None:
        reply = self.export(client, saved, "csv")
        assert reply.status_code == 200
        assert reply.headers["content-type"] == "text/csv; charset=utf-8"
        assert reply.headers["content-disposition"].startswith(
            f"attachment; filename*=UTF-8''danh-sach-{saved}-"
        )
        assert reply.content.startswith(b"\xef\xbb\xbfregistration_code | M")
        lines = reply.content.decode("utf-8-sig").splitlines()
        assert [line.split(",")[1] for line in lines[1:]] == [
            "HTX Dũng",
            "HTX Bình",
            "HTX An",
            "HTX Em",
        ]
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "export"))
        assert event is not None
        assert (event.actor_username, event.target, event.detail) == (
            "canbo",
            f"shortlist:{saved}",
            {"format": "csv", "rows": 4},
        )

    def test_xlsx__reads_back_with_openpyxl(self, client: TestClient, saved: int) -> None:
        reply = self.export(client, saved, "xlsx")
        assert reply.status_code == 200
        book = load_workbook(io.BytesIO(reply.content))
        first = keyed_rows(book, "Danh sách")[0]
        assert (first["name"], first["dimension_score"], first["overall"]) == ("HTX Dũng", 5, 62)
        assert isinstance(first["dimension_score"], int | float)

    def test_an_unknown_format__is_not_found(self, client: TestClient, saved: int) -> None:
        assert self.export(client, saved, "pdf").status_code == 404


class TestLongLists:
    """More rows than a page (100): each page is read in SQL, its links keep the criteria."""

    def test_the_support_list__shows_page_two_with_its_numbers_and_filters(
        self, client: TestClient, session: Session, province: Province
    ) -> None:
        crowd(session, province, n=105)
        sign_in(client, "canbo", factories.PASSWORD)
        first = client.get("/targeting", params={"threshold": "45"}).text
        assert listed(first)[:2] == ["HTX P000", "HTX P001"]
        assert len(listed(first)) == 100
        second = client.get("/targeting", params={"threshold": "45", "page": "2"}).text
        assert listed(second) == [
            *(f"HTX P{n}" for n in range(100, 105)),
            "HTX Dũng",
            "HTX Bình",
            "HTX An",
            "HTX Em",
            "HTX Khánh",
        ]
        assert '<td class="num">101</td>' in second
        assert "101–110 trên tổng số 110" in second
        back = re.search(r'<a href="([^"]+)" rel="prev">', second)
        assert back is not None
        assert "threshold=45" in back[1]
        assert back[1].endswith("page=1")

    def test_the_model_list__shows_page_two_strongest_first(
        self, client: TestClient, session: Session, province: Province
    ) -> None:
        crowd(session, province, n=105)
        sign_in(client, "canbo", factories.PASSWORD)
        first = client.get("/targeting/models").text
        assert listed(first)[:3] == ["HTX Dũng", "HTX Cường", "HTX P000"]
        assert len(listed(first)) == 100
        second = client.get("/targeting/models", params={"page": "2", "stars": "3"}).text
        assert listed(second) == [f"HTX P{n:03d}" for n in range(98, 105)]
        assert "Sản phẩm 104" not in second  # official stars only: no self-check product
        row = second[second.index("HTX P104</a>") :]
        assert "Nâng cao" in row[: row.index("</tr>")]
        back = re.search(r'<a href="([^"]+)" rel="prev">', second)
        assert back is not None
        assert "stars=3" in back[1]
        assert "nang_cao" in back[1]

    def test_a_page_past_the_end__shows_the_last_page(
        self, client: TestClient, session: Session, province: Province
    ) -> None:
        crowd(session, province, n=105)
        sign_in(client, "canbo", factories.PASSWORD)
        last = client.get("/targeting/models", params={"page": "9"}).text
        assert listed(last) == [f"HTX P{n:03d}" for n in range(98, 105)]
