"""One way to page a list: `paginate(session, statement, page=, size=)` → (rows, total).

Every list a person or a program reads (the registry, the chase-up list, accounts, the audit
log, the API) pages in SQL with this, so a province of 5,000 cooperatives costs one page of
rows, not all of them. The statement must be ordered, with a unique last key, or rows can move
between pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar, TypeVarTuple

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session

Ts = TypeVarTuple("Ts")
T = TypeVar("T")

MAX_SIZE = 100  # rows a page of a screen shows at most
API_MAX_SIZE = 1000  # rows a page of the API gives at most


def paginate(
    session: Session, statement: Select[*Ts], *, page: int, size: int
) -> tuple[list[Row[*Ts]], int]:
    """Rows of page `page` (from 1) of `size` rows, and how many rows match in all."""
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    window = statement.limit(size).offset((max(page, 1) - 1) * size)
    return list(session.execute(window)), total or 0


@dataclass(frozen=True)
class Page:
    """Where a page sits in its list, for the pager under a table."""

    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first(self) -> int:
        """The position of the page's first row, from 1 (0 when the list is empty)."""
        return min((self.number - 1) * self.size + 1, self.total)

    @property
    def last(self) -> int:
        return min(self.number * self.size, self.total)


def page_of(items: Sequence[T], *, page: int, size: int = MAX_SIZE) -> tuple[list[T], Page]:
    """A page of a list already sorted in memory, and its `Page` for the pager.

    For the few lists ordered by figures computed for the page (a district's scores, a ranking
    of areas), which SQL cannot page; a page past the end shows the last one.
    """
    last = Page(number=1, size=size, total=len(items)).pages
    where = Page(number=min(max(page, 1), last), size=size, total=len(items))
    start = (where.number - 1) * size
    return list(items[start : start + size]), where
