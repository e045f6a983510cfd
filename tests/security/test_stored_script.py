"""Script typed into any free-text field is shown as text on every page that displays it."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import Role
from app.advice.models import AdvisorNote
from app.responses import service as responses
from tests import factories
from tests.conftest import sign_in

MINI = Path(__file__).resolve().parents[1] / "unit" / "fixtures" / "mini-1.yaml"
PAYLOADS = ["<script>alert('x')</script>", '"><img src=x onerror=alert(1)>']


def test_payloads__are_escaped_on_every_page_that_shows_them(
    client: TestClient, session: Session
) -> None:
    wave = factories.open_mini_wave(session)
    district = factories.area(session, name="Huyện XSS")
    coop = factories.cooperative(session, in_area=district, name=f"HTX {PAYLOADS[0]}")
    coop.contact_name = PAYLOADS[1]
    factories.product(session, of=coop, name=f"Sản phẩm {PAYLOADS[1]}")
    admin = factories.user(session, role=Role.ADMIN, username="xss_admin")
    factories.user(session, role=Role.MANAGER, username="xss_manager", cooperatives=(coop,))
    session.add(AdvisorNote(cooperative_id=coop.id, author_id=admin.id, body=PAYLOADS[0]))
    draft = responses.start(
        session, wave=wave, key="mini", cooperative_id=coop.id, product_id=None, user=admin
    )
    questionnaire = responses.questionnaire_of(session, response=draft)
    answers = {
        "has_web": ["no"],
        "online_share": ["2"],
        "has_plan": ["yes"],
        "tools": ["excel"],
        "note": [PAYLOADS[1]],
    }
    for code, raw in answers.items():
        responses.save_answer(
            session, response=draft, question=questionnaire.question(code), raw=raw, step=1
        )
    responses.submit(session, response=draft, user=admin)
    session.flush()

    pages = {
        "xss_admin": [
            "/cooperatives",
            f"/cooperatives/{coop.id}",
            f"/cooperatives/{coop.id}/answers?response={draft.id}",
            f"/districts/{district.id}",
            "/reports/coverage?wave=2026",
            f"/responses/{draft.id}/result",
            "/targeting",
            "/admin/accounts",
            "/admin/audit",
        ],
        "xss_manager": ["/", f"/cooperatives/{coop.id}", f"/responses/{draft.id}/result"],
    }
    shown = 0
    for username, paths in pages.items():
        client.cookies.clear()
        sign_in(client, username, factories.PASSWORD)
        for path in paths:
            page = client.get(path)
            assert page.status_code == 200, (path, page.status_code)
            for payload in PAYLOADS:
                assert payload not in page.text, (username, path, payload)
            shown += page.text.count("&lt;script&gt;") + page.text.count("&lt;img")
    assert shown >= 8  # the payloads really are on those pages, escaped
