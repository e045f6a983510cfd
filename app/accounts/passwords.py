"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

import secrets
import unicodedata
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from app.messages import N_, Message

# argon2-cffi's RFC 9106 low-memory profile: argon2id, 64 MiB, 3 iterations, above OWASP's
# minimum of 19 MiB and 2 iterations.
_hasher = PasswordHasher()
MIN_LENGTH = 10
MAX_LENGTH = 256


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


# Words a Vietnamese user reaches for, which zxcvbn's English frequency lists do not know:
# fed to it as if they were the user's own, so a password built on them scores low.
VIETNAMESE_WORDS = (
    "matkhau",
    "mat khau",
    "123456a@",
    "123456a",
    "a123456",
    "abc123",
    "anhyeuem",
    "emyeuanh",
    "yeuem",
    "iloveyou",
    "hoptacxa",
    "hop tac xa",
    "htx",
    "htxso",
    "langson",
    "lang son",
    "vietnam",
    "viet nam",
    "hanoi",
    "saigon",
    "quantri",
    "canbo",
    "giamdoc",
    "lienminh",
    "nongnghiep",
    "chuyendoiso",
    "ocop",
    "xinchao",
    "bimat",
    "dangnhap",
)
# zxcvbn's feedback, each line a message id: the advice shown, translated, when it refuses.
_ADVICE = frozenset(
    (
        N_("Use a few words, avoid common phrases."),
        N_("No need for symbols, digits, or uppercase letters."),
        N_("Add another word or two. Uncommon words are better."),
        N_("Straight rows of keys are easy to guess."),
        N_("Short keyboard patterns are easy to guess."),
        N_("Use a longer keyboard pattern with more turns."),
        N_('Repeats like "aaa" are easy to guess.'),
        N_('Repeats like "abcabcabc" are only slightly harder to guess than "abc".'),
        N_("Avoid repeated words and characters."),
        N_('Sequences like "abc" or "6543" are easy to guess.'),
        N_("Avoid sequences."),
        N_("Recent years are easy to guess."),
        N_("Avoid recent years."),
        N_("Avoid years that are associated with you."),
        N_("Dates are often easy to guess."),
        N_("Avoid dates and years that are associated with you."),
        N_("This is a top-10 common password."),
        N_("This is a top-100 common password."),
        N_("This is a very common password."),
        N_("This is similar to a commonly used password."),
        N_("A word by itself is easy to guess."),
        N_("Names and surnames by themselves are easy to guess."),
        N_("Common names and surnames are easy to guess."),
        N_("Capitalization doesn't help very much."),
        N_("All-uppercase is almost as easy to guess as all-lowercase."),
        N_("Reversed words aren't much harder to guess."),
        N_("Predictable substitutions like '@' instead of 'a' don't help very much."),
    )
)
# zxcvbn's scale: 3 is "safely unguessable" (about 10^10 guesses), enough for an online attack
# that the sign-in throttle slows; ASVS V6.2 asks for a check against breached and common
# passwords and context words rather than composition rules.
MIN_SCORE = 3
# zxcvbn's time grows with the length; past this the estimate is long settled.
_JUDGED_LENGTH = 100


def password_problem(
    password: str, *, username: str = "", names: tuple[str, ...] = ()
) -> Message | None:
    """Why a new password is refused, or None when it is fine.

    Judged by zxcvbn against leaked-password frequency lists, fed the user's own username and
    names and the Vietnamese words above, so that `matkhau@123` or a password made of the
    user's own name is refused, with the estimator's advice.
    """
    if len(password) < MIN_LENGTH:
        return Message(N_("A password has at least %(min)s characters."), min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return Message(N_("A password has at most %(max)s characters."), max=MAX_LENGTH)
    if len(username) >= 3 and username.lower() in password.lower():
        return Message(N_("A password must not contain the username."))
    context = [username, *VIETNAMESE_WORDS]
    for name in names:
        # "Nguyễn Thị Hoa" is typed as nguyenthihoa, nguyen, hoa…: all of them count.
        plain = _without_marks(name).lower()
        context += [name, plain, plain.replace(" ", ""), *plain.split()]
    result = zxcvbn(password[:_JUDGED_LENGTH], user_inputs=[w for w in context if w])
    if result["score"] >= MIN_SCORE:
        return None
    feedback = result["feedback"]
    advice = [
        Message(line) for line in (feedback["warning"], *feedback["suggestions"]) if line in _ADVICE
    ]
    return Message(
        N_(
            "This password is too easy to guess; please choose another.\n%(advice)s\n"
            "Tip: join three or four uncommon words, such as “trâu vàng gặm cỏ non”."
        ),
        advice=advice,
    )


def _without_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def generate_password() -> str:
    """A random password that passes the policy, easy to read aloud (no look-alike letters)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    groups = ["".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4)]
    return "-".join(groups)
