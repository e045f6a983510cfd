"""Input the registry's pages accept, validated at the edge."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from app.cooperatives.vocabulary import SECTORS, STATUSES


def _blank_is_none(value: object) -> object:
    # A select's "all" option sends an empty value.
    return None if value == "" else value


class RegistryQuery(BaseModel):
    """The registry list's search box, filters and page number."""

    model_config = ConfigDict(extra="ignore")

    q: str = Field(default="", max_length=100)
    district: Annotated[int | None, BeforeValidator(_blank_is_none)] = None
    sector: str = ""
    status: str = ""
    wave_status: Literal["", "answered", "draft", "not_started"] = ""
    page: int = Field(default=1, ge=1, le=100_000)

    @field_validator("sector")
    @classmethod
    def _known_sector(cls, value: str) -> str:
        if value and value not in SECTORS:
            raise ValueError("unknown sector")
        return value

    @field_validator("status")
    @classmethod
    def _known_status(cls, value: str) -> str:
        if value and value not in STATUSES:
            raise ValueError("unknown status")
        return value
