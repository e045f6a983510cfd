"""The district ranking page and its CSV, against the bare SQL that computes the same numbers.

The floor is the report's own SQL: every SELECT `app.reports.rankings.ranking` runs for the
page, recorded with its parameters and replayed through the database's command-line client,
timed by the database itself (sqlite3 `.timer`, psql `\\timing`). What the page adds on top is
Python: the ORM, quartiles, ranks, the template, gzip and HTTP. A hand-written single
GROUP BY (mean score per district) is reported beside it for scale.
"""

from __future__ import annotations

import time
import urllib.parse
from typing import Any

from sqlalchemy import select

from app.accounts.models import Role
from app.cooperatives.models import Cooperative
from app.db import Database
from app.reports import rankings as rankings_report
from app.reports import scope
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
SELECT c.former_district_id, count(*), avg(r.overall)
FROM responses r JOIN cooperatives c ON c.id = r.cooperative_id
WHERE r.wave_id = (SELECT id FROM waves WHERE key = '{wave}') AND r.questionnaire_key = '{key}'
  AND r.status = 'submitted' AND r.superseded_at IS NULL AND c.status = 'active'
GROUP BY c.former_district_id
"""


def report_sql(target: Target) -> list[str]:
    """The SELECTs the ranking report runs, as the steering committee (sees everything)."""
    database = Database(target.url)
    with database.read_sessions() as session:
        choice = scope.choose_wave(session, wave_key=WAVE)
        with capture(database.engine) as statements:
            rankings_report.ranking(
                session,
                choice=choice,
                key=QUESTIONNAIRE,
                level="former-district",
                sort=None,
                visible=select(Cooperative.id),
            )
    database.dispose()
    return list(statements)


def run(target: Target, scale: Scale) -> tuple[list[Figure], dict[str, Any]]:
    statements = report_sql(target)
    repeats = scale.repeats
    cookie, csrf = sign_in(target, STEERING, role=Role.STEERING)
    query = urllib.parse.urlencode({"wave": WAVE, "questionnaire": QUESTIONNAIRE})
    page_path = f"/reports/rankings?{query}&level=district"
    form = urllib.parse.urlencode(
        {
            "what": "rankings",
            "format": "csv",
            "wave": WAVE,
            "questionnaire": QUESTIONNAIRE,
            "level": "district",
            "csrf_token": csrf,
        }
    )
    minimal = [MINIMAL.format(wave=WAVE, key=QUESTIONNAIRE)]
    floors, minimals, pages, csvs = [], [], [], []
    with serve("app.main:app_from_env", target.env(), f"rankings-{target.kind}") as server:
        client = Client(server, {"Cookie": cookie, "Accept-Encoding": "gzip"})
        # Interleaved, so that the floor and the figures see the same moments of a shared
        # machine; the first round warms the caches and is not counted.
        for index in range(repeats + 1):
            floor_once = sql_seconds(target, statements)
            minimal_once = sql_seconds(target, minimal)
            started = time.perf_counter()
            status, body = client.get(page_path)
            page_once = time.perf_counter() - started
            if status != 200:
                raise RuntimeError(f"rankings page answered {status}")
            csv_once, status, csv_size = _post(client, form)
            if status != 200:
                raise RuntimeError(f"rankings CSV answered {status}")
            if index:
                floors.append(floor_once)
                minimals.append(minimal_once)
                pages.append(page_once)
                csvs.append(csv_once)
        client.close()
    floor, minimal_seconds = median(floors), median(minimals)
    page, csv = median(pages), median(csvs)
    say(f"  SQL {floor * 1000:.1f} ms, page {page * 1000:.1f} ms, CSV {csv * 1000:.1f} ms")
    details = {
        "statements": len(statements),
        "sql_seconds": floor,
        "minimal_group_by_seconds": minimal_seconds,
        "page_seconds": page,
        "rounds": {"sql": floors, "page": pages, "csv": csvs},
        "page_gzip_bytes": len(body),
        "csv_seconds": csv,
        "csv_bytes": csv_size,
        "path": page_path,
        "sql": statements,
    }
    note = (
        f"floor: the report's {len(statements)} SELECTs replayed in the "
        f"{'sqlite3' if target.kind == 'sqlite' else 'psql'} client; one hand-written "
        f"GROUP BY of the mean per district takes {minimal_seconds * 1000:.1f} ms"
    )
    figures = []
    for name, seconds in (("ranking page (districts)", page), ("ranking CSV", csv)):
        share = ratio_of(seconds, floor)
        figures.append(
            Figure(
                database=target.kind,
                benchmark=name,
                figure=round(seconds * 1000, 2),
                unit="ms",
                floor=round(floor * 1000, 2),
                ratio=share,
                target="≤ 1.5× floor (national)",
                met=share is not None and share <= 1.5,
                note=note if name.endswith("(districts)") else "",
            )
        )
    return figures, details


def _post(client: Client, form: str) -> tuple[float, int, int]:
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
