"""Reading workbooks back in tests: one header row, the column codes on a sheet of their own."""

from __future__ import annotations

from typing import Any

from app.reports.exports import CODES_SHEET


def column_codes(book: Any, title: str) -> list[str]:
    """The stable column codes of one sheet, in column order, from the codes sheet."""
    codes = book[CODES_SHEET["vi"] if CODES_SHEET["vi"] in book.sheetnames else CODES_SHEET["en"]]
    return [
        str(row[2]) for row in codes.iter_rows(min_row=2, values_only=True) if row[0] == title[:31]
    ]


def keyed_rows(book: Any, title: str) -> list[dict[str, Any]]:
    """The data rows of one sheet, each keyed by column code."""
    codes = column_codes(book, title)
    return [
        dict(zip(codes, row, strict=True))
        for row in book[title[:31]].iter_rows(min_row=2, values_only=True)
    ]
