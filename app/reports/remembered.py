"""Report figures remembered between requests for as long as the data behind them is the same.

A ranking of 30,000 cooperatives by commune reads every stored score of a wave (about 0.9 s at
national scale) and is the same until a submission, a cooperative, a product, an area or a
questionnaire changes. Database triggers give `report_generation.token` a new random value on
every such write (migration a4c9e1f27b6d), whoever makes it: a route, the command line, an
import or plain SQL. A figure is remembered under the token read before it was computed, so it
is never older than the token says; a random token never comes back, so a figure is never
served after a change. Each process remembers its own few, newest used first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.db import READ_ONLY
from app.reports.models import ReportGeneration

T = TypeVar("T")
# Figures kept per process: a national ranking by commune is a few megabytes.
LIMIT = 16

_lock = threading.Lock()
_remembered: OrderedDict[tuple[Hashable, ...], Any] = OrderedDict()


# Set on a connection whose report-token triggers fire at each statement, not at commit: the
# tests' (their transaction never commits). SQLite's always do.
IMMEDIATE_TRIGGERS = "htxso_immediate_report_triggers"


def token(session: Session) -> str:
    """The current token of the data the reports read."""
    return session.scalars(select(ReportGeneration.token).where(ReportGeneration.id == 1)).one()


def _may_remember(session: Session) -> bool:
    """Whether the token read in this session is the token of the data it reads.

    A PostgreSQL transaction that has written moves the token only when it commits: what it
    computes before then includes its own writes and must not be remembered under the old token.
    Read-only sessions write nothing; a transaction that has not written yet has no
    transaction id (an export's, which records the download after building it).
    """
    connection = session.connection()
    options = connection.get_execution_options()
    if (
        connection.dialect.name == "sqlite"
        or options.get(READ_ONLY)
        or options.get(IMMEDIATE_TRIGGERS)
    ):
        return True
    return connection.scalar(text("SELECT txid_current_if_assigned()")) is None


def remembered(session: Session, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """What `compute()` gives for `key` on the session's data, computed once per change.

    The value is shared by every request that asks while the data stays the same: callers
    treat it as read-only.
    """
    if not _may_remember(session):
        return compute()
    database = session.get_bind().engine.url.render_as_string(hide_password=True)
    full = (database, token(session), *key)
    with _lock:
        if full in _remembered:
            _remembered.move_to_end(full)
            found: T = _remembered[full]
            return found
    value = compute()
    with _lock:
        _remembered[full] = value
        _remembered.move_to_end(full)
        while len(_remembered) > LIMIT:
            _remembered.popitem(last=False)
    return value


def forget() -> None:
    """Drop everything remembered (a test that times the computation itself)."""
    with _lock:
        _remembered.clear()
