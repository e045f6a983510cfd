"""One-time sign-in codes and onboarding the registry's managers."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts import admin as accounts_admin
from app.accounts import onboarding
from app.accounts.models import Role, SignInCode, User, UserCooperative
from app.accounts.onboarding import CodeCheck
from app.db import utcnow
from tests import factories


def manager_without_password(session: Session, username: str = "giamdoc") -> User:
    user = factories.user(session, role=Role.MANAGER, username=username)
    user.password_hash = None
    session.flush()
    return user


class TestCodes:
    def test_a_code__is_ten_unambiguous_characters_in_two_groups(self) -> None:
        codes = {onboarding.new_code() for _ in range(200)}
        assert len(codes) == 200
        for code in codes:
            assert re.fullmatch(r"[A-Z0-9]{5}-[A-Z0-9]{5}", code)
            assert not set(code) & set("0O1IL5S2Z")

    def test_only_a_hash_of_the_code__is_stored(self, session: Session) -> None:
        user = manager_without_password(session)
        issued = onboarding.issue_code(session, user=user)
        [row] = session.scalars(select(SignInCode).where(SignInCode.user_id == user.id))
        plain = onboarding.normalise_code(issued.code)
        assert plain not in row.code_hash
        assert issued.code not in row.code_hash
        assert len(row.code_hash) == 64

    def test_a_fresh_code__expires_in_fourteen_days(self, session: Session) -> None:
        user = manager_without_password(session)
        issued = onboarding.issue_code(session, user=user)
        assert (
            dt.timedelta(days=13, hours=23) < issued.expires_at - utcnow() <= dt.timedelta(days=14)
        )

    def test_the_right_code__opens_the_account_as_typed_in_any_case_or_spacing(
        self, session: Session
    ) -> None:
        user = manager_without_password(session)
        code = onboarding.issue_code(session, user=user).code
        typed = " " + code.lower().replace("-", " ") + " "
        assert onboarding.check_code(session, username="GiamDoc", code=typed) == (
            CodeCheck.OK,
            user,
        )

    def test_a_code__works_once_and_reuse_is_refused(self, session: Session) -> None:
        user = manager_without_password(session)
        code = onboarding.issue_code(session, user=user).code
        assert onboarding.consume_code(session, user=user, code=code)
        assert not onboarding.consume_code(session, user=user, code=code)
        assert onboarding.check_code(session, username="giamdoc", code=code)[0] == CodeCheck.USED

    def test_an_expired_code__is_refused(self, session: Session) -> None:
        user = manager_without_password(session)
        code = onboarding.issue_code(session, user=user).code
        session.execute(
            update(SignInCode)
            .where(SignInCode.user_id == user.id)
            .values(expires_at=utcnow() - dt.timedelta(seconds=1))
        )
        assert onboarding.check_code(session, username="giamdoc", code=code)[0] == (
            CodeCheck.EXPIRED
        )
        assert not onboarding.consume_code(session, user=user, code=code)

    def test_a_new_code__makes_the_older_unused_one_stop_working(self, session: Session) -> None:
        user = manager_without_password(session)
        first = onboarding.issue_code(session, user=user).code
        second = onboarding.issue_code(session, user=user).code
        assert onboarding.check_code(session, username="giamdoc", code=first)[0] == (
            CodeCheck.EXPIRED
        )
        assert onboarding.check_code(session, username="giamdoc", code=second)[0] == CodeCheck.OK
        assert not onboarding.consume_code(session, user=user, code=first)
        assert onboarding.consume_code(session, user=user, code=second)

    def test_a_wrong_code_or_someone_elses_code__is_wrong(self, session: Session) -> None:
        user = manager_without_password(session)
        other = manager_without_password(session, "giamdoc2")
        onboarding.issue_code(session, user=user)
        theirs = onboarding.issue_code(session, user=other).code
        assert onboarding.check_code(session, username="giamdoc", code=theirs) == (
            CodeCheck.WRONG,
            None,
        )
        assert onboarding.check_code(session, username="giamdoc", code="AAAAA-AAAAA")[0] == (
            CodeCheck.WRONG
        )
        assert onboarding.check_code(session, username="nobody", code=theirs)[0] == (
            CodeCheck.WRONG
        )
        assert onboarding.check_code(session, username="giamdoc", code="")[0] == CodeCheck.WRONG

    def test_a_disabled_account__cannot_use_its_code(self, session: Session) -> None:
        user = manager_without_password(session)
        code = onboarding.issue_code(session, user=user).code
        user.is_active = False
        session.flush()
        assert onboarding.check_code(session, username="giamdoc", code=code)[0] == (CodeCheck.WRONG)


class TestOnboarding:
    def test_each_active_cooperative_without_a_manager__gets_an_account_and_a_code(
        self, session: Session
    ) -> None:
        district = factories.area(session, name="Bắc Sơn")
        lonely = factories.cooperative(
            session, in_area=district, code="4900000077", name="HTX Chưa Có Tài Khoản"
        )
        factories.cooperative(session, in_area=district, status="dissolved")
        managed = factories.cooperative(session, in_area=district)
        factories.user(session, role=Role.MANAGER, cooperatives=(managed,))
        admin = factories.user(session, role=Role.ADMIN)
        slips = accounts_admin.onboard_managers(session, created_by=admin)
        [slip] = slips
        assert slip.username == "htx4900000077"
        assert slip.cooperative_name == "HTX Chưa Có Tài Khoản"
        assert slip.registration_code == "4900000077"
        assert slip.area_name == "Bắc Sơn"
        assert slip.full_name == "Hoàng Văn Thắng"  # the registry's contact person
        user = session.scalar(select(User).where(User.username == "htx4900000077"))
        assert user is not None
        assert user.role == Role.MANAGER
        assert user.password_hash is None
        assert session.get(UserCooperative, (user.id, lonely.id)) is not None
        assert onboarding.check_code(session, username=user.username, code=slip.code)[0] == (
            CodeCheck.OK
        )

    def test_a_manager_without_a_password__gets_a_code_and_one_with_a_password_does_not(
        self, session: Session
    ) -> None:
        district = factories.area(session)
        first = factories.cooperative(session, in_area=district)
        second = factories.cooperative(session, in_area=district)
        waiting = factories.user(session, role=Role.MANAGER, cooperatives=(first,))
        waiting.password_hash = None
        factories.user(session, role=Role.MANAGER, cooperatives=(second,))
        admin = factories.user(session, role=Role.ADMIN)
        slips = accounts_admin.onboard_managers(session, created_by=admin, area_ids={district.id})
        assert [s.username for s in slips] == [waiting.username]

    def test_running_it_again__keeps_the_codes_already_handed_out(self, session: Session) -> None:
        here = {factories.cooperative(session, code="4900000077").area_id}
        admin = factories.user(session, role=Role.ADMIN)
        [slip] = accounts_admin.onboard_managers(session, created_by=admin, area_ids=here)
        assert accounts_admin.plan_onboarding(session, area_ids=here) == (
            accounts_admin.OnboardingPlan(0, 0, 1)
        )
        assert accounts_admin.onboard_managers(session, created_by=admin, area_ids=here) == []
        assert onboarding.check_code(session, username=slip.username, code=slip.code)[0] == (
            CodeCheck.OK
        )
        [again] = accounts_admin.onboard_managers(
            session, created_by=admin, area_ids=here, replace_live_codes=True
        )
        assert again.code != slip.code
        assert onboarding.check_code(session, username=slip.username, code=slip.code)[0] == (
            CodeCheck.EXPIRED
        )

    def test_a_taken_username__gets_a_suffix(self, session: Session) -> None:
        factories.user(session, username="htx4900000077")
        here = {factories.cooperative(session, code="4900000077").area_id}
        admin = factories.user(session, role=Role.ADMIN)
        [slip] = accounts_admin.onboard_managers(session, created_by=admin, area_ids=here)
        assert slip.username == "htx4900000077-2"

    def test_one_district__can_be_onboarded_alone(self, session: Session) -> None:
        here = factories.area(session, name="Chi Lăng")
        there = factories.area(session, name="Hữu Lũng")
        factories.cooperative(session, in_area=here, code="4900000001")
        factories.cooperative(session, in_area=there, code="4900000002")
        admin = factories.user(session, role=Role.ADMIN)
        assert accounts_admin.plan_onboarding(session, area_ids={here.id}).without_manager == 1
        slips = accounts_admin.onboard_managers(session, created_by=admin, area_ids={here.id})
        assert [s.registration_code for s in slips] == ["4900000001"]
        assert accounts_admin.plan_onboarding(session, area_ids={there.id}).without_manager == 1
