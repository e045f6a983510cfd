"""`htxso areas`: load the catalogue (a province, the whole country or a file) and list areas."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

areas_app = typer.Typer(help="Manage the area hierarchy.", no_args_is_help=True)
console = Console()
errors = Console(stderr=True)


@areas_app.command("load")
def areas_load(
    path: Annotated[
        Path | None, typer.Argument(exists=True, dir_okay=False, help="CSV for places outside")
    ] = None,
    national: Annotated[
        bool, typer.Option("--national", help="Every province, both trees and the crosswalk")
    ] = False,
    province: Annotated[
        list[str] | None, typer.Option(help="2025 province code to load (repeatable)")
    ] = None,
) -> None:
    """Load areas from the national catalogue, or from a CSV (code, name, level, parent_code)."""
    from app.areas import service as areas
    from app.cli import database
    from app.cli.messages import spoken
    from app.cooperatives import placement
    from app.errors import Invalid

    chosen = sum((path is not None, national, bool(province)))
    if chosen != 1:
        raise typer.BadParameter("give exactly one of FILE, --national or --province CODE")
    db = database()
    try:
        with db.transaction() as session:
            if path is not None:
                count = areas.load_csv(session, path=path)
            elif national:
                count = areas.load_national(session)
            else:
                count = areas.load_provinces(session, codes=province or [])
            placed = placement.place_unplaced(session)
    except Invalid as exc:
        errors.print(f"[red]{spoken(exc.message)}[/]")
        raise typer.Exit(1) from None
    finally:
        db.dispose()
    console.print(f"[green]✓[/] {count:,} areas loaded")
    if placed.placed or placed.remaining:
        console.print(
            f"[green]✓[/] {placed.placed:,} cooperatives placed in a commune, "
            f"{placed.remaining:,} still to place (/admin/placements)"
        )


@areas_app.command("list")
def areas_list(
    province: Annotated[str | None, typer.Option(help="Only inside this 2025 province")] = None,
    level: Annotated[
        str, typer.Option(help="province, commune, former-district or former-ward")
    ] = "commune",
) -> None:
    """Print one `code<TAB>name` line per area."""
    from app.areas import service as areas
    from app.areas.models import AreaLevel
    from app.cli import database

    wanted = areas.LEVEL_NAMES.get(level)
    if wanted is None or wanted == AreaLevel.COUNTRY:
        raise typer.BadParameter("--level is province, commune, former-district or former-ward")
    db = database()
    try:
        with db.read_sessions() as session:
            within = None
            if province is not None:
                found = areas.get_by_code(session, province, level=AreaLevel.PROVINCE)
                if found is None:
                    raise typer.BadParameter(f"no province with code {province} is loaded")
                within = found.id
            rows = areas.list_areas(session, level=wanted, within=within)
            lines = [f"{a.code}\t{a.name}" for a in rows]
    finally:
        db.dispose()
    typer.echo("\n".join(lines))
