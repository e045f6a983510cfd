"""The XLSX writer of every export: SpreadsheetML written as text, a row at a time.

xlsxwriter (even in constant-memory mode) spends tens of microseconds on each cell: a call
through its argument checks, a format lookup, an XML element built method by method. A scores
workbook has two sheets of a few dozen columns, and cost five times its CSV. Here a row is one
joined string of cell elements made with f-strings, so a workbook costs about what its CSV does.
It writes what the exports need and no more: text and number cells (each text once, in the
shared strings, as Excel writes it), a header style, number formats, column widths, a frozen
header row and an autofilter.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from math import isfinite
from typing import Any
from xml.sax.saxutils import escape, quoteattr

# The most characters an Excel cell holds.
CELL_MAX = 32767
# Excel number formats: thousands grouped, one decimal, percentages with one decimal. Excel shows
# the separators of the reader's regional settings (1.234,5 on Vietnamese Windows).
NUMBER_FORMATS = {"integer": "#,##0", "number": "#,##0.0", "percent": "0.0%", "date": "dd/mm/yyyy"}
# Cell style indexes in styles.xml: 0 plain, 1 header, then one per number format.
HEADER_STYLE = 1
_STYLES = {kind: 2 + index for index, kind in enumerate(NUMBER_FORMATS)}
WIDTH_MIN, HEADER_WIDTH_MAX, TEXT_WIDTH_MAX = 8, 40, 60

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# Characters XML 1.0 cannot hold at all (controls are dropped before, by the text converter).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Excel reads `_xHHHH_` in a cell as an escaped character: a literal one is escaped itself.
_EXCEL_ESCAPE = re.compile("_(x[0-9A-Fa-f]{4}_)")
# Text that the text converter or the escaping above would change: a formula's first character,
# a separator (where a spreadsheet may split a cell), markup, an Excel escape.
_SPECIAL = re.compile(r"^[=+\-@]|[,;&<>]|_x").search
# The most distinct texts or numbers a column remembers the element of.
_SEEN_MAX = 50_000
# The most distinct texts the shared strings look up (beyond it a text is added again).
_STRINGS_MAX = 500_000


@dataclass(frozen=True)
class SheetData:
    """One sheet: its title, header cells, each column's kind and fixed width, and its rows."""

    title: str
    headers: Sequence[str]
    kinds: Sequence[str]  # "text", or a key of NUMBER_FORMATS
    widths: Sequence[int | None]  # None: from the header and the longest text below it
    rows: Iterable[Sequence[Any]]  # values in column order; None leaves the cell empty


def column_letters(index: int) -> str:
    """A, B, …, Z, AA, … for a column index from 0."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _xml_text(text: str) -> str:
    """Text as the content of a cell's <t> element."""
    if "&" in text or "<" in text or ">" in text:
        text = escape(text)
    if "_x" in text:
        text = _EXCEL_ESCAPE.sub(r"_x005F_\1", text)
    if not text.isprintable():
        # A carriage return would be read back as a line feed: Excel's own escape keeps it.
        text = _NOT_XML.sub("", text.replace("\r", "_x000D_"))
    return text


def _text(value: Any, text: Callable[[Any], str]) -> tuple[str, int]:
    """A text's <t> element, and its length as a person sees it."""
    # Most text needs neither the converter nor escaping: one check at C speed.
    if (
        type(value) is str
        and len(value) <= CELL_MAX
        and value.isprintable()
        and _SPECIAL(value) is None
    ):
        cell = xml = value
    else:
        cell = text(value)[:CELL_MAX]
        xml = _xml_text(cell)
    # Only text with spaces at either end needs saying so (a quarter of the bytes otherwise).
    if cell[:1].isspace() or cell[-1:].isspace():
        return f'<t xml:space="preserve">{xml}</t>', len(cell)
    return f"<t>{xml}</t>", len(cell)


