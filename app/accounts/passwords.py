"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

import secrets
import unicodedata
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

# argon2-cffi's RFC 9106 low-memory profile: argon2id, 64 MiB, 3 iterations, above OWASP's
# minimum of 19 MiB and 2 iterations.
_hasher = PasswordHasher()
MIN_LENGTH = 10


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
# zxcvbn's feedback, in Vietnamese: the advice shown when a password is refused.
_ADVICE_VI = {
    "Use a few words, avoid common phrases.": "Hãy dùng vài từ, tránh các cụm từ quen thuộc.",
    "No need for symbols, digits, or uppercase letters.": (
        "Không cần ký hiệu, chữ số hay chữ hoa."
    ),
    "Add another word or two. Uncommon words are better.": (
        "Thêm một hai từ nữa, càng ít gặp càng tốt."
    ),
    "Straight rows of keys are easy to guess.": "Các phím liền hàng trên bàn phím rất dễ đoán.",
    "Short keyboard patterns are easy to guess.": "Các mẫu phím ngắn rất dễ đoán.",
    "Use a longer keyboard pattern with more turns.": "Dùng mẫu phím dài hơn, đổi hướng nhiều hơn.",
    'Repeats like "aaa" are easy to guess.': 'Lặp lại như "aaa" rất dễ đoán.',
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': (
        'Lặp lại như "abcabcabc" chỉ khó đoán hơn "abc" một chút.'
    ),
    "Avoid repeated words and characters.": "Tránh lặp lại từ và ký tự.",
    'Sequences like "abc" or "6543" are easy to guess.': (
        'Dãy liên tiếp như "abc" hay "6543" rất dễ đoán.'
    ),
    "Avoid sequences.": "Tránh các dãy liên tiếp.",
    "Recent years are easy to guess.": "Các năm gần đây rất dễ đoán.",
    "Avoid recent years.": "Tránh các năm gần đây.",
    "Avoid years that are associated with you.": "Tránh các năm gắn với bạn.",
    "Dates are often easy to guess.": "Ngày tháng thường rất dễ đoán.",
    "Avoid dates and years that are associated with you.": ("Tránh ngày tháng và năm gắn với bạn."),
    "This is a top-10 common password.": "Đây là một trong 10 mật khẩu phổ biến nhất.",
    "This is a top-100 common password.": "Đây là một trong 100 mật khẩu phổ biến nhất.",
    "This is a very common password.": "Đây là mật khẩu rất phổ biến.",
    "This is similar to a commonly used password.": "Mật khẩu này giống một mật khẩu phổ biến.",
    "A word by itself is easy to guess.": "Một từ đứng riêng rất dễ đoán.",
    "Names and surnames by themselves are easy to guess.": "Họ tên đứng riêng rất dễ đoán.",
    "Common names and surnames are easy to guess.": "Họ tên phổ biến rất dễ đoán.",
    "Capitalization doesn't help very much.": "Viết hoa không giúp được nhiều.",
    "All-uppercase is almost as easy to guess as all-lowercase.": (
        "Viết hoa toàn bộ cũng dễ đoán gần như viết thường."
    ),
    "Reversed words aren't much harder to guess.": (
        "Viết ngược một từ không khó đoán hơn bao nhiêu."
    ),
    "Predictable substitutions like '@' instead of 'a' don't help very much.": (
        "Thay chữ dễ đoán như '@' thay cho 'a' không giúp được nhiều."
    ),
}
# zxcvbn's scale: 3 is "safely unguessable" (about 10^10 guesses), enough for an online attack
# that the sign-in throttle slows; ASVS V6.2 asks for a check against breached and common
# passwords and context words rather than composition rules.
MIN_SCORE = 3
# zxcvbn's time grows with the length; past this the estimate is long settled.
_JUDGED_LENGTH = 100


def password_problem(
    password: str, *, username: str = "", names: tuple[str, ...] = ()
) -> str | None:
    """Why a new password is refused, in Vietnamese with English, or None when it is fine.

    Judged by zxcvbn against leaked-password frequency lists, fed the user's own username and
    names and the Vietnamese words above, so that `matkhau@123` or a password made of the
    user's own name is refused with the estimator's advice.
    """
    if len(password) < MIN_LENGTH:
        return f"Mật khẩu cần ít nhất {MIN_LENGTH} ký tự (at least {MIN_LENGTH} characters)."
    if len(password) > 256:
        return "Mật khẩu dài quá 256 ký tự (at most 256 characters)."
    if len(username) >= 3 and username.lower() in password.lower():
        return "Mật khẩu không được chứa tên đăng nhập (a password must not contain the username)."
    context = [username, *VIETNAMESE_WORDS]
    for name in names:
        # "Nguyễn Thị Hoa" is typed as nguyenthihoa, nguyen, hoa…: all of them count.
        plain = _without_marks(name).lower()
        context += [name, plain, plain.replace(" ", ""), *plain.split()]
    result = zxcvbn(password[:_JUDGED_LENGTH], user_inputs=[w for w in context if w])
    if result["score"] >= MIN_SCORE:
        return None
    feedback = result["feedback"]
    advice = [feedback["warning"], *feedback["suggestions"]]
    advice_vi = " ".join(_ADVICE_VI.get(line, "") for line in advice if line).strip()
    return (
        "Mật khẩu này quá dễ đoán, hãy chọn mật khẩu khác. "
        + (advice_vi + " " if advice_vi else "")
        + "Gợi ý: ghép ba bốn từ ít gặp, ví dụ “trâu vàng gặm cỏ non”. "
        "(This password is too easy to guess.)"
    )


def _without_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def generate_password() -> str:
    """A random password that passes the policy, easy to read aloud (no look-alike letters)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    groups = ["".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4)]
    return "-".join(groups)
