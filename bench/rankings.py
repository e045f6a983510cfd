"""The ranking page and its CSV by commune and by former district, against bare SQL.

Two floors, both timed by the database itself through its command-line client (sqlite3
`.timer`, psql `\\timing`): the report's own SQL (every SELECT `app.reports.rankings.ranking`
runs for the page, recorded with its parameters and replayed), and one hand-written GROUP BY
of the mean score per area. What the page adds on top is Python: the ORM, quartiles, ranks,
the template, gzip and HTTP. The commune page is held to 2× the GROUP BY (issue 15: 3,321
communes at national scale), the former-district page to 1.5× the report's SQL.

A reader who sees every cooperative gets a ranking remembered since the last write to the data
(app/reports/remembered.py): the page and CSV figures are such views. The first view after a
write computes it again; it is reported beside them, after moving the token as a write would.
"""

from __future__ import annotations

import subprocess
import time
import urllib.parse
from typing import Any

from sqlalchemy import select

from app.accounts.models import Role
from app.cooperatives.models import Cooperative
from app.db import Database
from app.reports import rankings as rankings_report
from app.reports import remembered, scope
from bench.common import (
    Client,
    Scale,
    Target,
    capture,
    median,
    say,
    serve,
    sign_in,
    sql_seconds,
)
from bench.dataset import STEERING, WAVES
from bench.report import Figure, ratio_of

WAVE = WAVES[-1].key
QUESTIONNAIRE = "digital"
MINIMAL = """
SELECT c.{column}, count(*), avg(r.overall)
FROM responses r JOIN cooperatives c ON c.id = r.cooperative_id
WHERE r.wave_id = (SELECT id FROM waves WHERE key = '{wave}') AND r.questionnaire_key = '{key}'
  AND r.status = 'submitted' AND r.superseded_at IS NULL AND c.status = 'active'
GROUP BY c.{column}
"""
# The page's level, the cooperatives' column it groups by, and how the figures name it.
LEVELS: tuple[tuple[scope.GroupLevel, str, str], ...] = (
    ("commune", "area_id", "communes"),
    ("former-district", "former_district_id", "districts"),
)


def report_sql(target: Target, level: scope.GroupLevel) -> list[str]:
    """The SELECTs the ranking report runs, as the steering committee (sees everything)."""
    remembered.forget()  # the computation itself, not a figure this process remembers
    database = Database(target.url)
    with database.read_sessions() as session:
        choice = scope.choose_wave(session, wave_key=WAVE)
        with capture(database.engine) as statements:
            rankings_report.ranking(
                session,
                choice=choice,
                key=QUESTIONNAIRE,
                level=level,
                sort=None,
                visible=select(Cooperative.id),
            )
    database.dispose()
    return list(statements)


def run(target: Target, scale: Scale) -> tuple[list[Figure], dict[str, Any]]:
    cookie, csrf = sign_in(target, STEERING, role=Role.STEERING)
    figures: list[Figure] = []
    details: dict[str, Any] = {}
    with serve("app.main:app_from_env", target.env(), f"rankings-{target.kind}") as server:
        client = Client(server, {"Cookie": cookie, "Accept-Encoding": "gzip"})
        for level, column, plural in LEVELS:
            found, measured = _one_level(target, scale, client, csrf, level, column, plural)
            figures += found
            details[level] = measured
        client.close()
    return figures, details


