"""Every connection the portal opens is configured for its database before first use."""

from __future__ import annotations

from sqlalchemy import text

from app.db import Database


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
