"""Reading the files people save: encodings, separators, titles above the header, and caps."""

from __future__ import annotations

import io
import time
import unicodedata
import zipfile

import pytest
from openpyxl import Workbook

from app.cooperatives import tabular
from app.cooperatives.columns import header_score
from app.cooperatives.importer import read_file
from app.errors import Invalid
from app.web.i18n import translate

ROWS = [
    ["Mã số HTX", "Tên HTX", "Huyện/Thành phố", "Lĩnh vực", "Tình trạng"],
    ["4900000001", "HTX Na Đồng Mỏ", "Huyện Chi Lăng", "Thương mại - dịch vụ", "Giải thể"],
]
TITLES = [["DANH SÁCH HỢP TÁC XÃ TỈNH LẠNG SƠN NĂM 2025"], [], *ROWS]


def lines(rows: list[list[str]], separator: str) -> str:
    return "\r\n".join(separator.join(r) for r in rows) + "\r\n"


def cp1258(text: str) -> bytes:
    """Text as Windows-1258 writes it: a letter with its shape mark, then the tone mark apart."""
    out = b""
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", char)
            shape = "".join(m for m in marks if m in "\u0302\u0306\u031b")
            tone = "".join(m for m in marks if m not in shape)
            out += unicodedata.normalize("NFC", base + shape).encode("cp1258")
            out += tone.encode("cp1258")
    return out


def vi(error: Invalid) -> str:
    return translate(error.message, "vi")


def read(data: bytes, filename: str = "htx.csv") -> tabular.Table:
    return tabular.read_table(data, filename=filename, score=header_score)


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("encoded", "source", "separator"),
    [
        (lines(TITLES, ",").encode("utf-8"), "CSV UTF-8", ","),
        (b"\xef\xbb\xbf" + lines(TITLES, ";").encode("utf-8"), "CSV UTF-8", ";"),
        # Excel's "Unicode Text": UTF-16 with a BOM, cells separated by tabs.
        (lines(TITLES, "\t").encode("utf-16"), "CSV UTF-16", "\t"),
        (cp1258(lines(TITLES, ";")), "CSV Windows-1258", ";"),
    ],
)
def test_each_encoding_and_separator__reads_the_same_table_below_its_title(
    encoded: bytes, source: str, separator: str
) -> None:
    table = read(encoded)
    assert (table.source, table.delimiter, table.header_line) == (source, separator, 3)
    assert table.header == ROWS[0]
    assert table.rows == [(4, ROWS[1])]


def test_a_cp1258_file__keeps_its_vietnamese_letters() -> None:
    table = read(cp1258("Mã số HTX;Tên HTX\n1;HTX Lạng Sơn Xanh\n"))
    assert table.rows[0][1][1] == "HTX Lạng Sơn Xanh"


def test_an_encoding_that_cannot_be_told__is_refused_with_the_one_to_use() -> None:
    # TCVN3 ("ABC") bytes: valid Windows-1258, but they read as gibberish.
    data = b"M\xb7 s\xe8 HTX,T\xaan HTX\n1,H\xeep t\xb8c x\xb7\n"
    with pytest.raises(Invalid) as refused:
        read(data)
    assert "CSV UTF-8" in vi(refused.value)
    assert "CSV UTF-8" in str(refused.value.message)


def test_a_comma_inside_quotes__does_not_fool_the_separator() -> None:
    data = 'Mã số HTX;Tên HTX;Lĩnh vực\n1;"HTX A, B";"Thương mại, dịch vụ"\n'.encode()
    table = read(data)
    assert table.delimiter == ";"
    assert table.rows[0][1] == ["1", "HTX A, B", "Thương mại, dịch vụ"]


def test_an_xlsx_with_a_title_and_a_blank_row__says_which_row_is_the_header() -> None:
    table = read(xlsx([["Danh sách HTX"], [None], ROWS[0], [4900000001, "HTX", 187]]), "a.xlsx")
    assert (table.source, table.header_line) == ("Excel", 3)
    assert table.rows == [(4, ["4900000001", "HTX", "187"])]


