"""What an administrator types to create a wave.

Given a `session` in the context, the checks against stored data run with the others, so every
problem shows at once.
"""

from __future__ import annotations

import datetime as dt
import re

from pydantic import BaseModel, ValidationInfo, field_validator
from sqlalchemy import select

from app.messages import N_
from app.responses.models import Wave
from app.surveys.models import QuestionnaireVersion
from app.validation import optional_date, problem, session_of, typed_text

KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
NAME_MAX = 200


class NewWaveForm(BaseModel):
    """A new wave: its key and name, optional dates, and the version asked of each questionnaire."""

    key: str
    name: str
    name_en: str | None = None  # optional: English readers otherwise see "Wave <key>"
    opens_on: dt.date | None = None
    closes_on: dt.date | None = None
    versions: dict[str, int]  # questionnaire key -> version id

    @field_validator("key")
    @classmethod
    def _key(cls, value: str, info: ValidationInfo) -> str:
        key = value.strip()
        if not KEY.match(key):
            raise problem(N_("A wave key is 1–32 letters, digits, '.', '_' or '-' (e.g. 2027)."))
        session = session_of(info)
        if session and session.scalar(select(Wave.id).where(Wave.key == key)) is not None:
            raise problem(N_("Wave '%(key)s' exists."), key=key)
        return key

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return typed_text(value, missing=N_("Please enter a name."), at_most=NAME_MAX)

    @field_validator("name_en")
    @classmethod
    def _name_en(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return typed_text(value, missing=N_("Please enter a name."), at_most=NAME_MAX)

    _dates = field_validator("opens_on", "closes_on", mode="before")(optional_date)

    @field_validator("closes_on")
    @classmethod
    def _after_opening(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        opens_on = info.data.get("opens_on")
        if value and opens_on and value < opens_on:
            raise problem(N_("The closing date must come after the opening date."))
        return value

    @field_validator("versions")
    @classmethod
    def _published(cls, value: dict[str, int], info: ValidationInfo) -> dict[str, int]:
        if not value:
            raise problem(N_("Choose at least one questionnaire."))
        session = session_of(info)
        if session is None:
            return value
        for key, version_id in value.items():
            version = session.get(QuestionnaireVersion, version_id)
            if version is None or version.key != key:
                raise problem(N_("Unknown version."), at=f"version_{key}")
        return value
