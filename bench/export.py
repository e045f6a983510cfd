"""The raw-answers CSV export: time and peak memory, against the database's own CSV dump.

Measured both ways the portal offers it, for the largest questionnaire and wave:
- the page's button (POST /reports/export, what=answers): time to the last byte, and the
  server's peak resident memory (VmHWM of a server started for this alone);
- `htxso export answers`: wall time and peak resident memory of the process (GNU time).
The floor is the export's own SELECT (recorded from `answer_cells`) dumped as CSV by the
database's client: `sqlite3 -csv` or psql's `COPY (...) TO STDOUT WITH CSV`. The SELECT
pivots in the database (a line per response, its answers as one JSON object); the portal
then spreads the answers over a column per question and writes Excel-safe cells.
"""

from __future__ import annotations

import time
import urllib.parse
from typing import Any

from sqlalchemy import select

from app.accounts.models import Role
from app.cooperatives.models import Cooperative
from app.db import Database
from app.reports import answers, scope
from bench.common import (
    BIN,
    TMP,
    Scale,
    Target,
    median,
    say,
    serve,
    sign_in,
    timed_command,
)
from bench.dataset import ADVISOR, WAVES
from bench.report import Figure, ratio_of

WAVE = WAVES[-2].key  # the closed wave with the most submissions
QUESTIONNAIRE = "digital"
MEMORY_MB = 200


def export_sql(target: Target) -> str:
    """The one SELECT that reads the answers for the export, its parameters written in."""
    database = Database(target.url)
    with database.snapshot_sessions() as session:
        choice = scope.choose_wave(session, wave_key=WAVE)
        statement = answers.answers_statement(
            session, choice=choice, key=QUESTIONNAIRE, visible=select(Cooperative.id)
        )
        sql = str(
            statement.compile(
                dialect=database.engine.dialect, compile_kwargs={"literal_binds": True}
            )
        )
    database.dispose()
    return sql


def floor(target: Target, sql: str) -> tuple[float, float, int]:
    """Seconds, peak MB and bytes of the client's CSV dump of the same SELECT."""
    out = TMP / f"htxso-bench-floor-{target.kind}.csv"
    if target.kind == "sqlite":
        command = ["sqlite3", "-readonly", "-csv", target.sqlite_path, sql]
    else:
        command = [*target.psql_args(), "-c", f"COPY ({sql}) TO STDOUT WITH CSV"]
    seconds, peak = timed_command(["sh", "-c", '"$0" "$@" > ' + str(out), *command])
    size = out.stat().st_size
    out.unlink()
    return seconds, peak, size


