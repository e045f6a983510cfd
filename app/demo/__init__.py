"""A deterministic synthetic province: registry, one account per role, two waves of answers.

The same seed always gives the same registry and the same scores, so pages, screenshots and
benchmarks compare. `generate` is the entry point; the modules beside it own the registry,
the demo accounts, the waves, the answer model and the responses drawn from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cooperatives.models import Cooperative
from app.demo.accounts import renew_accounts
from app.demo.registry import generate_registry
from app.demo.responses import generate_responses


@dataclass(frozen=True)
class DemoResult:
    cooperatives: int
    products: int
    passwords: dict[str, str]
    waves: tuple[str, ...] = ()
    submitted: int = 0
    drafts: int = 0
    answers: int = 0


def progress_total(cooperatives: int) -> int:
    """The units `generate` reports for a registry of this size: the registry, then answers."""
    return 2 * cooperatives


def generate(
    session: Session,
    *,
    cooperatives: int = 540,
    seed: int = 20,
    progress: Callable[[int], None] | None = None,
) -> DemoResult:
    """Fill an empty registry with a province and two waves of answers; renew the demo sign-ins."""
    if session.scalar(select(Cooperative.id).limit(1)) is not None:
        # Answers are only made with the registry they belong to: running again stays harmless.
        return DemoResult(0, 0, renew_accounts(session))
    made_coops, made_products = generate_registry(
        session, count=cooperatives, seed=seed, progress=progress
    )
    # The answers need the advisor and the manager's cooperatives, so the accounts come first.
    passwords = renew_accounts(session)
    counts = generate_responses(session, seed=seed, progress=progress)
    if progress:
        progress(made_coops - counts.reported)
    return DemoResult(
        made_coops,
        made_products,
        passwords,
        waves=tuple(counts.waves),
        submitted=counts.submitted,
        drafts=counts.drafts,
        answers=counts.answers,
    )
