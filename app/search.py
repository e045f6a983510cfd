"""Text search that ignores case and Vietnamese diacritics, in SQL on both databases.

People type "dong son" or "Đồng Sơn" for "Xã Đồng Sơn". `folded(column)` compares the stored
text after the same folding as `fold(typed)`: SQL's translate() maps each accented letter to
its plain one. PostgreSQL has translate(); SQLite gets the same function from `register`, which
runs on every new SQLite connection.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from functools import cache

from sqlalchemy import ColumnElement, SQLColumnExpression, func, literal

# Latin-1 Supplement to Latin Extended-B, and Latin Extended Additional (ạ, ầ, ữ…).
_BLOCKS = (range(0xC0, 0x250), range(0x1E00, 0x1F00))


@cache
def _table() -> tuple[str, str]:
    """Each accented Latin letter, upper and lower case, and its plain lower-case letter."""
    source, target = ["Đđ"], ["dd"]
    for block in _BLOCKS:
        for code in block:
            char = chr(code)
            base = unicodedata.normalize("NFD", char)[0]
            if base != char and base.isascii() and base.isalpha():
                source.append(char)
                target.append(base.lower())
    return "".join(source), "".join(target)


def fold(text: str) -> str:
    """Lower case without diacritics or surrounding spaces, as `folded` reads stored text."""
    source, target = _table()
    return text.strip().lower().translate(str.maketrans(source, target))


def folded(column: SQLColumnExpression[str]) -> ColumnElement[str]:
    """The column lower-cased and without diacritics, for LIKE against `fold(typed)`."""
    source, target = _table()
    return func.translate(func.lower(column), literal(source), literal(target))


def contains(column: SQLColumnExpression[str], typed: str) -> ColumnElement[bool]:
    """Whether the column contains what was typed, ignoring case, diacritics and LIKE signs."""
    escaped = fold(typed).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return folded(column).like(f"%{escaped}%", escape="\\")


def register(connection: sqlite3.Connection) -> None:
    """Give a SQLite connection the translate() function PostgreSQL has built in."""
    connection.create_function("translate", 3, _sqlite_translate, deterministic=True)


def _sqlite_translate(text: str | None, source: str, target: str) -> str | None:
    if text is None:
        return None
    return text.translate(str.maketrans(source, target))
