"""Targeting over stored scores: who needs support on a dimension, and who could be a model.
docs/targeting.md documents the criteria; app/targeting/shortlists.py saves and exports lists.

Every query reads the scores stored at submission (responses.overall, responses.level,
dimension_scores) of the submissions that count (submitted, not superseded), and only for
the cooperatives `accessible_cooperative_ids` lets the viewer see.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Select, Subquery, and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.areas.models import Area, AreaLevel
from app.areas.service import descendant_ids
from app.cooperatives.models import Cooperative, CooperativeStatus, Product
from app.cooperatives.service import areas_in_use, in_areas
from app.cooperatives.vocabulary import SECTORS
from app.errors import NotFound
from app.reports import scope
from app.responses import service as responses
from app.responses.models import DimensionScore, Response, Wave, WaveStatus
from app.surveys import service as surveys
from app.surveys.definition import Level, Questionnaire

Message = dict[str, str]  # {"vi": ..., "en": ...}
Kind = Literal["support", "model"]
KINDS: tuple[Kind, ...] = ("support", "model")

DEFAULT_THRESHOLD = 40.0
# Model candidates: the level each questionnaire must reach at least (keys of surveys/*.yaml);
# a questionnaire version without that level falls back to its second-highest level.
MODEL_LEVELS = {"digital": "nang_cao", "value_chain": "nhieu_khau", "ocop": "ba_sao"}
DEFAULT_MIN_STARS = 3
CHUNK = 5000  # ids per IN (...): well under SQLite's and PostgreSQL's parameter limits


def _message(vi: str, en: str) -> Message:
    return {"vi": vi, "en": en}


def order(key: str) -> tuple[int, str]:
    """Where a questionnaire comes in forms and tables: digital, value chain, OCOP, the rest."""
    known = scope.PREFERRED_ORDER
    return (known.index(key), key) if key in known else (len(known), key)


def _by_min(level: Level) -> float:
    return level.min


def levels_from(questionnaire: Questionnaire, key: str) -> list[str]:
    """The keys of a level and every level above it, lowest first."""
    keys = [level.key for level in sorted(questionnaire.levels, key=_by_min)]
    return keys[keys.index(key) :] if key in keys else []


def _default_level(questionnaire: Questionnaire, preferred: str) -> str:
    ordered = sorted(questionnaire.levels, key=_by_min)
    if any(level.key == preferred for level in ordered):
        return preferred
    return ordered[-2].key if len(ordered) > 1 else ordered[-1].key


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
    """The options for a wave (the asked one, else the open one, else the newest)."""
    waves = [w for w in responses.list_waves(session) if w.status != WaveStatus.DRAFT]
    wave = next((w for w in waves if w.key == wave_key), None) if wave_key else None
    if wave is None:
        wave = responses.open_wave(session) or (waves[0] if waves else None)
    if wave is None:
        raise NotFound("Chưa có đợt đánh giá nào.", message_en="There is no assessment wave yet.")
    versions = responses.wave_versions(session, wave_id=wave.id)
    return Choices(
        waves=waves,
        wave=wave,
        questionnaires={
            key: surveys.definition(versions[key]) for key in sorted(versions, key=order)
        },
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


@dataclass(frozen=True)
class ModelCriteria:
    """Cooperatives at or above chosen levels on all three questionnaires (docs/targeting.md)."""

    wave_id: int
    digital_level: str
    value_chain_level: str
    ocop_level: str | None
    min_stars: int = DEFAULT_MIN_STARS
    area_id: int | None = None
    sector: str | None = None


Criteria = SupportCriteria | ModelCriteria


@dataclass(frozen=True)
class Search:
    """A targeting search as asked: its options, its criteria and what was wrong with the input."""

    kind: Kind
    choices: Choices
    criteria: Criteria | None  # None when the input has errors
    errors: dict[str, Message]
    values: dict[str, str]  # what the form shows: the criteria, or the input where it is wrong


def _number(text: str) -> float | None:
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        return None


def _common(
    chosen: Choices, params: Mapping[str, str], errors: dict[str, Message]
) -> tuple[int | None, str | None]:
    district = params.get("district", "").strip()
    area_id = None
    if district:
        known = {str(a.id): a.id for a in [*chosen.communes, *chosen.districts]}
        area_id = known.get(district)
        if area_id is None:
            errors["district"] = _message("Địa bàn không hợp lệ.", "Unknown area.")
    sector = params.get("sector", "").strip() or None
    if sector is not None and sector not in SECTORS:
        errors["sector"] = _message("Lĩnh vực không hợp lệ.", "Unknown sector.")
        sector = None
    return area_id, sector


def search(session: Session, *, kind: str, params: Mapping[str, str]) -> Search:
    """Read a targeting query (as typed in the form) into criteria, with defaults filled in."""
    chosen_kind = next((k for k in KINDS if k == kind), None)
    if chosen_kind is None:
        raise NotFound("Không có kiểu danh sách này.", message_en="Unknown list kind.")
    chosen = choices(session, wave_key=params.get("wave") or None)
    errors: dict[str, Message] = {}
    area_id, sector = _common(chosen, params, errors)
    criteria: Criteria | None
    if chosen_kind == "support":
        criteria = _support(chosen, params, errors, area_id, sector)
    else:
        criteria = _model(chosen, params, errors, area_id, sector)
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
    return common | {
        "digital": criteria.digital_level,
        "value_chain": criteria.value_chain_level,
        "ocop": criteria.ocop_level or "",
        "stars": str(criteria.min_stars),
    }


def _support(
    chosen: Choices,
    params: Mapping[str, str],
    errors: dict[str, Message],
    area_id: int | None,
    sector: str | None,
) -> SupportCriteria | None:
    if not chosen.questionnaires:
        errors["dimension"] = _message(
            "Đợt này chưa có bộ câu hỏi nào.", "This wave asks no questionnaire."
        )
        return None
    # The form asks both at once ("digital:strategy"); a link may give them apart.
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
        errors["dimension"] = _message(
            "Đợt này không hỏi khía cạnh đó.", "This wave does not ask that dimension."
        )
        return None
    dimension = dimension or questionnaire.dimensions[0].key
    threshold = DEFAULT_THRESHOLD
    typed = params.get("threshold", "").strip()
    if typed:
        number = _number(typed)
        if number is None or not 0 <= number <= 100:
            errors["threshold"] = _message(
                "Ngưỡng là một số từ 0 đến 100.", "The threshold is a number from 0 to 100."
            )
        else:
            threshold = number
    return SupportCriteria(chosen.wave.id, key, dimension, threshold, area_id, sector)


def _model(
    chosen: Choices,
    params: Mapping[str, str],
    errors: dict[str, Message],
    area_id: int | None,
    sector: str | None,
) -> ModelCriteria | None:
    levels: dict[str, str | None] = {}
    for key, preferred in MODEL_LEVELS.items():
        questionnaire = chosen.questionnaires.get(key)
        if questionnaire is None:
            levels[key] = None
            if key != "ocop":  # without the ocop self-check, official stars still count
                errors[key] = _message(
                    "Đợt này không có bộ câu hỏi này.", "This wave does not ask this questionnaire."
                )
            continue
        typed = params.get(key) or _default_level(questionnaire, preferred)
        if not levels_from(questionnaire, typed):
            errors[key] = _message("Mức độ không hợp lệ.", "Unknown level.")
        levels[key] = typed
    stars = DEFAULT_MIN_STARS
    typed_stars = params.get("stars", "").strip()
    if typed_stars:
        if typed_stars.isdigit() and 1 <= int(typed_stars) <= 5:
            stars = int(typed_stars)
        else:
            errors["stars"] = _message("Số sao từ 1 đến 5.", "Stars are 1 to 5.")
    if levels.get("digital") is None or levels.get("value_chain") is None:
        return None
    return ModelCriteria(
        chosen.wave.id,
        levels["digital"] or "",
        levels["value_chain"] or "",
        levels["ocop"],
        stars,
        area_id,
        sector,
    )


# Results -------------------------------------------------------------------------------------


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
    scores: dict[str, float | None]  # questionnaire -> overall score
    levels: dict[str, dict[str, str] | None]  # questionnaire -> level label
    ocop_product: str | None  # the product with the best self-check band
    stars: int  # the best official OCOP rating of its products


_commune = aliased(Area, name="commune_area")
_district = aliased(Area, name="former_district_area")


def _listed(query: Select[Any]) -> Select[Any]:
    """The registry columns of a Contact, and the joins that find the district."""
    return (
        query.add_columns(
            Cooperative.id,
            Cooperative.registration_code,
            Cooperative.name,
            Cooperative.sector,
            case((_commune.level == AreaLevel.COMMUNE, _commune.name), else_=None),
            _district.name,
            Cooperative.contact_name,
            Cooperative.phone,
            Cooperative.email,
        )
        .join(_commune, _commune.id == Cooperative.area_id)
        .outerjoin(_district, _district.id == Cooperative.former_district_id)
    )


def _filters(
    session: Session, query: Select[Any], *, area_id: int | None, sector: str | None
) -> Select[Any]:
    query = query.where(Cooperative.status == CooperativeStatus.ACTIVE)
    if area_id is not None:
        query = query.where(in_areas(descendant_ids(session, area_ids=[area_id])))
    if sector is not None:
        query = query.where(Cooperative.sector == sector)
    return query


def needs_support(
    session: Session,
    *,
    visible: Select[int],
    criteria: SupportCriteria,
    only: Select[int] | None = None,
) -> list[SupportRow]:
    """Cooperatives scoring below the threshold on the dimension, weakest first.

    For a product questionnaire a cooperative counts with its best product on that dimension.
    With `only` (a saved shortlist), those cooperatives are listed whatever they score now.
    """
    best = (
        select(
            Response.cooperative_id.label("cooperative_id"),
            Response.product_id.label("product_id"),
            Response.overall.label("overall"),
            Response.level.label("level"),
            DimensionScore.score.label("score"),
            func.row_number()
            .over(
                partition_by=Response.cooperative_id,
                order_by=(DimensionScore.score.desc(), Response.id),
            )
            .label("rank"),
        )
        .join(
            DimensionScore,
            and_(
                DimensionScore.response_id == Response.id,
                DimensionScore.dimension_key == criteria.dimension,
            ),
        )
        .where(
            scope.current(criteria.wave_id, criteria.questionnaire),
            Response.cooperative_id.in_(visible),
        )
        .subquery()
    )
    query = _listed(
        select(best.c.score, best.c.overall, best.c.level, Product.name).select_from(Cooperative)
    ).where(Cooperative.id.in_(visible))
    on_best = and_(best.c.cooperative_id == Cooperative.id, best.c.rank == 1)
    if only is None:
        query = _filters(
            session,
            query.join(best, on_best).where(best.c.score < criteria.threshold),
            area_id=criteria.area_id,
            sector=criteria.sector,
        )
    else:
        query = query.outerjoin(best, on_best).where(Cooperative.id.in_(only))
    query = query.outerjoin(Product, Product.id == best.c.product_id).order_by(
        best.c.score.is_(None), best.c.score, Cooperative.name, Cooperative.id
    )
    wave_versions = responses.wave_versions(session, wave_id=criteria.wave_id)
    version = wave_versions.get(criteria.questionnaire)
    questionnaire = surveys.definition(version) if version else None
    return [
        SupportRow(
            contact=Contact(*row[4:]),
            score=row[0],
            overall=row[1],
            level=level_label(questionnaire, row[2]),
            product_name=row[3],
        )
        for row in session.execute(query).all()
    ]


def model_candidates(
    session: Session,
    *,
    visible: Select[int],
    criteria: ModelCriteria,
    only: Select[int] | None = None,
) -> list[ModelRow]:
    """Cooperatives at or above the chosen digital and value-chain levels that have a product
    with a self-check band at or above the chosen one or official stars at or above the chosen
    number; strongest (digital + value-chain overall) first."""
    wave_versions = responses.wave_versions(session, wave_id=criteria.wave_id)
    definitions = {k: surveys.definition(v) for k, v in wave_versions.items()}
    digital = _per_cooperative(criteria.wave_id, "digital")
    value_chain = _per_cooperative(criteria.wave_id, "value_chain")
    query = _listed(
        select(digital.c.overall, digital.c.level, value_chain.c.overall, value_chain.c.level)
        .select_from(Cooperative)
        .outerjoin(digital, digital.c.cooperative_id == Cooperative.id)
        .outerjoin(value_chain, value_chain.c.cooperative_id == Cooperative.id)
    ).where(Cooperative.id.in_(visible))
    if only is None:
        ocop_keys = (
            levels_from(definitions["ocop"], criteria.ocop_level)
            if criteria.ocop_level and "ocop" in definitions
            else []
        )
        banded = select(Response.cooperative_id).where(
            scope.current(criteria.wave_id, "ocop"), Response.level.in_(ocop_keys)
        )
        starred = select(Product.cooperative_id).where(Product.stars >= criteria.min_stars)
        query = _filters(
            session,
            query.where(
                digital.c.level.in_(levels_from(definitions["digital"], criteria.digital_level)),
                value_chain.c.level.in_(
                    levels_from(definitions["value_chain"], criteria.value_chain_level)
                ),
                or_(Cooperative.id.in_(banded), Cooperative.id.in_(starred)),
            ),
            area_id=criteria.area_id,
            sector=criteria.sector,
        )
    else:
        query = query.where(Cooperative.id.in_(only))
    strength = func.coalesce(digital.c.overall, 0) + func.coalesce(value_chain.c.overall, 0)
    rows = session.execute(query.order_by(strength.desc(), Cooperative.name, Cooperative.id)).all()
    ids = [row[4] for row in rows]
    best_band = _best_bands(
        session, wave_id=criteria.wave_id, ids=ids, ocop=definitions.get("ocop")
    )
    stars = _best_stars(session, ids=ids)
    found = []
    for row in rows:
        band = best_band.get(row[4])
        found.append(
            ModelRow(
                contact=Contact(*row[4:]),
                scores={
                    "digital": row[0],
                    "value_chain": row[2],
                    "ocop": band[1] if band else None,
                },
                levels={
                    "digital": level_label(definitions.get("digital"), row[1]),
                    "value_chain": level_label(definitions.get("value_chain"), row[3]),
                    "ocop": level_label(definitions.get("ocop"), band[0]) if band else None,
                },
                ocop_product=band[2] if band else None,
                stars=stars.get(row[4], 0),
            )
        )
    return found


def _per_cooperative(wave_id: int, key: str) -> Subquery:
    """A cooperative questionnaire's current submission per cooperative, as a subquery."""
    return (
        select(
            Response.cooperative_id.label("cooperative_id"),
            Response.overall.label("overall"),
            Response.level.label("level"),
        )
        .where(scope.current(wave_id, key), Response.product_id.is_(None))
        .subquery(f"{key}_current")
    )


