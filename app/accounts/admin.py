"""Account administration: create, disable and enable, links to cooperatives and areas, and
onboarding every manager of the registry with one-time sign-in codes."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.accounts import onboarding
from app.accounts import service as accounts
from app.accounts.models import Role, User, UserArea, UserCooperative
from app.accounts.schemas import NewAccountForm, registered
from app.areas.models import Area, AreaLevel
from app.cooperatives.models import Cooperative, CooperativeStatus
from app.cooperatives.service import in_areas
from app.errors import Conflict, Invalid, NotFound
from app.messages import N_
from app.paging import paginate

PAGE_SIZE = 50
CHUNK = 5000  # ids per IN (...): well under SQLite's and PostgreSQL's parameter limits


@dataclass(frozen=True)
class LinkedCooperative:
    id: int
    registration_code: str
    name: str


@dataclass(frozen=True)
class LinkedArea:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class Account:
    """An account as the administrator sees it: the row, its links and its pending code."""

    user: User
    cooperatives: list[LinkedCooperative]
    areas: list[LinkedArea]
    code_expires_at: dt.datetime | None

    @property
    def has_password(self) -> bool:
        return self.user.password_hash is not None


@dataclass(frozen=True)
class Slip:
    """One block of the printed onboarding list: who signs in, with what, until when."""

    full_name: str
    username: str
    code: str
    expires_at: dt.datetime
    cooperative_name: str | None = None
    registration_code: str | None = None
    area_name: str | None = None


# Listing ------------------------------------------------------------------------------------


def list_accounts(
    session: Session,
    *,
    role: str | None = None,
    search: str | None = None,
    active: bool | None = None,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> tuple[list[Account], int]:
    """One page of accounts matching the filters, by username, and how many match in all."""
    query = select(User)
    if role:
        query = query.where(User.role == role)
    if active is not None:
        query = query.where(User.is_active.is_(active))
    if search and search.strip():
        # `%` and `_` typed in the search box are themselves, not wildcards.
        term = search.strip().lower()
        query = query.where(
            or_(
                func.lower(User.username).contains(term, autoescape=True),
                func.lower(User.full_name).contains(term, autoescape=True),
            )
        )
    rows, total = paginate(session, query.order_by(User.username, User.id), page=page, size=size)
    return _with_links(session, [user for (user,) in rows]), total


def get_account(session: Session, *, user_id: int) -> Account:
    """One account with its links."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(N_("Account not found."))
    return _with_links(session, [user])[0]


def _with_links(session: Session, users: list[User]) -> list[Account]:
    ids = [u.id for u in users]
    cooperatives: dict[int, list[LinkedCooperative]] = defaultdict(list)
    areas: dict[int, list[LinkedArea]] = defaultdict(list)
    if ids:
        for user_id, cid, code, name in session.execute(
            select(
                UserCooperative.user_id,
                Cooperative.id,
                Cooperative.registration_code,
                Cooperative.name,
            )
            .join(Cooperative, Cooperative.id == UserCooperative.cooperative_id)
            .where(UserCooperative.user_id.in_(ids))
            .order_by(Cooperative.name)
        ):
            cooperatives[user_id].append(LinkedCooperative(cid, code, name))
        for user_id, aid, code, name in session.execute(
            select(UserArea.user_id, Area.id, Area.code, Area.name)
            .join(Area, Area.id == UserArea.area_id)
            .where(UserArea.user_id.in_(ids))
            .order_by(Area.code)
        ):
            areas[user_id].append(LinkedArea(aid, code, name))
    codes = onboarding.pending_codes(session, user_ids=ids)
    return [Account(u, cooperatives[u.id], areas[u.id], codes.get(u.id)) for u in users]


# Creating, disabling, linking ---------------------------------------------------------------


def create_account(
    session: Session, *, form: NewAccountForm, created_by: User
) -> tuple[Account, Slip]:
    """A new account without a password, and the one-time code its owner signs in with."""
    found = registered(session, form.cooperatives)
    if len(found) != len(form.cooperatives):
        raise Invalid(
            N_("Unknown registration codes: %(codes)s"),
            codes=", ".join(c for c in form.cooperatives if c not in found),
        )
    user = accounts.create_user(
        session,
        username=form.username,
        full_name=form.full_name,
        role=form.role,
        password=None,
        cooperative_ids=tuple(found[code] for code in form.cooperatives),
        area_ids=form.areas,
    )
    account = get_account(session, user_id=user.id)
    return account, _slip(account, onboarding.issue_code(session, user=user, created_by=created_by))


