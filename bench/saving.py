"""Saving one answer over HTTP: the portal's route against a bare Starlette write.

The portal's request carries everything a phone's does: a manager's session cookie, the CSRF
header, htmx's header, a form body; the route checks visibility, validates the answer, writes
it and renders the fragment. The floor (bench/floor_app.py) parses the same form and does the
same write. Both run under uvicorn with one worker pinned to the server core; the load comes
from the other core:

- throughput at saturation: wrk, one thread, 32 connections, cycling over thousands of
  (draft, question, answer) requests of 256 managers (bench/saves.lua);
- latency at a steady 200 saves/s: bench/loadgen.py, which holds a fixed rate and counts
  latency from when each request was due.
"""

from __future__ import annotations

import json
import random
import subprocess
import urllib.parse
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.accounts import service as accounts
from app.accounts.models import Role
from app.db import Database
from app.responses import service as responses
from app.responses.models import Response, ResponseStatus, Wave, WaveStatus
from app.surveys.definition import Question
from app.web.security import SESSION_COOKIE, csrf_token
from bench.common import (
    ROOT,
    SECRET,
    TMP,
    Scale,
    Server,
    Target,
    client,
    run_json,
    say,
    serve,
)
from bench.report import Figure, ratio_of

MANAGERS = 256
RATE = 200
CONNECTIONS = 32
LUA = ROOT / "bench" / "saves.lua"
KINDS = ("single_choice", "yes_no", "scale", "multiple_choice", "number")


def _value(rng: random.Random, question: Question) -> list[str]:
    if question.type in ("single_choice",):
        return [rng.choice(question.options).value]
    if question.type == "yes_no":
        return [rng.choice(["yes", "no"])]
    if question.type == "scale":
        return [str(rng.randint(int(question.min or 0), int(question.max or 5)))]
    if question.type == "multiple_choice":
        plain = [o.value for o in question.options if not o.exclusive]
        return rng.sample(plain, k=min(len(plain), rng.randint(1, 3)))
    low = question.min if question.min is not None else 0
    high = question.max if question.max is not None else 100
    return [str(int(rng.uniform(low, high)))]


def prepare(target: Target) -> Path:
    """Managers with live sessions for drafts of the open wave, and a file of their saves."""
    rng = random.Random(8)
    database = Database(target.url)
    lines = []
    with database.transaction() as session:
        wave = session.scalar(select(Wave).where(Wave.status == WaveStatus.OPEN))
        assert wave is not None
        coop_ids = list(
            session.scalars(
                select(Response.cooperative_id)
                .where(Response.wave_id == wave.id, Response.status == ResponseStatus.DRAFT)
                .group_by(Response.cooperative_id)
                .order_by(Response.cooperative_id)
                .limit(MANAGERS)
            )
        )
        for coop_id in coop_ids:
            username = f"bench_m{coop_id}"
            user = accounts.get_user(session, username=username) or accounts.create_user(
                session,
                username=username,
                full_name=username,
                role=Role.MANAGER,
                password=None,
                cooperative_ids=(coop_id,),
            )
            token = accounts.start_session(
                session, user=user, ip_address="127.0.0.1", user_agent="bench"
            )
            cookie = f"{SESSION_COOKIE}={token}"
            csrf = csrf_token(SECRET, token)
            drafts = session.scalars(
                select(Response).where(
                    Response.wave_id == wave.id,
                    Response.cooperative_id == coop_id,
                    Response.status == ResponseStatus.DRAFT,
                )
            )
            for draft in drafts:
                questionnaire = responses.questionnaire_of(session, response=draft)
                for question in questionnaire.questions:
                    if question.relevant is not None or question.type not in KINDS:
                        continue
                    body = urllib.parse.urlencode(
                        [(question.code, v) for v in _value(rng, question)]
                    )
                    path = f"/responses/{draft.id}/answers/{question.code}"
                    lines.append(f"{path}\t{cookie}\t{csrf}\t{body}")
    database.dispose()
    rng.shuffle(lines)
    path = TMP / f"htxso-bench-saves-{target.kind}-{target.suffix}.tsv"
    path.write_text("\n".join(lines) + "\n")
    say(f"  {len(lines):,} saves prepared for {len(coop_ids)} managers")
    return path


