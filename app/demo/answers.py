"""The answer model: a latent maturity per subject and wave, and plausible answers drawn from it."""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from app.cooperatives.vocabulary import ocop_group_answer
from app.demo.waves import COOPERATIVE_QUESTIONNAIRES, PRODUCT_QUESTIONNAIRES
from app.scoring.engine import placement
from app.surveys.answers import AnswerValue
from app.surveys.definition import Question, Questionnaire

# Latent maturity (0–1) is about where a cooperative's scores sit, ÷ 100. Services and
# credit funds keep books and sell to town; small farming groups in the uplands lag.
BASE_MATURITY = 0.34
SECTOR_MATURITY = {
    "agriculture": -0.03,
    "forestry": -0.05,
    "fisheries": -0.04,
    "handicraft": 0.0,
    "trade_services": 0.10,
    "tourism": 0.07,
    "transport": 0.05,
    "construction": 0.04,
    "credit": 0.15,
    "environment": 0.02,
    "other": 0.0,
}
# Certified products come from cooperatives that already did the paperwork once.
STAR_MATURITY = {0: -0.04, 1: 0.0, 2: 0.04, 3: 0.10, 4: 0.18, 5: 0.26}
# A product certified with these stars passed the official check, so it meets the minimum
# conditions the ocop questionnaire sets for that band and those below it (each version's
# codes: 2026.2 asks for evidence where 2026.1 asked for a yes).
OCOP_CERTIFIED: dict[int, tuple[tuple[str, str], ...]] = {
    2: (("ocop_quality_dossier", "yes"),),
    3: (("ocop_published_standard", "yes"), ("ocop_internal_control", "yes")),
    4: (("ocop_unique", "yes"), ("ocop_unique_evidence", "documented")),
    5: (("ocop_export_ready", "yes"), ("ocop_export_evidence", "documents")),
}
# The value-chain questionnaire's sector fact, from the registry's sector.
SECTOR_ANSWER = {
    "agriculture": "farming",
    "forestry": "farming",
    "fisheries": "farming",
    "handicraft": "processing",
    "credit": "credit",
}
NOTES = [
    "Cần hỗ trợ đào tạo bán hàng trên sàn thương mại điện tử.",
    "Mong được hỗ trợ kinh phí mua máy tính và phần mềm kế toán.",
    "Thành viên phần lớn lớn tuổi, ít dùng điện thoại thông minh.",
    "Cần kết nối doanh nghiệp bao tiêu sản phẩm ổn định.",
    "Đề nghị hướng dẫn đăng ký mã số vùng trồng.",
    "Sóng điện thoại ở thôn còn yếu, hay mất kết nối.",
    "Muốn tham gia hội chợ OCOP của tỉnh năm sau.",
    "Cần hướng dẫn làm tem truy xuất nguồn gốc.",
    "Năm nay mưa lũ, sản lượng giảm nhiều.",
    "Xin hỗ trợ xây dựng câu chuyện sản phẩm và bao bì.",
]


@dataclass(frozen=True)
class Registry:
    """What the registry knows of a subject, which its forms must agree with."""

    sector: str | None = None
    ocop_group: str | None = None
    stars: int = 0


@dataclass(frozen=True)
class Subject:
    key: str
    cooperative_id: int
    product_id: int | None
    maturity: tuple[float, ...]  # per wave
    registry: Registry


def _clamp(value: float, low: float = 0.02, high: float = 0.97) -> float:
    return min(max(value, low), high)


def draw_subjects(
    rng: random.Random,
    *,
    coop_id: int,
    base: float,
    sector: str | None,
    products: list[tuple[int, str | None, int]],
    keys: Collection[str],
    waves: int,
) -> list[Subject]:
    """A cooperative's subjects for the published forms, each with its maturity per wave."""
    levels = [base + rng.gauss(0, 0.13)]
    for _ in range(1, waves):
        # Most move up a few points a year with the province's programme; some slip back.
        levels.append(levels[-1] + rng.gauss(0.045, 0.05))
    subjects = []
    for key in COOPERATIVE_QUESTIONNAIRES:
        offset = rng.gauss(0, 0.06)  # the same cooperative is not equally strong everywhere
        if key in keys:
            maturity = tuple(_clamp(m + offset) for m in levels)
            subjects.append(Subject(key, coop_id, None, maturity, Registry(sector=sector)))
    for product_id, group, stars in products:
        offset = STAR_MATURITY.get(stars, 0.0) + rng.gauss(0, 0.06)
        for key in PRODUCT_QUESTIONNAIRES:
            if key in keys:
                maturity = tuple(_clamp(m + offset) for m in levels)
                registry = Registry(sector=sector, ocop_group=group, stars=stars)
                subjects.append(Subject(key, coop_id, product_id, maturity, registry))
    return subjects


