"""Reading a table out of whatever spreadsheet file people save: CSV in UTF-8, UTF-16 or
Windows-1258 with `,` `;` or tab between cells, or an Excel workbook.

A file is read by the cells it holds, never by the size it declares, and every read is capped
(lines, columns, cells, uncompressed size, time), so a hostile file is refused in a bounded time.
The header row is found by itself below any titles or blank rows, by a scoring function the
caller gives (how many of a row's cells it recognises as column names).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from app.errors import Invalid
from app.messages import N_, Number

MAX_DATA_ROWS = 100_000
# Every line counts, blank ones too: a sheet of millions of blank rows is refused as early as a
# sheet of millions of full ones.
MAX_LINES = MAX_DATA_ROWS + 10_000
MAX_COLUMNS = 200
MAX_CELLS = 2_000_000
MAX_UNCOMPRESSED = 200 * 1024 * 1024
# Spreadsheet XML packs 5 to 20 times; far more is a file built to unpack into gigabytes
# (openpyxl holds every shared string in memory).
MAX_RATIO = 100
MAX_SECONDS = 20.0
HEADER_SEARCH = 30  # lines searched for the header row

TEXT_EXTENSIONS = (".csv", ".txt", ".tsv")
EXCEL_EXTENSIONS = (".xlsx", ".xlsm")
OLD_EXTENSIONS = (".xls", ".ods", ".xlsb", ".numbers")
ACCEPTED_EXTENSIONS = TEXT_EXTENSIONS + EXCEL_EXTENSIONS

# Vietnamese letters (composed) and the punctuation Word and Excel put in text: what a
# Windows-1258 file may hold beside ASCII. Text that holds anything else was written in
# another encoding (TCVN3, VNI, Windows-1252…) and would be imported as gibberish.
_VIETNAMESE = set("àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ") | set(
    "–—‘’“”…•°·«»×€"
)
_VIETNAMESE |= {c.upper() for c in _VIETNAMESE}


@dataclass(frozen=True)
class Table:
    """The header and the data rows of a file, each row with its line in the spreadsheet."""

    header: list[str]
    header_line: int
    rows: list[tuple[int, list[str]]]
    source: str  # how it was read, for the dry run: "CSV UTF-8", "Excel"…
    delimiter: str | None = None


def read_table(data: bytes, *, filename: str, score: Callable[[list[str]], int]) -> Table:
    """The table in a file; `Invalid` with a message for people when it cannot be read."""
    name = filename.lower()
    if name.endswith(OLD_EXTENSIONS) or data[:4] == b"\xd0\xcf\x11\xe0":
        raise Invalid(
            N_(
                "Old Excel (.xls) and .ods files are not read. In Excel choose Save As → Excel "
                "Workbook (.xlsx) or CSV UTF-8, and upload that file."
            )
        )
    if not name.endswith(ACCEPTED_EXTENSIONS):
        raise Invalid(N_("The file must be a CSV (.csv, .txt) or Excel (.xlsx) file."))
    if not data.strip():
        raise Invalid(N_("The file is empty."))
    deadline = time.monotonic() + MAX_SECONDS
    if data[:4] == b"PK\x03\x04":
        lines: Iterator[list[str]] = _excel_lines(data)
        source, delimiter = "Excel", None
    else:
        text, source = _decode(data)
        delimiter = _delimiter(text)
        lines = _csv_lines(text, delimiter)
    return _table(_capped(lines, deadline), score=score, source=source, delimiter=delimiter)


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data, "utf-8-sig"), "CSV UTF-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16"), "CSV UTF-16"
    if b"\x00" in data[:4096]:
        raise _binary()
    try:
        return data.decode("utf-8"), "CSV UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        text = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        raise _unknown_encoding() from None
    foreign = {c for c in text if ord(c) > 127 and c not in _VIETNAMESE}
    if foreign:
        raise _unknown_encoding()
    return text, "CSV Windows-1258"


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise _unknown_encoding() from None


def _unknown_encoding() -> Invalid:
    return Invalid(
        N_(
            "The CSV file's encoding cannot be told. In Excel choose Save As → CSV UTF-8 "
            "(Comma delimited), or upload the Excel (.xlsx) file."
        )
    )


def _binary() -> Invalid:
    return Invalid(N_("The file is not a CSV or Excel spreadsheet (it looks binary)."))


def _delimiter(text: str) -> str:
    """The separator that splits the first lines into the most equal rows of several cells."""
    sample = text[:65536].splitlines()[: HEADER_SEARCH + 20]
    best, best_score = ",", (0, 0)
    for candidate in ("\t", ";", ","):
        try:
            widths = [len(r) for r in csv.reader(sample, delimiter=candidate) if any(r)]
        except csv.Error:
            continue
        wide = [w for w in widths if w > 1]
        if not wide:
            continue
        common = max(set(wide), key=wide.count)
        score = (wide.count(common), common)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _csv_lines(text: str, delimiter: str) -> Iterator[list[str]]:
    # newline="" lets the csv module handle line breaks inside quoted cells and lone CRs.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as exc:
        raise Invalid(
            N_("The CSV file is malformed at line %(line)s: %(error)s."),
            line=reader.line_num,
            error=str(exc),
        ) from None


def _excel_lines(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _damaged() from None
    unpacked = sum(m.file_size for m in members)
    if len(members) > 10_000 or unpacked > min(MAX_UNCOMPRESSED, MAX_RATIO * len(data)):
        raise _too_big()
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged file
        raise _damaged() from None
    try:
        sheet = book.worksheets[0]
        # The declared dimension (`A1:XFD1048576`) is the file's claim, not its content.
        sheet.reset_dimensions()
        for values in sheet.iter_rows(values_only=True):
            yield [_cell_text(v) for v in values]
    except Exception:
        raise _damaged() from None
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def _damaged() -> Invalid:
    return Invalid(N_("The Excel file cannot be read: it is damaged or not an .xlsx file."))


def _too_big() -> Invalid:
    return Invalid(N_("The Excel file is too large once unpacked. Split it into smaller files."))


def _capped(lines: Iterable[list[str]], deadline: float) -> Iterator[tuple[int, list[str]]]:
    """Numbered lines, trailing blank cells dropped, within every cap."""
    cells = 0
    for number, raw in enumerate(lines, start=1):
        if number > MAX_LINES:
            raise Invalid(
                N_(
                    "The file has more than %(lines)s lines (blank ones included). Delete the "
                    "spare rows at the end of the sheet or split the file."
                ),
                lines=Number(MAX_LINES),
            )
        if number % 1000 == 0 and time.monotonic() > deadline:
            raise Invalid(N_("Reading the file took too long. Split it into smaller files."))
        row = [_unquoted(cell.strip()) for cell in raw]
        while row and not row[-1]:
            row.pop()
        if len(row) > MAX_COLUMNS:
            raise Invalid(
                N_(
                    "Line %(line)s has data in column %(column)s; a file may have at most %(most)s "
                    "columns."
                ),
                line=number,
                column=len(row),
                most=MAX_COLUMNS,
            )
        cells += sum(1 for c in row if c)
        if cells > MAX_CELLS:
            raise Invalid(N_("The file has too many cells. Split it into smaller files."))
        yield number, row


# The exports' guard (`app.text.spreadsheet_safe`) puts an apostrophe before a formula sign
# at the start of a cell and after a `;` or `,`; Excel itself marks text with one at the start.
_GUARDED_AFTER_SEPARATOR = re.compile(r"([;,] *)'([=+\-@])")


def _unquoted(cell: str) -> str:
    """The value a guarded cell stands for: an exported registry imports back unchanged."""
    if cell[:1] == "'" and cell[1:2] in ("=", "+", "-", "@"):
        cell = cell[1:]
    if "'" in cell and ("," in cell or ";" in cell):
        cell = _GUARDED_AFTER_SEPARATOR.sub(r"\1\2", cell)
    return cell


def _table(
    lines: Iterator[tuple[int, list[str]]],
    *,
    score: Callable[[list[str]], int],
    source: str,
    delimiter: str | None,
) -> Table:
    above: list[tuple[int, list[str]]] = []
    header: tuple[int, list[str]] | None = None
    best = 1  # a header names at least two known columns
    for number, row in lines:
        above.append((number, row))
        if (found := score(row)) > best:
            header, best = (number, row), found
        if number >= HEADER_SEARCH:
            break
    if header is None:
        if not any(row for _, row in above):
            raise Invalid(N_("The file is empty."))
        raise Invalid(
            N_(
                "No header row found in the first %(lines)s lines. The header needs columns "
                "such as Mã số HTX, Tên HTX, Địa bàn, Lĩnh vực (see the template)."
            ),
            lines=HEADER_SEARCH,
        )
    header_line, names = header
    rows = [(n, r) for n, r in above if n > header_line and any(r)]
    for number, row in lines:
        if any(row):
            rows.append((number, row))
            if len(rows) > MAX_DATA_ROWS:
                raise Invalid(
                    N_("The file has more than %(rows)s data rows. Split it."),
                    rows=Number(MAX_DATA_ROWS),
                )
    if not rows:
        raise Invalid(
            N_("The file has only its header row (line %(line)s) and no data rows."),
            line=header_line,
        )
    return Table(names, header_line, rows, source, delimiter)
