"""Confirmations after a change, paper surveys that return to their cooperative, the favicon."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import Role
from tests import factories
from tests.conftest import page_csrf, sign_in
from tests.web import test_responses as journey
from tests.web.test_responses import World, start

world = journey.world


def test_adding_a_product__is_confirmed_on_the_page_it_returns_to(
    client: TestClient, world: World
) -> None:
    sign_in(client, "giamdoc", factories.PASSWORD)
    reply = client.post(
        f"/cooperatives/{world.cooperative.id}/products",
        data={"name": "Miến dong", "stars": "0", "back": "home", "csrf_token": page_csrf(client)},
    )
    assert reply.headers["location"] == "/"
    home = client.get("/").text
    assert "✓ Đã thêm sản phẩm." in home
    assert "Miến dong" in home


def test_an_advisors_paper_survey__returns_to_the_cooperative(
    client: TestClient, world: World, session: Session
) -> None:
    factories.user(session, role=Role.ADVISOR, username="canbo")
    sign_in(client, "canbo", factories.PASSWORD)
    response_id = start(client, world.cooperative)
    token = page_csrf(client, f"/responses/{response_id}/steps/1")
    reply = client.post(
        f"/responses/{response_id}/steps/1",
        data={"csrf_token": token, "has_web": "no", "action": "leave"},
    )
    assert reply.headers["location"] == f"/cooperatives/{world.cooperative.id}"
    assert "Câu trả lời đã được lưu" in client.get(reply.headers["location"]).text


def test_the_favicon__is_served_and_linked(client: TestClient, world: World) -> None:
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert 'rel="icon"' in client.get("/signin").text
    assert client.get("/static/favicon.svg").status_code == 200
