"""A deterministic synthetic province: registry, one account per role, two waves of answers.

The same seed always gives the same registry and the same scores, so pages, screenshots and
benchmarks compare.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.models import Role
from app.accounts.passwords import generate_password, hash_password
from app.areas.models import Area, AreaLevel
from app.cooperatives.models import Cooperative, CooperativeStatus, Product
from app.db import Base, utcnow
from app.errors import NotFound
from app.responses.models import (
    Answer,
    DimensionScore,
    Response,
    ResponseStatus,
    Wave,
    WaveQuestionnaire,
    WaveStatus,
)
from app.scoring.engine import score
from app.surveys import service as surveys
from app.surveys.answers import AnswerValue
from app.surveys.definition import Question, Questionnaire

# Sector mix of Lạng Sơn's registry: about 70% agriculture, forestry and fisheries.
SECTOR_WEIGHTS = {
    "agriculture": 58,
    "forestry": 9,
    "fisheries": 3,
    "handicraft": 7,
    "trade_services": 8,
    "tourism": 3,
    "transport": 4,
    "construction": 3,
    "credit": 2,
    "environment": 2,
    "other": 1,
}
SECTOR_PREFIX = {
    "agriculture": "HTX Nông nghiệp",
    "forestry": "HTX Lâm nghiệp",
    "fisheries": "HTX Thủy sản",
    "handicraft": "HTX Thủ công",
    "trade_services": "HTX Thương mại và Dịch vụ",
    "tourism": "HTX Du lịch cộng đồng",
    "transport": "HTX Vận tải",
    "construction": "HTX Xây dựng",
    "credit": "Quỹ tín dụng nhân dân",
    "environment": "HTX Môi trường",
    "other": "HTX Dịch vụ tổng hợp",
}
NAME_WORDS = [
    "Thành Công",
    "Hòa Bình",
    "Đồng Tâm",
    "Quang Minh",
    "Bình Minh",
    "Tân Thành",
    "Hồng Phong",
    "Phú Xá",
    "Đoàn Kết",
    "Thống Nhất",
    "Xuân Hòa",
    "Hợp Thành",
    "Mẫu Sơn",
    "Na Sầm",
    "Kỳ Lừa",
    "Bản Làng",
    "Nà Phạ",
    "Khánh Khê",
    "Tân Tiến",
    "An Phú",
    "Sơn Hà",
    "Minh Khai",
    "Hưng Đạo",
    "Vân Nham",
    "Yên Thịnh",
    "Tri Lễ",
    "Bắc Lãng",
    "Hoàng Đồng",
    "Gia Cát",
    "Xuân Long",
]
PRODUCTS = {
    "agriculture": [
        ("Na Chi Lăng", "food"),
        ("Hồi khô", "herbs"),
        ("Chè Shan tuyết", "drinks"),
        ("Mật ong rừng", "food"),
        ("Miến dong", "food"),
        ("Quýt vàng Bắc Sơn", "food"),
        ("Hồng không hạt", "food"),
        ("Gạo nếp cẩm", "food"),
        ("Thạch đen", "food"),
        ("Măng khô", "food"),
        ("Rau bò khai", "food"),
        ("Trám đen", "food"),
    ],
    "forestry": [("Tinh dầu hồi", "herbs"), ("Quế khô", "herbs"), ("Hoa hồi xuất khẩu", "herbs")],
    "fisheries": [("Cá chép ruộng", "food")],
    "handicraft": [("Khăn thổ cẩm", "handicrafts"), ("Mây tre đan", "handicrafts")],
    "tourism": [("Du lịch cộng đồng bản", "tourism")],
    "trade_services": [("Rượu men lá Mẫu Sơn", "drinks"), ("Vịt quay", "food")],
}
FAMILY = ["Hoàng", "Nông", "Lương", "Vi", "Lý", "Triệu", "Lộc", "Đinh", "Nguyễn", "Lăng", "Mã"]
GIVEN = [
    "Văn Thắng",
    "Thị Hoa",
    "Văn Hùng",
    "Thị Lan",
    "Văn Bình",
    "Thị Mai",
    "Đức Minh",
    "Thị Thu",
    "Văn Quý",
    "Văn Sơn",
    "Thị Hằng",
    "Quang Huy",
]
DEMO_USERS = {
    "admin": (Role.ADMIN, "Quản trị viên (demo)"),
    "canbo": (Role.ADVISOR, "Cán bộ Liên minh HTX (demo)"),
    "bancd": (Role.STEERING, "Ban Chỉ đạo tỉnh (demo)"),
    "giamdoc": (Role.MANAGER, "Giám đốc HTX (demo)"),
}
ADVISOR, MANAGER = "canbo", "giamdoc"

# The demo's "today": fixed, so the same seed gives the same data whenever it runs.
TODAY = dt.date(2026, 11, 1)
VIETNAM = dt.timezone(dt.timedelta(hours=7))
COOPERATIVE_QUESTIONNAIRES = ("digital", "value_chain")
PRODUCT_QUESTIONNAIRES = ("ocop",)


@dataclass(frozen=True)
class DemoWave:
    key: str
    name: str
    status: WaveStatus
    opens_on: dt.date
    closes_on: dt.date
    submitted: float  # share of subjects that submitted
    drafts: float  # share with a draft in progress; the rest have not started


WAVES = (
    DemoWave(
        "2025",
        "Đợt đánh giá 2025",
        WaveStatus.CLOSED,
        dt.date(2025, 3, 1),
        dt.date(2025, 10, 31),
        submitted=0.85,
        drafts=0.0,
    ),
    DemoWave(
        "2026",
        "Đợt đánh giá 2026",
        WaveStatus.OPEN,
        dt.date(2026, 3, 1),
        dt.date(2026, 12, 31),
        submitted=0.65,
        drafts=0.15,
    ),
)
# Paper forms the Alliance types in for cooperatives without a smartphone or the habit.
ON_BEHALF_SHARE = 0.15
# The demo manager's cooperatives show every state on their home page: what they did per
# wave and questionnaire (absent: not started); a draft of theirs is about half answered.
MANAGER_PLAN = {
    ("2025", "digital"): ResponseStatus.SUBMITTED,
    ("2025", "value_chain"): ResponseStatus.SUBMITTED,
    ("2025", "ocop"): ResponseStatus.SUBMITTED,
    ("2026", "digital"): ResponseStatus.DRAFT,
    ("2026", "ocop"): ResponseStatus.SUBMITTED,
}
MANAGER_DRAFT_SHARE = 0.5

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
# The OCOP group of a product as the ocop questionnaire names it.
OCOP_GROUP_ANSWER = {"handicrafts": "handicraft"}
# A product certified with these stars passed the official check, so it meets the minimum
# conditions the ocop questionnaire sets for that band and those below it.
OCOP_CERTIFIED = {
    2: ("ocop_quality_dossier",),
    3: ("ocop_published_standard", "ocop_internal_control"),
    4: ("ocop_unique",),
    5: ("ocop_export_ready",),
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
ROWS_PER_INSERT = 5000


@dataclass(frozen=True)
class DemoResult:
    cooperatives: int
    products: int
    passwords: dict[str, str]
    waves: tuple[str, ...] = ()
    submitted: int = 0
    drafts: int = 0
    answers: int = 0


def progress_total(cooperatives: int) -> int:
    """The units `generate` reports for a registry of this size: the registry, then answers."""
    return 2 * cooperatives


def generate(
    session: Session,
    *,
    cooperatives: int = 540,
    seed: int = 20,
    progress: Callable[[int], None] | None = None,
) -> DemoResult:
    """Fill an empty registry with a province and two waves of answers; renew the demo sign-ins."""
    if session.scalar(select(Cooperative.id).limit(1)) is not None:
        # Answers are only made with the registry they belong to: running again stays harmless.
        return DemoResult(0, 0, _demo_accounts(session))
    made_coops, made_products = _registry(session, cooperatives, seed, progress)
    # The answers need the advisor and the manager's cooperatives, so the accounts come first.
    passwords = _demo_accounts(session)
    counts = _responses(session, seed=seed, progress=progress)
    if progress:
        progress(made_coops - counts.reported)
    return DemoResult(
        made_coops,
        made_products,
        passwords,
        waves=tuple(counts.waves),
        submitted=counts.submitted,
        drafts=counts.drafts,
        answers=counts.answers,
    )


def _registry(
    session: Session, count: int, seed: int, progress: Callable[[int], None] | None
) -> tuple[int, int]:
    rng = random.Random(seed)
    districts = list(
        session.scalars(select(Area).where(Area.level == AreaLevel.DISTRICT).order_by(Area.code))
    )
    if not districts:
        raise RuntimeError("no districts loaded: run `htxso init` first")
    # Districts differ in size; a fixed weight per district keeps the spread realistic.
    district_weights = [rng.uniform(0.5, 2.0) for _ in districts]
    sectors = list(SECTOR_WEIGHTS)
    sector_weights = list(SECTOR_WEIGHTS.values())
    now = utcnow()
    chunk = 2000
    made_products = 0
    for start in range(0, count, chunk):
        rows: list[dict[str, Any]] = []
        for number in range(start, min(start + chunk, count)):
            area = rng.choices(districts, district_weights)[0]
            sector = rng.choices(sectors, sector_weights)[0]
            status = rng.choices(["active", "suspended", "dissolved"], [90, 7, 3])[0]
            place = area.name.removeprefix("Thành phố ")
            rows.append(
                {
                    "registration_code": f"49{number + 1:08d}",
                    "name": f"{SECTOR_PREFIX[sector]} {rng.choice(NAME_WORDS)} {place}",
                    "area_id": area.id,
                    "sector": sector,
                    "members": int(rng.lognormvariate(3.2, 0.7)) + 7,
                    "founded_year": rng.randint(1997, 2025),
                    "status": status,
                    "contact_name": f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}",
                    "phone": f"09{rng.randint(10_000_000, 99_999_999)}",
                    "email": None,
                    "address": f"{rng.choice(NAME_WORDS)}, {area.name}, Lạng Sơn",
                    "created_at": now,
                    "updated_at": now,
                }
            )
        session.execute(insert(Cooperative), rows)
        codes = [r["registration_code"] for r in rows]
        ids = dict(
            session.execute(
                select(Cooperative.registration_code, Cooperative.id).where(
                    Cooperative.registration_code.in_(codes)
                )
            ).all()
        )
        products = []
        for row in rows:
            catalogue = PRODUCTS.get(row["sector"])
            if not catalogue:
                continue
            for name, group in rng.sample(
                catalogue, k=min(len(catalogue), rng.choice([0, 1, 1, 2, 3]))
            ):
                stars = rng.choices([0, 3, 4, 5], [70, 22, 7, 1])[0]
                products.append(
                    {
                        "cooperative_id": ids[row["registration_code"]],
                        "name": name,
                        "ocop_group": group,
                        "stars": stars,
                        "certificate_date": (
                            TODAY - dt.timedelta(days=rng.randint(30, 1500)) if stars else None
                        ),
                        "created_at": now,
                    }
                )
        if products:
            # NULLs are sent, not left out: rows that differ in which values are None would
            # otherwise split the batch into one INSERT per run of alike rows.
            session.execute(insert(Product), products, execution_options={"render_nulls": True})
        made_products += len(products)
        if progress:
            progress(len(rows))
    session.flush()
    return count, made_products


def _demo_accounts(session: Session) -> dict[str, str]:
    """Create the four demo accounts, or give them new passwords; returns the passwords."""
    passwords: dict[str, str] = {}
    first_coops = list(
        session.scalars(
            select(Cooperative.id)
            .where(Cooperative.status == "active", Cooperative.sector == "agriculture")
            .order_by(Cooperative.id)
            .limit(2)
        )
    )
    for username, (role, full_name) in DEMO_USERS.items():
        password = generate_password()
        passwords[username] = password
        user = accounts.get_user(session, username=username)
        if user is None:
            accounts.create_user(
                session,
                username=username,
                full_name=full_name,
                role=role,
                password=password,
                cooperative_ids=tuple(first_coops) if role == Role.MANAGER else (),
            )
        else:
            user.password_hash = hash_password(password)
            user.is_active = True
            accounts.end_user_sessions(session, user_id=user.id)
    session.flush()
    return passwords


# Responses -----------------------------------------------------------------------------------


@dataclass
class _Counts:
    waves: list[str] = field(default_factory=list)
    submitted: int = 0
    drafts: int = 0
    answers: int = 0
    reported: int = 0  # progress units already reported


@dataclass(frozen=True)
class _Form:
    """A questionnaire version as the generator uses it."""

    version_id: int
    q: Questionnaire
    # The order a person fills it in: step by step (one dimension a step), then file order.
    order: tuple[str, ...]
    step: dict[str, int]


@dataclass(frozen=True)
class _Subject:
    key: str
    cooperative_id: int
    product_id: int | None
    maturity: tuple[float, ...]  # per wave
    known: dict[str, AnswerValue]


@dataclass(frozen=True)
class _Actors:
    """Who enters answers: the advisor on paper forms, the manager for their own."""

    advisor_id: int | None
    manager_id: int | None
    managed: frozenset[int]


@dataclass(frozen=True)
class _Wave:
    spec: DemoWave
    id: int
    index: int  # in WAVES, which is also where a subject's maturity for it sits


@dataclass
class _Pending:
    """A response row waiting for its id, with its answers and dimension scores."""

    row: dict[str, Any]
    answers: dict[str, AnswerValue]
    dimensions: dict[str, float]


def _responses(session: Session, *, seed: int, progress: Callable[[int], None] | None) -> _Counts:
    """Two waves of answers for the registry just made: scored submissions, drafts, gaps."""
    counts = _Counts()
    forms = _forms(session)
    if not forms:
        return counts  # nothing published: no wave could ask anything
    waves = _waves(session, forms=forms)
    if not waves:
        return counts
    counts.waves = [w.spec.key for w in waves]
    rng = random.Random(seed * 7919 + 1)
    advisor = accounts.get_user(session, username=ADVISOR)
    manager = accounts.get_user(session, username=MANAGER)
    managed = (
        set(session.scalars(accounts.accessible_cooperative_ids(session, user=manager)))
        if manager
        else set()
    )
    actors = _Actors(
        advisor_id=advisor.id if advisor else None,
        manager_id=manager.id if manager else None,
        managed=frozenset(managed),
    )
    coops = session.execute(
        select(Cooperative.id, Cooperative.area_id, Cooperative.sector, Cooperative.members)
        .where(Cooperative.status == CooperativeStatus.ACTIVE)
        .order_by(Cooperative.id)
    ).all()
    products: dict[int, list[tuple[int, str | None, int]]] = {}
    for product_id, coop_id, group, stars in session.execute(
        select(Product.id, Product.cooperative_id, Product.ocop_group, Product.stars)
        .join(Cooperative, Cooperative.id == Product.cooperative_id)
        .where(Cooperative.status == CooperativeStatus.ACTIVE)
        .order_by(Product.cooperative_id, Product.id)
    ).all():
        products.setdefault(coop_id, []).append((product_id, group, stars))
    area_ids = sorted({area_id for _, area_id, _, _ in coops})
    district = {area_id: rng.gauss(0, 0.05) for area_id in area_ids}

    chunk = 1000
    for start in range(0, len(coops), chunk):
        pending: list[_Pending] = []
        for coop_id, area_id, sector, members in coops[start : start + chunk]:
            subjects = _subjects(
                rng,
                coop_id=coop_id,
                base=BASE_MATURITY
                + district[area_id]
                + SECTOR_MATURITY.get(sector, 0.0)
                + 0.03 * (math.log(members or 20) - 3.3),
                products=products.get(coop_id, []),
                forms=forms,
                waves=len(WAVES),
            )
            for wave in waves:
                for subject in subjects:
                    made = _response(rng, wave, forms[subject.key], subject, actors)
                    if made is not None:
                        pending.append(made)
        _insert(session, pending, counts)
        done = len(coops[start : start + chunk])
        counts.reported += done
        if progress:
            progress(done)
    session.flush()
    return counts


def _forms(session: Session) -> dict[str, _Form]:
    """The latest published version of each demo questionnaire; unpublished ones are skipped."""
    forms = {}
    for key in COOPERATIVE_QUESTIONNAIRES + PRODUCT_QUESTIONNAIRES:
        try:
            version = surveys.latest_version(session, key=key)
        except NotFound:
            continue
        q = surveys.definition(version)
        step = {
            question.code: number
            for number, dimension in enumerate(q.dimensions, start=1)
            for question in q.questions_by_dimension[dimension.key]
        }
        forms[key] = _Form(version.id, q, tuple(step), step)
    return forms


def _waves(session: Session, *, forms: dict[str, _Form]) -> list[_Wave]:
    """Create the demo waves, each asking every form; a wave key already taken is left alone."""
    made = []
    for index, spec in enumerate(WAVES):
        if session.scalar(select(Wave.id).where(Wave.key == spec.key)) is not None:
            continue
        wave = Wave(
            key=spec.key,
            name=spec.name,
            status=spec.status,
            opens_on=spec.opens_on,
            closes_on=spec.closes_on,
        )
        session.add(wave)
        session.flush()
        session.add_all(
            WaveQuestionnaire(wave_id=wave.id, questionnaire_key=key, version_id=form.version_id)
            for key, form in forms.items()
        )
        made.append(_Wave(spec, wave.id, index))
    session.flush()
    return made


def _clamp(value: float, low: float = 0.02, high: float = 0.97) -> float:
    return min(max(value, low), high)


def _subjects(
    rng: random.Random,
    *,
    coop_id: int,
    base: float,
    products: list[tuple[int, str | None, int]],
    forms: Mapping[str, _Form],
    waves: int,
) -> list[_Subject]:
    """A cooperative's subjects for the published forms, each with its maturity per wave."""
    levels = [base + rng.gauss(0, 0.13)]
    for _ in range(1, waves):
        # Most move up a few points a year with the province's programme; some slip back.
        levels.append(levels[-1] + rng.gauss(0.045, 0.05))
    subjects = []
    for key in COOPERATIVE_QUESTIONNAIRES:
        offset = rng.gauss(0, 0.06)  # the same cooperative is not equally strong everywhere
        if key in forms:
            maturity = tuple(_clamp(m + offset) for m in levels)
            subjects.append(_Subject(key, coop_id, None, maturity, {}))
    for product_id, group, stars in products:
        offset = STAR_MATURITY.get(stars, 0.0) + rng.gauss(0, 0.06)
        for key in PRODUCT_QUESTIONNAIRES:
            if key in forms:
                maturity = tuple(_clamp(m + offset) for m in levels)
                known = _registry_answers(forms[key].q, ocop_group=group, stars=stars)
                subjects.append(_Subject(key, coop_id, product_id, maturity, known))
    return subjects


