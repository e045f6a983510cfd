"""What an administrator types to filter the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Self

from pydantic import BaseModel, Field, field_validator, model_validator

from app.messages import N_
from app.validation import optional_date, problem

# Vietnam keeps no daylight saving time: a day of the filter is one fixed span of UTC.
VIETNAM = dt.timezone(dt.timedelta(hours=7))
ACTION_MAX = 64
ACTOR_MAX = 100


class AuditQuery(BaseModel):
    """The filters of the audit log: an action, an account, and days in Vietnam (both ends
    included); an empty field filters nothing."""

    action: Annotated[str | None, Field(max_length=ACTION_MAX)] = None
    actor: Annotated[str | None, Field(max_length=ACTOR_MAX)] = None
    since: dt.date | None = None
    until: dt.date | None = None

    @field_validator("action", "actor", mode="before")
    @classmethod
    def _text(cls, value: object) -> object:
        return (value.strip() or None) if isinstance(value, str) else value

    @field_validator("since", "until", mode="before")
    @classmethod
    def _day(cls, value: object) -> object:
        return optional_date(value)

    @model_validator(mode="after")
    def _in_order(self) -> Self:
        if self.since and self.until and self.until < self.since:
            raise problem(N_("The end date is before the start date."), at="until")
        return self

    def filters(self) -> dict[str, Any]:
        """The filters of `audit.service.query`: usernames are stored in lower case, and the
        end day runs to the next midnight in Vietnam."""
        return {
            "action": self.action,
            "actor": self.actor.lower() if self.actor else None,
            "since": _midnight(self.since) if self.since else None,
            "until": _midnight(self.until + dt.timedelta(days=1)) if self.until else None,
        }


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=VIETNAM)
