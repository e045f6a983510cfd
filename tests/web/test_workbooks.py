"""Downloads people can open: one readable header row, and CSV for Excel set to Vietnamese."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from app.reports.exports import Column, Sheet, excel_csv_bytes, xlsx_bytes
from app.web.templating import LANG_COOKIE
from tests.conftest import page_csrf
from tests.web import test_reports as reports
from tests.web.test_reports import export
from tests.workbooks import column_codes, keyed_rows
from tests.worlds import Province, as_user

world = reports.world

COLUMNS = [
    Column("name", "Tên HTX", "Cooperative"),
    Column("members", "Số thành viên", "Members", kind="integer"),
    Column("score", "Điểm", "Score", kind="number"),
    Column("coverage", "Bao phủ", "Coverage", kind="percent"),
]
ROWS = [
    {"name": "HTX Na; Chi Lăng", "members": 1234, "score": 72.456, "coverage": 0.3898},
    {"name": "=1+1", "members": None, "score": None, "coverage": None},
]


def test_excel_csv__uses_semicolons_decimal_commas_crlf_and_one_header_row() -> None:
    body = excel_csv_bytes(COLUMNS, ROWS).decode("utf-8")
    assert body.startswith("\ufeffTên HTX;Số thành viên;Điểm;Bao phủ\r\n")
    lines = body[1:].split("\r\n")
    assert lines[1] == '"HTX Na; Chi Lăng";1234;72,5;39,0%'
    assert lines[2] == "'=1+1;;;"  # the formula trigger is neutralised as in every export
    assert "\n" not in body.replace("\r\n", "")


def test_excel_csv__reads_back_into_columns_with_a_semicolon_reader() -> None:
    text = excel_csv_bytes(COLUMNS, ROWS).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert [len(r) for r in rows] == [4, 4, 4]


def test_excel_csv__keeps_leading_zeros_and_long_digit_runs_as_written() -> None:
    columns = [Column("phone", "Điện thoại", "Phone"), Column("code", "Mã xã", "Commune code")]
    rows = [
        {"phone": "0995003414", "code": "05977"},
        {"phone": "12345678901234567890", "code": "4900000001"},
        {"phone": "0", "code": "=0123"},
    ]
    text = excel_csv_bytes(columns, rows).decode("utf-8-sig")
    cells = list(csv.reader(io.StringIO(text), delimiter=";"))[1:]
    # Excel (and LibreOffice) would read the digits as a number and drop the zero or the
    # digits past the 15th; ="…" is a constant they show as written.
    assert cells[0] == ['="0995003414"', '="05977"']
    assert cells[1] == ['="12345678901234567890"', "4900000001"]  # ten digits survive as is
    assert cells[2] == ["0", "'=0123"]  # a formula trigger stays neutralised


def test_a_workbook__has_one_header_row_frozen_filtered_and_formatted() -> None:
    book = load_workbook(io.BytesIO(xlsx_bytes([Sheet("Bảng", COLUMNS, ROWS)])))
    sheet = book["Bảng"]
    assert [c.value for c in sheet[1]] == ["Tên HTX", "Số thành viên", "Điểm", "Bao phủ"]
    assert sheet["A2"].value == "HTX Na; Chi Lăng"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:D3"
    assert (sheet["B2"].number_format, sheet["C2"].number_format) == ("#,##0", "#,##0.0")
    assert sheet["D2"].number_format == "0.0%"
    assert sheet["D2"].value == 0.3898  # a number Excel can sum, shown as 39,0%
    assert sheet.column_dimensions["A"].width >= len("HTX Na; Chi Lăng")
    assert column_codes(book, "Bảng") == ["name", "members", "score", "coverage"]


def test_a_workbook_for_an_english_reader__has_english_headers() -> None:
    book = load_workbook(io.BytesIO(xlsx_bytes([Sheet("Bảng", COLUMNS, ROWS)], locale="en")))
    assert [c.value for c in book["Bảng"][1]] == ["Cooperative", "Members", "Score", "Coverage"]
    assert "Column codes" in book.sheetnames


def test_the_coverage_page__offers_excel_csv_for_vietnamese_excel(
    client: TestClient, world: Province
) -> None:
    page = as_user(client, "bancd").get("/reports/coverage?wave=2026").text
    assert 'value="csv_excel"' in page
    assert "CSV (Excel, dấu ;)" in page
    reply = export(client, "/reports/coverage", what="coverage", wave="2026", format="csv_excel")
    assert reply.status_code == 200
    assert "htxso-coverage-2026-excel.csv" in reply.headers["content-disposition"]
    header = reply.content.decode("utf-8-sig").split("\r\n", 1)[0]
    assert ";" in header
    assert "|" not in header  # labels only: no codes in a file meant for people


def test_the_scores_workbook__holds_the_csv_table_and_a_sheet_of_dimension_scores(
    client: TestClient, world: Province
) -> None:
    as_user(client, "bancd")
    reply = export(client, "/reports/coverage", what="scores", wave="2026", format="xlsx")
    assert reply.status_code == 200
    book = load_workbook(io.BytesIO(reply.content))
    assert book.sheetnames == ["Điểm HTX", "Điểm theo khía cạnh", "Mã cột"]
    scores = {r["cooperative"]: r for r in keyed_rows(book, "Điểm HTX")}
    assert scores["HTX A5"]["mini_overall"] == 80
    assert scores["HTX A6"]["mini_overall"] is None  # not answered: a row, no score
    dimensions = {r["cooperative"]: r for r in keyed_rows(book, "Điểm theo khía cạnh")}
    assert "HTX A6" not in dimensions
    assert dimensions["HTX A5"]["overall"] == 80
    assert (dimensions["HTX A5"]["mini_sales"], dimensions["HTX A5"]["mini_ops"]) == (80, 20)
    assert book["Điểm theo khía cạnh"].freeze_panes == "A2"


def test_the_rankings_workbook__names_every_code_beside_it_in_vietnamese(
    client: TestClient, world: Province
) -> None:
    as_user(client, "bancd")
    reply = export(
        client, "/reports/rankings", what="rankings", wave="2026", questionnaire="mini",
        format="xlsx",
    )  # fmt: skip
    book = load_workbook(io.BytesIO(reply.content))
    row = {r["area_name"]: r for r in keyed_rows(book, "Xếp hạng")}["An Bình"]
    assert (row["questionnaire"], row["questionnaire_label"]) == ("mini", "Bộ câu hỏi thử")
    assert (row["measure"], row["measure_label"]) == ("overall", "Điểm tổng")
    assert (row["area_level"], row["area_level_label"]) == ("former_district", "Huyện (cũ)")
    codes = column_codes(book, "Xếp hạng")
    assert codes.index("questionnaire_label") == codes.index("questionnaire") + 1


def test_the_rankings_workbook_for_an_english_reader__is_english_throughout(
    client: TestClient, world: Province
) -> None:
    as_user(client, "bancd")
    client.cookies.set(LANG_COOKIE, "en")
    reply = export(
        client, "/reports/rankings", what="rankings", wave="2026", questionnaire="mini",
        format="xlsx",
    )  # fmt: skip
    book = load_workbook(io.BytesIO(reply.content))
    assert book.sheetnames == ["Ranking", "Notes", "Column codes"]
    headers = [c.value for c in book["Ranking"][1]]
    assert {"Questionnaire", "Ranking measure", "Area level", "Coverage", "Rank"} <= set(headers)
    rows = {r["area_name"]: r for r in keyed_rows(book, "Ranking")}
    assert rows["An Bình"]["questionnaire_label"] == "Test questionnaire"
    assert rows["An Bình"]["measure_label"] == "Overall score"
    assert rows["Lạng Sơn"]["area_level_label"] == "Province"
    notes = [r["note"] for r in keyed_rows(book, "Notes")]
    assert any(n.startswith("95% interval of the mean") for n in notes)


def test_the_scores_workbook_for_an_english_reader__gives_each_level_code_its_english_name(
    client: TestClient, world: Province
) -> None:
    as_user(client, "bancd")
    client.cookies.set(LANG_COOKIE, "en")
    reply = export(client, "/reports/coverage", what="scores", wave="2026", format="xlsx")
    book = load_workbook(io.BytesIO(reply.content))
    assert book.sheetnames == ["Cooperative scores", "Dimension scores", "Column codes"]
    a5 = {r["cooperative"]: r for r in keyed_rows(book, "Cooperative scores")}["HTX A5"]
    assert (a5["mini_level_code"], a5["mini_level"]) == ("high", "High")
    assert a5["sector"] == "Agriculture"
    assert [c.value for c in book["Cooperative scores"][1]][:3] == [
        "Wave",
        "Registration code",
        "Cooperative",
    ]
    dims = {r["cooperative"]: r for r in keyed_rows(book, "Dimension scores")}["HTX A5"]
    assert (dims["questionnaire"], dims["questionnaire_label"]) == ("mini", "Test questionnaire")
    assert (dims["level"], dims["level_label"]) == ("high", "High")


def test_a_workbook__is_not_compressed_again_and_its_csv_is(
    client: TestClient, world: Province
) -> None:
    as_user(client, "bancd")
    gzip = {"Accept-Encoding": "gzip"}
    token = page_csrf(client, "/reports/coverage")
    sent = {"csrf_token": token, "what": "scores", "wave": "2026"}
    workbook = client.post("/reports/export", data={**sent, "format": "xlsx"}, headers=gzip)
    table = client.post("/reports/export", data={**sent, "format": "csv"}, headers=gzip)
    assert workbook.status_code == table.status_code == 200
    # A workbook is a zip already: gzip would spend time on it and save nothing.
    assert "content-encoding" not in workbook.headers
    assert load_workbook(io.BytesIO(workbook.content)).sheetnames[0] == "Điểm HTX"
    assert table.headers["content-encoding"] == "gzip"
    assert table.content.decode("utf-8-sig").startswith("wave | Đợt đánh giá,")
