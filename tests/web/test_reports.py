"""Coverage, rankings, district pages and downloads: what each role sees, and the files they get."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.areas.models import Area, AreaLevel
from app.audit.models import AuditEvent
from app.responses.models import Answer, WaveQuestionnaire
from app.surveys import service as surveys
from app.surveys.definition import Question, Text
from app.surveys.loader import load_file
from app.web.templating import LANG_COOKIE
from tests import factories
from tests.conftest import csrf_from, page_csrf, table_rows
from tests.workbooks import column_codes
from tests.worlds import MINI, Province, as_user, make_wave, province, publish, stored

BOM = "\ufeff"


@pytest.fixture
def world(session: Session) -> Province:
    return province(session)


def export(client: TestClient, page: str, **fields: str) -> Response:
    return client.post("/reports/export", data={"csrf_token": page_csrf(client, page), **fields})


class TestRankingsPage:
    def test_anonymous__is_sent_to_sign_in(self, client: TestClient, world: Province) -> None:
        response = client.get("/reports/rankings")
        assert response.status_code == 303
        assert response.headers["location"].startswith("/signin")

    def test_manager__may_not_open_it(self, client: TestClient, world: Province) -> None:
        assert as_user(client, "giamdoc").get("/reports/rankings").status_code == 403

    def test_the_downloads__are_one_link_away_from_the_top(
        self, client: TestClient, world: Province
    ) -> None:
        page = as_user(client, "canbo").get("/reports/rankings?wave=2026").text
        top, below = page.split('id="downloads"', 1)
        assert '<a href="#downloads">Tải xuống ↓</a>' in top.split("<table", 1)[0]
        assert 'data-export="rankings-xlsx"' in below

    def test_steering__reads_ranks_intervals_and_the_province_row(
        self, client: TestClient, world: Province
    ) -> None:
        page = as_user(client, "bancd").get("/reports/rankings?wave=2026")
        assert page.status_code == 200
        rows = table_rows(page.text)
        assert rows[0].startswith("1|1–2|An Bình|5|83%|60,0|40,4–79,6|60,0|20,0|+10,0")
        assert rows[1].startswith("1|1–2|Bắc Hà|6|100%|60,0|60,0–60,0")
        # A certain rank has no "possible ranks" beside it: nothing to explain.
        assert rows[2].startswith("3||Đông Sơn|5|83%|20,0|11,2–28,8")
        assert rows[3].startswith("–|quá ít phiếu|Cẩm Lý|3|100%|95,0")
        assert "Tỉnh: Lạng Sơn" in page.text
        assert "55,0" in page.text  # the province mean

    def test_a_long_ranking__pages_its_table_keeping_ranks_and_the_measure(
        self, client: TestClient, world: Province, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # 3,321 communes would be one table of megabytes: the table pages, the ranks stay the
        # ranks of the whole list. Two rows a page here stand for a hundred.
        monkeypatch.setattr("app.web.routes.reports.MAX_SIZE", 2)
        client = as_user(client, "bancd")
        first = client.get("/reports/rankings?wave=2026&sort=ops")
        assert len(table_rows(first.text)) == 2
        after = re.search(r'<a href="([^"]+)" rel="next">', first.text)
        assert after is not None
        assert "sort=ops" in after[1]
        assert "level=former-district" in after[1]
        second = client.get(after[1].replace("&amp;", "&"))
        rows = table_rows(second.text)
        assert len(rows) == 2
        assert rows[1].startswith("–|quá ít phiếu|Cẩm Lý")
        assert "Trang 2/2" in second.text
        beyond = client.get("/reports/rankings?wave=2026&page=9")
        assert [r.split("|")[2] for r in table_rows(beyond.text)] == ["Đông Sơn", "Cẩm Lý"]

    def test_ranking__names_its_version_and_says_when_the_change_spans_two(
        self, client: TestClient, session: Session, world: Province
    ) -> None:
        page = as_user(client, "bancd").get("/reports/rankings?wave=2026")
        assert "Bộ câu hỏi phiên bản 1" in page.text
        assert "so sánh hai phiên bản bộ câu hỏi" not in page.text
        later = publish(session, version="2")
        asked = session.scalars(
            select(WaveQuestionnaire).where(WaveQuestionnaire.wave_id == world.wave.id)
        ).one()
        asked.version_id = later.id
        session.flush()
        page = client.get("/reports/rankings?wave=2026")
        assert "Bộ câu hỏi phiên bản 2" in page.text
        assert "Mức thay đổi so với đợt 2025 so sánh hai phiên bản bộ câu hỏi (1 và 2)" in page.text

    def test_districts_of_several_provinces__show_their_province(
        self, client: TestClient, world: Province, session: Session
    ) -> None:
        country = session.scalars(select(Area).where(Area.code == "CTRY")).one()
        cao_bang = factories.area(
            session, code="P04", name="Cao Bằng", level=AreaLevel.PROVINCE, parent=country
        )
        twin = factories.area(session, code="D9", name="An Bình", parent=cao_bang)
        coop = factories.cooperative(session, in_area=twin, name="HTX Cao Bằng")
        stored(session, wave=world.wave, version=world.version, cooperative=coop, overall=50)

        page = as_user(client, "bancd").get("/reports/rankings?wave=2026")

        assert '<small class="muted area-province">Cao Bằng</small>' in page.text
        assert '<small class="muted area-province">Lạng Sơn</small>' in page.text
        assert "An Bình, Cao Bằng" in page.text  # the chart's label
        assert "Trung bình toàn tỉnh" not in page.text  # no one province's line to draw

    def test_areas_of_several_provinces__are_mapped_by_province(
        self, client: TestClient, world: Province, session: Session
    ) -> None:
        # Across the country, 3,321 communes would be one blot of circles: the map draws each
        # province (its cooperatives, its mean) and the table still lists every area.
        country = session.scalars(select(Area).where(Area.code == "CTRY")).one()
        lang_son = session.scalars(select(Area).where(Area.code == "PROV")).one()
        cao_bang = factories.area(
            session, code="P04", name="Cao Bằng", level=AreaLevel.PROVINCE, parent=country
        )
        lang_son.latitude, lang_son.longitude = 21.85, 106.76
        cao_bang.latitude, cao_bang.longitude = 22.67, 106.26
        twin = factories.area(session, code="D9", name="An Bình", parent=cao_bang)
        coop = factories.cooperative(session, in_area=twin, name="HTX Cao Bằng")
        stored(session, wave=world.wave, version=world.version, cooperative=coop, overall=50)
        session.flush()

        reader = as_user(client, "bancd")
        page = reader.get("/reports/rankings?wave=2026").text
        coverage = reader.get("/reports/coverage?wave=2026").text

        for html in (page, coverage):
            figure = html.split('<figure class="area-map">', 1)[1].split("</figure>", 1)[0]
            drawn = figure.split("</svg>", 1)[0]  # the map, before the legend's swatches
            assert drawn.count("<circle cx=") == 2
            assert "Cao Bằng: 1 hợp tác xã" in figure
            assert "Lạng Sơn: " in figure
            assert "An Bình" not in figure
            assert "Đông Sơn" not in figure
            assert "bản đồ cho thấy từng tỉnh" in figure
        assert "An Bình" in "".join(table_rows(page))

    def test_chart__draws_each_area_with_its_interval_beside_the_table(
        self, client: TestClient, world: Province
    ) -> None:
        page = as_user(client, "bancd").get("/reports/rankings?wave=2026")
        chart = page.text.split('<svg class="interval-chart"', 1)[1].split("</svg>", 1)[0]
        assert chart.count("<rect") == 4
        assert chart.count('fill="#b8c2cc"') == 1  # the small area, greyed
        assert chart.count("interval-row") == 4

    def test_sort_link__ranks_by_a_dimension_without_javascript(
        self, client: TestClient, world: Province
    ) -> None:
        page = as_user(client, "canbo").get("/reports/rankings?wave=2026&sort=ops")
        assert (
            'href="/reports/rankings?wave=2026&amp;questionnaire=mini&amp;level=former-district&amp;sort=ops"'
            in page.text
        )
        assert table_rows(page.text)[0].startswith("1||Đông Sơn|5|83%|80,0")

    def test_htmx__swaps_only_the_ranking(self, client: TestClient, world: Province) -> None:
        page = as_user(client, "canbo").get(
            "/reports/rankings?wave=2026&sort=ops", headers={"HX-Request": "true"}
        )
        assert page.text.lstrip().startswith('<section id="ranking">')
        assert "<html" not in page.text

    def test_limited_advisor__sees_only_their_district_and_a_total_of_it(
        self, client: TestClient, world: Province
    ) -> None:
        page = as_user(client, "canbo.a").get("/reports/rankings?wave=2026")
        rows = table_rows(page.text)
        assert len(rows) == 1
        assert "An Bình" in rows[0]
        assert "Bắc Hà" not in page.text
        assert "Khu vực của bạn" in page.text

    def test_in_english__the_wave_and_its_choices_read_in_english(
        self, client: TestClient, world: Province
    ) -> None:
        as_user(client, "bancd")
        client.cookies.set(LANG_COOKIE, "en")
        page = client.get("/reports/rankings?wave=2026").text
        assert "Wave 2026" in page
        assert "Wave 2025" in page
        assert "Đợt 2026" not in page
        assert "Đợt 2025" not in page

    def test_area_level__groups_by_commune(self, client: TestClient, world: Province) -> None:
        page = as_user(client, "canbo").get("/reports/rankings?wave=2026&level=commune")
        assert any(r.startswith("–|quá ít phiếu|Xã Đồng|2") for r in table_rows(page.text))


class TestCoveragePage:
    def test_anonymous__is_sent_to_sign_in(self, client: TestClient, world: Province) -> None:
        assert client.get("/reports/coverage").status_code == 303

    def test_manager__may_not_open_it(self, client: TestClient, world: Province) -> None:
        assert as_user(client, "giamdoc").get("/reports/coverage").status_code == 403

    def test_steering__sees_counts_but_no_contacts(
        self, client: TestClient, world: Province
    ) -> None:
        page = as_user(client, "bancd").get("/reports/coverage?wave=2026")
        assert page.status_code == 200
        assert table_rows(page.text)[0].startswith("An Bình|6|5|5|83%|5|5 / 6|83%")
        assert "0912345678" not in page.text
        assert "HTX A6" not in page.text
        assert 'value="chase"' not in page.text

    def test_advisor__gets_the_list_to_chase_with_phones_and_profile_links(
        self, client: TestClient, world: Province
    ) -> None:
        page = as_user(client, "canbo").get("/reports/coverage?wave=2026")
        chase = page.text.split('id="chase"', 1)[1]
        a6, d6 = world.cooperatives["A6"], world.cooperatives["D6"]
        assert f'href="/cooperatives/{a6.id}"' in chase
        assert f'href="/cooperatives/{d6.id}"' in chase
        assert 'href="tel:0912345678"' in chase
        assert "HTX A1" not in chase  # finished

    def test_limited_advisor__chases_only_their_area(
        self, client: TestClient, world: Province
    ) -> None:
        page = as_user(client, "canbo.a").get("/reports/coverage?wave=2026")
        assert "HTX A6" in page.text
        assert "HTX D6" not in page.text


class TestDistrictPage:
    def url(self, world: Province, letter: str = "A", query: str = "") -> str:
        return f"/districts/{world.districts[letter].id}?wave=2026{query}"

    def test_anonymous__is_sent_to_sign_in(self, client: TestClient, world: Province) -> None:
        assert client.get(self.url(world)).status_code == 303

    def test_manager__may_not_open_it(self, client: TestClient, world: Province) -> None:
        assert as_user(client, "giamdoc").get(self.url(world)).status_code == 403

    def test_advisor__sees_scores_weakest_dimension_trend_and_profile_links(
        self, client: TestClient, world: Province
    ) -> None:
        page = as_user(client, "canbo").get(self.url(world))
        rows = table_rows(page.text)
        code = {name: c.registration_code for name, c in world.cooperatives.items()}
        # best first, each with its registration code under the name; the weakest of sales
        # (= score) and ops (= 100 - score)
        assert rows[0] == f"HTX A5 {code['A5']}|Nông nghiệp|80,0|Cao|80,0|20,0|Vận hành|–"
        assert rows[3] == (
            f"HTX A2 {code['A2']}|Tiểu thủ công nghiệp|50,0|Trung bình|50,0|50,0|Bán hàng|-5,0"
        )
        assert rows[4] == f"HTX A1 {code['A1']}|Nông nghiệp|40,0|Trung bình|40,0|60,0|Bán hàng|-5,0"
        assert rows[5].startswith(f"HTX A6 {code['A6']}|Nông nghiệp|chưa có điểm")
        a5 = world.cooperatives["A5"]
        assert f'href="/cooperatives/{a5.id}"' in page.text

    def test_filters__by_sector_level_and_status(self, client: TestClient, world: Province) -> None:
        client = as_user(client, "canbo")
        sector = table_rows(client.get(self.url(world, query="&sector=handicraft")).text)
        assert [r.split("|")[0].rsplit(" ", 1)[0] for r in sector] == ["HTX A2"]
        high = table_rows(client.get(self.url(world, query="&level=high")).text)
        assert [r.split("|")[0].rsplit(" ", 1)[0] for r in high] == ["HTX A5"]
        every = table_rows(client.get(self.url(world, query="&status=all")).text)
        assert any(r.startswith("HTX A7") for r in every)
        assert not any(r.startswith("HTX A7") for r in table_rows(client.get(self.url(world)).text))

    def test_a_long_district__shows_page_two_in_score_order_keeping_its_filters(
        self, client: TestClient, session: Session, world: Province
    ) -> None:
        for number in range(100):
            cooperative = factories.cooperative(
                session, in_area=world.districts["A"], name=f"HTX P{number:03d}"
            )
            stored(
                session, wave=world.wave, version=world.version, cooperative=cooperative, overall=55
            )
        client = as_user(client, "canbo")
        first = client.get(self.url(world, query="&sector=agriculture"))
        names = [r.split("|")[0].rsplit(" ", 1)[0] for r in table_rows(first.text)]
        assert len(names) == 100
        assert names[:4] == ["HTX A5", "HTX A4", "HTX A3", "HTX P000"]
        assert "104 trên 105 hợp tác xã trong danh sách có điểm" in first.text
        second = client.get(self.url(world, query="&sector=agriculture&page=2")).text
        rows = table_rows(second)
        assert [r.split("|")[0].rsplit(" ", 1)[0] for r in rows] == [
            "HTX P097",
            "HTX P098",
            "HTX P099",
            "HTX A1",
            "HTX A6",
        ]
        assert rows[3].endswith("|Bán hàng|-5,0")  # the trend is read for the page's rows
        back = re.search(r'<a href="([^"]+)" rel="prev">', second)
        assert back is not None
        assert "sector=agriculture" in back[1]
        assert back[1].endswith("page=1")

    def test_commune_column__appears_where_cooperatives_sit_in_communes(
        self, client: TestClient, world: Province
    ) -> None:
        rows = table_rows(as_user(client, "canbo").get(self.url(world, "D")).text)
        d1 = world.cooperatives["D1"].registration_code
        assert any(r.startswith(f"HTX D1 {d1}|Xã Đồng|Nông nghiệp|10,0") for r in rows)

    def test_steering__sees_scores_without_profile_links(
        self, client: TestClient, world: Province
    ) -> None:
        page = as_user(client, "bancd").get(self.url(world))
        assert page.status_code == 200
        assert "/cooperatives/" not in page.text

    def test_limited_advisor__gets_not_found_for_another_district(
        self, client: TestClient, world: Province
    ) -> None:
        client = as_user(client, "canbo.a")
        assert client.get(self.url(world, "A")).status_code == 200
        assert client.get(self.url(world, "B")).status_code == 404

    def test_a_commune__has_a_page_of_its_own_naming_each_former_district(
        self, client: TestClient, world: Province
    ) -> None:
        page = as_user(client, "canbo").get(f"/districts/{world.commune.id}?wave=2026")
        assert page.status_code == 200
        assert "<h1>Xã Đồng</h1>" in page.text
        assert "HTX D1" in page.text
        assert "HTX A1" not in page.text
        assert "Đông Sơn" in page.text  # the former district beside each cooperative

    def test_a_province__has_no_area_page(self, client: TestClient, world: Province) -> None:
        province = world.districts["A"].parent_id
        assert as_user(client, "canbo").get(f"/districts/{province}").status_code == 404


class TestExport:
    def test_anonymous__is_sent_to_sign_in(self, client: TestClient, world: Province) -> None:
        token = csrf_from(client.get("/signin").text)
        response = client.post(
            "/reports/export", data={"csrf_token": token, "what": "rankings", "format": "csv"}
        )
        assert response.status_code == 303

    def test_without_a_csrf_token__is_refused(self, client: TestClient, world: Province) -> None:
        as_user(client, "canbo")
        response = client.post("/reports/export", data={"what": "rankings", "format": "csv"})
        assert response.status_code == 403

    def test_manager__may_not_export(self, client: TestClient, world: Province) -> None:
        as_user(client, "giamdoc")
        response = export(client, "/", what="scores", wave="2026", format="csv")
        assert response.status_code == 403

    def test_an_advisor_of_one_district__gets_the_raw_answers_of_its_cooperatives_only(
        self, client: TestClient, world: Province
    ) -> None:
        # Their scope is an IN over their areas: the streamed query carries it expanded.
        as_user(client, "canbo.a")
        response = export(
            client, "/reports/rankings", what="answers", wave="2026", questionnaire="mini",
            format="csv",
        )  # fmt: skip
        assert response.status_code == 200
        lines = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip(BOM))))
        codes = [h.split(" | ")[0] for h in lines[0]]
        names = sorted(line[codes.index("cooperative")] for line in lines[1:])
        # Every submission of An Bình's cooperatives (A6 has none; A7, suspended, answered).
        assert names == ["HTX A1", "HTX A2", "HTX A3", "HTX A4", "HTX A5", "HTX A7"]
        # Labels (the default) and codes are two files: their names differ.
        assert "htxso-answers-2026-mini-labels.csv" in response.headers["content-disposition"]

    @pytest.mark.parametrize("what", ["answers", "chase"])
    def test_steering__gets_no_individual_answers_or_contacts(
        self, client: TestClient, world: Province, what: str
    ) -> None:
        as_user(client, "bancd")
        response = export(
            client, "/reports/coverage", what=what, wave="2026", questionnaire="mini", format="csv"
        )
        assert response.status_code == 403

    def test_steering__downloads_the_ranking_and_it_is_audited(
        self, client: TestClient, world: Province, session: Session
    ) -> None:
        as_user(client, "bancd")
        response = export(
            client,
            "/reports/rankings",
            what="rankings",
            wave="2026",
            questionnaire="mini",
            format="csv",
        )
        assert response.status_code == 200
        assert response.content.startswith(BOM.encode())
        assert "htxso-rankings-2026-mini.csv" in response.headers["content-disposition"]
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
        assert event.actor_username == "bancd"
        assert event.detail == {
            "what": "rankings",
            "wave": "2026",
            "questionnaire": "mini",
            "level": "former-district",
            "format": "csv",
            "via": "web",
        }

    def test_scores_csv__is_exact_with_bom_headers_and_a_neutralised_formula(
        self, client: TestClient, session: Session
    ) -> None:
        version = publish(session)
        wave = make_wave(session, key="2026", versions=[version], opens=dt.date(2026, 3, 1))
        district = factories.area(session, code="D5", name="Chi Lăng")
        formula = factories.cooperative(
            session, in_area=district, name='=HYPERLINK("http://x","HTX")', code="4900000001"
        )
        factories.cooperative(session, in_area=district, name="HTX Bình Minh", code="4900000002")
        stored(session, wave=wave, version=version, cooperative=formula, overall=62.5)
        as_user(client, "canbo")
        response = export(client, "/reports/rankings", what="scores", wave="2026", format="csv")
        assert response.content == (
            BOM + "wave | Đợt đánh giá,registration_code | Mã số HTX,cooperative | Tên HTX,"
            "district | Huyện (cũ),commune | Xã/Phường,sector | Lĩnh vực,"
            "mini_version | Bộ câu hỏi thử: phiên bản,"
            "mini_overall | Bộ câu hỏi thử: điểm,mini_level_code | Bộ câu hỏi thử: mã mức,"
            "mini_level | Bộ câu hỏi thử: mức\r\n"
            '2026,4900000001,"\'=HYPERLINK(""http://x"",""HTX"")",Chi Lăng,,'
            "Nông nghiệp,1,62.5,mid,Trung bình\r\n"
            "2026,4900000002,HTX Bình Minh,Chi Lăng,,Nông nghiệp,,,,\r\n"
        ).encode("utf-8")

    def test_rankings_xlsx__reads_back_with_frozen_headers_and_numbers_as_numbers(
        self, client: TestClient, world: Province
    ) -> None:
        as_user(client, "canbo")
        response = export(
            client,
            "/reports/rankings",
            what="rankings",
            wave="2026",
            questionnaire="mini",
            format="xlsx",
        )
        book = load_workbook(io.BytesIO(response.content))
        assert book.sheetnames == ["Xếp hạng", "Giải thích", "Mã cột"]
        sheet = book["Xếp hạng"]
        # One header row people read, frozen and filtered; the codes live on their own sheet.
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref is not None
        assert sheet.auto_filter.ref.startswith("A1:")
        headers = [c.value for c in sheet[1]]
        codes = column_codes(book, "Xếp hạng")
        assert headers[codes.index("mean")] == "Trung bình (điểm tổng)"
        assert sheet.column_dimensions["F"].width >= 10
        rows = {
            r[codes.index("area_name")]: r for r in sheet.iter_rows(min_row=2, values_only=True)
        }
        an_binh = rows["An Bình"]
        assert an_binh[codes.index("mean")] == pytest.approx(60)
        assert isinstance(an_binh[codes.index("responses")], int)
        assert an_binh[codes.index("rank")] == 1
        assert an_binh[codes.index("rank_worst")] == 2
        assert rows["Cẩm Lý"][codes.index("too_few")] == 1
        assert rows["Lạng Sơn"][codes.index("area_level")] == "province"
        mean_cell = sheet.cell(row=2, column=codes.index("mean") + 1)
        assert mean_cell.data_type == "n"
        assert mean_cell.number_format == "#,##0.0"  # one decimal
        coverage_cell = sheet.cell(row=2, column=codes.index("coverage") + 1)
        assert coverage_cell.number_format == "0.0%"

    def test_answers__stream_one_column_per_code_across_two_versions(
        self, client: TestClient, session: Session
    ) -> None:
        first = publish(session)
        extra = Question(
            code="new_q",
            dimension="ops",
            type="text",
            label=Text(vi="Câu hỏi mới", en="A new question"),
            required=False,
        )
        second_q = load_file(MINI)
        second_q = second_q.model_copy(
            update={"version": "2", "questions": (*second_q.questions, extra)}
        )
        surveys.publish(session, questionnaire=second_q)
        second = surveys.latest_version(session, key="mini")
        wave = make_wave(session, key="2026", versions=[second], opens=dt.date(2026, 3, 1))
        district = factories.area(session, code="D5", name="Chi Lăng")
        old = factories.cooperative(session, in_area=district, name="HTX Cũ", code="4900000001")
        new = factories.cooperative(session, in_area=district, name="HTX Mới", code="4900000002")
        r1 = stored(session, wave=wave, version=first, cooperative=old, overall=50)
        r2 = stored(session, wave=wave, version=second, cooperative=new, overall=70)
        # 20:30 UTC is 03:30 the next morning in Vietnam.
        r1.submitted_at = dt.datetime(2026, 3, 10, 20, 30, 59, tzinfo=dt.UTC)
        session.add_all(
            [
                Answer(response_id=r1.id, question_code="has_web", value="yes"),
                Answer(response_id=r1.id, question_code="web_channels", value=["site", "shop"]),
                Answer(response_id=r1.id, question_code="online_share", value=3),
                Answer(response_id=r1.id, question_code="shop_name", value='Gạo "Bắc Sơn", loại 1'),
                Answer(response_id=r2.id, question_code="new_q", value="=cmd"),
                Answer(response_id=r2.id, question_code="online_share", value=2.5),
            ]
        )
        session.flush()
        as_user(client, "canbo")
        response = export(
            client,
            "/reports/rankings",
            what="answers",
            wave="2026",
            questionnaire="mini",
            format="csv",
            values="codes",
        )
        assert response.status_code == 200
        text = response.content.decode("utf-8")
        assert text.endswith("\r\n")
        lines = list(csv.reader(io.StringIO(text.lstrip(BOM))))
        codes = [h.split(" | ")[0] for h in lines[0]]
        questions = codes[codes.index("level_label") + 1 :]
        assert questions == [
            "has_web",
            "web_channels",
            "platforms",
            "shop_name",
            "online_share",
            "has_plan",
            "members",
            "tools",
            "note",
            "new_q",
        ]
        first_row = dict(zip(codes, lines[1], strict=True))
        second_row = dict(zip(codes, lines[2], strict=True))
        assert first_row["submitted_at"] == "2026-03-11 03:30"
        assert (first_row["version"], first_row["web_channels"]) == ("1", "site; shop")
        assert (first_row["online_share"], first_row["new_q"]) == ("3", "")
        assert (second_row["version"], second_row["new_q"]) == ("2", "'=cmd")
        assert first_row["shop_name"] == 'Gạo "Bắc Sơn", loại 1'
        assert second_row["online_share"] == "2.5"
        # For people (the page's default): the options' words instead of their codes.
        words = export(
            client,
            "/reports/rankings",
            what="answers",
            wave="2026",
            questionnaire="mini",
            format="csv",
        ).content.decode("utf-8")
        worded = dict(zip(codes, list(csv.reader(io.StringIO(words.lstrip(BOM))))[1], strict=True))
        assert (worded["has_web"], worded["web_channels"]) == ("Có", "Trang web; Sàn TMĐT")
        assert worded["online_share"] == "3"
        assert words.count("\r\n") == words.count("\n")  # CRLF throughout
        assert len(lines) == 3

    def test_district_page_download__holds_only_that_district(
        self, client: TestClient, world: Province, session: Session
    ) -> None:
        as_user(client, "canbo")
        district = world.districts["A"].id
        response = export(
            client,
            f"/districts/{district}",
            what="scores",
            wave="2026",
            format="csv",
            district=str(district),
        )
        lines = response.content.decode("utf-8").split("\r\n")[1:-1]
        assert sorted(line.split(",")[2] for line in lines) == [f"HTX A{n}" for n in range(1, 7)]
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
        assert event.detail is not None
        assert event.detail["district_id"] == district
