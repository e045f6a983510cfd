"""Engine, sessions and the declarative base shared by every domain package."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache, lru_cache
from typing import Any, ClassVar

import orjson
from sqlalchemy import (
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    inspect,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapper, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from app import search
from app.text import clean_line, clean_text

# Stable constraint names let Alembic (and SQLite batch mode) find constraints again.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """The current time, timezone-aware, in UTC."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use app.db.utcnow()")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        moment: dt.datetime = value
        if moment.tzinfo is None:
            return moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Base of every mapped table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UTCDateTime()}


READ_ONLY = "htxso_read_only"


@cache
def _text_columns(mapper: Mapper[Any]) -> tuple[tuple[str, Callable[[str], str]], ...]:
    """Each text attribute of a mapped class, with how its input is cleaned."""
    found = []
    for attribute in mapper.column_attrs:
        column_type = attribute.columns[0].type
        if isinstance(column_type, Text):
            found.append((attribute.key, clean_text))
        elif isinstance(column_type, String):
            found.append((attribute.key, clean_line))
    return tuple(found)


@event.listens_for(Session, "before_flush")
def _clean_text_at_the_door(session: Session, context: Any, instances: Any) -> None:
    """Every text written through the ORM, cleaned by one rule (app.text), on both databases.

    Names, notes, addresses and titles alike: no service can forget it, and a NUL never
    reaches PostgreSQL (which refuses it) or SQLite (which would store it for the exports).
    """
    for instance in (*session.new, *session.dirty):
        for key, clean in _text_columns(inspect(instance).mapper):
            value = getattr(instance, key)
            if isinstance(value, str):
                cleaned = clean(value)
                if cleaned is not value and cleaned != value:
                    setattr(instance, key, cleaned)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when a transaction begins.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        # translate() for searches that ignore diacritics, as PostgreSQL has it built in.
        search.register(dbapi_conn)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A deferred transaction that later writes fails with "database is locked" when another
        # writer got there first; IMMEDIATE takes the write lock up front and waits for it
        # (busy_timeout) instead. Read-only sessions keep the cheap deferred BEGIN.
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def _configure_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # psycopg prepares a statement on its fifth run, and PostgreSQL may then plan it once
        # for any parameters. Reports filter on a wave, and waves differ widely in size: the
        # one plan fitted none of them, and the national ranking page took 600 ms instead of
        # 480 about every other time. Prepared statements still save the parsing; each run
        # is planned for its own parameters, which costs little on the portal's point
        # queries. (A SET rather than a startup option: poolers such as PgBouncer refuse
        # those, and a startup option would replace any the database URL carries.)
        with dbapi_conn.cursor() as cursor:
            cursor.execute("SET plan_cache_mode = force_custom_plan")
        dbapi_conn.commit()


def _json_value(stored: Any) -> Any:
    # SQLite's NUMERIC affinity (that of a JSON column) hands a stored number back as a
    # number, not as JSON text.
    if isinstance(stored, int | float):
        return stored
    return orjson.loads(stored)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine configured for SQLite or PostgreSQL."""
    # Answers are stored as JSON and read back on every save and in every export: orjson
    # decodes them several times faster than the standard library. (They are still written
    # by the standard library, so stored text keeps one format.)
    kwargs.setdefault("json_deserializer", _json_value)
    if url.startswith("sqlite"):
        # The default pool (5 + 10 overflow) is smaller than the thread pool; SQLite
        # connections are cheap, so each thread may keep one.
        kwargs.setdefault("max_overflow", 10)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 10}, **kwargs
        )
        _configure_sqlite(engine)
        return engine
    # Overflow connections are closed as soon as they are returned: under a steady load that
    # exceeds the pool they are opened again and again, so the pool itself should be large.
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    engine = create_engine(url, pool_pre_ping=True, **kwargs)
    _configure_postgresql(engine)
    return engine


def _read_only_options(engine: Engine, *, snapshot: bool) -> dict[str, Any]:
    """Execution options of the sessions that only read.

    On SQLite a read-only session's deferred BEGIN takes no write lock, and the transaction is
    a snapshot. On PostgreSQL a request's reads run in autocommit: under READ COMMITTED each
    statement takes its own snapshot whether or not a transaction surrounds it, so BEGIN and
    COMMIT would buy nothing but two round trips per request. A long read that must see one
    state throughout (an export streamed through a server-side cursor, which also needs a
    transaction) gets a read-only REPEATABLE READ transaction instead.
    """
    options: dict[str, Any] = {READ_ONLY: True}
    if engine.dialect.name == "postgresql":
        if snapshot:
            options |= {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        else:
            options["isolation_level"] = "AUTOCOMMIT"
    return options


class Database:
    """One engine and its sessions: read-write, read-only, and read-only snapshots."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.read_sessions = sessionmaker(
            self.engine.execution_options(**_read_only_options(self.engine, snapshot=False)),
            expire_on_commit=False,
        )
        self.snapshot_sessions = sessionmaker(
            self.engine.execution_options(**_read_only_options(self.engine, snapshot=True)),
            expire_on_commit=False,
        )

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits at the end of the block, or rolls back on error."""
        with self.sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def upsert(
    session: Session,
    table: Table,
    *,
    values: dict[str, Any],
    keys: tuple[str, ...],
    update: tuple[str, ...],
) -> None:
    """INSERT … ON CONFLICT DO UPDATE on SQLite or PostgreSQL: one statement, no race."""
    connection = session.connection()
    statement = _upsert_statement(connection.dialect.name, table, tuple(values), keys, update)
    # Run on the session's connection: a table statement needs none of the ORM's handling.
    connection.execute(statement, values)


@lru_cache(maxsize=32)
def _upsert_statement(
    dialect: str,
    table: Table,
    columns: tuple[str, ...],
    keys: tuple[str, ...],
    update: tuple[str, ...],
) -> Any:
    # Built once per shape and executed with parameters: building the statement (its
    # `excluded` alias above all) cost more than running it on the busiest route.
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        pg = pg_insert(table)
        return pg.on_conflict_do_update(
            index_elements=list(keys), set_={c: pg.excluded[c] for c in update}
        )
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    lite = sqlite_insert(table)
    return lite.on_conflict_do_update(
        index_elements=list(keys), set_={c: lite.excluded[c] for c in update}
    )
