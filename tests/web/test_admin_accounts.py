"""Accounts from the browser: list, create, disable and enable, links, codes, onboarding."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import onboarding
from app.accounts.models import AuthSession, Role, User, UserArea, UserCooperative
from app.accounts.onboarding import CodeCheck
from app.audit.models import AuditEvent
from tests import factories
from tests.conftest import page_csrf, sign_in

CODE = re.compile(r'<dd class="slip-code">([A-Z0-9-]+)</dd>')


@pytest.fixture
def admin(client: TestClient, session: Session) -> TestClient:
    factories.user(session, role=Role.ADMIN, username="quantri")
    sign_in(client, "quantri", factories.PASSWORD)
    return client


def events(session: Session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def post(client: TestClient, path: str, **data: str) -> Any:
    return client.post(path, data=data | {"csrf_token": page_csrf(client, "/admin/accounts")})


def advisor_client(client: TestClient, session: Session) -> TestClient:
    factories.user(session, role=Role.ADVISOR, username="canbo")
    sign_in(client, "canbo", factories.PASSWORD)
    return client


class TestAccountList:
    def test_anonymous__is_sent_to_sign_in(self, client: TestClient) -> None:
        assert client.get("/admin/accounts").status_code == 303

    def test_an_advisor__is_refused(self, client: TestClient, session: Session) -> None:
        assert advisor_client(client, session).get("/admin/accounts").status_code == 403

    def test_filters__narrow_by_role_status_and_name(
        self, admin: TestClient, session: Session
    ) -> None:
        cooperative = factories.cooperative(session, name="HTX Na Chi Lăng")
        factories.user(session, role=Role.MANAGER, username="giamdoc1", cooperatives=(cooperative,))
        gone = factories.user(session, role=Role.MANAGER, username="giamdoc2")
        gone.is_active = False
        factories.user(session, role=Role.ADVISOR, username="canbo1")
        session.flush()
        managers = admin.get("/admin/accounts?role=manager").text
        assert "giamdoc1" in managers
        assert "giamdoc2" in managers
        assert "canbo1" not in managers
        assert "HTX Na Chi Lăng" in managers
        active = admin.get("/admin/accounts?role=manager&status=active").text
        assert "giamdoc1" in active
        assert "giamdoc2" not in active
        found = admin.get("/admin/accounts?q=CANBO").text
        assert "canbo1" in found
        assert "giamdoc1" not in found


class TestCreateAccount:
    def test_an_advisor__cannot_create(self, client: TestClient, session: Session) -> None:
        advisor_client(client, session)
        response = post(client, "/admin/accounts", username="moi", full_name="Mới", role="admin")
        assert response.status_code == 403
        assert session.scalar(select(User).where(User.username == "moi")) is None

    def test_a_manager__is_created_linked_without_password_with_a_code_shown_once(
        self, admin: TestClient, session: Session
    ) -> None:
        cooperative = factories.cooperative(session, code="4900000123", name="HTX Hồi Văn Quan")
        response = post(
            admin,
            "/admin/accounts",
            username="Lythihoa",
            full_name="Lý Thị Hoa",
            role="manager",
            cooperatives="4900000123",
        )
        assert response.status_code == 200
        [code] = CODE.findall(response.text)
        user = session.scalar(select(User).where(User.username == "lythihoa"))
        assert user is not None
        assert user.password_hash is None
        assert session.get(UserCooperative, (user.id, cooperative.id)) is not None
        assert onboarding.check_code(session, username="lythihoa", code=code)[0] == CodeCheck.OK
        assert "HTX Hồi Văn Quan" in response.text
        [event] = events(session, "account.create")
        assert event.target == "user:lythihoa"
        assert event.detail == {"role": "manager", "cooperatives": ["4900000123"], "areas": []}
        assert code not in str(event.detail)
        # The account's page never shows the code again.
        assert code not in admin.get(f"/admin/accounts/{user.id}").text

    def test_an_advisor_account__is_limited_to_the_chosen_areas(
        self, admin: TestClient, session: Session
    ) -> None:
        district = factories.area(session, code="187", name="Chi Lăng")
        admin.post(
            "/admin/accounts",
            data={
                "username": "canbo187",
                "full_name": "Cán bộ Chi Lăng",
                "role": "advisor",
                "areas": [str(district.id)],
                "csrf_token": page_csrf(admin, "/admin/accounts/new"),
            },
        )
        user = session.scalar(select(User).where(User.username == "canbo187"))
        assert user is not None
        assert session.get(UserArea, (user.id, district.id)) is not None

    def test_bad_fields__are_shown_beside_each_field_and_nothing_is_created(
        self, admin: TestClient, session: Session
    ) -> None:
        factories.user(session, username="trung")
        response = post(
            admin,
            "/admin/accounts",
            username="trung",
            full_name=" ",
            role="manager",
            cooperatives="4900009999",
        )
        assert response.status_code == 422
        text = response.text
        assert "Tên đăng nhập &#39;trung&#39; đã có." in text
        assert "Vui lòng nhập họ và tên." in text
        assert "Không tìm thấy mã số HTX: 4900009999" in text
        assert events(session, "account.create") == []


class TestDisableAndEnable:
    def test_an_advisor__cannot_disable(self, client: TestClient, session: Session) -> None:
        target = factories.user(session, username="bancd", role=Role.STEERING)
        advisor_client(client, session)
        response = post(client, f"/admin/accounts/{target.id}/disable")
        assert response.status_code == 403
        assert target.is_active

    def test_disabling__ends_the_accounts_sessions_at_once(
        self, admin: TestClient, session: Session, app: object
    ) -> None:
        target = factories.user(session, username="bancd", role=Role.STEERING)
        with TestClient(app, follow_redirects=False) as other:  # type: ignore[arg-type]
            sign_in(other, "bancd", factories.PASSWORD)
            assert other.get("/").status_code == 200
            response = post(admin, f"/admin/accounts/{target.id}/disable")
            assert response.status_code == 303
            assert other.get("/").status_code == 303  # sent back to sign in
        session.refresh(target)
        assert not target.is_active
        assert (
            session.scalars(select(AuthSession).where(AuthSession.user_id == target.id)).all() == []
        )
        [event] = events(session, "account.disable")
        assert event.target == "user:bancd"

    def test_disabling__withdraws_unused_codes(self, admin: TestClient, session: Session) -> None:
        target = factories.user(session, username="giamdoc", role=Role.MANAGER)
        code = onboarding.issue_code(session, user=target).code
        post(admin, f"/admin/accounts/{target.id}/disable")
        post(admin, f"/admin/accounts/{target.id}/enable")
        assert onboarding.check_code(session, username="giamdoc", code=code)[0] == (
            CodeCheck.EXPIRED
        )

    def test_an_administrator__cannot_disable_their_own_account(
        self, admin: TestClient, session: Session
    ) -> None:
        me = session.scalar(select(User).where(User.username == "quantri"))
        assert me is not None
        response = post(admin, f"/admin/accounts/{me.id}/disable")
        assert response.status_code == 409
        assert me.is_active
        assert admin.get("/admin/accounts").status_code == 200

    def test_enabling__lets_the_account_sign_in_again_and_is_audited(
        self, admin: TestClient, session: Session, app: object
    ) -> None:
        target = factories.user(session, username="bancd", role=Role.STEERING)
        target.is_active = False
        session.flush()
        assert post(admin, f"/admin/accounts/{target.id}/enable").status_code == 303
        with TestClient(app, follow_redirects=False) as other:  # type: ignore[arg-type]
            sign_in(other, "bancd", factories.PASSWORD)
        assert [e.target for e in events(session, "account.enable")] == ["user:bancd"]


class TestLinks:
    def test_an_advisor__cannot_link(self, client: TestClient, session: Session) -> None:
        cooperative = factories.cooperative(session, code="4900000001")
        target = factories.user(session, username="giamdoc", role=Role.MANAGER)
        advisor_client(client, session)
        response = post(
            client, f"/admin/accounts/{target.id}/cooperatives", registration_code="4900000001"
        )
        assert response.status_code == 403
        assert session.get(UserCooperative, (target.id, cooperative.id)) is None

    def test_a_manager__is_attached_and_detached_and_each_is_audited(
        self, admin: TestClient, session: Session
    ) -> None:
        cooperative = factories.cooperative(session, code="4900000001")
        target = factories.user(session, username="giamdoc", role=Role.MANAGER)
        path = f"/admin/accounts/{target.id}/cooperatives"
        assert post(admin, path, registration_code=" 4900000001 ").status_code == 303
        assert session.get(UserCooperative, (target.id, cooperative.id)) is not None
        assert post(admin, f"{path}/{cooperative.id}/remove").status_code == 303
        assert session.get(UserCooperative, (target.id, cooperative.id)) is None
        assert [e.detail for e in events(session, "account.link")] == [
            {"cooperative": "4900000001"},
            {"cooperative": "4900000001", "removed": True},
        ]

    def test_an_unknown_registration_code__is_refused(
        self, admin: TestClient, session: Session
    ) -> None:
        target = factories.user(session, username="giamdoc", role=Role.MANAGER)
        response = post(
            admin, f"/admin/accounts/{target.id}/cooperatives", registration_code="nope"
        )
        assert response.status_code == 422
        assert events(session, "account.link") == []

    def test_an_advisor__is_limited_to_an_area_and_freed_again(
        self, admin: TestClient, session: Session
    ) -> None:
        district = factories.area(session, code="187", name="Chi Lăng")
        target = factories.user(session, username="canbo2", role=Role.ADVISOR)
        path = f"/admin/accounts/{target.id}/areas"
        assert post(admin, path, area_id=str(district.id)).status_code == 303
        assert session.get(UserArea, (target.id, district.id)) is not None
        assert post(admin, f"{path}/{district.id}/remove").status_code == 303
        assert session.get(UserArea, (target.id, district.id)) is None
        assert len(events(session, "account.link")) == 2

    def test_areas__are_only_for_advisors(self, admin: TestClient, session: Session) -> None:
        district = factories.area(session)
        target = factories.user(session, username="giamdoc", role=Role.MANAGER)
        response = post(admin, f"/admin/accounts/{target.id}/areas", area_id=str(district.id))
        assert response.status_code == 422


class TestResetCode:
    def test_an_advisor__cannot_issue_a_code(self, client: TestClient, session: Session) -> None:
        target = factories.user(session, username="giamdoc", role=Role.MANAGER)
        advisor_client(client, session)
        assert post(client, f"/admin/accounts/{target.id}/code").status_code == 403

    def test_a_new_code__is_shown_once_replaces_the_old_one_and_is_audited(
        self, admin: TestClient, session: Session
    ) -> None:
        target = factories.user(session, username="giamdoc", role=Role.MANAGER)
        old = onboarding.issue_code(session, user=target).code
        response = post(admin, f"/admin/accounts/{target.id}/code")
        assert response.status_code == 200
        [new] = CODE.findall(response.text)
        assert onboarding.check_code(session, username="giamdoc", code=new)[0] == CodeCheck.OK
        assert onboarding.check_code(session, username="giamdoc", code=old)[0] == (
            CodeCheck.EXPIRED
        )
        [event] = events(session, "account.codes")
        assert event.target == "user:giamdoc"


class TestOnboard:
    def test_an_advisor__cannot_onboard(self, client: TestClient, session: Session) -> None:
        factories.cooperative(session)
        advisor_client(client, session)
        assert client.get("/admin/accounts/onboard").status_code == 403
        assert post(client, "/admin/accounts/onboard").status_code == 403
        assert session.scalars(select(User).where(User.username.like("htx%"))).all() == []

    def test_the_page__counts_what_onboarding_would_do(
        self, admin: TestClient, session: Session
    ) -> None:
        factories.cooperative(session)
        factories.cooperative(session)
        # "All districts" in the form's select is sent as an empty district.
        page = admin.get("/admin/accounts/onboard?district=")
        assert page.status_code == 200
        assert re.search(
            r'<p class="stat-value">2</p>\s*<p class="stat-caption">HTX chưa có tài khoản',
            page.text,
        )

    def test_onboarding__gives_a_printable_list_and_a_csv_of_the_codes(
        self, admin: TestClient, session: Session
    ) -> None:
        factories.cooperative(session, code="4900000001", name="HTX Một")
        factories.cooperative(session, code="4900000002", name="HTX Hai")
        response = post(admin, "/admin/accounts/onboard")
        assert response.status_code == 200
        text = response.text
        assert text.count('<article class="slip">') == 2
        codes = CODE.findall(text)
        assert len(codes) == 2
        assert "htx4900000001" in text
        assert "/signin/code" in text
        found = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', text)
        assert found
        csv_text = base64.b64decode(found.group(1)).decode("utf-8")
        assert csv_text.startswith("\ufeffcooperative | Hợp tác xã,")
        for code in codes:
            assert code in csv_text
        assert "HTX Một,4900000001" in csv_text
        [event] = events(session, "account.codes")
        assert event.detail is not None
        assert event.detail["codes"] == 2
        assert event.detail["usernames"] == ["htx4900000001", "htx4900000002"]
        assert not any(code in str(event.detail) for code in codes)

    def test_nothing_to_do__says_so(self, admin: TestClient, session: Session) -> None:
        response = post(admin, "/admin/accounts/onboard")
        assert response.status_code == 200
        assert "Không ai cần cấp mã" in response.text