def _registry_answers(
    q: Questionnaire, *, ocop_group: str | None, stars: int
) -> dict[str, AnswerValue]:
    """Answers the registry already knows, so a product's form agrees with its record."""
    known: dict[str, AnswerValue] = {}
    group = OCOP_GROUP_ANSWER.get(ocop_group or "", ocop_group)
    if group and _asks(q, "ocop_group", "single_choice") and q.question("ocop_group").option(group):
        known["ocop_group"] = group
    for band, codes in OCOP_CERTIFIED.items():
        if band <= stars:
            known |= {code: "yes" for code in codes if _asks(q, code, "yes_no")}
    return known


def _asks(q: Questionnaire, code: str, kind: str) -> bool:
    try:
        return q.question(code).type == kind
    except KeyError:
        return False


def _response(
    rng: random.Random,
    wave: _Wave,
    form: _Form,
    subject: _Subject,
    actors: _Actors,
) -> _Pending | None:
    """One subject's response in one wave, or None when it has not started."""
    spec = wave.spec
    mine = subject.cooperative_id in actors.managed
    draw = rng.random()
    if mine:
        status = MANAGER_PLAN.get((spec.key, subject.key))
    elif draw < spec.submitted:
        status = ResponseStatus.SUBMITTED
    elif draw < spec.submitted + spec.drafts:
        status = ResponseStatus.DRAFT
    else:
        status = None
    if status is None:
        return None
    answers = _answers(rng, form.q, subject.maturity[wave.index], subject.known)
    if mine:
        entered_by, on_behalf = actors.manager_id, False
    elif rng.random() < ON_BEHALF_SHARE:
        entered_by, on_behalf = actors.advisor_id, actors.advisor_id is not None
    else:
        entered_by, on_behalf = None, False
    last_day = min(spec.closes_on, TODAY)
    row: dict[str, Any] = {
        "wave_id": wave.id,
        "questionnaire_key": subject.key,
        "version_id": form.version_id,
        "cooperative_id": subject.cooperative_id,
        "product_id": subject.product_id,
        "subject_key": (
            f"p{subject.product_id}"
            if subject.product_id is not None
            else f"c{subject.cooperative_id}"
        ),
        "revision": 1,
        "entered_by_id": entered_by,
        "on_behalf": on_behalf,
        "superseded_at": None,
    }
    if status == ResponseStatus.DRAFT:
        share = MANAGER_DRAFT_SHARE if mine else rng.uniform(0.15, 0.85)
        answered = [code for code in form.order if code in answers]
        if not answered:
            return None
        kept = answered[: max(1, round(len(answered) * share))]
        started = _moment(rng, spec.opens_on, last_day)
        row |= {
            "status": ResponseStatus.DRAFT,
            "last_step": form.step[kept[-1]],
            "created_at": started,
            "updated_at": min(
                started + dt.timedelta(minutes=rng.randint(5, 14 * 24 * 60)), _closing(last_day)
            ),
            "submitted_at": None,
            "submitted_by_id": None,
            "overall": None,
            "level": None,
            "scoring_version": None,
            # No score_detail key: a None there would be stored as JSON null, not SQL NULL.
        }
        return _Pending(row, {code: answers[code] for code in kept}, {})
    result = score(form.q, answers)
    submitted = _moment(rng, spec.opens_on, last_day)
    row |= {
        "status": ResponseStatus.SUBMITTED,
        "last_step": len(form.q.dimensions),
        "created_at": max(
            submitted - dt.timedelta(minutes=rng.randint(15, 21 * 24 * 60)),
            _opening(spec.opens_on),
        ),
        "updated_at": submitted,
        "submitted_at": submitted,
        "submitted_by_id": entered_by,
        "overall": result.overall,
        "level": result.level,
        "scoring_version": result.scoring_version,
        "score_detail": result.to_json(),
    }
    return _Pending(row, answers, {k: d.score for k, d in result.dimensions.items()})


