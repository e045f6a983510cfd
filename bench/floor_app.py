"""The bare Starlette floors, served like the portal (uvicorn, one worker, pinned core).

- POST /responses/{id}/answers/{code}: parse the form, upsert the answer into the portal's
  `answers` table and stamp the response, in one transaction (SQLite: WAL, BEGIN IMMEDIATE,
  the portal's pragmas; PostgreSQL: psycopg). No session, CSRF, visibility, validation or
  template: what is left is the write the portal must do. BENCH_FLOOR_MODE=inline writes on
  the event loop; =thread hands the write to the thread pool, as FastAPI does for `def`.
  BENCH_FLOOR_READS=1 first runs the reads the portal cannot do without, as plain SQL: the
  session behind the cookie, the response if the user may see it, and its stored answers.
  BENCH_FLOOR_FRAMEWORK=fastapi serves the same handlers as routes of a plain FastAPI app
  (no dependencies, no templates, no ORM): what the portal's web framework costs by itself.
- GET /page: a fixed HTML body (BENCH_FLOOR_PAGE, a file), gzipped by the same middleware.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

SESSION_COOKIE = "htxso_session"  # the portal's cookie name; the floor imports nothing of it

UPSERT = (
    "INSERT INTO answers (response_id, question_code, value, updated_at) "
    "VALUES ({p}, {p}, {p}, {p}) "
    "ON CONFLICT (response_id, question_code) DO UPDATE "
    "SET value = excluded.value, updated_at = excluded.updated_at"
)
STAMP = "UPDATE responses SET updated_at = {p}, last_step = {p} WHERE id = {p}"
READS = (
    "SELECT u.id, u.role, u.is_active, s.last_seen_at FROM auth_sessions s "
    "JOIN users u ON u.id = s.user_id WHERE s.token_hash = {p}",
    "SELECT r.id, r.status, r.version_id FROM responses r "
    "JOIN user_cooperatives uc ON uc.cooperative_id = r.cooperative_id "
    "WHERE r.id = {p} AND uc.user_id = {p}",
    "SELECT question_code, value FROM answers WHERE response_id = {p}",
)


class Writer:
    """One connection per thread, like a pool that never runs dry."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sqlite = url.startswith("sqlite")
        self.local = threading.local()
        marker = "?" if self.sqlite else "%s"
        self.upsert = UPSERT.format(p=marker)
        self.stamp = STAMP.format(p=marker)
        self.session_sql, self.response_sql, self.answers_sql = (
            sql.format(p=marker) for sql in READS
        )

    def _conn(self) -> Any:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            if self.sqlite:
                conn = sqlite3.connect(
                    self.url.removeprefix("sqlite:///"),
                    isolation_level=None,
                    check_same_thread=False,
                    timeout=10,
                )
                for pragma in (
                    "journal_mode=WAL",
                    "foreign_keys=ON",
                    "busy_timeout=10000",
                    "synchronous=NORMAL",
                ):
                    conn.execute(f"PRAGMA {pragma}")
            else:
                import psycopg

                # Reads in autocommit, the write in a transaction block: as the portal does.
                conn = psycopg.connect(
                    self.url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
                )
            self.local.conn = conn
        return conn

    def read(self, token: str, response_id: int) -> bool:
        """The portal's reads before a save; False when the request may not save."""
        conn = self._conn()
        token_hash = hashlib.sha256(token.encode()).hexdigest()
        if self.sqlite:
            conn.execute("BEGIN")
        try:
            user = conn.execute(self.session_sql, (token_hash,)).fetchone()
            if user is None:
                return False
            if conn.execute(self.response_sql, (response_id, user[0])).fetchone() is None:
                return False
            conn.execute(self.answers_sql, (response_id,)).fetchall()
            return True
        finally:
            if self.sqlite:
                conn.execute("COMMIT")

    def write(self, response_id: int, code: str, value: str) -> None:
        conn = self._conn()
        now = dt.datetime.now(dt.UTC)
        if self.sqlite:
            stamp = now.strftime("%Y-%m-%d %H:%M:%S.%f")
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute(self.upsert, (response_id, code, value, stamp))
                conn.execute(self.stamp, (stamp, 1, response_id))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return
        with conn.transaction():
            conn.execute(self.upsert, (response_id, code, value, now))
            conn.execute(self.stamp, (now, 1, response_id))


def create() -> Starlette:
    """The floor application (uvicorn --factory bench.floor_app:create)."""
    writer = Writer(os.environ["DATABASE_URL"])
    threaded = os.environ.get("BENCH_FLOOR_MODE", "inline") == "thread"
    reads = os.environ.get("BENCH_FLOOR_READS") == "1"
    page_file = os.environ.get("BENCH_FLOOR_PAGE")
    page = Path(page_file).read_bytes() if page_file else b"<!doctype html><p>floor</p>"

    async def save(request: Request) -> Response:
        form = await request.form()
        code = request.path_params["code"]
        values = [v for v in form.getlist(code) if isinstance(v, str)]
        value = json.dumps(values if len(values) != 1 else values[0])
        response_id = int(request.path_params["response_id"])

        def work() -> bool:
            token = request.cookies.get(SESSION_COOKIE, "")
            if reads and not writer.read(token, response_id):
                return False
            writer.write(response_id, code, value)
            return True

        saved = await run_in_threadpool(work) if threaded else work()
        if not saved:
            return HTMLResponse("forbidden", status_code=403)
        return HTMLResponse('<span class="saved">✓ Đã lưu</span>')

    async def html(request: Request) -> Response:
        return HTMLResponse(page)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    if os.environ.get("BENCH_FLOOR_FRAMEWORK") == "fastapi":
        from fastapi import FastAPI

        api = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
        api.add_api_route("/responses/{response_id}/answers/{code}", save, methods=["POST"])
        api.add_api_route("/page", html)
        api.add_api_route("/healthz", healthz)
        api.add_middleware(GZipMiddleware, minimum_size=500)
        return api
    return Starlette(
        routes=[
            Route("/responses/{response_id:int}/answers/{code}", save, methods=["POST"]),
            Route("/page", html),
            Route("/healthz", healthz),
        ],
        middleware=[Middleware(GZipMiddleware, minimum_size=500)],
    )
