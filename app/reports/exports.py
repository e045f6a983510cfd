"""CSV and XLSX writers for the Steering Committee: Excel-safe, Vietnamese headers, stable codes.

CSV starts with a UTF-8 BOM (Excel on Vietnamese Windows otherwise guesses the wrong code page);
its one header row carries both the stable code and the Vietnamese header ("code | Header"), so
scripts key on the code and people read the header; any text cell Excel would read as a formula
is neutralised. XLSX puts the headers in row 1 and the codes in row 2, frozen.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import islice
from typing import Any, Literal

from app.text import FORMULA_STARTS, spreadsheet_safe

BOM = "\ufeff"
LINE_END = "\r\n"
# The same, for `text[:1] in _FORMULA_FIRST`: twice as fast as startswith, per cell of an export.
_FORMULA_FIRST = frozenset(FORMULA_STARTS)
# The most characters an Excel cell holds.
XLSX_CELL_MAX = 32767

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
        # Half up, as scores are rounded (surveys/README.md), from the float's shortest decimal:
        # formatting the binary value would write 45.125 as 45.12.
        rounded = Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return str(rounded).rstrip("0").rstrip(".")
    return _text_cell(value)


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


def _cell_rows(columns: Sequence[Column], rows: Iterable[Mapping[str, Any]]) -> Iterator[list[str]]:
    """Each row as the text of its cells, in column order."""
    plan = [(c.code, _CELLS[c.kind]) for c in columns]
    return ([cell(row.get(code)) for code, cell in plan] for row in rows)


class _Appender:
    """A file-like sink for csv.writer that keeps each written line as it comes."""

    def __init__(self, lines: list[str]) -> None:
        self.write = lines.append


def csv_chunks(
    columns: Sequence[Column], rows: Iterable[Sequence[str]], *, lines: int
) -> Iterator[str]:
    """The CSV text of rows already turned into cell text, `lines` rows at a time.

    The first chunk starts with the BOM and the header. Rows are written in batches straight
    into a list: a million-cell export spends no time on a buffer per line.
    """
    written: list[str] = []
    writer = csv.writer(_Appender(written), lineterminator=LINE_END)
    writer.writerow(header_row(columns))
    written[0] = BOM + written[0]
    remaining = iter(rows)
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


def csv_bytes(columns: Sequence[Column], rows: Iterable[Mapping[str, Any]]) -> bytes:
    """The whole CSV as UTF-8 bytes."""
    return "".join(csv_chunks(columns, _cell_rows(columns, rows), lines=1000)).encode("utf-8")


@dataclass(frozen=True)
class Sheet:
    """One table of a workbook."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Mapping[str, Any]]


_FORMATS = {"integer": "#,##0", "number": "#,##0.0", "percent": "0.0%", "date": "dd/mm/yyyy"}


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """A workbook with one sheet per table: frozen header, readable widths, numbers as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=False)
    book.remove(book.active)
    for sheet in sheets:
        ws = book.create_sheet(title=sheet.title[:31])
        ws.append([c.header_vi for c in sheet.columns])
        ws.append([c.code for c in sheet.columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for cell in ws[2]:
            cell.font = Font(italic=True, color="666666", size=9)
        ws.freeze_panes = "A3"
        widths = [max(len(c.header_vi), 8) for c in sheet.columns]
        for row in sheet.rows:
            values = []
            for index, column in enumerate(sheet.columns):
                value = row.get(column.code)
                if isinstance(value, str):
                    value = neutralise(value)
                    widths[index] = max(widths[index], min(len(value), 60))
                values.append(value)
            ws.append(values)
            for index, column in enumerate(sheet.columns):
                if column.kind in _FORMATS:
                    ws.cell(row=ws.max_row, column=index + 1).number_format = _FORMATS[column.kind]
        for index, column in enumerate(sheet.columns):
            ws.column_dimensions[get_column_letter(index + 1)].width = column.width or min(
                widths[index] + 2, 62
            )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
