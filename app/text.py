"""Text clean at the door and safe at the exit: the rules every input and export share.

At the door, `clean_line` (names, titles: one line) and `clean_text` (notes, addresses, text
answers: several lines) drop the control characters no person types: C0 but tab and line
feed, DEL and C1, NUL always (PostgreSQL refuses it; SQLite would store it). A one-line field
turns tabs and line breaks into spaces. At the exit, `spreadsheet_safe` makes text fit for a
CSV or XLSX cell whatever was stored before these rules existed.
"""

from __future__ import annotations

import re

# Control characters nobody types into a form: C0 but tab, line feed and carriage return;
# DEL and C1. (XML 1.0, and so XLSX, cannot hold the C0 ones at all.)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"\r\n?|[\t\n\x85\u2028\u2029]")
# Excel (and LibreOffice) treat a cell starting with these as a formula or a DDE call.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(FORMULA_STARTS)
# Where Excel's list separator is `;` (or `,`), a CSV cell may be split there on opening, and
# what follows becomes a cell of its own: a formula trigger after one is made inert too.
_TRIGGER_AFTER_SEPARATOR = re.compile(r"([;,] *)([=+\-@\t\r])")


def clean_line(value: str) -> str:
    """One line of text as stored: line breaks and tabs become spaces, controls are dropped."""
    if value.isprintable():
        return value
    return _CONTROL.sub("", _LINE_BREAKS.sub(" ", value))


def clean_text(value: str) -> str:
    """Several lines of text as stored: line breaks as `\\n`, tabs kept, controls dropped."""
    if value.isprintable():
        return value
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def spreadsheet_safe(text: str) -> str:
    """Text for a CSV or XLSX cell: controls dropped, every formula trigger made inert.

    A trigger at the start, or after a `;` or `,` where a spreadsheet may split the cell,
    gets an apostrophe before it. Anything else comes back unchanged.
    """
    if text.isprintable() and "," not in text and ";" not in text:
        return "'" + text if text[:1] in _FORMULA_FIRST else text
    text = _TRIGGER_AFTER_SEPARATOR.sub(r"\1'\2", _CONTROL.sub("", text))
    return "'" + text if text[:1] in _FORMULA_FIRST else text
