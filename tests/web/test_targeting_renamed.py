"""Another province's questionnaires: the same targeting world under other keys, another order
and other short names (tests/worlds.py, `RENAMED`). The targeting page, a saved shortlist and its
export follow the files, with no code naming a questionnaire.
"""

from __future__ import annotations

import io
import re

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.targeting.models import Shortlist
from tests import factories
from tests.conftest import page_csrf, sign_in
from tests.workbooks import column_codes, keyed_rows
from tests.worlds import TargetingProvince as Province
from tests.worlds import targeting_province


@pytest.fixture
def province(session: Session) -> Province:
    return targeting_province(session, renamed=True)


def listed(page: str) -> list[str]:
    table = page[page.index('id="targeting-results"') :]
    table = table[: table.index("</table>")]
    return re.findall(r'<a href="/cooperatives/\d+">([^<]+)</a>', table)


class TestRenamedQuestionnaires:
    def test_the_models_page__asks_each_questionnaire_by_its_key_in_file_order(
        self, client: TestClient, province: Province
    ) -> None:
        sign_in(client, "canbo", factories.PASSWORD)
        page = client.get("/targeting/models").text
        assert listed(page) == ["HTX Dũng", "HTX Cường"]
        fields = re.findall(r'<select id="level-\w+" name="(\w+)"', page)
        assert fields == ["lien_ket", "so_hoa", "san_pham"]
        assert '<label for="level-lien_ket">Liên kết: từ mức</label>' in page
        assert '<label for="level-san_pham">Sao sản phẩm: từ</label>' in page
        head = page[page.index('id="targeting-results"') : page.index("</thead>")]
        columns = re.findall(r'<th scope="col">([^<]+)</th>', head)
        assert columns[4:7] == ["Liên kết", "Số hoá", "Sao sản phẩm tốt nhất"]
        cuong = page[page.index("HTX Cường</a>") :]
        assert "3 sao" in cuong[: cuong.index("</tr>")]
        assert "Khăn" in cuong[: cuong.index("</tr>")]

    def test_a_level_asked_by_its_new_key__changes_the_list(
        self, client: TestClient, province: Province
    ) -> None:
        sign_in(client, "canbo", factories.PASSWORD)
        page = client.get("/targeting/models", params={"san_pham": "bon_sao", "stars": "2"})
        assert listed(page.text) == ["HTX Em", "HTX Dũng"]
        assert client.get("/targeting/models", params={"so_hoa": "x"}).status_code == 422

    def test_a_saved_model_list__exports_columns_named_by_the_new_keys(
        self, client: TestClient, session: Session, province: Province
    ) -> None:
        sign_in(client, "canbo", factories.PASSWORD)
        reply = client.post(
            "/targeting/shortlists",
            data={
                "csrf_token": page_csrf(client),
                "name": "Mô hình",
                "kind": "model",
                "so_hoa": "dan_dat",
                "lien_ket": "nhieu_khau",
                "san_pham": "ba_sao",
                "stars": "2",
            },
        )
        assert reply.status_code == 303
        shortlist = session.scalar(select(Shortlist))
        assert shortlist is not None
        assert shortlist.criteria["so_hoa_level"] == "dan_dat"
        page = client.get(reply.headers["location"]).text
        assert listed(page) == ["HTX Em"]
        assert "Số hoá: từ mức" in page
        token = page_csrf(client, reply.headers["location"])
        export = f"{reply.headers['location']}/export"
        csv = client.post(export, data={"csrf_token": token, "format": "csv"})
        header = csv.content.decode("utf-8-sig").splitlines()[0].split(",")
        assert [column.split(" | ")[0] for column in header[8:]] == [
            "lien_ket_overall",
            "lien_ket_level",
            "so_hoa_overall",
            "so_hoa_level",
            "san_pham_band",
            "san_pham_product",
            "stars",
        ]
        assert header[8] == "lien_ket_overall | Liên kết: điểm"
        book = load_workbook(
            io.BytesIO(client.post(export, data={"csrf_token": token, "format": "xlsx"}).content)
        )
        assert column_codes(book, "Danh sách")[-1] == "stars"
        (em,) = keyed_rows(book, "Danh sách")
        assert (em["so_hoa_overall"], em["lien_ket_level"], em["san_pham_product"]) == (
            85,
            "Liên kết nhiều khâu",
            "Chè",
        )
