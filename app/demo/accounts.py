"""One demo account per role, renewed with fresh passwords on every run."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.models import Role
from app.accounts.passwords import generate_password, hash_password
from app.cooperatives.models import Cooperative

DEMO_USERS = {
    "admin": (Role.ADMIN, "Quản trị viên (demo)"),
    "canbo": (Role.ADVISOR, "Cán bộ Liên minh HTX (demo)"),
    "bancd": (Role.STEERING, "Ban Chỉ đạo tỉnh (demo)"),
    "giamdoc": (Role.MANAGER, "Giám đốc HTX (demo)"),
}
ADVISOR, MANAGER = "canbo", "giamdoc"


def renew_accounts(session: Session) -> dict[str, str]:
    """Create the four demo accounts, or give them new passwords; returns the passwords."""
    passwords: dict[str, str] = {}
    first_coops = list(
        session.scalars(
            select(Cooperative.id)
            .where(Cooperative.status == "active", Cooperative.sector == "agriculture")
            .order_by(Cooperative.id)
            .limit(2)
        )
    )
    for username, (role, full_name) in DEMO_USERS.items():
        password = generate_password()
        passwords[username] = password
        user = accounts.get_user(session, username=username)
        if user is None:
            accounts.create_user(
                session,
                username=username,
                full_name=full_name,
                role=role,
                password=password,
                cooperative_ids=tuple(first_coops) if role == Role.MANAGER else (),
                whole_province=role == Role.ADVISOR,
            )
        else:
            user.password_hash = hash_password(password)
            user.is_active = True
            accounts.end_user_sessions(session, user_id=user.id)
    session.flush()
    return passwords
