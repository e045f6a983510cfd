"""One-time sign-in codes: issued by an administrator, read aloud or sent by Zalo or SMS.

A code is random, single use and expiring; only its hash is stored, so the list an
administrator prints is the only place the code ever exists in clear. Issuing a new code for
an account withdraws its older unused ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts.models import SignInCode, User
from app.accounts.service import normalise_username
from app.db import utcnow

# No 0/O, 1/I/L, 5/S or 2/Z: a code read aloud over the phone or copied from a screen
# photo should not hinge on a look-alike.
ALPHABET = "ABCDEFGHJKMNPQRTUVWXY346789"
LENGTH = 10  # 27^10 ≈ 2^47; attempts are throttled and a code lives two weeks at most
GROUP = 5
LIFETIME = dt.timedelta(days=14)
CHUNK = 5000  # ids per IN (...): well under SQLite's and PostgreSQL's parameter limits


class CodeCheck(StrEnum):
    OK = "ok"
    WRONG = "wrong"  # no such code for this user (or no such user)
    USED = "used"
    EXPIRED = "expired"  # out of date, or replaced by a newer code


@dataclass(frozen=True)
class IssuedCode:
    """A code as handed out: the only time it is seen in clear."""

    user_id: int
    username: str
    code: str
    expires_at: dt.datetime


def new_code() -> str:
    """A random code in groups for reading aloud, e.g. ``KM4QX-7TRAH``."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + GROUP] for i in range(0, LENGTH, GROUP))


def normalise_code(code: str) -> str:
    """What was typed, without spaces or dashes, in capitals (people type codes every way)."""
    return "".join(c for c in code.upper() if c.isalnum())


def hash_code(*, user_id: int, code: str) -> str:
    """The stored form of a code; the user id salts it, so one guess tests one account."""
    return hashlib.sha256(f"{user_id}:{normalise_code(code)}".encode()).hexdigest()


def issue_code(session: Session, *, user: User, created_by: User | None = None) -> IssuedCode:
    """A fresh code for an account; the account's earlier unused codes stop working."""
    return issue_codes(session, users=[user], created_by=created_by)[user.id]


def issue_codes(
    session: Session,
    *,
    users: list[User],
    created_by: User | None = None,
    lifetime: dt.timedelta = LIFETIME,
) -> dict[int, IssuedCode]:
    """Fresh codes for many accounts at once, by user id; their older unused codes stop working."""
    now = utcnow()
    expires_at = now + lifetime
    issued: dict[int, IssuedCode] = {}
    for start in range(0, len(users), CHUNK):
        batch = users[start : start + CHUNK]
        session.execute(
            update(SignInCode)
            .where(
                SignInCode.user_id.in_([u.id for u in batch]),
                SignInCode.used_at.is_(None),
                SignInCode.expires_at > now,
            )
            .values(expires_at=now)
            .execution_options(synchronize_session=False)
        )
        for user in batch:
            issued[user.id] = IssuedCode(user.id, user.username, new_code(), expires_at)
        session.add_all(
            SignInCode(
                user_id=user.id,
                code_hash=hash_code(user_id=user.id, code=issued[user.id].code),
                created_at=now,
                expires_at=expires_at,
                created_by_id=created_by.id if created_by else None,
            )
            for user in batch
        )
        session.flush()
    return issued


def withdraw_codes(session: Session, *, user_id: int, now: dt.datetime | None = None) -> None:
    """Make every unused code of an account expire now."""
    now = now or utcnow()
    session.execute(
        update(SignInCode)
        .where(
            SignInCode.user_id == user_id,
            SignInCode.used_at.is_(None),
            SignInCode.expires_at > now,
        )
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )


def check_code(session: Session, *, username: str, code: str) -> tuple[CodeCheck, User | None]:
    """Whether a code opens this account now, without using it up."""
    user = session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None or not user.is_active or not normalise_code(code):
        return CodeCheck.WRONG, None
    found = session.scalar(
        select(SignInCode).where(
            SignInCode.code_hash == hash_code(user_id=user.id, code=code),
            SignInCode.user_id == user.id,
        )
    )
    if found is None:
        return CodeCheck.WRONG, None
    if found.used_at is not None:
        return CodeCheck.USED, user
    if found.expires_at <= utcnow():
        return CodeCheck.EXPIRED, user
    return CodeCheck.OK, user


def consume_code(session: Session, *, user: User, code: str) -> bool:
    """Use a code up; of two requests racing with the same code, exactly one gets True."""
    now = utcnow()
    used = session.execute(
        update(SignInCode)
        .where(
            SignInCode.user_id == user.id,
            SignInCode.code_hash == hash_code(user_id=user.id, code=code),
            SignInCode.used_at.is_(None),
            SignInCode.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(used.rowcount == 1)  # type: ignore[attr-defined]


def pending_codes(session: Session, *, user_ids: list[int]) -> dict[int, dt.datetime]:
    """When each account's live unused code expires (accounts without one are absent)."""
    now = utcnow()
    found: dict[int, dt.datetime] = {}
    for start in range(0, len(user_ids), CHUNK):
        found.update(
            session.execute(
                select(SignInCode.user_id, SignInCode.expires_at).where(
                    SignInCode.user_id.in_(user_ids[start : start + CHUNK]),
                    SignInCode.used_at.is_(None),
                    SignInCode.expires_at > now,
                )
            ).all()
        )
    return found
