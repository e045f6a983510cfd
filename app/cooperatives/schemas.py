"""Input the registry's pages accept, validated at the edge."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.cooperatives.vocabulary import OCOP_GROUPS, SECTORS, STATUSES
from app.messages import N_
from app.validation import OptionalId, problem, typed_text

PRODUCT_NAME_MAX = 300


class RegistryQuery(BaseModel):
    """The registry list's search box, filters and page number."""

    model_config = ConfigDict(extra="ignore")

    q: str = Field(default="", max_length=100)
    district: OptionalId = None
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


class ProductForm(BaseModel):
    """A product a cooperative adds: its name, its OCOP group and its official stars so far."""

    name: str
    ocop_group: str | None = None
    stars: int = 0

    @field_validator("name", mode="before")
    @classmethod
    def _named(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        return typed_text(
            " ".join(value.split()),
            missing=N_("Please name the product."),
            at_most=PRODUCT_NAME_MAX,
            too_long=N_("A product name is at most %(max)s characters."),
        )

    @field_validator("ocop_group", mode="before")
    @classmethod
    def _grouped(cls, value: object) -> object:
        if value in ("", None):
            return None
        if value not in OCOP_GROUPS:
            raise problem(N_("Unknown product group."))
        return value

    @field_validator("stars", mode="before")
    @classmethod
    def _starred(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return 0
            if not text.isdecimal() or not 0 <= int(text) <= 5:
                raise problem(N_("Stars are 0 to 5."))
            return int(text)
        return value
