"""Every connection the portal opens is configured for its database and for what it is for."""

from __future__ import annotations

from sqlalchemy import text

from app.db import READ_ONLY, Database


def test_connections__carry_the_settings_the_portal_relies_on(database_url: str) -> None:
    db = Database(database_url)
    try:
        with db.read_sessions() as session:
            if db.engine.dialect.name == "postgresql":
                # Each run of a prepared statement is planned for its own parameters: waves
                # differ widely in size, and one generic plan fitted none of them.
                settings = {"plan_cache_mode": "force_custom_plan"}
                seen = {name: session.execute(text(f"SHOW {name}")).scalar() for name in settings}
            else:
                # WAL lets readers go on while one writer writes; the busy timeout makes a
                # second writer wait for the lock instead of failing.
                settings = {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 10000}
                seen = {name: session.execute(text(f"PRAGMA {name}")).scalar() for name in settings}
        assert seen == settings
    finally:
        db.dispose()


def test_reads__run_without_a_write_lock_and_exports_in_one_snapshot(database_url: str) -> None:
    db = Database(database_url)
    try:
        with db.read_sessions() as reads, db.snapshot_sessions() as snapshot:
            read_connection, snapshot_connection = reads.connection(), snapshot.connection()
            assert read_connection.get_execution_options()[READ_ONLY]
            assert snapshot_connection.get_execution_options()[READ_ONLY]
            if db.engine.dialect.name == "postgresql":
                # A request's reads: no BEGIN/COMMIT round trips (READ COMMITTED gives each
                # statement its own snapshot anyway).
                assert read_connection.connection.dbapi_connection.autocommit  # type: ignore[union-attr]
                shown = {
                    name: snapshot.execute(text(f"SHOW {name}")).scalar()
                    for name in ("transaction_isolation", "transaction_read_only")
                }
                assert shown == {
                    "transaction_isolation": "repeatable read",
                    "transaction_read_only": "on",
                }
            else:
                # Deferred transactions: reading takes no write lock, so a writer gets in
                # (an immediate one would make it wait out the busy timeout, then fail).
                reads.execute(text("SELECT count(*) FROM areas"))
                snapshot.execute(text("SELECT count(*) FROM areas"))
                with db.transaction() as writer:
                    writer.execute(text("CREATE TABLE scratch_engine_check (x INTEGER)"))
                    writer.execute(text("DROP TABLE scratch_engine_check"))
    finally:
        db.dispose()