def _moment(rng: random.Random, first: dt.date, last: dt.date) -> dt.datetime:
    """A moment in office hours, Vietnam time, on a day between two dates; in UTC."""
    day = first + dt.timedelta(days=rng.randint(0, max((last - first).days, 0)))
    return _opening(day) + dt.timedelta(minutes=rng.randint(0, 10 * 60))


def _opening(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(7), tzinfo=VIETNAM).astimezone(dt.UTC)


def _closing(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(17), tzinfo=VIETNAM).astimezone(dt.UTC)


def _insert(session: Session, pending: list[_Pending], counts: _Counts) -> None:
    """Bulk-insert responses, then their answers and dimension scores, a slice at a time."""
    if not pending:
        return
    # Alike rows together, so each slice is one batched INSERT (see _registry on render_nulls).
    rows = sorted((p.row for p in pending), key=lambda row: row["status"])
    for start in range(0, len(rows), ROWS_PER_INSERT):
        session.execute(
            insert(Response),
            rows[start : start + ROWS_PER_INSERT],
            execution_options={"render_nulls": True},
        )
    # Read the ids back by the natural key: RETURNING in parameter order makes SQLite insert
    # row by row, which is many times slower than this one indexed query.
    coop_ids = sorted({p.row["cooperative_id"] for p in pending})
    ids = {
        (wave_id, key, subject): response_id
        for response_id, wave_id, key, subject in session.execute(
            select(
                Response.id, Response.wave_id, Response.questionnaire_key, Response.subject_key
            ).where(Response.cooperative_id.in_(coop_ids), Response.revision == 1)
        )
    }
    answers: list[dict[str, Any]] = []
    dimensions: list[dict[str, Any]] = []
    for item in pending:
        row = item.row
        response_id = ids[row["wave_id"], row["questionnaire_key"], row["subject_key"]]
        moment = row["updated_at"]
        answers += (
            {"response_id": response_id, "question_code": c, "value": v, "updated_at": moment}
            for c, v in item.answers.items()
        )
        dimensions += (
            {"response_id": response_id, "dimension_key": k, "score": s}
            for k, s in item.dimensions.items()
        )
        if row["status"] == ResponseStatus.SUBMITTED:
            counts.submitted += 1
        else:
            counts.drafts += 1
    # Into the tables themselves: the ORM's per-row bookkeeping nearly doubles the time here.
    for model, rows in ((Answer, answers), (DimensionScore, dimensions)):
        table = Base.metadata.tables[model.__tablename__]
        for start in range(0, len(rows), ROWS_PER_INSERT):
            session.execute(insert(table), rows[start : start + ROWS_PER_INSERT])
    counts.answers += len(answers)


def _answers(
    rng: random.Random, q: Questionnaire, maturity: float, known: Mapping[str, AnswerValue]
) -> dict[str, AnswerValue]:
    """An answer to every question shown, in file order; more mature picks better options."""
    answers: dict[str, AnswerValue] = {}
    shown: set[str] = set()
    for question in q.questions:
        condition = question.relevant
        # As the engine does: a condition only sees the answers of questions still shown.
        if condition is not None and not (
            condition.references() <= shown and condition.evaluate(answers)
        ):
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
