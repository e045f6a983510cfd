"""a token that changes whenever the data behind the reports changes

Ranking 30,000 cooperatives by commune reads every stored score of a wave: at national scale
about 0.9 s against 0.05 s for one GROUP BY. The figures change only when a submission, a
cooperative, a product, an area or a questionnaire does, so the reports remember what they
computed for as long as a token stays the same; these triggers give the token a new random
value on every write to the tables the reports read. Saving an answer (a draft's
`updated_at`, `last_step`) changes no figure and leaves the token alone.

On PostgreSQL the triggers are deferred to commit and write the token once per transaction:
the token's row is locked from the moment a transaction commits to the end of its commit, so
writers queue only at commit, never while they work. TRUNCATE moves it too.

Revision ID: a4c9e1f27b6d
Revises: 5d2f8a6c1e94
Create Date: 2026-12-04 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a4c9e1f27b6d"
down_revision: str | None = "5d2f8a6c1e94"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every table a report reads, and for `responses` the columns a figure depends on.
WATCHED = (
    "waves",
    "wave_questionnaires",
    "questionnaire_versions",
    "areas",
    "area_links",
    "cooperatives",
    "products",
    "responses",
    "dimension_scores",
)
RESPONSE_COLUMNS = (
    "wave_id",
    "questionnaire_key",
    "version_id",
    "cooperative_id",
    "product_id",
    "status",
    "superseded_at",
    "overall",
    "level",
)
# SQLite: a new random value, as PostgreSQL's md5 of random() below.
SQLITE_RANDOM_HEX = "lower(hex(randomblob(16)))"


def _update_event(table: str) -> str:
    if table == "responses":
        return "UPDATE OF " + ", ".join(RESPONSE_COLUMNS)
    return "UPDATE"


def upgrade() -> None:
    op.create_table(
        "report_generation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_report_generation_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_generation")),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    # Random from the start: a database migrated down and up again never meets an old token.
    first = "md5(random()::text || clock_timestamp()::text)" if postgresql else SQLITE_RANDOM_HEX
    op.execute(f"INSERT INTO report_generation (id, token) VALUES (1, {first})")  # noqa: S608
    if postgresql:
        op.execute(
            """
            CREATE FUNCTION report_generation_bump() RETURNS trigger AS $$
            BEGIN
                -- Once per statement: deferred, every row's trigger fires within COMMIT,
                -- so a transaction writes the token once; made immediate (the tests' one long
                -- transaction), each statement that writes watched rows gets a new token.
                IF current_setting('htxso.report_bumped', true) IS DISTINCT FROM
                        txid_current()::text || ' ' || statement_timestamp()::text THEN
                    PERFORM set_config(
                        'htxso.report_bumped',
                        txid_current()::text || ' ' || statement_timestamp()::text,
                        true
                    );
                    UPDATE report_generation
                    SET token = md5(random()::text || clock_timestamp()::text)
                    WHERE id = 1;
                END IF;
                RETURN NULL;
            END
            $$ LANGUAGE plpgsql
            """
        )
        for table in WATCHED:
            op.execute(
                f"CREATE CONSTRAINT TRIGGER report_generation_{table} "
                f"AFTER INSERT OR DELETE OR {_update_event(table)} ON {table} "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                "EXECUTE FUNCTION report_generation_bump()"
            )
            op.execute(
                f"CREATE TRIGGER report_generation_{table}_truncate AFTER TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION report_generation_bump()"
            )
        return
    for table in WATCHED:
        for name, event in (
            ("insert", "INSERT"),
            ("delete", "DELETE"),
            ("update", _update_event(table)),
        ):
            op.execute(
                f"CREATE TRIGGER report_generation_{table}_{name} AFTER {event} ON {table} "  # noqa: S608 - names from WATCHED
                f"BEGIN UPDATE report_generation SET token = {SQLITE_RANDOM_HEX} WHERE id = 1; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in WATCHED:
            op.execute(f"DROP TRIGGER report_generation_{table} ON {table}")
            op.execute(f"DROP TRIGGER report_generation_{table}_truncate ON {table}")
        op.execute("DROP FUNCTION report_generation_bump()")
    else:
        for table in WATCHED:
            for name in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER report_generation_{table}_{name}")
    op.drop_table("report_generation")