def _one_level(
    target: Target,
    scale: Scale,
    client: Client,
    csrf: str,
    level: scope.GroupLevel,
    column: str,
    plural: str,
) -> tuple[list[Figure], dict[str, Any]]:
    statements = report_sql(target, level)
    query = urllib.parse.urlencode({"wave": WAVE, "questionnaire": QUESTIONNAIRE, "level": level})
    page_path = f"/reports/rankings?{query}"
    form = urllib.parse.urlencode(
        {
            "what": "rankings",
            "format": "csv",
            "wave": WAVE,
            "questionnaire": QUESTIONNAIRE,
            "level": level,
            "csrf_token": csrf,
        }
    )
    minimal = [MINIMAL.format(wave=WAVE, key=QUESTIONNAIRE, column=column)]
    floors, minimals, pages, csvs, colds, cold_csvs = [], [], [], [], [], []
    # Interleaved, so that the floors and the figures see the same moments of a shared machine;
    # the first round warms the caches and is not counted.
    for index in range(scale.repeats + 1):
        floor_once = sql_seconds(target, statements)
        minimal_once = sql_seconds(target, minimal)
        # After a change (a submission elsewhere: the token moves as a write's trigger would
        # move it), the first view computes the ranking and the first download writes its
        # file; every reader after them, until the next change, gets what they remembered.
        _new_token(target)
        cold_once, _ = _get(client, page_path, level)
        cold_csv_once, _ = _post(client, form, level)
        page_once, page_size = _get(client, page_path, level)
        csv_once, csv_size = _post(client, form, level)
        if index:
            floors.append(floor_once)
            minimals.append(minimal_once)
            pages.append(page_once)
            csvs.append(csv_once)
            colds.append(cold_once)
            cold_csvs.append(cold_csv_once)
    floor, minimal_seconds = median(floors), median(minimals)
    page, csv, cold, cold_csv = median(pages), median(csvs), median(colds), median(cold_csvs)
    say(
        f"  by {level}: SQL {floor * 1000:.1f} ms, GROUP BY {minimal_seconds * 1000:.1f} ms, "
        f"page {page * 1000:.1f} ms, CSV {csv * 1000:.1f} ms"
    )
    details = {
        "statements": len(statements),
        "sql_seconds": floor,
        "minimal_group_by_seconds": minimal_seconds,
        "page_seconds": page,
        "page_after_a_change_seconds": cold,
        "csv_after_a_change_seconds": cold_csv,
        "rounds": {
            "sql": floors,
            "group_by": minimals,
            "page": pages,
            "csv": csvs,
            "page_after_a_change": colds,
            "csv_after_a_change": cold_csvs,
        },
        "page_gzip_bytes": page_size,
        "csv_seconds": csv,
        "csv_bytes": csv_size,
        "path": page_path,
        "sql": statements,
    }
    client_name = "sqlite3" if target.kind == "sqlite" else "psql"
    if level == "commune":
        # Issue 15's target: the page within 2× one hand-written GROUP BY per commune.
        base, limit = minimal_seconds, 2.0
        note = (
            f"floor: one hand-written GROUP BY of the mean per commune in the {client_name} "
            f"client; the report's {len(statements)} SELECTs take {floor * 1000:.1f} ms"
        )
    else:
        base, limit = floor, 1.5
        note = (
            f"floor: the report's {len(statements)} SELECTs replayed in the {client_name} "
            f"client; one hand-written GROUP BY of the mean per district takes "
            f"{minimal_seconds * 1000:.1f} ms"
        )
    figures = [
        Figure(
            database=target.kind,
            benchmark=f"ranking {what} ({plural}), first {after} after a change",
            figure=round(seconds * 1000, 2),
            unit="ms",
            floor=round(base * 1000, 2),
            ratio=ratio_of(seconds, base),
            target="report",
            note=(
                f"the {done} again: every reader after it, until the next write to the data, "
                "gets the figure below (app/reports/remembered.py)"
            ),
        )
        for what, after, done, seconds in (
            ("page", "view", "ranking computed", cold),
            ("CSV", "download", "file written from the remembered ranking", cold_csv),
        )
    ]
    for name, seconds in ((f"ranking page ({plural})", page), (f"ranking CSV ({plural})", csv)):
        share = ratio_of(seconds, base)
        figures.append(
            Figure(
                database=target.kind,
                benchmark=name,
                figure=round(seconds * 1000, 2),
                unit="ms",
                floor=round(base * 1000, 2),
                ratio=share,
                target=f"≤ {limit:g}× floor (national)",
                met=share is not None and share <= limit,
                note=note if name.startswith("ranking page") else "",
            )
        )
    return figures, details


def _new_token(target: Target) -> None:
    """Give the report token a new value, as a trigger does on a write to a reported table."""
    if target.kind == "sqlite":
        command = [
            "sqlite3",
            target.sqlite_path,
            "UPDATE report_generation SET token = lower(hex(randomblob(16)))",
        ]
    else:
        command = [
            *target.psql_args(),
            "-c",
            "UPDATE report_generation SET token = md5(random()::text)",
        ]
    subprocess.run(command, check=True, capture_output=True)


def _get(client: Client, path: str, level: str) -> tuple[float, int]:
    """Seconds to the page's last byte, and its size as sent (gzip)."""
    started = time.perf_counter()
    status, body = client.get(path)
    seconds = time.perf_counter() - started
    if status != 200:
        raise RuntimeError(f"rankings page by {level} answered {status}")
    return seconds, len(body)


def _post(client: Client, form: str, level: str) -> tuple[float, int]:
    """Seconds to the CSV's last byte, and its size."""
    seconds, status, size = _post_once(client, form)
    if status != 200:
        raise RuntimeError(f"rankings CSV by {level} answered {status}")
    return seconds, size


def _post_once(client: Client, form: str) -> tuple[float, int, int]:
    started = time.perf_counter()
    client.conn.request(
        "POST",
        "/reports/export",
        body=form,
        headers=client.headers | {"Content-Type": "application/x-www-form-urlencoded"},
    )
    response = client.conn.getresponse()
    body = response.read()
    return time.perf_counter() - started, response.status, len(body)
