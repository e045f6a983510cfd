"""Adding a product to a cooperative: from a manager's home page or a cooperative's profile."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Role
from app.cooperatives.models import Cooperative, Product
from tests import factories
from tests.conftest import page_csrf, sign_in


@pytest.fixture
def cooperative(session: Session) -> Cooperative:
    made = factories.cooperative(session, name="HTX Của Tôi")
    factories.user(session, role=Role.MANAGER, username="giamdoc", cooperatives=(made,))
    factories.user(session, role=Role.ADVISOR, username="canbo")
    return made


def add(client: TestClient, cooperative: Cooperative, back: str, **fields: str) -> object:
    page = "/" if back == "home" else f"/cooperatives/{cooperative.id}"
    return client.post(
        f"/cooperatives/{cooperative.id}/products",
        data={"back": back, "csrf_token": page_csrf(client, page)} | fields,
    )


def products(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Product)) or 0


def error_of(page: str, field: str, cooperative: Cooperative) -> str:
    """The problem shown beside a field of the product form."""
    found = page[page.index(f'id="product-{field}-error-{cooperative.id}"') :]
    return found[found.index(">") + 1 : found.index("</small>")]


class TestAddProduct:
    def test_anonymous__is_sent_to_sign_in_and_nothing_is_stored(
        self, client: TestClient, session: Session, cooperative: Cooperative
    ) -> None:
        reply = client.post(
            f"/cooperatives/{cooperative.id}/products",
            data={"name": "Miến dong", "csrf_token": page_csrf(client, "/signin")},
        )
        assert reply.headers["location"].startswith("/signin")  # type: ignore[union-attr]
        assert products(session) == 0

    def test_a_product__is_stored_with_its_name_tidied(
        self, client: TestClient, session: Session, cooperative: Cooperative
    ) -> None:
        sign_in(client, "giamdoc", factories.PASSWORD)
        reply = add(
            client, cooperative, "home", name="  Miến   dong ", ocop_group="food", stars="3"
        )
        assert reply.status_code == 303  # type: ignore[attr-defined]
        product = session.scalar(select(Product))
        assert product is not None
        assert (product.name, product.ocop_group, product.stars) == ("Miến dong", "food", 3)

    def test_bad_stars_on_the_home_page__keep_what_was_typed_and_store_nothing(
        self, client: TestClient, session: Session, cooperative: Cooperative
    ) -> None:
        sign_in(client, "giamdoc", factories.PASSWORD)
        reply = add(client, cooperative, "home", name="Miến dong", ocop_group="herbs", stars="9")
        assert reply.status_code == 422  # type: ignore[attr-defined]
        page = reply.text  # type: ignore[attr-defined]
        assert error_of(page, "stars", cooperative) == "Số sao từ 0 đến 5."
        assert '<details class="add-product" open>' in page
        assert 'name="name" required maxlength="300" value="Miến dong"' in page
        assert '<option value="herbs" selected>' in page
        assert "Xin chào" in page  # the manager's home, not an error page
        assert products(session) == 0

    def test_a_blank_name_on_the_profile__is_asked_for_beside_the_field(
        self, client: TestClient, session: Session, cooperative: Cooperative
    ) -> None:
        sign_in(client, "canbo", factories.PASSWORD)
        reply = add(client, cooperative, "profile", name="   ", ocop_group="drinks", stars="2")
        assert reply.status_code == 422  # type: ignore[attr-defined]
        page = reply.text  # type: ignore[attr-defined]
        assert error_of(page, "name", cooperative) == "Vui lòng nhập tên sản phẩm."
        assert 'aria-invalid="true"' in page[page.index('name="name"') :][:200]
        assert '<option value="drinks" selected>' in page
        assert '<option value="2" selected>' in page
        assert "HTX Của Tôi" in page
        assert products(session) == 0

    def test_an_unknown_group__is_refused_beside_it(
        self, client: TestClient, session: Session, cooperative: Cooperative
    ) -> None:
        sign_in(client, "giamdoc", factories.PASSWORD)
        reply = add(client, cooperative, "home", name="Miến dong", ocop_group="cars")
        assert reply.status_code == 422  # type: ignore[attr-defined]
        page = reply.text  # type: ignore[attr-defined]
        assert error_of(page, "ocop_group", cooperative) == "Nhóm sản phẩm không hợp lệ."
        assert products(session) == 0
