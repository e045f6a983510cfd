"""Exports neutralise what Excel would run as a formula and otherwise round-trip exactly."""

from __future__ import annotations

import csv
import io
import re

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from app.reports.exports import (
    BOM,
    Column,
    Sheet,
    csv_bytes,
    csv_chunks,
    csv_field,
    header_row,
    xlsx_bytes,
)

COLUMNS = [
    Column("name", "Tên"),
    Column("members", "Thành viên", kind="integer"),
    Column("score", "Điểm", kind="number"),
]
DANGEROUS = ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR"]


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv__neutralises_every_formula_start() -> None:
    rows = [{"name": value, "members": 1, "score": 1.5} for value in DANGEROUS]
    body = read_csv(csv_bytes(COLUMNS, rows))[1:]
    assert [r[0] for r in body] == ["'" + value for value in DANGEROUS]


def test_csv__joins_a_multiple_choice_into_one_cell_and_neutralises_it_too() -> None:
    rows = [{"name": ["zalo", "web"]}, {"name": ["-1", "web"]}, {"name": []}]
    body = read_csv(csv_bytes(COLUMNS[:1], rows))[1:]
    assert body == [["zalo; web"], ["'-1; web"], [""]]


def test_xlsx__neutralises_every_formula_start_and_keeps_numbers_as_numbers() -> None:
    rows = [{"name": value, "members": 12, "score": 72.5} for value in DANGEROUS]
    book = load_workbook(io.BytesIO(xlsx_bytes([Sheet("Bảng", COLUMNS, rows)])))
    sheet = book["Bảng"]
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    # A carriage return is stored as Excel's escape _x000D_ (Excel reads it back as one), and
    # openpyxl reads it back as "\r" with lxml installed, as "\n" without it; every cell still
    # starts with the apostrophe that makes it inert.
    read = [v[0].replace("_x000D_", "\r").replace("\r", "\n") for v in values]
    assert read == ["'" + value.replace("\r", "\n") for value in DANGEROUS]
    assert all(v[1] == 12 and v[2] == 72.5 for v in values)
    assert sheet.freeze_panes == "A2"


def test_negative_numbers__stay_numbers() -> None:
    body = read_csv(csv_bytes(COLUMNS, [{"name": "HTX", "members": -3, "score": -1.5}]))
    assert body[1] == ["HTX", "-3", "-1.5"]


safe_text = st.text(
    # No control characters (dropped: tests/security/test_control_characters.py).
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\t\r\n"),
    max_size=40,
).filter(
    lambda s: not re.search(r"(^|[;,] *)[=+\-@\t\r]", s)  # formula triggers get a `'`
)


@given(names=st.lists(safe_text, max_size=6))
def test_any_other_text__round_trips_exactly_through_csv(names: list[str]) -> None:
    rows = [{"name": name, "members": None, "score": None} for name in names]
    body = read_csv(csv_bytes(COLUMNS, rows))[1:]
    assert [r[0] for r in body] == names


# Cells with every character CSV treats specially, and plain ones, in any mix.
any_cell = st.one_of(
    st.text(alphabet=st.sampled_from([",", '"', "\r", "\n", "a", "ệ", " ", "'", ";"]), max_size=6),
    st.text(max_size=12),
)


@given(data=st.data(), lines=st.integers(min_value=1, max_value=4))
def test_chunked_csv__is_exactly_what_csv_writer_writes(data: st.DataObject, lines: int) -> None:
    width = data.draw(st.integers(min_value=1, max_value=len(COLUMNS)), label="width")
    rows = data.draw(
        st.lists(st.lists(any_cell, min_size=width, max_size=width), max_size=8), label="rows"
    )
    expected = io.StringIO()
    writer = csv.writer(expected, lineterminator="\r\n")
    writer.writerow(header_row(COLUMNS[:width]))
    writer.writerows(rows)

    chunks = list(csv_chunks(COLUMNS[:width], rows, lines=lines))
    # The raw-answers export quotes each distinct cell once, then joins fields as they are.
    fields = [[csv_field(cell) for cell in row] for row in rows]
    joined = list(csv_chunks(COLUMNS[:width], fields, lines=lines, quoted=True))

    assert "".join(chunks) == BOM + expected.getvalue()
    assert joined == chunks
    # The header comes with the first rows; then `lines` rows a chunk, none empty.
    assert len(chunks) == max(1, -(-len(rows) // lines))
