"""What every benchmark shares: the run's settings, databases, pinned servers, HTTP, timing."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"
TMP = Path(tempfile.gettempdir())
SECRET = "bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105 - a bench server
# One core for the server, another for the load generator (see README: two cores here).
SERVER_CORE = os.environ.get("BENCH_SERVER_CORE", "0")
CLIENT_CORE = os.environ.get("BENCH_CLIENT_CORE", "1" if (os.cpu_count() or 1) > 1 else "0")
# Above the other work on a shared machine (root only): steadier figures, not faster code.
PRIORITY = ["nice", "-n", "-10"] if os.geteuid() == 0 else []
PG_ADMIN_URL = os.environ.get(
    "BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@dataclass(frozen=True)
class Scale:
    name: str
    provinces: int  # 2025 provinces of the catalogue: Lạng Sơn and the first others; 34 is all
    cooperatives: int
    # Benchmark durations and repetitions
    wrk_seconds: int
    rate_seconds: int
    repeats: int


SCALES = {
    # Proves the bench runs end to end (CI): figures too short to compare with anything.
    "smoke": Scale("smoke", 2, 40, wrk_seconds=1, rate_seconds=1, repeats=1),
    # The demo's size: Lạng Sơn alone, about as many cooperatives as `htxso demo` registers.
    "demo": Scale("demo", 1, 540, wrk_seconds=5, rate_seconds=5, repeats=5),
    "reduced": Scale("reduced", 6, 2_000, wrk_seconds=8, rate_seconds=10, repeats=7),
    "national": Scale("national", 34, 30_000, wrk_seconds=15, rate_seconds=30, repeats=9),
}


@dataclass
class Target:
    """One database the run measures: the app's database and a twin for the insert floor."""

    kind: str  # sqlite or postgresql
    scale: Scale

    @property
    def suffix(self) -> str:
        return self.scale.name

    @property
    def url(self) -> str:
        if self.kind == "sqlite":
            return f"sqlite:////tmp/htxso-bench-{self.suffix}.db"
        return _pg_url(f"bench_htxso_{self.suffix}")

    @property
    def floor_url(self) -> str:
        if self.kind == "sqlite":
            return f"sqlite:////tmp/htxso-bench-{self.suffix}-floor.db"
        return _pg_url(f"bench_htxso_{self.suffix}_floor")

    @property
    def sqlite_path(self) -> str:
        return self.url.removeprefix("sqlite:///")

    def psql_args(self) -> list[str]:
        """psql arguments reaching the app's PostgreSQL database."""
        return ["psql", "-X", "-q", libpq(self.url)]

    def env(self) -> dict[str, str]:
        """The environment a server or command of the portal runs with."""
        return os.environ | {
            "DATABASE_URL": self.url,
            "SECRET_KEY": SECRET,
            "ENVIRONMENT": "production",
        }


def _pg_url(database: str) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{database}"


