"""The authorization matrix, generated from the application's own route table.

Every route must have an entry below: a new route without one fails the test. Each route is
called by every role (and anonymously) on an object of its own and on someone else's, and
the answer must match: anonymous → sign-in (401 for the API); a role not listed → 403; a
listed role on its own object → served; a listed role whose view is limited (a manager to
their cooperatives, an advisor to their areas) on someone else's object → 404, as if it did
not exist.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.models import PasswordRequest, Role, User, UserCooperative
from app.advice.models import FollowUp
from app.responses import service as responses
from app.surveys import service as surveys
from app.targeting.models import Shortlist, ShortlistEntry
from app.targets.models import WaveTarget
from app.web.security import SESSION_COOKIE, csrf_token
from tests import factories
from tests.conftest import TEST_SECRET
from tests.security.routes import all_routes

MINI = Path(__file__).resolve().parents[1] / "unit" / "fixtures" / "mini-1.yaml"
PUBLIC = "public"
SIGNED_IN = (Role.ADMIN, Role.ADVISOR, Role.STEERING, Role.MANAGER)
STAFF = (Role.ADMIN, Role.ADVISOR)
READERS = (Role.ADMIN, Role.ADVISOR, Role.STEERING)
RESPONDENTS = (Role.ADMIN, Role.ADVISOR, Role.MANAGER)
ADMIN = (Role.ADMIN,)


@dataclass(frozen=True)
class Rule:
    roles: tuple[Role, ...] | str
    # The route names one cooperative's object (or a district): limited roles get 404 on
    # someone else's.
    scoped: bool = False


MATRIX: dict[tuple[str, str], Rule] = {
    ("GET", "/"): Rule(SIGNED_IN),
    ("GET", "/healthz"): Rule(PUBLIC),
    ("GET", "/favicon.ico"): Rule(PUBLIC),
    ("GET", "/patterns"): Rule(SIGNED_IN),
    ("GET", "/signin"): Rule(PUBLIC),
    ("POST", "/signin"): Rule(PUBLIC),
    ("GET", "/signin/code"): Rule(PUBLIC),
    ("POST", "/signin/code"): Rule(PUBLIC),
    ("POST", "/signin/code/password"): Rule(PUBLIC),
    ("POST", "/signout"): Rule(PUBLIC),
    ("GET", "/signin/forgot"): Rule(PUBLIC),
    ("POST", "/signin/forgot"): Rule(PUBLIC),
    ("GET", "/account/password"): Rule(SIGNED_IN),
    ("POST", "/account/password"): Rule(SIGNED_IN),
    # A manager's request for a code belongs to the cooperatives the manager runs.
    ("GET", "/password-requests"): Rule(STAFF),
    ("POST", "/password-requests/{request_id}/code"): Rule(STAFF, scoped=True),
    ("POST", "/lang"): Rule(PUBLIC),
    # Respondents: their own cooperative's questionnaires; advisors on a cooperative's behalf.
    ("POST", "/fill/start"): Rule(RESPONDENTS, scoped=True),
    ("GET", "/responses/{response_id}"): Rule(RESPONDENTS, scoped=True),
    ("GET", "/responses/{response_id}/steps/{step}"): Rule(RESPONDENTS, scoped=True),
    ("POST", "/responses/{response_id}/steps/{step}"): Rule(RESPONDENTS, scoped=True),
    ("POST", "/responses/{response_id}/answers/{code}"): Rule(RESPONDENTS, scoped=True),
    ("GET", "/responses/{response_id}/review"): Rule(RESPONDENTS, scoped=True),
    ("POST", "/responses/{response_id}/submit"): Rule(RESPONDENTS, scoped=True),
    ("POST", "/responses/{response_id}/revise"): Rule(RESPONDENTS, scoped=True),
    ("POST", "/responses/{response_id}/discard"): Rule(RESPONDENTS, scoped=True),
    ("GET", "/responses/{response_id}/result"): Rule(RESPONDENTS, scoped=True),
    ("GET", "/responses/{response_id}/result.pdf"): Rule(RESPONDENTS, scoped=True),
    ("GET", "/cooperatives/{cooperative_id}"): Rule(RESPONDENTS, scoped=True),
    ("POST", "/cooperatives/{cooperative_id}/products"): Rule(RESPONDENTS, scoped=True),
    # The Alliance's own work on a cooperative.
    ("GET", "/cooperatives"): Rule(STAFF),
    ("POST", "/cooperatives/export"): Rule(STAFF),
    ("GET", "/cooperatives/{cooperative_id}/answers"): Rule(STAFF, scoped=True),
    ("POST", "/cooperatives/{cooperative_id}/notes"): Rule(STAFF, scoped=True),
    ("POST", "/cooperatives/{cooperative_id}/follow-ups"): Rule(STAFF, scoped=True),
    ("POST", "/cooperatives/{cooperative_id}/contacts"): Rule(STAFF, scoped=True),
    ("POST", "/cooperatives/{cooperative_id}/follow-ups/{follow_up_id}/done"): Rule(
        STAFF, scoped=True
    ),
    ("GET", "/targeting"): Rule(STAFF),
    ("GET", "/targeting/models"): Rule(STAFF),
    ("GET", "/targeting/shortlists"): Rule(STAFF),
    ("POST", "/targeting/shortlists"): Rule(STAFF),
    ("GET", "/targeting/shortlists/{shortlist_id}"): Rule(STAFF),
    ("POST", "/targeting/shortlists/{shortlist_id}/export"): Rule(STAFF),
    # Aggregates for the Alliance and the Steering Committee.
    ("GET", "/reports/rankings"): Rule(READERS),
    ("GET", "/reports/coverage"): Rule(READERS),
    ("POST", "/reports/export"): Rule(READERS),
    ("GET", "/districts/{area_id}"): Rule(READERS, scoped=True),
    ("GET", "/dashboard"): Rule(READERS),
    ("GET", "/dashboard/inactive"): Rule(READERS),
    ("GET", "/dashboard/report.{fmt}"): Rule(READERS),
    # The API answers every signed-in role, each from its own visible cooperatives.
    ("GET", "/api/openapi.json"): Rule(READERS),
    ("GET", "/api/v1/areas"): Rule(SIGNED_IN),
    ("GET", "/api/v1/cooperatives"): Rule(SIGNED_IN),
    ("GET", "/api/v1/coverage"): Rule(READERS),
    ("GET", "/api/v1/rankings"): Rule(READERS),
    ("GET", "/api/v1/scores"): Rule(SIGNED_IN),
}
ADMIN_ROUTES = [
    ("GET", "/admin"),
    ("GET", "/admin/accounts"),
    ("GET", "/admin/accounts/new"),
    ("GET", "/admin/accounts/onboard"),
    ("GET", "/admin/accounts/{user_id}"),
    ("GET", "/admin/audit"),
    ("GET", "/admin/boundaries"),
    ("POST", "/admin/boundaries"),
    ("POST", "/admin/boundaries/remove"),
    ("GET", "/admin/placements"),
    ("POST", "/admin/placements/auto"),
    ("POST", "/admin/placements/{cooperative_id}"),
    ("GET", "/admin/questionnaires"),
    ("GET", "/admin/questionnaires/compare"),
    ("GET", "/admin/questionnaires/{version_id}/preview"),
    ("GET", "/admin/registry"),
    ("GET", "/admin/registry/map"),
    ("GET", "/admin/registry/problems.csv"),
    ("GET", "/admin/registry/template.csv"),
    ("GET", "/admin/registry/template.xlsx"),
    ("GET", "/admin/waves"),
    ("GET", "/admin/waves/new"),
    ("GET", "/admin/waves/{wave_id}/close"),
    ("GET", "/admin/waves/{wave_id}/targets"),
    ("POST", "/admin/waves/{wave_id}/targets"),
    ("POST", "/admin/waves/{wave_id}/targets/{target_id}/remove"),
    ("POST", "/admin/accounts"),
    ("POST", "/admin/accounts/onboard"),
    ("POST", "/admin/accounts/{user_id}/areas"),
    ("POST", "/admin/accounts/{user_id}/areas/{area_id}/remove"),
    ("POST", "/admin/accounts/{user_id}/code"),
    ("POST", "/admin/accounts/{user_id}/whole-province"),
    ("POST", "/admin/accounts/{user_id}/cooperatives"),
    ("POST", "/admin/accounts/{user_id}/cooperatives/{cooperative_id}/remove"),
    ("POST", "/admin/accounts/{user_id}/disable"),
    ("POST", "/admin/accounts/{user_id}/enable"),
    ("POST", "/admin/audit/export"),
    ("POST", "/admin/questionnaires/publish"),
    ("POST", "/admin/registry/check"),
    ("POST", "/admin/registry/import"),
    ("POST", "/admin/registry/map"),
    ("POST", "/admin/waves"),
    ("POST", "/admin/waves/{wave_id}/close"),
    ("POST", "/admin/waves/{wave_id}/open"),
]
MATRIX.update({route: Rule(ADMIN) for route in ADMIN_ROUTES})
# A route whose object belongs to nobody in particular; only its role guard matters.
LIMITED = {Role.MANAGER, Role.ADVISOR}
PARAM = re.compile(r"{(\w+)}")


@dataclass
class World:
    users: dict[Role, User]
    own: dict[str, str]
    other: dict[str, str]


@pytest.fixture
def world(session: Session) -> World:
    wave = factories.open_mini_wave(session)
    mine, theirs = factories.area(session, name="Huyện A"), factories.area(session, name="Huyện B")
    coop_a = factories.cooperative(session, in_area=mine, name="HTX A")
    coop_b = factories.cooperative(session, in_area=theirs, name="HTX B")
    users = {
        Role.ADMIN: factories.user(session, role=Role.ADMIN, username="m_admin"),
        Role.ADVISOR: factories.user(
            session, role=Role.ADVISOR, username="m_advisor", areas=(mine,)
        ),
        Role.STEERING: factories.user(session, role=Role.STEERING, username="m_steering"),
        Role.MANAGER: factories.user(
            session, role=Role.MANAGER, username="m_manager", cooperatives=(coop_a,)
        ),
    }
    spare = factories.user(session, role=Role.MANAGER, username="m_spare")
    other_manager = factories.user(
        session, role=Role.MANAGER, username="m_manager_b", cooperatives=(coop_b,)
    )
    password_requests = [PasswordRequest(user_id=u.id) for u in (spare, other_manager)]
    # The spare manager runs HTX A too, so a request of theirs is the advisor's of Huyện A.
    session.add(UserCooperative(user_id=spare.id, cooperative_id=coop_a.id))
    session.add_all(password_requests)
    drafts = [
        responses.start(
            session,
            wave=wave,
            key="mini",
            cooperative_id=c.id,
            product_id=None,
            user=users[Role.ADMIN],
        )
        for c in (coop_a, coop_b)
    ]
    follow_ups = []
    for coop in (coop_a, coop_b):
        follow_up = FollowUp(
            cooperative_id=coop.id, description="Gọi điện", due_on=dt.date(2026, 12, 1)
        )
        session.add(follow_up)
        follow_ups.append(follow_up)
    criteria = {
        "kind": "support",
        "wave": "2026",
        "wave_id": wave.id,
        "questionnaire": "mini",
        "dimension": "sales",
        "threshold": 40.0,
        "area_id": None,
        "sector": None,
    }
    shortlist = Shortlist(
        name="Danh sách",
        kind="support",
        criteria=criteria,
        wave_id=wave.id,
        created_by_id=users[Role.ADVISOR].id,
    )
    session.add(shortlist)
    session.flush()
    session.add(ShortlistEntry(shortlist_id=shortlist.id, cooperative_id=coop_a.id))
    # Two targets: the "own" and the "other" calls each remove one.
    targets = [
        WaveTarget(wave_id=wave.id, metric="coverage", percent=80.0),
        WaveTarget(
            wave_id=wave.id, metric="level", questionnaire_key="mini", level_key="mid", percent=40.0
        ),
    ]
    session.add_all(targets)
    session.flush()

    def ids(coop_index: int) -> dict[str, str]:
        return {
            "cooperative_id": str((coop_a, coop_b)[coop_index].id),
            "response_id": str(drafts[coop_index].id),
            "area_id": str((mine, theirs)[coop_index].id),
            "follow_up_id": str(follow_ups[coop_index].id),
            "step": "1",
            "code": "has_plan",
            "version_id": str(surveys.latest_version(session, key="mini").id),
            "wave_id": str(wave.id),
            "user_id": str(spare.id),
            "shortlist_id": str(shortlist.id),
            "request_id": str(password_requests[coop_index].id),
            "fmt": "docx",
            "target_id": str(targets[coop_index].id),
        }

    return World(users, ids(0), ids(1))


def call(
    client: TestClient,
    session: Session,
    world: World,
    role: Role | None,
    method: str,
    path: str,
    ids: dict[str, str],
) -> int:
    client.cookies.clear()
    token = "anonymous-browser"
    if role is not None:
        token = accounts.start_session(
            session, user=world.users[role], ip_address=None, user_agent=None
        )
        client.cookies.set(SESSION_COOKIE, token)
    else:
        client.cookies.set("htxso_anon", token)
    url = PARAM.sub(lambda m: ids[m.group(1)], path)
    data = {
        "cooperative_id": ids["cooperative_id"],
        "key": "mini",
        "name": "Tên",
        "csrf_token": csrf_token(TEST_SECRET, token),
    }
    reply = client.request(
        method,
        url,
        data=data if method == "POST" else None,
        headers={"X-CSRF-Token": csrf_token(TEST_SECRET, token)},
    )
    return reply.status_code


def test_every_route__has_an_entry(app: FastAPI) -> None:
    missing = [route for route in all_routes(app) if route not in MATRIX]
    stale = [route for route in MATRIX if route not in all_routes(app)]
    assert missing == [], f"add these routes to MATRIX: {missing}"
    assert stale == [], f"these MATRIX entries name no route: {stale}"


@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[0]} {r[1]}")
def test_route__answers_each_role_as_the_matrix_says(
    client: TestClient, session: Session, world: World, route: tuple[str, str]
) -> None:
    method, path = route
    rule = MATRIX[route]
    problems = []
    for role in (None, *SIGNED_IN):
        for scope, ids in (("own", world.own), ("other", world.other)):
            status = call(client, session, world, role, method, path, ids)
            if rule.roles == PUBLIC:
                ok = status < 500
            elif role is None:
                ok = status == (401 if path.startswith("/api/") else 303)
            elif role not in rule.roles:
                ok = status == 403
            elif scope == "other" and rule.scoped and role in LIMITED:
                ok = status == 404
            else:
                ok = status < 500 and status not in (401, 403, 404)
            if not ok:
                problems.append(f"{role} {scope}: {status}")
    assert problems == []


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADVISOR])
def test_the_api__lists_only_the_cooperatives_a_limited_role_may_see(
    client: TestClient, session: Session, world: World, role: Role
) -> None:
    assert call(client, session, world, role, "GET", "/api/v1/cooperatives", world.own) == 200
    listed = client.get("/api/v1/cooperatives").json()
    rows = listed["items"] if isinstance(listed, dict) and "items" in listed else listed
    names = {row["name"] for row in rows}
    assert "HTX A" in names
    assert "HTX B" not in names