class _Strings:
    """The workbook's shared strings: each text written once, cells name it by its place.

    A name, a commune or a level is converted and escaped once for the whole workbook, and a
    cell that shows it is a short reference: the sheets' XML is about half as long, which is
    less to compress, and less for a reader to parse.
    """

    def __init__(self, text: Callable[[Any], str]) -> None:
        self._text = text
        self._at: dict[str, tuple[int, int]] = {}
        self.items: list[str] = []

    def add(self, value: Any) -> tuple[int, int]:
        """The place of a cell's text among the shared strings, and the text's length."""
        known = type(value) is str
        if known and (found := self._at.get(value)) is not None:
            return found
        found = self.new(*_text(value, self._text))
        if known and len(self._at) < _STRINGS_MAX:
            self._at[value] = found
        return found

    def new(self, xml: str, length: int) -> tuple[int, int]:
        """A text already made a <t> element (a header, not converted as cells are)."""
        self.items.append(f"<si>{xml}</si>")
        return len(self.items) - 1, length

    def xml(self) -> str:
        return (
            f'{_XML}<sst xmlns="{_MAIN}" uniqueCount="{len(self.items)}">'
            f"{''.join(self.items)}</sst>"
        )


# An empty cell: written rather than left out, a cell needs no reference to say where it is.
_EMPTY = "<c/>"


def _maker(
    index: int, kind: str, seen: dict[Any, str], widths: list[int], strings: _Strings
) -> Callable[[Any], str]:
    """The function that writes a cell of a column the first time its value is met there."""
    numeric = f'<c s="{_STYLES[kind]}"><v>' if kind in _STYLES else None

    def make(value: Any) -> str:
        kind = type(value)
        if value is None:
            return _EMPTY
        if numeric is not None and (kind is int or kind is float or kind is bool):
            if not isfinite(value):
                return _EMPTY
            # A yes/no in a number column counts as 1 or 0, as the CSV writes it; every zero
            # is 0 (-0.0 equals 0 to the cache and would stand for the column's zeros).
            cell = f"{numeric}{int(value) if kind is bool or not value else value!r}</v></c>"
            remember = kind is not bool
        else:
            at, length = strings.add(value)
            if length > widths[index]:
                widths[index] = min(length, TEXT_WIDTH_MAX)
            cell = f'<c t="s"><v>{at}</v></c>'
            # Only a text is remembered in a text column: 5 and 5.0 read the same to a dict.
            remember = kind is str
        if remember and len(seen) < _SEEN_MAX:
            seen[value] = cell
        return cell

    return make


def _sheet_rows(sheet: SheetData, strings: _Strings) -> tuple[list[str], list[int]]:
    """The <row> elements of a sheet, header first, and each column's width from its content.

    The inner loop is the cost of a workbook. Every cell is written, an empty one as <c/>, so
    that none needs to say where it is (`r`): a value met before in its column (a wave, a
    commune, a level, a score) is one lookup of its whole element.
    """
    letters = [column_letters(i) for i in range(len(sheet.headers))]
    header = "".join(
        f'<c r="{col}1" s="{HEADER_STYLE}" t="s"><v>{strings.new(*_text(h, str))[0]}</v></c>'
        for col, h in zip(letters, sheet.headers, strict=True)
    )
    out = [f'<row r="1">{header}</row>']
    widths = [min(max(len(h), WIDTH_MIN), HEADER_WIDTH_MAX) for h in sheet.headers]
    # Per column: the cells met so far in it, and what writes one it has not met.
    seens: list[dict[Any, str]] = [{None: _EMPTY} for _ in sheet.headers]
    makers = [
        _maker(index, kind, seen, widths, strings)
        for index, (kind, seen) in enumerate(zip(sheet.kinds, seens, strict=True))
    ]
    number = 1
    for values in sheet.rows:
        number += 1
        try:
            cells = [
                seen.get(value) or make(value)
                for seen, make, value in zip(seens, makers, values, strict=True)
            ]
        except TypeError:
            # A value no dict can hold (a list): every cell of its row written anew.
            cells = [make(value) for make, value in zip(makers, values, strict=True)]
        out.append(f'<row r="{number}">{"".join(cells)}</row>')
    return out, widths


def _ref(columns: int, rows: int) -> str:
    """The range of a sheet's header and rows (at least one row below the header)."""
    return f"A1:{column_letters(max(columns, 1) - 1)}{max(rows, 1) + 1}"