def libpq(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as libpq (psql, psycopg) takes it."""
    return url.replace("postgresql+psycopg://", "postgresql://")


def recreate(url: str) -> None:
    """An empty database at this URL (an SQLite file, or a PostgreSQL database)."""
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        for extra in ("", "-wal", "-shm"):
            Path(path + extra).unlink(missing_ok=True)
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(libpq(PG_ADMIN_URL), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop(url: str) -> None:
    """Remove a database made by `recreate`."""
    if url.startswith("sqlite"):
        recreate(url)
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(libpq(PG_ADMIN_URL), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def missing_tools(kinds: list[str]) -> list[str]:
    """The command-line tools the run needs that this machine lacks (Debian package names)."""
    import shutil

    needed = {"wrk": "wrk", "sqlite3": "sqlite3", "taskset": "util-linux", "time": "time"}
    if "postgresql" in kinds:
        needed["psql"] = "postgresql-client"
    return sorted({pkg for tool, pkg in needed.items() if shutil.which(tool) is None})


# Timing -----------------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# Servers ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    """A uvicorn process with one worker, pinned to the server core."""

    port: int
    process: subprocess.Popen[bytes]
    log: Path
    pid: int = field(init=False)

    def __post_init__(self) -> None:
        self.pid = self.process.pid

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def peak_rss_mb(self) -> float:
        """The server's peak resident memory so far (VmHWM), in MB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")


@contextmanager
def serve(factory: str, env: dict[str, str], name: str) -> Iterator[Server]:
    """Run `uvicorn --factory FACTORY` with one worker pinned to the server core."""
    port = free_port()
    log = TMP / f"htxso-bench-{name}-{port}.log"
    command = [
        *PRIORITY,
        "taskset",
        "-c",
        SERVER_CORE,
        str(BIN / "uvicorn"),
        "--factory",
        factory,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    server = Server(port, process, log)
    try:
        _wait_ready(server)
        yield server
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(server: Server) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited: see {server.log}\n{server.log.read_text()[-3000:]}")
        try:
            status, _, _ = get(server, "/healthz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server did not start: see {server.log}")


def get(
    server: Server, path: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    """One request on a fresh connection; the body is returned as sent (still compressed)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()


class Client:
    """A keep-alive HTTP/1.1 connection, for timing requests one after another."""

    def __init__(self, server: Server, headers: dict[str, str] | None = None) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
        self.headers = headers or {}

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        self.conn.request("GET", path, headers=self.headers | (headers or {}))
        response = self.conn.getresponse()
        return response.status, response.read()

    def time_get(self, path: str, repeats: int, headers: dict[str, str] | None = None) -> float:
        """Median seconds of `repeats` GETs after one warm-up; fails on a non-200 answer."""
        status, body = self.get(path, headers)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status} {body[:300]!r}")
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            status, body = self.get(path, headers)
            times.append(time.perf_counter() - started)
            if status != 200:
                raise RuntimeError(f"GET {path}: {status}")
        return median(times)

    def close(self) -> None:
        self.conn.close()


def client(*command: str) -> list[str]:
    """A load-generating command, pinned to the client core (and prioritised when root)."""
    return [*PRIORITY, "taskset", "-c", CLIENT_CORE, *command]


def run_json(command: list[str], *, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a command that prints one JSON object as its last line."""
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{command[:4]} failed: {done.stderr[-2000:]}{done.stdout[-2000:]}")
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"{command[:4]} printed no JSON: {done.stdout[-2000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


# Signing in and capturing SQL ------------------------------------------------------------------


def sign_in(target: Target, username: str, **create: Any) -> tuple[str, str]:
    """A live session for a bench account (made when missing): its Cookie header and CSRF."""
    from app.accounts import service as accounts
    from app.db import Database
    from app.web.security import SESSION_COOKIE, csrf_token

    database = Database(target.url)
    with database.transaction() as session:
        user = accounts.get_user(session, username=username) or accounts.create_user(
            session, username=username, full_name=username, password=None, **create
        )
        token = accounts.start_session(session, user=user, ip_address=None, user_agent="bench")
    database.dispose()
    return f"{SESSION_COOKIE}={token}", csrf_token(SECRET, token)


def _literal(value: Any, postgres: bool) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE") if postgres else str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def inline(statement: str, parameters: Any, postgres: bool) -> str:
    """A statement as the driver received it, with its parameters written in as literals."""
    if postgres:
        if isinstance(parameters, dict):
            return statement % {k: _literal(v, True) for k, v in parameters.items()}
        return statement % tuple(_literal(v, True) for v in parameters or ())
    values = iter(parameters or ())
    out, quoted = [], False
    for char in statement:
        if char == "'":
            quoted = not quoted
        out.append(_literal(next(values), False) if char == "?" and not quoted else char)
    return "".join(out)


@contextmanager
def capture(engine: Any) -> Iterator[list[str]]:
    """Record every SELECT an engine runs in the block, parameters inlined."""
    from sqlalchemy import event

    postgres = engine.dialect.name == "postgresql"
    statements: list[str] = []

    def listener(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append(inline(statement, parameters, postgres))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def sql_seconds(target: Target, statements: list[str]) -> float:
    """The database's own time for these statements through its CLI (.timer / \\timing)."""
    import re

    if target.kind == "sqlite":
        script = ".timer on\n" + "".join(s.strip().rstrip(";") + ";\n" for s in statements)
        done = subprocess.run(
            ["sqlite3", "-readonly", "-bail", target.sqlite_path],
            input=script,
            capture_output=True,
            text=True,
            check=True,
        )
        times = [float(m) for m in re.findall(r"^Run Time: real ([0-9.]+)", done.stdout, re.M)]
    else:
        script = "\\timing on\n\\o /dev/null\n" + "".join(
            s.strip().rstrip(";") + ";\n" for s in statements
        )
        done = subprocess.run(
            [*target.psql_args(), "-v", "ON_ERROR_STOP=1"],
            input=script,
            capture_output=True,
            text=True,
            check=True,
        )
        times = [float(m) / 1000 for m in re.findall(r"^Time: ([0-9.]+) ms", done.stdout, re.M)]
    if len(times) != len(statements):
        raise RuntimeError(f"timed {len(times)} of {len(statements)} statements: {done.stderr}")
    return sum(times)


def timed_command(command: list[str], *, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of a command, from GNU time."""
    done = subprocess.run(
        ["/usr/bin/time", "-f", "TIME %e %M", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{command[:3]} failed: {done.stderr[-2000:]}")
    line = [x for x in done.stderr.splitlines() if x.startswith("TIME ")][-1]
    _, seconds, kilobytes = line.split()
    return float(seconds), int(kilobytes) / 1024
