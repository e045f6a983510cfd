"""Password storage and policy."""

from __future__ import annotations

import time

import pytest
from argon2 import extract_parameters

from app.accounts.passwords import (
    generate_password,
    hash_password,
    password_problem,
    verify_password,
)
from app.web.i18n import translate

# These tests are about hashing itself: they use the production argon2 cost.
real_hashing = pytest.mark.real_password_hashing


@real_hashing
def test_hashes__are_argon2id_at_or_above_owasp_minimum() -> None:
    parameters = extract_parameters(hash_password("a long enough passphrase"))
    assert parameters.type.name == "ID"
    assert parameters.memory_cost >= 19 * 1024
    assert parameters.time_cost >= 2


def test_short_and_common_passwords__are_refused_in_vietnamese() -> None:
    assert "ít nhất" in translate(password_problem("ngan") or "", "vi")
    assert "dễ đoán" in translate(password_problem("password123") or "", "vi")
    assert password_problem("x" * 300) is not None
    assert password_problem("anhyeuem123") is not None
    assert password_problem("hoptacxa-na-chi-lang-2026") is None


@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaaaa",
        " " * 10,
        "password12",
        "admin12345",
        "matkhau@123",
        "123456a@12",
        "Matkhau2026",
        "anhyeuem123",
        "hoptacxa123",
        "1234567890",
        "qwertyuiop",
    ],
)
def test_guessable_passwords__are_refused_with_advice_in_vietnamese(password: str) -> None:
    problem = translate(password_problem(password) or "", "vi")
    assert "quá dễ đoán" in problem
    assert "Gợi ý" in problem


def test_the_estimators_warning__is_given_in_vietnamese() -> None:
    assert "Lặp lại như" in translate(password_problem("aaaaaaaaaa") or "", "vi")
    assert "rất phổ biến" in translate(password_problem("password12") or "", "vi")


def test_a_password_made_of_the_users_own_name__is_refused() -> None:
    assert password_problem("NguyenThiHoa", names=("Nguyễn Thị Hoa",)) is not None


def test_a_long_passphrase__is_accepted_without_composition_rules() -> None:
    assert password_problem("trâu vàng gặm cỏ non") is None
    assert password_problem("x" * 64 + "y") is not None  # still judged, not just long


def test_a_password_containing_the_username__is_refused() -> None:
    assert password_problem("canbo-langson-2026", username="canbo") is not None


def test_generated_passwords__pass_the_policy() -> None:
    assert all(password_problem(generate_password()) is None for _ in range(20))


@real_hashing
def test_unknown_user_and_wrong_password__take_similar_time() -> None:
    stored = hash_password("the right passphrase")

    def timed(password_hash: str | None) -> float:
        started = time.perf_counter()
        assert not verify_password(password_hash, "a wrong passphrase")
        return time.perf_counter() - started

    timed(None)  # warm the dummy hash
    unknown = min(timed(None) for _ in range(3))
    wrong = min(timed(stored) for _ in range(3))
    assert 0.5 < unknown / wrong < 2.0
