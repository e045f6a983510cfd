"""Who may do what: the grants every route, template and API answer rests on."""

from __future__ import annotations

import pytest

from app.accounts.models import Role, User
from app.accounts.permissions import Capability, can

# role → the capabilities it has; everything else is refused.
EXPECTED = {
    Role.ADMIN: {"read_reports", "advise", "respond", "administer"},
    Role.ADVISOR: {"read_reports", "advise", "respond"},
    Role.STEERING: {"read_reports"},
    Role.MANAGER: {"respond"},
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("capability", list(Capability))
def test_each_role__has_exactly_its_capabilities(role: Role, capability: Capability) -> None:
    user = User(username="x", full_name="X", role=role)
    assert can(user, capability) is (capability.value in EXPECTED[role])


def test_nobody_signed_in__can_do_nothing() -> None:
    assert not any(can(None, capability) for capability in Capability)


def test_an_unknown_capability_name__is_an_error_not_a_refusal() -> None:
    # A typo in a template must fail loudly rather than hide a menu from everyone.
    with pytest.raises(ValueError, match="not a valid Capability"):
        can(User(username="x", full_name="X", role=Role.ADMIN), "adminster")
