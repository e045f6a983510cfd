"""One way to page a list: `paginate(session, statement, page=, size=)` → (rows, total).

Every list a person or a program reads (the registry, the chase-up list, accounts, the audit
log, the API) pages in SQL with this, so a province of 5,000 cooperatives costs one page of
rows, not all of them. The statement must be ordered, with a unique last key, or rows can move
between pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVarTuple

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session

Ts = TypeVarTuple("Ts")

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
