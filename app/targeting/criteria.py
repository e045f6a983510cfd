"""Targeting criteria: what the forms offer for a wave, and a query read into criteria.

docs/targeting.md documents the criteria; `queries` lists the cooperatives they select.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from app.areas.models import Area, AreaLevel
from app.cooperatives.service import areas_in_use
from app.cooperatives.vocabulary import SECTORS
from app.errors import Invalid, NotFound
from app.messages import N_, Message
from app.reports import scope
from app.responses import service as responses
from app.responses.models import Wave
from app.surveys import service as surveys
from app.surveys.definition import Level, Questionnaire
from app.targeting.schemas import DEFAULT_MIN_STARS, DEFAULT_THRESHOLD, TargetingQuery
from app.validation import parse

Kind = Literal["support", "model"]
KINDS: tuple[Kind, ...] = ("support", "model")


def by_min(level: Level) -> float:
    """A level's place in its questionnaire: levels rank by their minimum score."""
    return level.min


def levels_from(questionnaire: Questionnaire, key: str) -> list[str]:
    """The keys of a level and every level above it, lowest first."""
    keys = [level.key for level in sorted(questionnaire.levels, key=by_min)]
    return keys[keys.index(key) :] if key in keys else []


def _default_level(questionnaire: Questionnaire, preferred: str | None) -> str:
    ordered = sorted(questionnaire.levels, key=by_min)
    if preferred is not None and any(level.key == preferred for level in ordered):
        return preferred
    return ordered[-2].key if len(ordered) > 1 else ordered[-1].key


# What the forms offer ------------------------------------------------------------------------


@dataclass(frozen=True)
class Choices:
    """The waves, questionnaires, districts and sectors a targeting form offers."""

    waves: list[Wave]
    wave: Wave
    questionnaires: dict[str, Questionnaire]  # of the chosen wave, in page order
    districts: list[Area]  # former districts holding cooperatives
    communes: list[Area]  # 2025 communes holding cooperatives
    sectors: list[str]


def choices(session: Session, *, wave_key: str | None) -> Choices:
    """The options for a wave, chosen as every report chooses it (`scope.choose_wave`)."""
    chosen = scope.choose_wave(session, wave_key=wave_key)
    versions = responses.wave_versions(session, wave_id=chosen.wave.id)
    return Choices(
        waves=chosen.waves,
        wave=chosen.wave,
        questionnaires={key: surveys.definition(versions[key]) for key in chosen.subjects},
        districts=areas_in_use(session, level=AreaLevel.FORMER_DISTRICT),
        communes=areas_in_use(session, level=AreaLevel.COMMUNE),
        sectors=list(SECTORS),
    )


# Criteria ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupportCriteria:
    """Cooperatives whose score on one dimension is below a threshold."""

    wave_id: int
    questionnaire: str
    dimension: str
    threshold: float = DEFAULT_THRESHOLD
    area_id: int | None = None
    sector: str | None = None


LEVEL_SUFFIX = "_level"  # a model shortlist stores each questionnaire's level as `<key>_level`


@dataclass(frozen=True)
class ModelCriteria:
    """Cooperatives at or above a chosen level of every questionnaire of the wave, and with a
    product at or above the chosen star band or official stars (docs/targeting.md)."""

    wave_id: int
    # questionnaire key -> the lowest level (or band) asked, in page order; the default of each
    # is its file's `model_level`, else its second-highest level
    levels: dict[str, str]
    min_stars: int = DEFAULT_MIN_STARS
    area_id: int | None = None
    sector: str | None = None

    def stored(self) -> dict[str, object]:
        """The criteria as a shortlist keeps them (JSON): each level as `<key>_level`."""
        return {
            "wave_id": self.wave_id,
            **{f"{key}{LEVEL_SUFFIX}": level for key, level in self.levels.items()},
            "min_stars": self.min_stars,
            "area_id": self.area_id,
            "sector": self.sector,
        }

    @classmethod
    def from_stored(cls, stored: Mapping[str, object]) -> ModelCriteria:
        """The criteria a shortlist kept (`stored`); a level saved empty was not asked."""
        levels = {
            name.removesuffix(LEVEL_SUFFIX): str(level)
            for name, level in stored.items()
            if name.endswith(LEVEL_SUFFIX) and level
        }
        rest = {k: v for k, v in stored.items() if not k.endswith(LEVEL_SUFFIX)}
        return cls(levels=levels, **rest)  # type: ignore[arg-type]