def _worksheet(
    sheet: SheetData, rows: list[str], widths: list[int], *, first: bool, data_rows: int
) -> Iterable[str]:
    """The parts of a worksheet's XML, in the order SpreadsheetML requires."""
    ref = _ref(len(sheet.headers), data_rows)
    selected = ' tabSelected="1"' if first else ""
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{fixed or auto + 2}" customWidth="1"/>'
        for i, (fixed, auto) in enumerate(zip(sheet.widths, widths, strict=True), start=1)
    )
    yield (
        f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><dimension ref="{ref}"/>'
        f'<sheetViews><sheetView workbookViewId="0"{selected}>'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>'
    )
    yield from rows
    yield (
        f'</sheetData><autoFilter ref="{ref}"/>'
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        "</worksheet>"
    )


def _styles() -> str:
    formats = "".join(
        f'<numFmt numFmtId="{164 + i}" formatCode={quoteattr(code)}/>'
        for i, code in enumerate(NUMBER_FORMATS.values())
    )
    numbers = "".join(
        f'<xf numFmtId="{164 + i}" fontId="0" fillId="0" borderId="0" xfId="0" '
        'applyNumberFormat="1"/>'
        for i in range(len(NUMBER_FORMATS))
    )
    font = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
    side = '<color auto="1"/>'
    return (
        f'{_XML}<styleSheet xmlns="{_MAIN}">'
        f'<numFmts count="{len(NUMBER_FORMATS)}">{formats}</numFmts>'
        f'<fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>'
        '<fills count="3"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill>'
        '<fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/>'
        "</patternFill></fill></fills>"
        '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
        f'<border><left style="thin">{side}</left><right style="thin">{side}</right>'
        f'<top style="thin">{side}</top><bottom style="thin">{side}</bottom><diagonal/></border>'
        "</borders>"
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        "</cellStyleXfs>"
        f'<cellXfs count="{2 + len(NUMBER_FORMATS)}">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" '
        'applyFill="1" applyBorder="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/>'
        f"</xf>{numbers}</cellXfs>"
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )


def _workbook(titles: list[str], refs: list[str]) -> str:
    sheets = "".join(
        f'<sheet name={quoteattr(t)} sheetId="{i}" r:id="rId{i}"/>'
        for i, t in enumerate(titles, start=1)
    )
    # Excel keeps each sheet's filter range under this hidden name, and expects it.
    names = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{escape(_quoted(t))}!{_absolute(ref)}</definedName>"
        for i, (t, ref) in enumerate(zip(titles, refs, strict=True))
    )
    return (
        f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{sheets}</sheets><definedNames>{names}</definedNames></workbook>"
    )


def _quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def _absolute(ref: str) -> str:
    """A1:D3 as $A$1:$D$3."""
    return ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", part) for part in ref.split(":"))


def _package(count: int) -> dict[str, str]:
    """The parts every workbook has besides its sheets."""
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{sheet_type}"/>'
        for i in range(1, count + 1)
    )
    relations = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, count + 1)
    )
    return {
        "[Content_Types].xml": (
            f"{_XML}<Types "
            'xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            f"{overrides}</Types>"
        ),
        "_rels/.rels": (
            f'{_XML}<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'{_XML}<Relationships xmlns="{_PKG_REL}">{relations}'
            f'<Relationship Id="rId{count + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId{count + 2}" Type="{_REL}/sharedStrings" '
            'Target="sharedStrings.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": _styles(),
    }


def write(sheets: Sequence[SheetData], *, text: Callable[[Any], str]) -> bytes:
    """The workbook as bytes; `text` turns a value of a text cell into its text."""
    buffer = io.BytesIO()
    titles, refs = [], []
    strings = _Strings(text)
    # Level 1: a workbook of repeated XML compresses almost as well, in a third of the time.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        for number, sheet in enumerate(sheets, start=1):
            rows, widths = _sheet_rows(sheet, strings)
            titles.append(sheet.title)
            refs.append(_ref(len(sheet.headers), len(rows) - 1))
            with package.open(f"xl/worksheets/sheet{number}.xml", "w") as part:
                chunk: list[str] = []
                for piece in _worksheet(
                    sheet, rows, widths, first=number == 1, data_rows=len(rows) - 1
                ):
                    chunk.append(piece)
                    if len(chunk) >= 1000:
                        part.write("".join(chunk).encode("utf-8"))
                        chunk.clear()
                part.write("".join(chunk).encode("utf-8"))
        for name, xml in _package(len(titles)).items():
            package.writestr(name, xml)
        package.writestr("xl/workbook.xml", _workbook(titles, refs))
        package.writestr("xl/sharedStrings.xml", strings.xml())
    return buffer.getvalue()