def _check(server: Server, requests: Path) -> None:
    """One save must succeed before anything is timed."""
    import http.client

    path, cookie, csrf, body = requests.read_text().splitlines()[0].split("\t")
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request(
        "POST",
        path,
        body=body,
        headers={
            "Cookie": cookie,
            "X-CSRF-Token": csrf,
            "HX-Request": "true",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    answer = conn.getresponse()
    text = answer.read()
    conn.close()
    if answer.status != 200:
        raise RuntimeError(f"a save answered {answer.status}: {text[:500]!r}")


def wrk(server: Server, requests: Path, seconds: int) -> dict[str, Any]:
    """Saturation: wrk, one thread, 32 connections, pinned to the client core."""

    def command(duration: int) -> list[str]:
        return client(
            "wrk", "-t1", f"-c{CONNECTIONS}", f"-d{duration}s", "--timeout", "10s",
            "-s", str(LUA), server.base,
        )  # fmt: skip

    env = {"BENCH_REQUESTS": str(requests), "PATH": "/usr/bin:/bin"}
    # A short run first: connections open, caches fill.
    subprocess.run(command(2), env=env, capture_output=True, check=True)
    result = run_json(command(seconds), env=env)
    result["rps"] = round(result["requests"] / (result["duration_us"] / 1e6), 1)
    return result


def fixed_rate(server: Server, requests: Path, seconds: int, rate: float = RATE) -> dict[str, Any]:
    """Steady offered load: bench/loadgen.py at `rate` requests per second."""
    from bench.common import BIN

    command = client(
        str(BIN / "python"), "-m", "bench.loadgen",
        "--port", str(server.port), "--requests", str(requests), "--rate", str(rate),
        "--duration", str(seconds), "--warmup", "2",
    )  # fmt: skip
    return run_json(command)


def _clean(result: dict[str, Any]) -> bool:
    return (
        result.get("errors", 0) == 0
        and result.get("incomplete", 0) == 0
        and set(result.get("statuses", {"200": 1})) == {"200"}
        and result.get("status_errors", 0) == 0
    )


def run(target: Target, scale: Scale) -> tuple[list[Figure], dict[str, Any]]:
    requests = prepare(target)
    details: dict[str, Any] = {"requests_file_lines": sum(1 for _ in requests.open())}
    app = ("app.main:app_from_env", target.env(), f"app-{target.kind}")
    # A fresh server for each run: an overloaded one is still working off its queue after.
    with serve(*app) as server:
        _check(server, requests)
        details["app_wrk"] = wrk(server, requests, scale.wrk_seconds)
        say(f"  portal: {details['app_wrk']['rps']} saves/s at saturation")
    with serve(*app) as server:
        details["app_rate"] = fixed_rate(server, requests, scale.rate_seconds)
        say(f"  portal at {RATE}/s: {json.dumps(details['app_rate'])}")
    if not _clean(details["app_rate"]) or (details["app_rate"]["p95_ms"] or 0) > 1000:
        # Overloaded: the queue grows for as long as the run lasts. What latency does a
        # load it can carry see? Half its own saturation throughput.
        half = max(5.0, round(details["app_wrk"]["rps"] / 2))
        with serve(*app) as server:
            details["app_half_rate"] = fixed_rate(server, requests, scale.rate_seconds, half)
            say(f"  portal at {half}/s: {json.dumps(details['app_half_rate'])}")
    floors = {}
    for mode in ("inline", "thread"):
        env = target.env() | {"BENCH_FLOOR_MODE": mode}
        with serve("bench.floor_app:create", env, f"floor-{target.kind}") as server:
            _check(server, requests)
            floors[mode] = wrk(server, requests, scale.wrk_seconds)
            say(f"  floor ({mode}): {floors[mode]['rps']} saves/s at saturation")
    best = max(floors, key=lambda m: floors[m]["rps"])
    details["floor_wrk"] = floors
    details["floor_mode"] = best
    env = target.env() | {"BENCH_FLOOR_MODE": best}
    with serve("bench.floor_app:create", env, f"floor-{target.kind}") as server:
        details["floor_rate"] = fixed_rate(server, requests, scale.rate_seconds)
        say(f"  floor at {RATE}/s: {json.dumps(details['floor_rate'])}")
    # The same floor doing, as plain SQL, the reads no save can skip: how much of the gap is
    # the work itself, and how much the stack around it.
    with serve("bench.floor_app:create", env | {"BENCH_FLOOR_READS": "1"}, "floor-reads") as server:
        _check(server, requests)
        details["floor_reads_wrk"] = wrk(server, requests, scale.wrk_seconds)
        say(f"  floor with the portal's reads: {details['floor_reads_wrk']['rps']} saves/s")
    # And the same in a plain FastAPI route, its work in one trip to the thread pool as the
    # portal's save does: what is left between this and the portal is the portal's own code,
    # SQLAlchemy's and the template's.
    framework = env | {
        "BENCH_FLOOR_READS": "1",
        "BENCH_FLOOR_MODE": "thread",
        "BENCH_FLOOR_FRAMEWORK": "fastapi",
    }
    with serve("bench.floor_app:create", framework, "floor-fastapi") as server:
        _check(server, requests)
        details["floor_fastapi_wrk"] = wrk(server, requests, scale.wrk_seconds)
        say(f"  the same in a plain FastAPI route: {details['floor_fastapi_wrk']['rps']} saves/s")
    app_rps, floor_rps = details["app_wrk"]["rps"], floors[best]["rps"]
    share = ratio_of(app_rps, floor_rps)
    rate, floor_rate = details["app_rate"], details["floor_rate"]
    held = (rate["achieved_rate"] or 0) >= 0.98 * RATE and (floor_rate["achieved_rate"] or 0) >= (
        0.98 * RATE
    )
    figures = [
        Figure(
            database=target.kind,
            benchmark=f"save an answer, saturation ({CONNECTIONS} connections)",
            figure=app_rps,
            unit="req/s",
            floor=floor_rps,
            ratio=share,
            target="≥ 0.5× floor",
            met=share is not None and share >= 0.5 and _clean(details["app_wrk"]),
            note=f"floor: bare Starlette ({best} write), best of inline/thread-pool "
            f"({floors['inline']['rps']} / {floors['thread']['rps']} req/s); "
            f"portal p50/p99 under saturation {details['app_wrk']['p50_us'] / 1000:.1f}/"
            f"{details['app_wrk']['p99_us'] / 1000:.1f} ms; "
            f"non-2xx {details['app_wrk']['status_errors']}",
        ),
        Figure(
            database=target.kind,
            benchmark=f"save an answer, p95 at {RATE}/s",
            figure=rate["p95_ms"],
            unit="ms",
            floor=floor_rate["p95_ms"],
            ratio=ratio_of(rate["p95_ms"], floor_rate["p95_ms"]),
            target="< 50 ms",
            met=bool(rate["p95_ms"] is not None and rate["p95_ms"] < 50 and held and _clean(rate)),
            note=f"achieved {rate['achieved_rate']}/s (floor run {floor_rate['achieved_rate']}/s); "
            f"portal p50 {rate['p50_ms']} ms, p99 {rate['p99_ms']} ms, max {rate['max_ms']} ms; "
            f"statuses {rate['statuses']}, errors {rate['errors']}, "
            f"unanswered {rate['incomplete']}",
        ),
    ]
    half = details.get("app_half_rate")
    if half is not None:
        figures[-1].note = (
            f"overloaded: {RATE}/s is above the portal's capacity ({app_rps} saves/s), the "
            f"queue grows for the whole run (unanswered {rate['incomplete']} of "
            f"{rate['requests']}); " + figures[-1].note
        )
        figures.append(
            Figure(
                database=target.kind,
                benchmark=f"save an answer, p95 at {half['offered_rate']:.0f}/s (half capacity)",
                figure=half["p95_ms"],
                unit="ms",
                target="report",
                note=f"achieved {half['achieved_rate']}/s; p50 {half['p50_ms']} ms, "
                f"p99 {half['p99_ms']} ms; statuses {half['statuses']}, "
                f"unanswered {half['incomplete']}",
            )
        )
    # The floors that do more of the portal's work: each against the write-only floor, and
    # how much of it the portal carries.
    for benchmark, wrk_run, what in (
        (
            "save an answer: floor plus the portal's reads, as plain SQL",
            "floor_reads_wrk",
            "the floor's write after the session, visibility and answers queries",
        ),
        (
            "save an answer: floor plus the reads, in a plain FastAPI route",
            "floor_fastapi_wrk",
            "the line above served by FastAPI, the work in one trip to the thread pool as in "
            "the portal's save",
        ),
    ):
        rps = details[wrk_run]["rps"]
        figures.append(
            Figure(
                database=target.kind,
                benchmark=benchmark,
                figure=rps,
                unit="req/s",
                floor=floor_rps,
                ratio=ratio_of(rps, floor_rps),
                target="report",
                note=f"{what}; the portal carries {ratio_of(app_rps, rps)}× of this",
            )
        )
    return figures, details