def _best_bands(
    session: Session, *, wave_id: int, ids: list[int], ocop: Questionnaire | None
) -> dict[int, tuple[str | None, float | None, str]]:
    """Per cooperative: the highest self-check band of its products (level, score, product)."""
    if ocop is None:
        return {}
    rank_of = {level.key: index for index, level in enumerate(sorted(ocop.levels, key=_by_min))}
    best: dict[int, tuple[str | None, float | None, str]] = {}
    for chunk in _chunks(ids):
        for cooperative_id, level, overall, name in session.execute(
            select(Response.cooperative_id, Response.level, Response.overall, Product.name)
            .join(Product, Product.id == Response.product_id)
            .where(scope.current(wave_id, "ocop"), Response.cooperative_id.in_(chunk))
        ).all():
            current = best.get(cooperative_id)
            rank = (rank_of.get(level or "", -1), overall or 0.0)
            if current is None or rank > (rank_of.get(current[0] or "", -1), current[1] or 0.0):
                best[cooperative_id] = (level, overall, name)
    return best


def _chunks(ids: list[int], size: int = CHUNK) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _best_stars(session: Session, *, ids: list[int]) -> dict[int, int]:
    stars: dict[int, int] = {}
    for chunk in _chunks(ids):
        stars |= dict(
            session.execute(
                select(Product.cooperative_id, func.max(Product.stars))
                .where(Product.cooperative_id.in_(chunk))
                .group_by(Product.cooperative_id)
            ).all()
        )
    return stars


def results(
    session: Session, *, visible: Select[int], criteria: Criteria, only: Select[int] | None = None
) -> list[SupportRow] | list[ModelRow]:
    """The list a criteria set gives."""
    if isinstance(criteria, SupportCriteria):
        return needs_support(session, visible=visible, criteria=criteria, only=only)
    return model_candidates(session, visible=visible, criteria=criteria, only=only)
