"""CSV and XLSX writers for the Steering Committee: Excel-safe, Vietnamese headers, stable codes.

CSV starts with a UTF-8 BOM (Excel on Vietnamese Windows otherwise guesses the wrong code page);
its one header row carries both the stable code and the Vietnamese header ("code | Header"), so
scripts key on the code and people read the header; any text cell Excel would read as a formula
is neutralised. XLSX has one header row people read, and the codes on a sheet of their own.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from itertools import islice
from typing import Any, Literal, cast

from app.reports import workbook
from app.reports.workbook import CELL_MAX as XLSX_CELL_MAX
from app.reports.workbook import SheetData, column_letters
from app.text import FORMULA_STARTS, spreadsheet_safe

BOM = "\ufeff"
LINE_END = "\r\n"
# The same, for `text[:1] in _FORMULA_FIRST`: twice as fast as startswith, per cell of an export.
_FORMULA_FIRST = frozenset(FORMULA_STARTS)

Kind = Literal["text", "integer", "number", "percent", "date"]


@dataclass(frozen=True)
class Column:
    """One exported column: a code that never changes, and a header people read."""

    code: str
    header_vi: str
    header_en: str = ""
    kind: Kind = "text"
    width: int | None = None


def neutralise(value: Any) -> Any:
    """A workbook cell's value: text made safe and cut to what Excel holds; others unchanged.

    With `_text_cell` (CSV), the one converter every export's text goes through.
    """
    if isinstance(value, str):
        return spreadsheet_safe(value)[:XLSX_CELL_MAX]
    return value


def header_row(columns: Sequence[Column]) -> list[str]:
    """`code | Vietnamese header` for every column."""
    return [f"{c.code} | {c.header_vi}" for c in columns]


def _text_cell(value: Any) -> str:
    # Text first: option codes are most of the cells of a raw-answers export.
    if isinstance(value, str):
        # spreadsheet_safe's fast path, inlined: a raw-answers export converts millions of cells.
        if value.isprintable() and "," not in value and ";" not in value:
            return "'" + value if value[:1] in _FORMULA_FIRST else value
        return spreadsheet_safe(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list):
        # A multiple choice's codes, in one cell.
        return _text_cell("; ".join(map(str, value)))
    return str(value)


def _number_cell(value: Any) -> str:
    if isinstance(value, float):
        # A dot decimal separator: stable for machines; Excel reads it by import settings.
        if value == int(value):
            return str(int(value))
        # Half up, as scores are rounded (surveys/README.md): formatting the binary value would
        # write 45.125 as 45.12.
        return str(_half_up(value, "0.01")).rstrip("0").rstrip(".")
    return _text_cell(value)


def _half_up(value: float, step: str) -> Decimal:
    """Rounded half up, as scores are, from the float's shortest decimal (not its binary value)."""
    return Decimal(repr(value)).quantize(Decimal(step), rounding=ROUND_HALF_UP)


# One converter per kind, chosen once per column: exports run to millions of cells.
_CELLS: dict[Kind, Callable[[Any], str]] = {
    "text": _text_cell,
    "integer": _text_cell,
    "date": _text_cell,
    "number": _number_cell,
    "percent": _number_cell,
}


def cell_text(kind: Kind) -> Callable[[Any], str]:
    """How a value of a column of this kind becomes the text of its CSV cell."""
    return _CELLS[kind]


# A table's rows: mappings of column code to value, or (a table of many rows that builds
# them so, `ordered`) sequences of values in column order.
Rows = Iterable[Mapping[str, Any]] | Iterable[Sequence[Any]]


def _in_order(columns: Sequence[Column], rows: Rows, *, ordered: bool) -> Iterable[Sequence[Any]]:
    """Each row's values in column order."""
    if ordered:
        return cast(Iterable[Sequence[Any]], rows)
    codes = [c.code for c in columns]
    return ([row.get(code) for code in codes] for row in cast(Iterable[Mapping[str, Any]], rows))


def _cell_rows(
    columns: Sequence[Column],
    rows: Rows,
    cells: Mapping[Kind, Callable[[Any], str]] = _CELLS,
    *,
    ordered: bool = False,
) -> Iterator[list[str]]:
    """Each row as the text of its cells, in column order."""
    if ordered:
        convert = [cells.get(c.kind, _text_cell) for c in columns]
        return (
            [cell(value) for cell, value in zip(convert, values, strict=True)]
            for values in cast(Iterable[Sequence[Any]], rows)
        )
    plan = [(c.code, cells.get(c.kind, _text_cell)) for c in columns]
    return (
        [cell(row.get(code)) for code, cell in plan]
        for row in cast(Iterable[Mapping[str, Any]], rows)
    )


class _Appender:
    """A file-like sink for csv.writer that keeps each written line as it comes."""

    def __init__(self, lines: list[str]) -> None:
        self.write = lines.append