@pytest.mark.parametrize(
    ("data", "filename", "words"),
    [
        (b"", "a.csv", "Tệp trống"),
        (b"  \r\n\r\n", "a.csv", "Tệp trống"),
        ("Mã số HTX,Tên HTX,Lĩnh vực\r\n".encode(), "a.csv", "chỉ có dòng tiêu đề (dòng 1)"),
        (bytes(range(256)) * 4, "a.csv", "nhị phân"),
        (b"%PDF-1.4 ...", "danh-sach.pdf", "phải là tệp CSV"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "cu.xls", "Lưu thành"),
        (b"PK\x03\x04 not really a zip", "a.xlsx", "Không đọc được tệp Excel"),
        ("Họ tên,Tuổi\nAn,3\n".encode(), "a.csv", "Không tìm thấy dòng tiêu đề"),
    ],
)
def test_bad_input__is_refused_with_a_vietnamese_and_an_english_message(
    data: bytes, filename: str, words: str
) -> None:
    with pytest.raises(Invalid) as refused:
        read(data, filename)
    assert words in vi(refused.value)
    assert str(refused.value.message) != vi(refused.value)


def sheet_xml(dimension: str, rows: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'
    ).encode()


def with_sheet(xml: bytes) -> bytes:
    """A real workbook whose first sheet is replaced by hand-written XML."""
    source = zipfile.ZipFile(io.BytesIO(xlsx([["x"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = xml if item.filename == "xl/worksheets/sheet1.xml" else source.read(item)
            target.writestr(item.filename, body)
    return out.getvalue()


def header_cells() -> str:
    return (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Mã số HTX</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>Tên HTX</t></is></c></row>'
    )


def test_a_sheet_declaring_a_million_rows_with_one_cell_in_the_last__is_refused_quickly() -> None:
    data = with_sheet(
        sheet_xml(
            "A1:XFD1048576",
            header_cells() + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
        )
    )
    assert len(data) < 10_000
    started = time.monotonic()
    with pytest.raises(Invalid) as refused:
        read(data, "bomb.xlsx")
    assert time.monotonic() - started < 5
    assert "dòng" in vi(refused.value)


def test_a_sheet_of_blank_rows__counts_them_against_the_cap() -> None:
    blank = "".join(f'<row r="{n}"/>' for n in range(2, tabular.MAX_LINES + 50))
    data = with_sheet(sheet_xml("A1:B2", header_cells() + blank))
    started = time.monotonic()
    with pytest.raises(Invalid):
        read(data, "blank.xlsx")
    assert time.monotonic() - started < 30


def test_a_cell_far_to_the_right__is_refused_by_the_column_cap() -> None:
    data = with_sheet(
        sheet_xml("A1:B2", header_cells() + '<row r="2"><c r="XFD2"><v>1</v></c></row>')
    )
    with pytest.raises(Invalid) as refused:
        read(data, "wide.xlsx")
    assert "cột" in vi(refused.value)


def test_an_archive_that_unpacks_too_big__is_refused_before_it_is_parsed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tabular, "MAX_UNCOMPRESSED", 1000)
    with pytest.raises(Invalid) as refused:
        read(xlsx([ROWS[0], ["1" * 2000]]), "big.xlsx")
    assert "quá lớn" in vi(refused.value)


def test_columns_beyond_the_header__are_listed_as_ignored() -> None:
    _, columns = read_file(
        "Mã số HTX,Tên HTX,STT\n1,HTX A,1,ghi chú lạc\n".encode(), filename="a.csv"
    )
    assert columns.ignored == ["STT", "(D)"]
    assert columns.unrecognised == [3]


def test_an_archive_packed_far_tighter_than_a_spreadsheet__is_refused() -> None:
    rows = header_cells() + '<row r="2"><c r="A2" t="inlineStr"><is><t>'
    data = with_sheet(sheet_xml("A1:B2", rows + "x" * 5_000_000 + "</t></is></c></row>"))
    assert len(data) < 50_000
    with pytest.raises(Invalid) as refused:
        read(data, "packed.xlsx")
    assert "quá lớn" in vi(refused.value)