def _slip(account: Account, issued: onboarding.IssuedCode) -> Slip:
    first = account.cooperatives[0] if account.cooperatives else None
    return Slip(
        full_name=account.user.full_name,
        username=account.user.username,
        code=issued.code,
        expires_at=issued.expires_at,
        cooperative_name=first.name if first else None,
        registration_code=first.registration_code if first else None,
    )


def set_active(session: Session, *, user: User, active: bool, by: User) -> bool:
    """Disable or enable an account; a disabled account's sessions end at once.

    Returns whether anything changed. An administrator cannot disable their own account.
    """
    if not active and user.id == by.id:
        raise Conflict(N_("You cannot disable your own account."))
    if not active:
        # Even when already disabled: a session must never outlive a disabled account.
        accounts.end_user_sessions(session, user_id=user.id)
        onboarding.withdraw_codes(session, user_id=user.id)
    if user.is_active == active:
        return False
    user.is_active = active
    session.flush()
    return True


def link_cooperative(session: Session, *, user: User, registration_code: str) -> LinkedCooperative:
    """Attach a manager to a cooperative given its registration code."""
    if user.role != Role.MANAGER:
        raise Invalid(N_("Only a manager's account is linked to cooperatives."))
    cooperative = session.scalar(
        select(Cooperative).where(Cooperative.registration_code == registration_code.strip())
    )
    if cooperative is None:
        raise Invalid(N_("Unknown registration code '%(code)s'."), code=registration_code.strip())
    if session.get(UserCooperative, (user.id, cooperative.id)) is None:
        session.add(UserCooperative(user_id=user.id, cooperative_id=cooperative.id))
        session.flush()
    return LinkedCooperative(cooperative.id, cooperative.registration_code, cooperative.name)


def unlink_cooperative(session: Session, *, user: User, cooperative_id: int) -> None:
    """Detach a manager from a cooperative."""
    session.execute(
        delete(UserCooperative).where(
            UserCooperative.user_id == user.id, UserCooperative.cooperative_id == cooperative_id
        )
    )


def link_area(session: Session, *, user: User, area_id: int) -> LinkedArea:
    """Limit an advisor to one more area."""
    if user.role != Role.ADVISOR:
        raise Invalid(N_("Only an advisor's account is limited to areas."))
    area = session.get(Area, area_id)
    if area is None:
        raise Invalid(N_("Unknown area."))
    if session.get(UserArea, (user.id, area.id)) is None:
        session.add(UserArea(user_id=user.id, area_id=area.id))
        session.flush()
    return LinkedArea(area.id, area.code, area.name)


def set_whole_province(session: Session, *, user: User, granted: bool) -> bool:
    """Grant or withdraw an advisor's view of the whole province; whether anything changed."""
    if user.role != Role.ADVISOR:
        raise Invalid(N_("Only an advisor's account is given the whole province."))
    if user.whole_province == granted:
        return False
    user.whole_province = granted
    session.flush()
    return True


def unlink_area(session: Session, *, user: User, area_id: int) -> None:
    """Remove an area from an advisor's areas (none left, and no grant: nothing to see)."""
    session.execute(
        delete(UserArea).where(UserArea.user_id == user.id, UserArea.area_id == area_id)
    )


def reset_code(session: Session, *, user: User, created_by: User) -> Slip:
    """A new one-time code for an account (a password reset); older codes stop working."""
    if not user.is_active:
        raise Conflict(N_("The account is disabled; enable it before issuing a code."))
    account = get_account(session, user_id=user.id)
    return _slip(account, onboarding.issue_code(session, user=user, created_by=created_by))


# Onboarding the registry's managers --------------------------------------------------------


@dataclass(frozen=True)
class OnboardingPlan:
    """What onboarding would do: accounts to create, codes to issue, codes already out."""

    without_manager: int
    without_password: int
    with_live_code: int


def _cooperatives_without_manager(session: Session, area_ids: set[int] | None) -> list[int]:
    managed = (
        select(UserCooperative.cooperative_id)
        .join(User, User.id == UserCooperative.user_id)
        .where(User.role == Role.MANAGER)
    )
    query = select(Cooperative.id).where(
        Cooperative.status == CooperativeStatus.ACTIVE, Cooperative.id.not_in(managed)
    )
    if area_ids is not None:
        query = query.where(in_areas(area_ids))
    return list(session.scalars(query.order_by(Cooperative.registration_code)))


