"""`htxso surveys`: validate and publish questionnaire files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from app.cli.messages import spoken

surveys_app = typer.Typer(help="Questionnaire files: validate, publish.", no_args_is_help=True)
console = Console()
errors = Console(stderr=True)


def _load(path: Path) -> list[object]:
    from app.scoring.proof import load_proven
    from app.surveys.loader import SurveyFileError

    try:
        return list(load_proven(path))
    except SurveyFileError as exc:
        errors.print(f"[red]{len(exc.problems)} problem(s):[/]")
        for problem in exc.problems:
            errors.print(f"  {problem}", markup=False, highlight=False)
        raise typer.Exit(1) from None


@surveys_app.command("validate")
def validate(path: Annotated[Path, typer.Argument()] = Path("surveys")) -> None:
    """Check questionnaire files and prove that no worse answer scores higher.

    Every problem is listed with its file, line and field. Files under scoring rules 1 are
    kept for the responses that answered them: their known holes are listed, not refused.
    """
    from app.scoring.proof import legacy_holes, problems
    from app.surveys.definition import Questionnaire

    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    for file, q in zip(files, _load(path), strict=True):
        assert isinstance(q, Questionnaire)
        proof = "proven" if q.scoring_rules == 2 else "scoring rules 1, not proven"
        console.print(
            f"[green]✓[/] {q.key} {q.version}: {len(q.dimensions)} dimensions, "
            f"{len(q.questions)} questions; {proof}"
        )
        for problem in problems(q, file=file, holes=legacy_holes(q)):
            console.print(f"  [yellow]hole?[/] {problem}", highlight=False, soft_wrap=True)


@surveys_app.command("publish")
def publish(path: Annotated[Path, typer.Argument()] = Path("surveys")) -> None:
    """Publish every valid file as an immutable version (a changed published version is refused)."""
    from app.cli import database
    from app.errors import Conflict
    from app.surveys import service
    from app.surveys.definition import Questionnaire

    questionnaires = _load(path)  # proven: a file that fails the proof is never published
    db = database()
    try:
        with db.transaction() as session:
            for q in questionnaires:
                assert isinstance(q, Questionnaire)
                console.print(f"[green]✓[/] {service.publish(session, questionnaire=q)}")
    except Conflict as exc:
        errors.print(f"[red]{spoken(exc.message)}[/]")
        raise typer.Exit(1) from None
    finally:
        db.dispose()


@surveys_app.command("rescore")
def rescore(
    key: Annotated[str, typer.Argument(help="Questionnaire key (the file's `key`)")],
    version: Annotated[str, typer.Argument(help="Published version, e.g. 2026.1")],
    dry_run: Annotated[bool, typer.Option(help="Only list what would change")] = False,
    under: Annotated[
        str | None,
        typer.Option(help="Only report how scores would move under this later version's rules"),
    ] = None,
) -> None:
    """Recompute the stored scores of a version's submitted responses; fix those that differ.

    With --under, nothing is stored: it reports how many responses would change score and
    level (or star band) under a later version's scoring rules, and why.
    """
    from app.cli import database
    from app.responses import rescoring
    from app.surveys import service

    db = database()
    try:
        with db.transaction() as session:
            versions = {v.version: v for v in service.list_versions(session, key=key)}
            for wanted in (version, under):
                if wanted is not None and wanted not in versions:
                    errors.print(f"[red]{key} {wanted} is not published[/]")
                    raise typer.Exit(1)
            found = versions[version]
            if under is not None:
                _report_moves(session, key, found, versions[under])
                return
            checked = rescoring.count_submitted(session, version_id=found.id)
            changes = rescoring.rescore_version(session, version_id=found.id, dry_run=dry_run)
    finally:
        db.dispose()
    console.print(f"{checked} submitted response(s) of {key} {version} checked")
    for change in changes:
        line = (
            f"  response {change.response_id} (cooperative {change.cooperative_id}): "
            f"{change.old_overall} {change.old_level} → {change.new_overall} {change.new_level}"
        )
        if change.old_scoring_version != change.new_scoring_version:
            line += f" (scoring {change.old_scoring_version} → {change.new_scoring_version})"
        elif (change.old_overall, change.old_level) == (change.new_overall, change.new_level):
            line += " (dimension scores or detail)"
        console.print(line, markup=False, highlight=False)
    if not changes:
        console.print("no changes")
    elif dry_run:
        console.print(f"{len(changes)} change(s) found; dry run, nothing saved")
    else:
        console.print(f"[green]✓[/] {len(changes)} response(s) rescored")


def _report_moves(session: Any, key: str, old: Any, new: Any) -> None:
    from app.responses import rescoring
    from app.scoring.comparison import compare
    from app.surveys import service

    moves = compare(
        service.definition(old),
        service.definition(new),
        rescoring.stored_results(session, version_id=old.id),
    )
    what = "star band" if service.definition(new).banded else "level"
    console.print(
        f"{moves.checked} submitted response(s) of {key} {old.version} scored under the rules "
        f"of {new.version} (nothing stored):"
    )
    console.print(
        f"  overall score changes: {moves.overall_changed} "
        f"(largest drop {moves.largest_drop:+.2f}, largest rise {moves.largest_rise:+.2f})",
        highlight=False,
    )
    console.print(
        f"  {what} changes: {moves.level_changed} ({moves.down} down, {moves.up} up)",
        highlight=False,
    )
    for (before, after), count in moves.transitions.most_common():
        console.print(f"    {before} → {after}: {count}", highlight=False)
    if moves.reasons:
        console.print(f"  why (a response may have several reasons; counted over {what} moves):")
        for reason, count in moves.reasons.most_common():
            console.print(f"    {reason}: {count}", markup=False, highlight=False)