Criteria = SupportCriteria | ModelCriteria


@dataclass(frozen=True)
class Search:
    """A targeting search as asked: its options, its criteria and what was wrong with the input."""

    kind: Kind
    choices: Choices
    criteria: Criteria | None  # None when the input has errors
    errors: dict[str, Message]
    values: dict[str, str]  # what the form shows: the criteria, or the input where it is wrong


def search(session: Session, *, kind: str, params: Mapping[str, str]) -> Search:
    """Read a targeting query (as typed in the form) into criteria, with defaults filled in."""
    chosen_kind = next((k for k in KINDS if k == kind), None)
    if chosen_kind is None:
        raise NotFound(N_("Unknown list kind."))
    chosen = choices(session, wave_key=params.get("wave") or None)
    errors: dict[str, Message] = {}
    typed = {name: params[name] for name in TargetingQuery.model_fields if name in params}
    try:
        query = parse(
            TargetingQuery, typed, districts={a.id for a in [*chosen.communes, *chosen.districts]}
        )
    except Invalid as refused:
        query, errors = TargetingQuery(), dict(refused.fields)
    criteria: Criteria | None
    if chosen_kind == "support":
        criteria = _support(chosen, params, errors, query)
    else:
        criteria = _model(chosen, params, errors, query)
    values = (form_values(chosen.wave, criteria) if criteria else {}) | {
        k: params.get(k, "") for k in errors
    }
    return Search(chosen_kind, chosen, None if errors else criteria, errors, values)


def form_values(wave: Wave, criteria: Criteria) -> dict[str, str]:
    """The form fields that ask for these criteria again (links, hidden fields, selections)."""
    common = {
        "wave": wave.key,
        "district": str(criteria.area_id) if criteria.area_id else "",
        "sector": criteria.sector or "",
    }
    if isinstance(criteria, SupportCriteria):
        return common | {
            "dimension": f"{criteria.questionnaire}:{criteria.dimension}",
            "threshold": f"{criteria.threshold:g}",
        }
    return common | dict(criteria.levels) | {"stars": str(criteria.min_stars)}


def _support(
    chosen: Choices,
    params: Mapping[str, str],
    errors: dict[str, Message],
    query: TargetingQuery,
) -> SupportCriteria | None:
    if not chosen.questionnaires:
        errors["dimension"] = Message(N_("This wave asks no questionnaire."))
        return None
    # The form asks both at once ("<questionnaire>:<dimension>"); a link may give them apart.
    typed_dimension = params.get("dimension", "").strip()
    if ":" in typed_dimension:
        key, _, dimension = typed_dimension.partition(":")
    else:
        key, dimension = params.get("questionnaire", ""), typed_dimension
    key = key or next(iter(chosen.questionnaires))
    questionnaire = chosen.questionnaires.get(key)
    if questionnaire is None or (
        dimension and dimension not in {d.key for d in questionnaire.dimensions}
    ):
        errors["dimension"] = Message(N_("This wave does not ask that dimension."))
        return None
    dimension = dimension or questionnaire.dimensions[0].key
    return SupportCriteria(
        chosen.wave.id, key, dimension, query.threshold, query.district, query.sector
    )


def _model(
    chosen: Choices,
    params: Mapping[str, str],
    errors: dict[str, Message],
    query: TargetingQuery,
) -> ModelCriteria | None:
    # Each questionnaire the wave asks is a field named by its key (the files name them).
    levels: dict[str, str] = {}
    for key, questionnaire in chosen.questionnaires.items():
        typed = params.get(key) or _default_level(questionnaire, questionnaire.model_level)
        if not levels_from(questionnaire, typed):
            errors[key] = Message(N_("Unknown level."))
        levels[key] = typed
    return ModelCriteria(chosen.wave.id, levels, query.stars, query.district, query.sector)