def _download(port: int, cookie: str, form: str) -> tuple[float, int]:
    """Seconds to the last byte of one of the pages' downloads, and its size."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    conn.request(
        "POST",
        "/reports/export",
        body=form,
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )
    response = conn.getresponse()
    size = 0
    while chunk := response.read(1 << 16):
        size += len(chunk)
    seconds = time.perf_counter() - started
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"export answered {response.status}")
    return seconds, size


def run(target: Target, scale: Scale) -> tuple[list[Figure], dict[str, Any]]:
    sql = export_sql(target)
    repeats = 3
    out = TMP / f"htxso-bench-export-{target.kind}.csv"
    command = [
        str(BIN / "htxso"), "export", "answers", "--wave", WAVE,
        "--questionnaire", QUESTIONNAIRE, "--out", str(out),
    ]  # fmt: skip
    cookie, csrf = sign_in(target, ADVISOR, role=Role.ADVISOR)
    form = urllib.parse.urlencode(
        {
            "what": "answers",
            "format": "csv",
            "wave": WAVE,
            "questionnaire": QUESTIONNAIRE,
            "csrf_token": csrf,
        }
    )
    # The scores table as a workbook and as its CSV: the workbook must cost at most twice.
    scores = {
        fmt: urllib.parse.urlencode(
            {"what": "scores", "format": fmt, "wave": WAVE, "csrf_token": csrf}
        )
        for fmt in ("csv", "xlsx")
    }
    floor(target, sql)  # the file cache warms for both sides alike
    floors, cli, downloads = [], [], []
    workbook: dict[str, list[tuple[float, int]]] = {"csv": [], "xlsx": []}
    with serve("app.main:app_from_env", target.env(), f"export-{target.kind}") as server:
        before = server.rss_mb()
        # Interleaved rounds: the floor and the figures see the same moments of the machine.
        for _ in range(repeats):
            floors.append(floor(target, sql))
            cli.append(timed_command(command, env=target.env()))
            downloads.append(_download(server.port, cookie, form))
        web_peak = server.peak_rss_mb()
        # The scores pair: a warm-up each, then rounds in alternating order, so that neither
        # side always runs first (after the other has warmed the caches).
        for scores_form in scores.values():
            _download(server.port, cookie, scores_form)
        for round_ in range(max(repeats, scale.repeats)):
            for fmt in ("csv", "xlsx") if round_ % 2 == 0 else ("xlsx", "csv"):
                workbook[fmt].append(_download(server.port, cookie, scores[fmt]))
    size = downloads[-1][1]
    web_times = [d[0] for d in downloads]
    floor_seconds = median([f[0] for f in floors])
    floor_peak = max(f[1] for f in floors)
    floor_bytes = floors[0][2]
    cli_seconds = median([c[0] for c in cli])
    cli_peak = max(c[1] for c in cli)
    cli_bytes = out.stat().st_size
    out.unlink()
    startup = timed_command([str(BIN / "htxso"), "export", "--help"], env=target.env())[0]
    web_seconds = median(web_times)
    say(
        f"  floor {floor_seconds:.2f} s ({floor_peak:.0f} MB), web {web_seconds:.2f} s "
        f"(server peak {web_peak:.0f} MB, {before:.0f} MB before), "
        f"CLI {cli_seconds:.2f} s ({cli_peak:.0f} MB)"
    )
    details = {
        "wave": WAVE,
        "questionnaire": QUESTIONNAIRE,
        "floor_seconds": floor_seconds,
        "floor_peak_mb": floor_peak,
        "floor_bytes": floor_bytes,
        "web_seconds": web_seconds,
        "web_server_rss_before_mb": before,
        "web_server_peak_mb": web_peak,
        "web_bytes": size,
        "cli_seconds": cli_seconds,
        "cli_peak_mb": cli_peak,
        "cli_bytes": cli_bytes,
        "cli_startup_seconds": startup,
        "sql": sql,
    }
    client = "sqlite3 -csv" if target.kind == "sqlite" else "psql COPY … TO STDOUT WITH CSV"

    def pair(
        way: str, memory: str, seconds: float, peak: float, time_note: str, memory_note: str = ""
    ) -> list[Figure]:
        """The time against the floor's, and the peak memory against the target."""
        return [
            Figure(
                database=target.kind,
                benchmark=f"answers CSV export, {way}",
                figure=round(seconds, 3),
                unit="s",
                floor=round(floor_seconds, 3),
                ratio=ratio_of(seconds, floor_seconds),
                target="≤ 2× floor",
                met=seconds <= 2 * floor_seconds,
                note=time_note,
            ),
            Figure(
                database=target.kind,
                benchmark=f"answers CSV export, {memory}",
                figure=round(peak, 1),
                unit="MB",
                floor=round(floor_peak, 1),
                ratio=None,
                target=f"< {MEMORY_MB} MB",
                met=peak < MEMORY_MB,
                note=memory_note,
            ),
        ]

    figures = [
        *pair(
            f"web ({QUESTIONNAIRE} {WAVE})",
            "web: server peak memory",
            web_seconds,
            web_peak,
            f"floor: {client} of the export's SELECT, {floor_bytes / 1e6:.1f} MB "
            f"(a line per response, its answers as one JSON object); portal CSV "
            f"{size / 1e6:.1f} MB (a line per response, a column per question)",
            f"peak resident memory of the whole server (VmHWM); {before:.0f} MB before "
            "the first export; floor column: the client's peak",
        ),
        *pair(
            "`htxso export answers`",
            "`htxso export answers`: peak memory",
            cli_seconds,
            cli_peak,
            f"wall time of the whole command; its start-up alone (`htxso export --help`) "
            f"takes {startup:.2f} s",
        ),
    ]
    scores_csv = median([t for t, _ in workbook["csv"]])
    scores_xlsx = median([t for t, _ in workbook["xlsx"]])
    say(
        f"  scores table: CSV {scores_csv:.3f} s, workbook {scores_xlsx:.3f} s "
        f"({ratio_of(scores_xlsx, scores_csv)}× its CSV)"
    )
    details["scores_csv_seconds"] = scores_csv
    details["scores_xlsx_seconds"] = scores_xlsx
    details["scores_csv_bytes"] = workbook["csv"][-1][1]
    details["scores_xlsx_bytes"] = workbook["xlsx"][-1][1]
    figures.append(
        Figure(
            database=target.kind,
            benchmark=f"scores workbook (XLSX), web ({WAVE})",
            figure=round(scores_xlsx, 3),
            unit="s",
            floor=round(scores_csv, 3),
            ratio=ratio_of(scores_xlsx, scores_csv),
            target="≤ 2× its CSV",
            met=scores_xlsx <= 2 * scores_csv,
            note=f"floor column: the same table as CSV from the same page (median of "
            f"{len(workbook['csv'])} rounds each); the workbook adds a sheet of dimension "
            f"scores; workbook {workbook['xlsx'][-1][1] / 1e6:.2f} MB, "
            f"CSV {workbook['csv'][-1][1] / 1e6:.2f} MB",
        )
    )
    return figures, details
