"""Settings refuse what would be unsafe in production."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.config import DEV_SECRET, Settings


def test_development__may_use_the_default_secret() -> None:
    assert Settings(environment="development", secret_key=DEV_SECRET).secret_key == DEV_SECRET


@pytest.mark.parametrize("environment", ["production", "test"])
def test_outside_development__the_default_secret_is_refused(environment: str) -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment=environment, secret_key=DEV_SECRET)  # type: ignore[arg-type]


def test_outside_development__a_short_secret_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least 32"):
        Settings(environment="production", secret_key="short")


def test_database_url__defaults_to_sqlite_under_var() -> None:
    url = Settings().database_url
    assert url.startswith("sqlite:///")
    assert url.endswith("var/htxso.db")
