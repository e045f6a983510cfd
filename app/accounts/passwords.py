"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.messages import N_, Message

# argon2-cffi's RFC 9106 low-memory profile: argon2id, 64 MiB, 3 iterations, above OWASP's
# minimum of 19 MiB and 2 iterations.
_hasher = PasswordHasher()
MIN_LENGTH = 10
MAX_LENGTH = 256
COMMON = Path(__file__).parent / "common_passwords.txt"


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches; a missing hash still costs one verification."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Verifying against a real hash keeps an unknown user as slow as a wrong password.
    return _hasher.hash(secrets.token_urlsafe(16))


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    lines = COMMON.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip())


def password_problem(password: str, *, username: str = "") -> Message | None:
    """Why a new password is refused, or None when it is fine."""
    if len(password) < MIN_LENGTH:
        return Message(N_("A password has at least %(min)s characters."), min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return Message(N_("A password has at most %(max)s characters."), max=MAX_LENGTH)
    lowered = password.lower()
    if lowered in _common_passwords() or (username and username.lower() in lowered):
        return Message(N_("This password is too easy to guess; please choose another."))
    return None


def generate_password() -> str:
    """A random password that passes the policy, easy to read aloud (no look-alike letters)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    groups = ["".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4)]
    return "-".join(groups)
