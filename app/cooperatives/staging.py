"""A registry file between its dry run and the administrator's confirmation, and the column
mappings remembered from one file to the next with the same headers.

The checked bytes wait in the database under a random token (only its hash is stored), with
their SHA-256 and an expiry: whichever server answers the confirmation imports exactly the file
that was checked, and an expired or foreign token finds nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from app.cooperatives.models import RegistryMapping, RegistryUpload
from app.db import upsert, utcnow
from app.errors import NotFound
from app.messages import N_

MAX_BYTES = 10 * 1024 * 1024
KEEP = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Staged:
    token: str
    sha256: str
    filename: str
    mapping: list[str] | None
    clear_blanks: bool


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def stage(
    session: Session,
    *,
    data: bytes,
    filename: str,
    user_id: int,
    mapping: list[str] | None = None,
    clear_blanks: bool = False,
) -> Staged:
    """Keep a file until it is confirmed; returns the token that names it."""
    now = utcnow()
    session.execute(delete(RegistryUpload).where(RegistryUpload.expires_at < now))
    token = secrets.token_urlsafe(32)
    digest = hashlib.sha256(data).hexdigest()
    session.add(
        RegistryUpload(
            token_hash=_hash(token),
            user_id=user_id,
            filename=filename[:255],
            sha256=digest,
            data=data,
            mapping=mapping,
            clear_blanks=clear_blanks,
            created_at=now,
            expires_at=now + KEEP,
        )
    )
    session.flush()
    return Staged(token, digest, filename[:255], mapping, clear_blanks)


def _find(session: Session, token: str, user_id: int) -> RegistryUpload:
    upload = session.scalar(
        select(RegistryUpload).where(
            RegistryUpload.token_hash == _hash(token),
            RegistryUpload.user_id == user_id,
            RegistryUpload.expires_at >= utcnow(),
        )
    )
    if upload is None or hashlib.sha256(upload.data).hexdigest() != upload.sha256:
        raise _gone()
    return upload


def _gone() -> NotFound:
    return NotFound(
        N_(
            "The checked file is no longer here (expired or already imported). "
            "Please upload it again."
        )
    )


def load(session: Session, *, token: str, user_id: int) -> tuple[bytes, Staged]:
    """The bytes of a staged file and how to read them, only for the administrator who sent it."""
    upload = _find(session, token, user_id)
    staged = Staged(token, upload.sha256, upload.filename, upload.mapping, upload.clear_blanks)
    return upload.data, staged


def choose(
    session: Session, *, token: str, user_id: int, mapping: list[str], clear_blanks: bool
) -> None:
    """Record how the administrator maps a staged file's columns."""
    upload = _find(session, token, user_id)
    upload.mapping = mapping
    upload.clear_blanks = clear_blanks
    session.flush()


def take(session: Session, *, token: str, user_id: int) -> None:
    """Forget a staged file as it is imported; only one confirmation of it can succeed."""
    taken = session.execute(
        delete(RegistryUpload).where(
            RegistryUpload.token_hash == _hash(token), RegistryUpload.user_id == user_id
        )
    )
    if not getattr(taken, "rowcount", 0):
        raise _gone()


def remembered(session: Session, *, signature: str) -> list[str] | None:
    """The mapping chosen last time for files with these headers, if any."""
    found = session.get(RegistryMapping, signature)
    return list(found.mapping) if found is not None else None


def remember(session: Session, *, signature: str, mapping: list[str]) -> None:
    """Keep a mapping for the next file with the same headers."""
    upsert(
        session,
        cast(Table, RegistryMapping.__table__),
        values={"signature": signature, "mapping": mapping, "updated_at": utcnow()},
        keys=("signature",),
        update=("mapping", "updated_at"),
    )
