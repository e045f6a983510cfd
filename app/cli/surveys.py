"""`htxso surveys`: validate and publish questionnaire files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

surveys_app = typer.Typer(help="Questionnaire files: validate, publish.", no_args_is_help=True)
console = Console()
errors = Console(stderr=True)


def _load(path: Path) -> list[object]:
    from app.surveys.loader import SurveyFileError, load_dir, load_file

    try:
        return list(load_dir(path) if path.is_dir() else [load_file(path)])
    except SurveyFileError as exc:
        errors.print(f"[red]{len(exc.problems)} problem(s):[/]")
        for problem in exc.problems:
            errors.print(f"  {problem}", markup=False, highlight=False)
        raise typer.Exit(1) from None


@surveys_app.command("validate")
def validate(path: Annotated[Path, typer.Argument()] = Path("surveys")) -> None:
    """Check questionnaire files; every problem is listed with its file, line and field."""
    from app.surveys.definition import Questionnaire

    for q in _load(path):
        assert isinstance(q, Questionnaire)
        console.print(
            f"[green]✓[/] {q.key} {q.version}: {len(q.dimensions)} dimensions, "
            f"{len(q.questions)} questions"
        )


@surveys_app.command("publish")
def publish(path: Annotated[Path, typer.Argument()] = Path("surveys")) -> None:
    """Publish every valid file as an immutable version (a changed published version is refused)."""
    from app.cli import database
    from app.errors import Conflict
    from app.surveys import service
    from app.surveys.definition import Questionnaire

    questionnaires = _load(path)
    db = database()
    try:
        with db.transaction() as session:
            for q in questionnaires:
                assert isinstance(q, Questionnaire)
                console.print(f"[green]✓[/] {service.publish(session, questionnaire=q)}")
    except Conflict as exc:
        errors.print(f"[red]{exc.message_en}[/]\n{exc.message}")
        raise typer.Exit(1) from None
    finally:
        db.dispose()
