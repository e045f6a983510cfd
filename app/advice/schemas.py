"""What an advisor types: a note, a planned follow-up."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ValidationInfo, field_validator

from app.messages import N_
from app.validation import optional_date, problem, typed_text

NOTE_MAX = 5000
DESCRIPTION_MAX = 1000
VIETNAM = dt.timezone(dt.timedelta(hours=7))


def today() -> dt.date:
    """Today's date in Vietnam, against which follow-up dates are checked."""
    return dt.datetime.now(VIETNAM).date()


class NoteForm(BaseModel):
    """A note on a cooperative."""

    body: str

    @field_validator("body")
    @classmethod
    def _written(cls, value: str) -> str:
        return typed_text(
            value,
            missing=N_("Please write the note."),
            at_most=NOTE_MAX,
            too_long=N_("A note is at most %(max)s characters."),
        )


class FollowUpForm(BaseModel):
    """A follow-up to do by a date, today or later (Vietnam's today, or `today` in the context)."""

    description: str
    due_on: dt.date

    @field_validator("description")
    @classmethod
    def _said(cls, value: str) -> str:
        return typed_text(
            value, missing=N_("Please say what to follow up."), at_most=DESCRIPTION_MAX
        )

    _date = field_validator("due_on", mode="before")(optional_date)

    @field_validator("due_on")
    @classmethod
    def _not_past(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        if value < ((info.context or {}).get("today") or today()):
            raise problem(N_("The date cannot be in the past."))
        return value
