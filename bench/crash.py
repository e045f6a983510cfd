"""Crash check: SIGKILL the server under load, restart it, and verify what it acknowledged.

Every answer the server answered 200 for, and every submission it redirected to the result
for, must be in the database after the restart, and no submission may be half-written
(submitted without its score or its dimension rows).

    python -m bench.crash --saves 2000 [--database-url URL]

The test suite runs the same check at small scale (tests/db/test_crash.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "unit" / "fixtures" / "mini-1.yaml"
SECRET = "crash-check-" + "y" * 40
PASSWORD = "crash check password 1"  # noqa: S105 - a throwaway test account
VALUES = {
    "has_web": ["yes", "no"],
    "online_share": ["0", "1", "2", "3", "4"],
    "has_plan": ["yes", "no"],
    "members": ["5", "30", "120"],
    "tools": ["paper", "excel", "software"],
}


@dataclass
class Outcome:
    acknowledged_saves: int = 0
    acknowledged_submits: int = 0
    failed_requests: int = 0
    missing: list[str] = field(default_factory=list)
    half_written: list[int] = field(default_factory=list)
    restart_seconds: float = 0.0


def prepare(url: str, cooperatives: int) -> None:
    """Migrate an empty database and give one manager a set of cooperatives to answer for."""
    from app import migrate
    from app.accounts import service as accounts
    from app.accounts.models import Role
    from app.areas.models import Area, AreaLevel
    from app.cooperatives.models import Cooperative
    from app.db import Database
    from app.responses import service as responses
    from app.responses.models import WaveStatus
    from app.surveys import service as surveys
    from app.surveys.loader import load_file

    migrate.upgrade(url)
    db = Database(url)
    with db.transaction() as session:
        surveys.publish(session, questionnaire=load_file(MINI))
        version = surveys.latest_version(session, key="mini")
        responses.create_wave(
            session,
            key="crash",
            name="Crash",
            status=WaveStatus.OPEN,
            version_ids={"mini": version.id},
            opens_on=dt.date(2026, 1, 1),
        )
        country = Area(code="XX", name="Country", level=AreaLevel.COUNTRY)
        session.add(country)
        session.flush()
        province = Area(code="X1", name="Province", level=AreaLevel.PROVINCE, parent_id=country.id)
        session.add(province)
        session.flush()
        commune = Area(code="X2", name="Commune", level=AreaLevel.COMMUNE, parent_id=province.id)
        session.add(commune)
        session.flush()
        coops = [
            Cooperative(
                registration_code=f"C{i:05d}",
                name=f"HTX {i}",
                area_id=commune.id,
                sector="agriculture",
            )
            for i in range(cooperatives)
        ]
        session.add_all(coops)
        session.flush()
        accounts.create_user(
            session,
            username="crash",
            full_name="Crash",
            role=Role.MANAGER,
            password=PASSWORD,
            cooperative_ids=tuple(c.id for c in coops),
            check_policy=False,
        )
    db.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, port: int) -> subprocess.Popen[bytes]:
    env = os.environ | {"DATABASE_URL": url, "SECRET_KEY": SECRET, "ENVIRONMENT": "test"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "app.main:app_from_env",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start")


def _sign_in(base: str) -> tuple[httpx.Client, str, list[str]]:
    import re

    client = httpx.Client(base_url=base, timeout=10, follow_redirects=False)
    page = client.get("/signin")
    token = re.search(r'name="csrf_token" value="(\w+)"', page.text)
    assert token
    client.post(
        "/signin", data={"username": "crash", "password": PASSWORD, "csrf_token": token.group(1)}
    )
    home = client.get("/")
    token = re.search(r'name="csrf_token" value="(\w+)"', home.text)
    assert token
    coop_ids = re.findall(r'name="cooperative_id" value="(\d+)"', home.text)
    return client, token.group(1), coop_ids


def run(url: str, *, saves: int, cooperatives: int = 8, workers: int = 4, seed: int = 7) -> Outcome:
    """Load the server, kill it with SIGKILL part-way, restart it and check the database."""
    from app.db import Database
    from app.responses.models import Answer, DimensionScore, Response

    prepare(url, cooperatives)
    port = _free_port()
    server = start_server(url, port)
    base = f"http://127.0.0.1:{port}"
    client, token, coop_ids = _sign_in(base)
    drafts = []
    for coop_id in coop_ids:
        reply = client.post(
            "/fill/start", data={"key": "mini", "cooperative_id": coop_id, "csrf_token": token}
        )
        drafts.append(int(reply.headers["location"].rsplit("/", 1)[1]))
    outcome = Outcome()
    acknowledged: dict[tuple[int, str], str] = {}
    submitted: set[int] = set()
    lock = threading.Lock()
    sent = 0
    killed = threading.Event()

    def worker(number: int) -> None:
        nonlocal sent
        rng = random.Random(seed + number)
        session = httpx.Client(
            base_url=base, timeout=5, cookies=client.cookies, follow_redirects=False
        )
        while True:
            with lock:
                if sent >= saves:
                    return
                sent += 1
                count = sent
            response_id = rng.choice(drafts)
            try:
                if count % 50 == 0 and response_id not in submitted:
                    reply = session.post(
                        f"/responses/{response_id}/submit", data={"csrf_token": token}
                    )
                    if reply.status_code == 303 and reply.headers["location"].endswith("/result"):
                        with lock:
                            submitted.add(response_id)
                            outcome.acknowledged_submits += 1
                    continue
                code = rng.choice(list(VALUES))
                value = rng.choice(VALUES[code])
                reply = session.post(
                    f"/responses/{response_id}/answers/{code}",
                    data={code: value},
                    headers={"HX-Request": "true", "X-CSRF-Token": token},
                )
                if reply.status_code == 200:
                    with lock:
                        acknowledged[(response_id, code)] = value
                        outcome.acknowledged_saves += 1
            except httpx.HTTPError:
                with lock:
                    outcome.failed_requests += 1
                if killed.is_set():
                    time.sleep(0.01)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    # Kill while requests are in flight: after about a third of them.
    while sent < saves // 3 and any(t.is_alive() for t in threads):
        time.sleep(0.005)
    server.send_signal(signal.SIGKILL)
    killed.set()
    server.wait()
    for thread in threads:
        thread.join()
    started = time.monotonic()
    server = start_server(url, port)
    outcome.restart_seconds = time.monotonic() - started
    try:
        db = Database(url)
        with db.read_sessions() as session:
            stored = {
                (r, c): v
                for r, c, v in session.execute(
                    select(Answer.response_id, Answer.question_code, Answer.value)
                ).all()
            }
            rows = {r.id: r for r in session.scalars(select(Response))}
            dimension_rows = dict(
                session.execute(
                    select(DimensionScore.response_id, func.count()).group_by(
                        DimensionScore.response_id
                    )
                ).all()
            )
        db.dispose()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
    for (response_id, code), value in acknowledged.items():
        got = stored.get((response_id, code))
        # A later save that committed just before the kill, its reply lost, may have replaced
        # the acknowledged value: any value this client sent is then correct; nothing is not.
        if got is None or str(got) not in VALUES[code]:
            outcome.missing.append(f"{response_id}/{code}={value}")
    for response_id in submitted:
        row = rows[response_id]
        if row.status != "submitted":
            outcome.missing.append(f"{response_id}/submission")
    for row in rows.values():
        if row.status == "submitted" and (row.overall is None or not dimension_rows.get(row.id)):
            outcome.half_written.append(row.id)
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=2000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/crash.db"
        outcome = run(url, saves=args.saves)
    print(
        f"acknowledged saves: {outcome.acknowledged_saves}, acknowledged submissions: "
        f"{outcome.acknowledged_submits}, requests failed while down: "
        f"{outcome.failed_requests}, restart: {outcome.restart_seconds:.2f} s"
    )
    print(f"lost: {len(outcome.missing)}, half-written submissions: {len(outcome.half_written)}")
    sys.exit(1 if outcome.missing or outcome.half_written else 0)


if __name__ == "__main__":
    main()
