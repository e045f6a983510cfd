"""What an advisor types on the targeting pages: the name a shortlist is saved under."""

from __future__ import annotations

from pydantic import BaseModel, field_validator

from app.messages import N_
from app.validation import typed_text

NAME_MAX = 200


class ShortlistName(BaseModel):
    """The name of a saved shortlist, its spaces tidied."""

    name: str

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        return typed_text(
            " ".join(value.split()),
            missing=N_("Please name the list."),
            at_most=NAME_MAX,
            too_long=N_("A name is at most %(max)s characters."),
        )
