"""Where a missed target's time goes: `python -m bench.profile save|page|ranking|export`.

Samples the portal's server with py-spy while the benchmark's own load runs, on the
databases a previous `python -m bench --keep` left behind, and writes the heaviest frames
(own time, then inclusive time of the portal's and the libraries' frames) to
bench/results/profile-<what>-<db>-<scale>.txt. py-spy is not a dependency of the project:
install it into the virtualenv for the occasion (`.venv/bin/pip install py-spy`).
"""

from __future__ import annotations

import argparse
import collections
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from bench import export, page, rankings, saving
from bench.common import BIN, RESULTS, SCALES, TMP, Client, Target, serve, sign_in

SECONDS = 10


# Leaf frames of a thread that waits (for work, a lock, a pooled connection, the database).
WAITS = (
    "Condition.wait",
    "Connection.wait (psycopg",
    "EpollSelector.select",
    "Runner.run (asyncio",
    "Event.wait",
)


def summarise(raw: Path, *, top: int = 40, idle: bool = False) -> str:
    """Own and inclusive shares of the sampled frames, heaviest first (waits left out)."""
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = waiting = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        frames = stack.split(";")
        if not idle and frames[-1].startswith(WAITS):
            waiting += n
            continue
        total += n
        own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    lines = [f"{total} samples" + ("" if idle else f" on CPU ({waiting} waiting left out)")]
    lines += ["", "own time:"]
    lines += [f"{n / total:6.1%}  {f}" for f, n in own.most_common(top)]
    lines += ["", "inclusive time (portal code and the libraries it calls):"]
    shown = 0
    for frame, n in inclusive.most_common():
        if shown >= top * 2 or n / total < 0.01:
            break
        if any(skip in frame for skip in ("threading.py", "click/", "uvicorn/main", "runners.py")):
            continue
        lines.append(f"{n / total:6.1%}  {frame}")
        shown += 1
    return "\n".join(lines) + "\n"


def blocked(raw: Path, *, top: int = 15) -> str:
    """With --idle: where request threads spend their time, by innermost portal frame and leaf.

    Worker threads idling for work are left out; what remains is running or blocked work.
    """
    found: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if frames[-1].startswith("Condition.wait") and "WorkerThread.run" in frames[-3]:
            continue  # a pool thread with nothing to do
        n = int(count)
        total += n
        portal = [f.split(" (")[0] for f in frames if " (app/" in f]
        leaf = " > ".join(f.split(" (")[0] for f in frames[-2:])
        found[f"{portal[-1] if portal else '-'} | {leaf}"] += n
    lines = ["", f"request threads, running or blocked ({total} samples):"]
    lines += [f"{n / total:6.1%}  {key}" for key, n in found.most_common(top)]
    return "\n".join(lines) + "\n"


def _load(
    what: str,
    target: Target,
    server: Any,
    stop: threading.Event,
    connections: int,
    rate: float | None,
) -> None:
    """The benchmark's load, until told to stop."""
    if what == "save":
        requests = TMP / f"htxso-bench-saves-{target.kind}-{target.suffix}.tsv"
        if rate is not None:
            saving.fixed_rate(server, requests, SECONDS + 2, rate)
            return
        env = {"BENCH_REQUESTS": str(requests), "PATH": "/usr/bin:/bin"}
        subprocess.run(
            [
                "taskset", "-c", "1", "wrk", "-t1", f"-c{connections}",
                f"-d{SECONDS + 2}s", "--timeout", "10s", "-s", str(saving.LUA), server.base,
            ],
            env=env, capture_output=True, check=False,
        )  # fmt: skip
        return
    if what == "page":
        response_id, coop_id, _ = page.draft(target)
        cookie, _ = sign_in(target, f"bench_m{coop_id}", role="manager")
        client = Client(server, {"Cookie": cookie, "Accept-Encoding": "gzip"})
        while not stop.is_set():
            client.get(f"/responses/{response_id}/steps/1")
        return
    if what == "ranking":
        cookie, _ = sign_in(target, "bench_bancd", role="steering")
        client = Client(server, {"Cookie": cookie, "Accept-Encoding": "gzip"})
        query = urllib.parse.urlencode({"wave": rankings.WAVE, "questionnaire": "digital"})
        while not stop.is_set():
            client.get(f"/reports/rankings?{query}&level=district")
        return
    cookie, csrf = sign_in(target, "bench_canbo", role="advisor")
    form = urllib.parse.urlencode(
        {
            "what": "answers",
            "format": "csv",
            "wave": export.WAVE,
            "questionnaire": export.QUESTIONNAIRE,
            "csrf_token": csrf,
        }
    )
    client = Client(server, {"Cookie": cookie})
    while not stop.is_set():
        client.conn.request(
            "POST",
            "/reports/export",
            body=form,
            headers=client.headers | {"Content-Type": "application/x-www-form-urlencoded"},
        )
        answer = client.conn.getresponse()
        while answer.read(1 << 16):
            pass


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("what", choices=["save", "page", "ranking", "export"])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--scale", choices=sorted(SCALES), default="reduced")
    parser.add_argument("--idle", action="store_true", help="count waiting threads too")
    parser.add_argument(
        "--connections", type=int, default=saving.CONNECTIONS, help="wrk connections (save)"
    )
    parser.add_argument(
        "--rate", type=float, help="save: a fixed offered rate (bench.loadgen) instead of wrk"
    )
    args = parser.parse_args()
    spy = shutil.which("py-spy", path=str(BIN)) or shutil.which("py-spy")
    if spy is None:
        print("py-spy is missing: .venv/bin/pip install py-spy", file=sys.stderr)
        return 2
    target = Target(args.db, SCALES[args.scale])
    raw = TMP / f"htxso-bench-profile-{args.what}.txt"
    if args.what == "save":
        saving.prepare(target)  # sessions of this database's managers, before the clock
    with serve("app.main:app_from_env", target.env(), f"profile-{args.db}") as server:
        stop = threading.Event()
        load = threading.Thread(
            target=_load, args=(args.what, target, server, stop, args.connections, args.rate)
        )
        load.start()
        time.sleep(2)
        command = [spy, "record", "-p", str(server.pid), "-d", str(SECONDS), "-r", "200"]
        command += ["--format", "raw", "-o", str(raw)] + (["--idle"] if args.idle else [])
        subprocess.run(command, capture_output=True, check=True)
        stop.set()
        load.join()
    out = RESULTS / f"profile-{args.what}-{args.db}-{args.scale}.txt"
    out.write_text(summarise(raw, idle=args.idle) + (blocked(raw) if args.idle else ""))
    print(out.read_text()[:6000])
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
