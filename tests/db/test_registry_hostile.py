"""A hostile spreadsheet is refused quickly, and never stops others from signing in or saving.

Real HTTP handling and real commits on the suite's kind of database: the check reads only,
so sign-ins and answer saves go through while the administrator's bad files are being read.
"""

from __future__ import annotations

import threading
import time

from fastapi.testclient import TestClient

from app.accounts.models import Role
from app.config import Settings
from app.cooperatives.tabular import MAX_LINES
from app.db import Database
from app.main import create_app
from tests import factories
from tests.conftest import TEST_SECRET, csrf_from
from tests.unit.test_tabular import header_cells, sheet_xml, with_sheet

DIMENSION_TRICK = with_sheet(
    sheet_xml(
        "A1:XFD1048576",
        header_cells() + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
    )
)
BLANK_ROWS = with_sheet(
    sheet_xml(
        "A1:B2", header_cells() + "".join(f'<row r="{n}"/>' for n in range(2, MAX_LINES + 1000))
    )
)


def signed_in(app: object, username: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)  # type: ignore[arg-type]
    page = client.get("/signin")
    reply = client.post(
        "/signin",
        data={
            "username": username,
            "password": factories.PASSWORD,
            "csrf_token": csrf_from(page.text),
        },
    )
    assert reply.status_code == 303
    return client


def test_bomb_sheets__are_refused_in_seconds_while_sign_ins_and_saves_go_on(
    real_db: Database,
) -> None:
    with real_db.transaction() as session:
        factories.user(session, role=Role.ADMIN, username="quantri")
    settings = Settings(environment="test", secret_key=TEST_SECRET, database_url=real_db.url)
    app = create_app(settings, db=real_db)
    admin = signed_in(app, "quantri")
    csrf = csrf_from(admin.get("/admin/registry").text)
    checks: list[tuple[int, float]] = []
    others: list[int] = []
    failures: list[BaseException] = []
    done = threading.Event()

    def upload() -> None:
        try:
            for name, data in (("trick.xlsx", DIMENSION_TRICK), ("blank.xlsx", BLANK_ROWS)) * 2:
                started = time.monotonic()
                reply = admin.post(
                    "/admin/registry/check",
                    files={"file": (name, data, "application/octet-stream")},
                    data={"csrf_token": csrf},
                )
                checks.append((reply.status_code, time.monotonic() - started))
        except BaseException as exc:
            failures.append(exc)
        finally:
            done.set()

    filler = signed_in(app, "giamdoc0")
    home = filler.get("/")
    token = csrf_from(home.text)
    coop_id = home.text.split('name="cooperative_id" value="')[1].split('"')[0]
    begun = filler.post(
        "/fill/start", data={"key": "mini", "cooperative_id": coop_id, "csrf_token": token}
    )
    response_id = begun.headers["location"].rsplit("/", 1)[1]

    def manager() -> None:
        try:
            while not done.is_set():
                signed_in(app, "giamdoc1").close()
                saved = filler.post(
                    f"/responses/{response_id}/answers/members",
                    data={"members": str(len(others))},
                    headers={"HX-Request": "true", "X-CSRF-Token": token},
                )
                others.append(saved.status_code)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=upload), threading.Thread(target=manager)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert [status for status, _ in checks] == [422, 422, 422, 422]
    assert max(seconds for _, seconds in checks) < 30
    assert others, "no sign-in or save completed while the files were checked"
    assert all(status in (200, 303) for status in others), others
