"""The workbook writer: what Excel (here openpyxl) reads back from the SpreadsheetML it writes."""

from __future__ import annotations

import io
import zipfile

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from app.reports.exports import Column, Sheet, xlsx_bytes
from app.reports.workbook import CELL_MAX, SheetData, column_letters, write

COLUMNS = [
    Column("name", "Tên HTX", "Cooperative"),
    Column("members", "Số thành viên", "Members", kind="integer"),
    Column("score", "Điểm", "Score", kind="number"),
]


def read(data: bytes, title: str = "Bảng") -> list[tuple[object, ...]]:
    return list(load_workbook(io.BytesIO(data))[title].iter_rows(min_row=2, values_only=True))


def test_column_letters__run_past_z_as_excel_names_them() -> None:
    assert [column_letters(i) for i in (0, 25, 26, 51, 52, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]


def test_text__with_markup_excel_escapes_and_spaces__reads_back_as_it_was() -> None:
    texts = ["A & B <b>", "  spaces kept  ", "hai\ndòng", "Mã số; HTX"]
    rows = [{"name": t} for t in texts]
    assert [r[0] for r in read(xlsx_bytes([Sheet("Bảng", COLUMNS, rows)]))] == texts


def test_text_that_looks_like_an_excel_escape__is_escaped_itself() -> None:
    data = xlsx_bytes([Sheet("Bảng", COLUMNS, [{"name": "_x0041_ stays literal"}])])
    strings = zipfile.ZipFile(io.BytesIO(data)).read("xl/sharedStrings.xml").decode()
    # Excel reads _x005F_ as "_": the cell shows "_x0041_", not "A" (openpyxl does not unescape).
    assert "<t>_x005F_x0041_ stays literal</t>" in strings


def test_a_text_on_two_sheets__is_stored_once_and_reads_back_on_each() -> None:
    rows = [{"name": "HTX Na Chi Lăng", "members": 1}, {"name": "=1+1", "members": 2}]
    data = xlsx_bytes([Sheet("Một", COLUMNS, rows), Sheet("Hai", COLUMNS, rows)])
    strings = zipfile.ZipFile(io.BytesIO(data)).read("xl/sharedStrings.xml").decode()
    assert strings.count("HTX Na Chi Lăng") == 1
    for title in ("Một", "Hai"):
        # The formula trigger is neutralised on every sheet, as in the CSV.
        assert [r[:2] for r in read(data, title)] == [("HTX Na Chi Lăng", 1), ("'=1+1", 2)]


def test_a_list_in_a_cell__is_written_as_its_text_with_the_rest_of_its_row() -> None:
    rows = [
        {"name": ["chính sách", "đào tạo"], "members": 3, "score": 1.5},
        {"name": "HTX A", "members": 3, "score": None},
    ]
    assert read(xlsx_bytes([Sheet("Bảng", COLUMNS, rows)])) == [
        ("chính sách; đào tạo", 3, 1.5),
        ("HTX A", 3, None),
    ]


def test_text__longer_than_a_cell_holds__is_cut_to_what_excel_holds() -> None:
    data = xlsx_bytes([Sheet("Bảng", COLUMNS, [{"name": "x" * (CELL_MAX + 10)}])])
    book = load_workbook(io.BytesIO(data))
    assert read(data)[0][0] == "x" * CELL_MAX
    assert book["Bảng"].column_dimensions["A"].width == 62  # the widest text, capped, plus 2


def test_numbers__stay_numbers_and_a_value_that_is_not_one_leaves_the_cell_empty() -> None:
    rows = [
        {"name": "a", "members": 1234, "score": 72.456},
        {"name": "b", "members": True, "score": float("nan")},
        {"name": "c", "members": None, "score": -0.5},
    ]
    assert read(xlsx_bytes([Sheet("Bảng", COLUMNS, rows)])) == [
        ("a", 1234, 72.456),
        ("b", 1, None),  # a yes/no in a number column counts as 1, as the CSV writes it
        ("c", None, -0.5),
    ]


def test_every_zero__is_written_0_whichever_came_first_in_its_column() -> None:
    rows = [{"name": n, "score": z} for n, z in (("a", -0.0), ("b", 0), ("c", 0.0), ("d", 0.5))]
    found = read(xlsx_bytes([Sheet("Bảng", COLUMNS, rows)]))
    assert [(r[0], r[2]) for r in found] == [("a", 0), ("b", 0), ("c", 0), ("d", 0.5)]
    assert all(str(r[2]) == "0" for r in found[:3])  # never "-0.0"


def test_every_sheet__has_its_frozen_header_filter_and_hidden_filter_name() -> None:
    data = write(
        [
            SheetData("Một", ["A", "B"], ["text", "integer"], [None, 30], [["x", 1], ["y", 2]]),
            SheetData("O'Hai", ["C"], ["percent"], [None], []),
        ],
        text=str,
    )
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Một", "O'Hai"]
    assert (book["Một"].freeze_panes, book["O'Hai"].freeze_panes) == ("A2", "A2")
    assert book["Một"].auto_filter.ref == "A1:B3"
    assert book["O'Hai"].auto_filter.ref == "A1:A2"  # an empty sheet filters its header row
    assert book["Một"].column_dimensions["B"].width == 30
    workbook_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml").decode()
    assert "'Một'!$A$1:$B$3" in workbook_xml
    assert "'O''Hai'!$A$1:$A$2" in workbook_xml


# Cells as the exports hold them: gaps, numbers, a few texts that repeat, one that needs escaping.
_value = st.one_of(
    st.none(),
    st.integers(min_value=-(10**9), max_value=10**9),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(["Xã Mẫu Sơn", "Đạt", "A & B", "x"]),
)


@given(
    kinds=st.lists(st.sampled_from(["text", "number", "integer"]), min_size=1, max_size=6),
    data=st.data(),
)
@settings(max_examples=40, deadline=None)
def test_every_value__reads_back_in_its_own_row_and_column_whatever_the_gaps(
    kinds: list[str], data: st.DataObject
) -> None:
    # A cell names its place only after an empty one; openpyxl, like Excel, places the others
    # one column after the cell before.
    rows = data.draw(st.lists(st.lists(_value, min_size=len(kinds), max_size=len(kinds))))
    headers = [f"H{i}" for i in range(len(kinds))]
    book = load_workbook(
        io.BytesIO(write([SheetData("Bảng", headers, kinds, [None] * len(kinds), rows)], text=str))
    )
    sheet = book["Bảng"]
    found = list(
        sheet.iter_rows(min_row=2, max_row=len(rows) + 1, max_col=len(kinds), values_only=True)
    )
    expected = [
        tuple(
            str(v) if kind == "text" and isinstance(v, int | float) else v
            for kind, v in zip(kinds, row, strict=True)
        )
        for row in rows
    ]
    assert found == expected
