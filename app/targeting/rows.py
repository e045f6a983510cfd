"""The rows of a targeting list: a cooperative's contact and the figures it was listed by."""

from __future__ import annotations

from dataclasses import dataclass

from app.surveys.definition import Questionnaire


def level_label(questionnaire: Questionnaire | None, key: str | None) -> dict[str, str] | None:
    """A stored level's {vi, en} name (the key itself when the version does not know it)."""
    if key is None:
        return None
    if questionnaire is not None:
        try:
            label = questionnaire.level(key).label
            return {"vi": label.vi, "en": label.en}
        except KeyError:
            pass
    return {"vi": key, "en": key}


@dataclass(frozen=True)
class Contact:
    """A cooperative on a targeting list, with what the Alliance needs to reach it."""

    cooperative_id: int
    registration_code: str
    name: str
    sector: str
    commune: str | None
    district: str | None  # the former district
    contact_name: str | None
    phone: str | None
    email: str | None


@dataclass(frozen=True)
class SupportRow:
    contact: Contact
    score: float | None  # on the chosen dimension
    overall: float | None
    level: dict[str, str] | None
    product_name: str | None  # for a product questionnaire: the product scored


@dataclass(frozen=True)
class ModelRow:
    contact: Contact
    scores: dict[str, float | None]  # questionnaire -> overall score, in page order
    levels: dict[str, dict[str, str] | None]  # questionnaire -> level (or band) label
    products: dict[str, str | None]  # star-band questionnaire -> the product with its best band
    stars: int  # the best official OCOP rating of its products