def _managers_without_password(session: Session, area_ids: set[int] | None) -> list[User]:
    # Only managers with a cooperative: a code nobody can be told about is no use.
    linked = select(UserCooperative.user_id).join(
        Cooperative, Cooperative.id == UserCooperative.cooperative_id
    )
    if area_ids is not None:
        linked = linked.where(in_areas(area_ids))
    query = select(User).where(
        User.role == Role.MANAGER,
        User.is_active.is_(True),
        User.password_hash.is_(None),
        User.id.in_(linked),
    )
    return list(session.scalars(query.order_by(User.username)))


def plan_onboarding(session: Session, *, area_ids: set[int] | None = None) -> OnboardingPlan:
    """Counts for the onboarding page, before anything is done."""
    waiting = _managers_without_password(session, area_ids)
    live = onboarding.pending_codes(session, user_ids=[u.id for u in waiting])
    return OnboardingPlan(
        without_manager=len(_cooperatives_without_manager(session, area_ids)),
        without_password=len(waiting) - len(live),
        with_live_code=len(live),
    )


def manager_username(registration_code: str, taken: set[str]) -> str:
    """`htx` and the registration code, e.g. htx4900000001; a suffix if that is taken."""
    base = "htx" + re.sub(r"[^a-z0-9]", "", registration_code.lower())[:90]
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    return name


def onboard_managers(
    session: Session,
    *,
    created_by: User,
    area_ids: set[int] | None = None,
    replace_live_codes: bool = False,
) -> list[Slip]:
    """Give every active cooperative a manager account and every manager without a password a
    code; returns one slip per cooperative and manager, by area and cooperative name.

    A manager whose earlier code is still valid keeps it unless `replace_live_codes`: running
    onboarding twice must not silently cancel the codes already handed out.
    """
    new_ids = _cooperatives_without_manager(session, area_ids)
    taken = set(session.scalars(select(User.username)))
    created: list[User] = []
    cooperatives: dict[int, Cooperative] = {}
    for start in range(0, len(new_ids), CHUNK):
        batch = new_ids[start : start + CHUNK]
        cooperatives.update(
            (c.id, c) for c in session.scalars(select(Cooperative).where(Cooperative.id.in_(batch)))
        )
    for cid in new_ids:
        cooperative = cooperatives[cid]
        username = manager_username(cooperative.registration_code, taken)
        taken.add(username)
        full_name = (cooperative.contact_name or f"Giám đốc {cooperative.name}")[:200]
        created.append(User(username=username, full_name=full_name, role=Role.MANAGER))
    session.add_all(created)
    session.flush()
    session.add_all(
        UserCooperative(user_id=user.id, cooperative_id=cid)
        for user, cid in zip(created, new_ids, strict=True)
    )
    session.flush()
    waiting = _managers_without_password(session, area_ids)
    live = (
        {}
        if replace_live_codes
        else onboarding.pending_codes(session, user_ids=[u.id for u in waiting])
    )
    issued = onboarding.issue_codes(
        session, users=[u for u in waiting if u.id not in live], created_by=created_by
    )
    return _slips(session, issued)


def _slips(session: Session, issued: dict[int, onboarding.IssuedCode]) -> list[Slip]:
    ids = list(issued)
    rows: list[tuple[User, Cooperative, Area, str | None]] = []
    district = aliased(Area)
    for start in range(0, len(ids), CHUNK):
        rows += session.execute(
            select(User, Cooperative, Area, district.name)
            .join(UserCooperative, UserCooperative.user_id == User.id)
            .join(Cooperative, Cooperative.id == UserCooperative.cooperative_id)
            .join(Area, Area.id == Cooperative.area_id)
            .outerjoin(district, district.id == Cooperative.former_district_id)
            .where(User.id.in_(ids[start : start + CHUNK]))
        ).all()
    rows.sort(key=lambda r: (r[2].code, r[3] or "", r[1].name, r[0].username))
    return [
        Slip(
            full_name=user.full_name,
            username=user.username,
            code=issued[user.id].code,
            expires_at=issued[user.id].expires_at,
            cooperative_name=cooperative.name,
            registration_code=cooperative.registration_code,
            # The commune when known; until then the former district says more than the province.
            area_name=(
                area.name if area.level == AreaLevel.COMMUNE else (district_name or area.name)
            ),
        )
        for user, cooperative, area, district_name in rows
    ]
