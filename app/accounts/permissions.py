"""Who may do what: named capabilities, the one place that maps roles to them.

Routes ask for a capability (`app.web.deps.require`), templates call `can(user, "...")`, the API
uses the same dependencies, and domain code calls `can` where a rule depends on the reader.
*Which* cooperatives a user sees is a separate question, answered only by
`accounts.service.accessible_cooperative_ids`.
"""

from __future__ import annotations

from enum import StrEnum

from app.accounts.models import Role, User


class Capability(StrEnum):
    # Aggregates: coverage, rankings, district pages, their downloads, the API's figures.
    READ_REPORTS = "read_reports"
    # The Alliance's own work on cooperatives: the registry list, profiles with notes,
    # follow-ups and answers, targeting lists, shortlists, answer-level downloads, chase-up.
    ADVISE = "advise"
    # Filling a questionnaire: a manager for their cooperatives, an advisor or administrator
    # on a cooperative's behalf (a paper survey). The steering role reads aggregates only.
    RESPOND = "respond"
    # Waves, questionnaires, the registry import, accounts, the audit log.
    ADMINISTER = "administer"


GRANTS: dict[Capability, frozenset[Role]] = {
    Capability.READ_REPORTS: frozenset({Role.ADVISOR, Role.STEERING, Role.ADMIN}),
    Capability.ADVISE: frozenset({Role.ADVISOR, Role.ADMIN}),
    Capability.RESPOND: frozenset({Role.MANAGER, Role.ADVISOR, Role.ADMIN}),
    Capability.ADMINISTER: frozenset({Role.ADMIN}),
}


def can(user: User | None, capability: Capability | str) -> bool:
    """Whether the user (None: nobody signed in) has the capability."""
    return user is not None and user.role in GRANTS[Capability(capability)]
