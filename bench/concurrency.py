"""Many clients saving answers and submitting at once, with deliberate duplicates, against a
real server: counts error responses, lost answers and duplicate submissions.

    python -m bench.concurrency --clients 32 --cooperatives 40 [--database-url URL]

Every cooperative is answered by two clients at once (the duplicates), each saving every
answer and then submitting twice. The suite runs a small version (tests/db/test_concurrency.py).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import threading
import time
from collections import Counter

import httpx2 as httpx
from sqlalchemy import func, select

from bench.crash import VALUES, _free_port, _sign_in, prepare, start_server


def run(url: str, *, clients: int, cooperatives: int) -> dict[str, object]:
    """Load the server and check the database afterwards; returns the figures."""
    from app.db import Database
    from app.responses.models import Answer, Response

    prepare(url, cooperatives)
    port = _free_port()
    server = start_server(url, port)
    base = f"http://127.0.0.1:{port}"
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    lock = threading.Lock()
    try:
        client, token, coop_ids = _sign_in(base)
        barrier = threading.Barrier(clients)

        def worker(number: int) -> None:
            rng = random.Random(number)
            session = httpx.Client(
                base_url=base, timeout=30, cookies=client.cookies, follow_redirects=False
            )
            mine = coop_ids[(number // 2) :: clients // 2] or coop_ids[:1]
            barrier.wait()
            for coop_id in mine:
                seen = []
                started = time.perf_counter()
                reply = session.post(
                    "/fill/start",
                    data={"key": "mini", "cooperative_id": coop_id, "csrf_token": token},
                )
                seen.append((reply.status_code, time.perf_counter() - started))
                response_id = reply.headers["location"].rsplit("/", 1)[1]
                for code, values in VALUES.items():
                    started = time.perf_counter()
                    reply = session.post(
                        f"/responses/{response_id}/answers/{code}",
                        data={code: rng.choice(values)},
                        headers={"HX-Request": "true", "X-CSRF-Token": token},
                    )
                    seen.append((reply.status_code, time.perf_counter() - started))
                for _ in range(2):
                    started = time.perf_counter()
                    reply = session.post(
                        f"/responses/{response_id}/submit", data={"csrf_token": token}
                    )
                    seen.append((reply.status_code, time.perf_counter() - started))
                with lock:
                    statuses.update(status for status, _ in seen)
                    latencies.extend(seconds for _, seconds in seen)

        started = time.perf_counter()
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=10)
    db = Database(url)
    with db.read_sessions() as session:
        per_subject = Counter(
            session.scalars(select(Response.subject_key).where(Response.status == "submitted"))
        )
        answers = session.scalar(select(func.count()).select_from(Answer)) or 0
        responses = session.scalar(select(func.count()).select_from(Response)) or 0
    db.dispose()
    latencies.sort()
    return {
        "requests": sum(statuses.values()),
        "seconds": round(elapsed, 2),
        "requests_per_second": round(sum(statuses.values()) / elapsed, 1),
        "p95_ms": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 1),
        "statuses": dict(sorted(statuses.items())),
        "server_errors": sum(n for s, n in statuses.items() if s >= 500),
        "responses": responses,
        "duplicate_submissions": sum(1 for n in per_subject.values() if n > 1),
        "answers_stored": answers,
        "answers_expected": responses * len(VALUES),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--cooperatives", type=int, default=40)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/concurrency.db"
        figures = run(url, clients=args.clients, cooperatives=args.cooperatives)
    for key, value in figures.items():
        print(f"{key}: {value}")
    failed = (
        figures["server_errors"]
        or figures["duplicate_submissions"]
        or (figures["answers_stored"] != figures["answers_expected"])
    )
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
