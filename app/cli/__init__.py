"""The `htxso` command line: set up, fill, serve and administer the portal."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress

from app import memory
from app.cli.areas import areas_app
from app.cli.export import export as export_command
from app.cli.messages import spoken
from app.cli.surveys import surveys_app
from app.config import get_settings
from app.db import Database

app = typer.Typer(help="HTX Số: cooperative self-assessment portal.", no_args_is_help=True)
users_app = typer.Typer(help="Manage accounts.", no_args_is_help=True)
import_app = typer.Typer(help="Import registry data.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(import_app, name="import")
app.add_typer(areas_app, name="areas")
app.add_typer(surveys_app, name="surveys")
app.command("export")(export_command)
console = Console()
errors = Console(stderr=True)


def database() -> Database:
    """The database named by DATABASE_URL (default: the SQLite file under var/)."""
    import app.tables  # noqa: F401 - every model mapped before the first flush

    settings = get_settings()
    if settings.is_sqlite:
        path = settings.database_url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    return Database(settings.database_url)


@app.command()
def init() -> None:
    """Migrate, load the configured province (PROVINCE, default 20) and publish surveys/."""
    from app import migrate
    from app.areas import service as areas
    from app.cooperatives import placement
    from app.scoring.proof import load_proven
    from app.surveys import service as surveys

    settings = get_settings()
    db = database()
    migrate.upgrade(settings.database_url)
    console.print("[green]✓[/] database migrated")
    with db.transaction() as session:
        count = areas.load_provinces(session, codes=[settings.province])
        placed = placement.place_unplaced(session)
    console.print(f"[green]✓[/] {count} areas of province {settings.province} loaded")
    if placed.placed or placed.remaining:
        console.print(
            f"[green]✓[/] {placed.placed:,} cooperatives placed in a commune, "
            f"{placed.remaining:,} still to place (/admin/placements)"
        )
    with db.transaction() as session:
        results = surveys.publish_all(session, questionnaires=load_proven(settings.surveys_dir))
    for result in results:
        console.print(f"[green]✓[/] questionnaire {result}")
    db.dispose()


@app.command()
def demo(
    cooperatives: Annotated[int, typer.Option(min=1, max=200_000)] = 540,
    seed: Annotated[int, typer.Option()] = 20,
) -> None:
    """Fill an empty registry with a synthetic province and its answers; print the sign-ins."""
    from app.demo import generate, progress_total

    db = database()
    started = time.perf_counter()
    with Progress(console=console, transient=True) as bar, db.transaction() as session:
        task = bar.add_task("Tạo dữ liệu mẫu", total=progress_total(cooperatives))
        result = generate(
            session,
            cooperatives=cooperatives,
            seed=seed,
            progress=lambda n: bar.advance(task, n),
        )
    elapsed = time.perf_counter() - started
    if result.cooperatives:
        console.print(
            f"[green]✓[/] {result.cooperatives:,} cooperatives and {result.products:,} products"
        )
        if result.waves:
            console.print(
                f"[green]✓[/] waves {', '.join(result.waves)}: {result.submitted:,} responses "
                f"submitted and scored, {result.drafts:,} drafts, {result.answers:,} answers"
            )
        else:
            console.print(
                "[yellow]![/] no answers made: no questionnaire is published "
                "(run `htxso init`), or the demo waves exist already"
            )
        console.print(f"  in {elapsed:.1f} s")
    else:
        console.print("The registry already has data; only the demo sign-ins were renewed.")
    console.print("\nDemo sign-ins (tài khoản thử):")
    for username, password in result.passwords.items():
        console.print(f"  {username:<10} {password}")
    db.dispose()


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(min=1)] = 1,
    reload: bool = False,
) -> None:
    """Serve the portal with uvicorn."""
    import uvicorn

    uvicorn.run(
        "app.main:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        # The application trusts proxies itself, by the FORWARDED_ALLOW_IPS setting.
        proxy_headers=False,
    )


@users_app.command("create")
def users_create(
    username: str,
    role: Annotated[str, typer.Option(help="admin, advisor, steering or manager")],
    name: Annotated[str, typer.Option(help="Full name")] = "",
    cooperative: Annotated[
        list[str] | None, typer.Option(help="Registration code (managers)")
    ] = None,
    area: Annotated[list[str] | None, typer.Option(help="Area code (advisors)")] = None,
    whole_province: Annotated[
        bool, typer.Option(help="Advisors: see the whole province (without it, only --area)")
    ] = False,
    password_stdin: Annotated[
        bool, typer.Option(help="Read the password from standard input")
    ] = False,
) -> None:
    """Create an account; the password is read from standard input or generated and printed once."""
    from sqlalchemy import select

    from app.accounts import service as accounts
    from app.accounts.models import Role
    from app.accounts.passwords import generate_password
    from app.areas import service as areas
    from app.cooperatives.models import Cooperative
    from app.errors import DomainError

    try:
        role_value = Role(role)
    except ValueError:
        errors.print(f"[red]Unknown role '{role}'[/]: use admin, advisor, steering or manager")
        raise typer.Exit(2) from None
    password = sys.stdin.readline().rstrip("\n") if password_stdin else generate_password()
    db = database()
    try:
        with db.transaction() as session:
            coop_ids = []
            for code in cooperative or []:
                found = session.scalar(
                    select(Cooperative.id).where(Cooperative.registration_code == code)
                )
                if found is None:
                    raise typer.BadParameter(f"no cooperative with registration code {code}")
                coop_ids.append(found)
            area_ids = []
            for code in area or []:
                found_area = areas.get_by_code(session, code)
                if found_area is None:
                    raise typer.BadParameter(f"no area with code {code}")
                area_ids.append(found_area.id)
            accounts.create_user(
                session,
                username=username,
                full_name=name or username,
                role=role_value,
                password=password,
                cooperative_ids=tuple(coop_ids),
                area_ids=tuple(area_ids),
                whole_province=whole_province,
            )
    except DomainError as exc:
        errors.print(f"[red]{spoken(exc.message)}[/]")
        raise typer.Exit(1) from None
    finally:
        db.dispose()
    console.print(f"[green]✓[/] account '{username}' ({role_value}) created")
    if not password_stdin:
        console.print(f"  password (shown once): {password}")


@import_app.command("cooperatives")
def import_cooperatives(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map", help='"Cột trong tệp=field" (field, or ignore); repeat for several columns'
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and show what would change; write nothing")
    ] = False,
    clear_blanks: Annotated[
        bool, typer.Option("--clear-blanks", help="A blank cell clears the stored value")
    ] = False,
) -> None:
    """Import the registry from CSV or XLSX: every row is checked, then all or nothing."""
    from app.cooperatives import importer
    from app.cooperatives.columns import mapped_by_names
    from app.errors import Invalid

    try:
        table, columns = importer.read_file(path.read_bytes(), filename=path.name)
        columns = mapped_by_names(columns, mapping or [])
    except Invalid as exc:
        errors.print(f"[red]{spoken(exc.message)}[/]")
        raise typer.Exit(1) from None
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--map") from None
    console.print(
        f"Đọc {table.source}, dòng tiêu đề: {table.header_line} (read as {table.source}, "
        f"header on line {table.header_line})"
    )
    if columns.ignored:
        console.print("[yellow]Bỏ qua các cột (ignored columns):[/] " + ", ".join(columns.ignored))
    db = database()
    try:
        # Checked on a read-only session: the write transaction is taken for the write alone.
        with db.read_sessions() as session:
            plan = importer.check_table(
                session, table=table, columns=columns, clear_blanks=clear_blanks
            )
            changes = importer.describe_updates(session, plan=plan)[0] if plan.ok else []
        if not plan.ok:
            errors.print(
                f"[red]Không nhập gì cả: {len(plan.problems)} lỗi (nothing imported: "
                f"{len(plan.problems)} problems)[/]"
            )
            for p in sorted(plan.problems, key=lambda p: p.line):
                where = f"dòng {p.line} (line), cột '{escape(p.column)}'"
                errors.print(f"  {where}: " + " / ".join(spoken(p.message).split("\n")))
            raise typer.Exit(1)
        for row in changes:
            console.print(f"{row.registration_code} {row.name}")
            for change in row.changes:
                mark = "[red]xóa (clear)[/] " if change.cleared else ""
                console.print(f"  {mark}{change.column}: {change.old} → {change.new}")
        cleared = sum(c.cleared for row in changes for c in row.changes)
        summary = (
            f"{len(plan.inserts)} cooperatives added, {len(changes)} updated, "
            f"{len(plan.updates) - len(changes)} unchanged, {cleared} values cleared"
        )
        if dry_run:
            console.print(f"[yellow]Chạy thử, chưa ghi gì (dry run, nothing written):[/] {summary}")
            return
        with db.transaction() as session:
            importer.apply_plan(session, plan=plan)
    finally:
        db.dispose()
    console.print(f"[green]✓[/] {summary}")


def main() -> None:
    """Console-script entry point."""
    memory.settle()
    app()