def registry_answers(q: Questionnaire, registry: Registry) -> dict[str, AnswerValue]:
    """Answers the registry already knows, so a form agrees with its subject's record."""
    known: dict[str, AnswerValue] = {}
    group = ocop_group_answer(registry.ocop_group)
    if group and _asks(q, "ocop_group", "single_choice") and q.question("ocop_group").option(group):
        known["ocop_group"] = group
    if registry.sector is not None and _asks(q, "vc_sector", "single_choice"):
        known["vc_sector"] = SECTOR_ANSWER.get(registry.sector, "services")
    for band, facts in OCOP_CERTIFIED.items():
        if band <= registry.stars:
            known |= {code: value for code, value in facts if _has(q, code, value)}
    return known


def _has(q: Questionnaire, code: str, value: str) -> bool:
    try:
        question = q.question(code)
    except KeyError:
        return False
    return question.type == "yes_no" or question.option(value) is not None


def _asks(q: Questionnaire, code: str, kind: str) -> bool:
    try:
        return q.question(code).type == kind
    except KeyError:
        return False


def draw_answers(
    rng: random.Random, q: Questionnaire, maturity: float, known: Mapping[str, AnswerValue]
) -> dict[str, AnswerValue]:
    """An answer to every question shown, in file order; more mature picks better options."""
    answers: dict[str, AnswerValue] = {}
    applicable: set[str] = set()
    shown: set[str] = set()
    for question in q.questions:
        applies, asked = placement(question, applicable=applicable, shown=shown, answers=answers)
        if applies:
            applicable.add(question.code)
        if not asked:
            continue
        shown.add(question.code)
        value = known.get(question.code)
        if value is None:
            value = _draw(rng, question, maturity)
        if value is not None:
            answers[question.code] = value
    return answers


def _near(rng: random.Random, maturity: float, count: int) -> int:
    """An index among `count` ordered choices, near where this maturity sits."""
    return min(max(round(maturity * (count - 1) + rng.gauss(0, 0.7)), 0), count - 1)


def _draw(rng: random.Random, question: Question, maturity: float) -> AnswerValue | None:
    """One plausible answer, or None for an optional question left blank."""
    if question.type == "text":
        # Few people type on a phone form; those who do leave a short note.
        return rng.choice(NOTES) if rng.random() < 0.12 else None
    if not question.required and rng.random() < (0.2 if question.scored else 0.5):
        return None
    if question.type == "single_choice":
        ranked = sorted(question.options, key=lambda o: o.points)
        return ranked[_near(rng, maturity, len(ranked))].value
    if question.type == "scale":
        low, high = int(question.min or 0), int(question.max or 0)
        return low + _near(rng, maturity, high - low + 1)
    if question.type == "yes_no":
        points = question.points
        if points is None or points.yes == points.no:
            # A gate, not a merit: still, the more organised more often have the thing.
            return "yes" if rng.random() < 0.15 + 0.6 * maturity else "no"
        good = "yes" if points.yes > points.no else "no"
        bad = "no" if good == "yes" else "yes"
        return good if rng.random() < 0.1 + 0.85 * maturity else bad
    if question.type == "multiple_choice":
        return _draw_many(rng, question, maturity)
    return _draw_number(rng, question, maturity)


def _draw_many(rng: random.Random, question: Question, maturity: float) -> list[str]:
    plain = [o for o in question.options if not o.exclusive]
    scored = any(o.points for o in plain)
    chosen = set()
    for rank, option in enumerate(plain):
        # Options are listed from the common to the advanced: earlier ones are picked more.
        chance = 1.1 * maturity + 0.15 - 0.4 * rank / max(len(plain) - 1, 1) if scored else 0.3
        if rng.random() < chance:
            chosen.add(option.value)
    if not chosen:
        alone = next((o for o in question.options if o.exclusive), None)
        chosen.add(alone.value if alone else rng.choice(plain).value)
    return [o.value for o in question.options if o.value in chosen]


def _draw_number(rng: random.Random, question: Question, maturity: float) -> int | float:
    low = question.min if question.min is not None else 0.0
    high = question.max if question.max is not None else max(100.0, low + 100)
    start, stop = low, high
    if question.bands:
        band = _near(rng, maturity, len(question.bands))
        start = max(question.bands[band].at_least, low)
        if band + 1 < len(question.bands):
            stop = min(question.bands[band + 1].at_least, high)
    if stop <= start:
        return start
    whole = all(float(x).is_integer() for x in (start, stop))
    value = rng.uniform(start, stop)
    return int(value) if whole else round(value, 1)
