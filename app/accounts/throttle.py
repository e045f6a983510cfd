"""Sign-in throttling per account and per address, kept in the database so it holds across workers.

No hard lockout: after a few free failures each further attempt must wait a delay that doubles
with every failure (15 s, 30 s, 1 min, … up to 15 min), counted over the last hour. The delays
apply to any username typed, known or not, so a refusal says nothing about whether an account
exists.

Someone who knows a username could otherwise keep its owner out by failing now and then. So
attempts from a device where the account signed in before (a signed device cookie, see
`device_token`) are counted apart: strangers' failures never delay the owner's own browser,
and that browser has its own, equally growing, delays should its cookie be stolen.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.accounts.models import SignInAttempt
from app.db import utcnow

WINDOW = dt.timedelta(hours=1)
KEEP = dt.timedelta(days=30)
LONGEST_WAIT = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Limit:
    """Failures allowed without delay, then the first delay, doubling with each failure."""

    free: int
    first_delay: dt.timedelta

    def wait(self, failures: int, last: dt.datetime | None, now: dt.datetime) -> dt.timedelta:
        if failures < self.free or last is None:
            return dt.timedelta(0)
        delay: dt.timedelta = min(
            self.first_delay * 2 ** min(failures - self.free, 16), LONGEST_WAIT
        )
        left: dt.timedelta = last + delay - now
        return max(left, dt.timedelta(0))


# A person mistyping gets three tries at once; a guesser gets about 10 tries an hour after.
PER_ACCOUNT = Limit(free=3, first_delay=dt.timedelta(seconds=15))
# One address tries many accounts (an office behind one NAT too): more free, shorter delays.
PER_ADDRESS = Limit(free=10, first_delay=dt.timedelta(seconds=5))


def _failures(
    session: Session, *, since: dt.datetime, **match: str | bool
) -> tuple[int, dt.datetime | None]:
    query = select(func.count(), func.max(SignInAttempt.at)).where(
        SignInAttempt.at >= since, SignInAttempt.succeeded.is_(False)
    )
    for column, value in match.items():
        query = query.where(getattr(SignInAttempt, column) == value)
    count, last = session.execute(query).one()
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=dt.UTC)
    return count or 0, last


def wait(
    session: Session, *, username: str, ip_address: str | None, known_device: bool = False
) -> dt.timedelta:
    """How long sign-in for this username, from this address and device, must still wait."""
    now = utcnow()
    since = now - WINDOW
    waits = [
        PER_ACCOUNT.wait(
            *_failures(session, since=since, username=username, known_device=known_device), now
        )
    ]
    if ip_address and not known_device:
        waits.append(PER_ADDRESS.wait(*_failures(session, since=since, ip_address=ip_address), now))
    return max(waits)


def record_attempt(
    session: Session,
    *,
    username: str,
    ip_address: str | None,
    succeeded: bool,
    known_device: bool = False,
) -> None:
    """Remember an attempt; a success clears the account's earlier failures."""
    now = utcnow()
    if succeeded:
        session.execute(
            delete(SignInAttempt).where(
                SignInAttempt.username == username, SignInAttempt.succeeded.is_(False)
            )
        )
    session.add(
        SignInAttempt(
            username=username[:200],
            ip_address=(ip_address or "")[:64] or None,
            at=now,
            succeeded=succeeded,
            known_device=known_device,
        )
    )
    # Old rows only cost space; drop them as we go rather than with a scheduled job.
    session.execute(delete(SignInAttempt).where(SignInAttempt.at < now - KEEP))
    session.flush()


def device_token(secret: str, *, username: str) -> str:
    """A device cookie's value for a browser where this account has just signed in."""
    nonce = secrets.token_urlsafe(12)
    return f"{nonce}.{_device_signature(secret, username, nonce)}"


def is_known_device(secret: str, *, username: str, token: str | None) -> bool:
    """Whether the device cookie was given to this account's sign-in on this browser."""
    nonce, _, signature = (token or "").partition(".")
    return bool(nonce and signature) and hmac.compare_digest(
        signature, _device_signature(secret, username, nonce)
    )


def _device_signature(secret: str, username: str, nonce: str) -> str:
    message = f"device:{username}:{nonce}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
