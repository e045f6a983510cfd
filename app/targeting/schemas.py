"""What an advisor types on the targeting pages: the query of a list, a shortlist's name."""

from __future__ import annotations

from pydantic import BaseModel, ValidationInfo, field_validator

from app.cooperatives.vocabulary import SECTORS
from app.messages import N_
from app.validation import problem, typed_text

NAME_MAX = 200
DEFAULT_THRESHOLD = 40.0
DEFAULT_MIN_STARS = 3


class TargetingQuery(BaseModel):
    """The fields of a targeting query that do not depend on the wave (`districts`: the ids
    the district filter offers, in the context); an empty field takes its default."""

    district: int | None = None
    sector: str | None = None
    threshold: float = DEFAULT_THRESHOLD
    stars: int = DEFAULT_MIN_STARS

    @field_validator("district", mode="before")
    @classmethod
    def _district(cls, value: object, info: ValidationInfo) -> object:
        if value in ("", None):
            return None
        known = (info.context or {}).get("districts", ())
        if not isinstance(value, str) or not value.isdecimal() or int(value) not in known:
            raise problem(N_("Unknown area."))
        return int(value)

    @field_validator("sector", mode="before")
    @classmethod
    def _sector(cls, value: object) -> object:
        if value in ("", None):
            return None
        if value not in SECTORS:
            raise problem(N_("Unknown sector."))
        return value

    @field_validator("threshold", mode="before")
    @classmethod
    def _threshold(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip().replace(",", ".")  # typed the Vietnamese way: 37,5
            if not text:
                return DEFAULT_THRESHOLD
            try:
                number = float(text)
            except ValueError:
                number = -1.0
            if not 0 <= number <= 100:
                raise problem(N_("The threshold is a number from 0 to 100."))
            return number
        return value

    @field_validator("stars", mode="before")
    @classmethod
    def _stars(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return DEFAULT_MIN_STARS
            if not text.isdecimal() or not 1 <= int(text) <= 5:
                raise problem(N_("Stars are 1 to 5."))
            return int(text)
        return value


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
