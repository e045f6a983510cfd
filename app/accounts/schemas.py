"""What an administrator types to create an account.

Given a `session` in the context, the checks against stored data run with the others, so every
problem shows at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import BaseModel, ValidationInfo, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.accounts.service import USERNAME, normalise_username
from app.areas.models import Area
from app.cooperatives.models import Cooperative
from app.messages import N_
from app.validation import problem, session_of


class NewAccountForm(BaseModel):
    """A new account: a manager is linked to cooperatives, an advisor may be limited to areas."""

    role: Role
    full_name: str
    username: str
    cooperatives: tuple[str, ...] = ()  # registration codes
    areas: tuple[int, ...] = ()  # area ids

    @field_validator("role", mode="before")
    @classmethod
    def _role(cls, value: object) -> object:
        if value not in set(Role):
            raise problem(N_("Unknown role."))
        return value

    @field_validator("full_name")
    @classmethod
    def _full_name(cls, value: str) -> str:
        if not value.strip():
            raise problem(N_("Please enter the name."))
        return value.strip()

    @field_validator("username")
    @classmethod
    def _username(cls, value: str, info: ValidationInfo) -> str:
        name = normalise_username(value)
        if not USERNAME.match(name):
            raise problem(N_("A username is 3–100 lower-case letters, digits, '.', '_' or '-'."))
        session = session_of(info)
        if session and session.scalar(select(User.id).where(User.username == name)) is not None:
            raise problem(N_("'%(username)s' is taken."), username=name)
        return name

    @field_validator("cooperatives", mode="before")
    @classmethod
    def _codes(cls, value: object) -> object:
        # Typed in one field, separated by spaces, commas or semicolons; each once.
        if isinstance(value, str):
            return tuple(dict.fromkeys(c for c in re.split(r"[\s,;]+", value) if c))
        return value

    @field_validator("cooperatives")
    @classmethod
    def _for_managers(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        session = session_of(info)
        missing = [c for c in value if c not in registered(session, value)] if session else []
        if missing:
            raise problem(N_("Unknown registration codes: %(codes)s"), codes=", ".join(missing))
        if value and info.data.get("role") not in (None, Role.MANAGER):
            raise problem(N_("Only a manager's account is linked to cooperatives."))
        return value

    @field_validator("areas")
    @classmethod
    def _for_advisors(cls, value: tuple[int, ...], info: ValidationInfo) -> tuple[int, ...]:
        if value and info.data.get("role") not in (None, Role.ADVISOR):
            raise problem(N_("Only an advisor's account is limited to areas."))
        wanted = tuple(dict.fromkeys(value))
        session = session_of(info)
        known = session.scalars(select(Area.id).where(Area.id.in_(wanted))) if session else wanted
        if len(set(known)) != len(wanted):
            raise problem(N_("Unknown area."))
        return wanted


def registered(session: Session, codes: Iterable[str]) -> dict[str, int]:
    """Cooperative ids by registration code (unknown codes left out)."""
    return dict(
        session.execute(
            select(Cooperative.registration_code, Cooperative.id).where(
                Cooperative.registration_code.in_(list(codes))
            )
        ).all()
    )