def csv_field(text: str) -> str:
    """A cell's text as a CSV field, quoted as csv.writer quotes it (where it holds a comma, a
    quote or a line break)."""
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_chunks(
    columns: Sequence[Column],
    rows: Iterable[Sequence[str]],
    *,
    lines: int,
    quoted: bool = False,
) -> Iterator[str]:
    """The CSV text of rows already turned into cell text, `lines` rows at a time.

    The first chunk starts with the BOM and the header. Rows are written in batches straight
    into a list: a million-cell export spends no time on a buffer per line. `quoted` says the
    cells are CSV fields already (`csv_field`): a converter that remembers its texts quotes
    each distinct one once, not once per row.
    """
    written: list[str] = []
    writer = csv.writer(_Appender(written), lineterminator=LINE_END)
    writer.writerow(header_row(columns))
    written[0] = BOM + written[0]
    remaining = iter(rows)
    if quoted:
        while True:
            # csv.writer quotes a line of one empty cell, which would otherwise read as no cell.
            written.extend(
                (",".join(fields) if len(fields) != 1 or fields[0] else '""') + LINE_END
                for fields in islice(remaining, lines)
            )
            if not written:
                return
            yield "".join(written)
            written.clear()
    while True:
        for cells in islice(remaining, lines):
            line = ",".join(cells)
            # No cell holds a delimiter, a quote or a line break, so none is quoted and the
            # line is what csv.writer would write (but for a lone empty cell, which it quotes).
            # The writer looks up every character of every cell in the line terminator, a
            # sixth of an export's time; this check runs at C speed over the joined line.
            if (
                line
                and line.count(",") == len(cells) - 1
                and '"' not in line
                and "\n" not in line
                and "\r" not in line
            ):
                written.append(line + LINE_END)
            else:
                writer.writerow(cells)
        if not written:
            return
        yield "".join(written)
        written.clear()


def csv_bytes(columns: Sequence[Column], rows: Rows, *, ordered: bool = False) -> bytes:
    """The whole CSV as UTF-8 bytes."""
    cells = _cell_rows(columns, rows, ordered=ordered)
    return "".join(csv_chunks(columns, cells, lines=1000)).encode("utf-8")


def _decimal_comma(value: Any, *, percent: bool) -> str:
    """A number as Excel with Vietnamese regional settings reads it: 1234,5 and 39,0%."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _text_cell(value)
    if percent:
        return f"{_half_up(value * 100, '0.1')}%".replace(".", ",")
    if isinstance(value, int):
        return str(value)
    return str(_half_up(value, "0.1")).replace(".", ",")


# Digits that Excel (and LibreOffice) would read as a number and change: a leading zero
# dropped (a phone number, a commune code), or the digits past the fifteenth lost.
_CHANGED_AS_NUMBER = re.compile(r"0\d+|\d{16,}")


def _kept_text(value: Any) -> str:
    """A text cell that such Excel shows as written: such digits as the formula ="0912…",
    a constant (digits only, so nothing else can be made of it)."""
    text = _text_cell(value)
    return f'="{text}"' if _CHANGED_AS_NUMBER.fullmatch(text) else text


_EXCEL_CELLS: dict[Kind, Callable[[Any], str]] = {
    "text": _kept_text,
    "integer": partial(_decimal_comma, percent=False),
    "number": partial(_decimal_comma, percent=False),
    "percent": partial(_decimal_comma, percent=True),
}


def excel_csv_bytes(
    columns: Sequence[Column], rows: Rows, *, locale: str = "vi", ordered: bool = False
) -> bytes:
    """CSV that Excel set to Vietnamese opens straight into columns.

    Such Excel separates list items with `;` and decimals with `,`: a comma CSV lands in one
    column. One header row people read (the codes are in the plain CSV and the workbook).
    """
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=";", lineterminator=LINE_END)
    writer.writerow([header_text(c, locale) for c in columns])
    writer.writerows(_cell_rows(columns, rows, _EXCEL_CELLS, ordered=ordered))
    return buffer.getvalue().encode("utf-8")


@dataclass(frozen=True)
class Sheet:
    """One table of a workbook."""

    title: str
    columns: Sequence[Column]
    rows: Rows
    ordered: bool = False  # rows are sequences in column order, not mappings


CODES_SHEET = {"vi": "Mã cột", "en": "Column codes"}
_CODES_HEADERS = {
    "vi": ["Bảng", "Cột", "Mã cột (ổn định, cho phần mềm)", "Tiêu đề"],
    "en": ["Table", "Column", "Column code (stable, for software)", "Header"],
}


def header_text(column: Column, locale: str) -> str:
    """The column's header in the reader's language (Vietnamese where no English is given)."""
    return column.header_en if locale == "en" and column.header_en else column.header_vi


def xlsx_bytes(sheets: Sequence[Sheet], *, locale: str = "vi") -> bytes:
    """A workbook people can use: one header row in the reader's language, frozen, filtered.

    Numbers stay numbers with formats (thousands, one decimal, percent), text cells go through
    the same converter as CSV, widths follow the content; the stable column codes scripts key
    on are listed on a last sheet. Written as text a row at a time (app.reports.workbook), so
    a workbook takes about as long as its CSV.
    """
    data: list[SheetData] = []
    listed: list[tuple[str, Column]] = []
    for sheet in sheets:
        title = sheet.title[:31]
        columns = list(sheet.columns)
        data.append(
            SheetData(
                title,
                [header_text(c, locale) for c in columns],
                [c.kind for c in columns],
                [c.width for c in columns],
                _in_order(columns, sheet.rows, ordered=sheet.ordered),
            )
        )
        listed.extend((title, c) for c in columns)
    position: dict[str, int] = {}
    code_rows = []
    for title, column in listed:
        index = position.get(title, 0)
        position[title] = index + 1
        code_rows.append([title, column_letters(index), column.code, header_text(column, locale)])
    data.append(
        SheetData(
            CODES_SHEET.get(locale, CODES_SHEET["vi"]),
            _CODES_HEADERS.get(locale, _CODES_HEADERS["vi"]),
            ["text"] * 4,
            [16, 8, 30, 60],
            code_rows,
        )
    )
    return workbook.write(data, text=_text_cell)
