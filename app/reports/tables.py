"""The tables the portal exports: rankings, coverage, the chase list and cooperatives' scores.

Column codes never change (scripts key on them); headers come in Vietnamese and English.
Wherever a cell holds a code (a questionnaire, a level, a measure, an area level) a column
beside it holds its name, in the reader's language (`locale`, chosen by the web layer).
app.reports.downloads writes them as CSV or XLSX.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.areas.models import Area
from app.cooperatives.models import Cooperative
from app.cooperatives.service import in_areas
from app.cooperatives.vocabulary import SECTORS, label
from app.reports import coverage as coverage_report
from app.reports import rankings as rankings_report
from app.reports.answers import TIMEZONE
from app.reports.exports import Column, Rows
from app.reports.scope import WaveChoice, placement, population
from app.reports.scores import COMBINED, CooperativeScores, cooperative_scores
from app.responses import service as responses

# How a reminder was made, as the chase-up page names it.
CHANNEL_VI = {"phone": "gọi điện", "sms": "SMS", "zalo": "Zalo", "visit": "đến tận nơi"}
STATE_VI = {
    "not_started": "Chưa bắt đầu",
    "in_progress": "Đang làm",
    "submitted": "Đã nộp",
    "not_asked": "Không áp dụng",
}


# Columns that mean the same in every table that has them, defined once so their codes and
# headers cannot drift apart between exports.
WAVE = Column("wave", "Đợt đánh giá", "Wave")
AREA_COLUMNS = (
    Column("area_level", "Mã cấp địa bàn", "Area level code"),
    Column("area_level_label", "Cấp địa bàn", "Area level"),
    Column("area_code", "Mã địa bàn", "Area code"),
    Column("area_name", "Tên địa bàn", "Area", width=24),
    # For a 2025 commune, the former districts its wards came from (2023 baselines).
    Column("former_districts", "Huyện cũ", "Former districts"),
)
REGISTRATION_CODE = Column("registration_code", "Mã số HTX", "Registration code")
QUESTIONNAIRE_COLUMNS = (
    Column("questionnaire", "Mã bộ câu hỏi", "Questionnaire code"),
    Column("questionnaire_label", "Bộ câu hỏi", "Questionnaire"),
)
QUESTIONNAIRE_VERSION = Column("version", "Phiên bản bộ câu hỏi", "Questionnaire version")
# A level as a machine keys on it and as a person reads it, in every export that has one.
LEVEL_COLUMNS = (Column("level", "Mã mức", "Level code"), Column("level_label", "Mức", "Level"))
COOPERATIVE = Column("cooperative", "Tên HTX", "Cooperative", width=40)
DISTRICT = Column("district", "Huyện (cũ)", "Former district")
COMMUNE = Column("commune", "Xã/Phường", "Commune")
# The name of each area level a table may group by.
AREA_LEVELS = {
    "country": {"vi": "Cả nước", "en": "Country"},
    "province": {"vi": "Tỉnh", "en": "Province"},
    "commune": {"vi": "Xã/Phường", "en": "Commune"},
    "former_district": {"vi": "Huyện (cũ)", "en": "Former district"},
    "former_ward": {"vi": "Xã/Phường (cũ)", "en": "Former commune"},
}
OVERALL_TITLE = {"vi": "Điểm tổng", "en": "Overall score"}


def pick(text: Mapping[str, str], locale: str) -> str:
    """Text that is data in both languages, in the reader's (Vietnamese when not given)."""
    return text.get(locale) or text["vi"]


def _area(
    r: rankings_report.RankingRow | coverage_report.CoverageRow, locale: str
) -> dict[str, Any]:
    """The values of the AREA_COLUMNS."""
    level = AREA_LEVELS.get(str(r.area_level))
    return {
        "area_level": r.area_level,
        "area_level_label": pick(level, locale) if level else r.area_level,
        "area_code": r.code,
        "area_name": r.name,
        "former_districts": r.former_districts,
    }


@dataclass(frozen=True)
class Table:
    """One exported table: a sheet name, its columns and its rows."""

    title: str
    columns: list[Column]
    rows: Rows
    ordered: bool = False  # rows are lists in column order (exports.Rows), not mappings


# Rankings ------------------------------------------------------------------------------------


def ranking_table(report: rankings_report.Ranking, *, locale: str = "vi") -> Table:
    """The ranking as the page shows it: ranked areas, small areas, then the province."""
    measure = report.measure_title or {"vi": "điểm tổng", "en": "overall score"}
    counted = (
        ("Số sản phẩm", "Products") if report.levels_count_products else ("Số HTX", "Cooperatives")
    )
    columns = [
        WAVE,
        *QUESTIONNAIRE_COLUMNS,
        QUESTIONNAIRE_VERSION,
        Column("measure", "Mã chỉ tiêu xếp hạng", "Ranking measure code"),
        Column("measure_label", "Chỉ tiêu xếp hạng", "Ranking measure"),
        *AREA_COLUMNS,
        Column("province", "Tỉnh", "Province"),
        Column("asked", "Số HTX được hỏi", "Cooperatives asked", kind="integer"),
        Column("responses", "Số HTX có điểm", "Cooperatives with a score", kind="integer"),
        Column(
            "measured",
            "Số HTX có điểm chỉ tiêu xếp hạng",
            "Cooperatives with a score on the measure",
            kind="integer",
        ),
        Column("coverage", "Tỷ lệ bao phủ", "Coverage", kind="percent"),
        Column("rank", "Thứ hạng", "Rank", kind="integer"),
        Column("rank_best", "Thứ hạng cao nhất có thể", "Best possible rank", kind="integer"),
        Column("rank_worst", "Thứ hạng thấp nhất có thể", "Worst possible rank", kind="integer"),
        Column(
            "too_few",
            f"Dưới {report.minimum} phiếu, không xếp hạng (1 = có)",
            f"Under {report.minimum} responses, not ranked (1 = yes)",
            kind="integer",
        ),
        Column("mean", f"Trung bình ({measure['vi']})", f"Mean ({measure['en']})", kind="number"),
        Column("ci_low", "Cận dưới khoảng tin cậy 95%", "95% interval, low", kind="number"),
        Column("ci_high", "Cận trên khoảng tin cậy 95%", "95% interval, high", kind="number"),
        Column("sd", "Độ lệch chuẩn", "Standard deviation", kind="number"),
        Column("median", "Trung vị", "Median", kind="number"),
        Column("q1", "Tứ phân vị thứ nhất", "First quartile", kind="number"),
        Column("q3", "Tứ phân vị thứ ba", "Third quartile", kind="number"),
        Column("iqr", "Khoảng tứ phân vị", "Interquartile range", kind="number"),
        Column("previous_mean", "Trung bình đợt trước", "Previous wave's mean", kind="number"),
        Column(
            "change", "Thay đổi so với đợt trước", "Change since the previous wave", kind="number"
        ),
        Column("overall_mean", "Điểm tổng trung bình", "Mean overall score", kind="number"),
        *(
            Column(f"dim_{d.key}", f"TB: {d.title['vi']}", f"Mean: {d.title['en']}", kind="number")
            for d in report.dimensions
        ),
        *(
            Column(
                f"level_{lv.key}",
                f"{counted[0]}: {lv.title['vi']}",
                f"{counted[1]}: {lv.title['en']}",
                kind="integer",
            )
            for lv in report.levels
        ),
    ]
    measure_label = pick(report.measure_title or OVERALL_TITLE, locale)

    # One version, or for the combined index each questionnaire's ("digital 2026.2; ...").
    version = (
        "; ".join(f"{k} {v}" for k, v in report.versions.items())
        if report.key == COMBINED
        else report.versions.get(report.key)
    )

    def row(r: rankings_report.RankingRow) -> dict[str, Any]:
        return {
            "wave": report.choice.wave.key,
            "questionnaire": report.key,
            "questionnaire_label": pick(report.title, locale),
            "version": version,
            "measure": report.measure,
            "measure_label": measure_label,
            **_area(r, locale),
            "province": r.province,
            "asked": r.asked,
            "responses": r.responses,
            "measured": r.measured,
            "coverage": r.coverage,
            "rank": r.rank,
            "rank_best": r.rank_best,
            "rank_worst": r.rank_worst,
            "too_few": 1 if r.too_few else 0,
            "mean": r.mean,
            "ci_low": r.low,
            "ci_high": r.high,
            "sd": r.sd,
            "median": r.median,
            "q1": r.q1,
            "q3": r.q3,
            "iqr": r.iqr,
            "previous_mean": r.previous_mean,
            "change": r.change,
            "overall_mean": r.overall_mean,
            **{f"dim_{d.key}": r.dimensions.get(d.key) for d in report.dimensions},
            **{f"level_{lv.key}": r.levels.get(lv.key, 0) for lv in report.levels},
        }

    return Table(
        "Xếp hạng" if locale == "vi" else "Ranking",
        columns,
        [row(r) for r in [*report.rows, *report.provinces]],
    )


def notes_table(report: rankings_report.Ranking, *, locale: str = "vi") -> Table:
    """How to read the ranking, for the workbook's second sheet."""
    notes = [
        (
            "minimum",
            {
                "vi": f"Địa bàn có dưới {report.minimum} HTX có điểm được ghi nhận nhưng không "
                "xếp hạng.",
                "en": f"An area with under {report.minimum} scored cooperatives is listed but "
                "not ranked.",
            },
        ),
        (
            "interval",
            {
                "vi": "Khoảng tin cậy 95% của điểm trung bình: TB ± t(0,975; n−1) × độ lệch "
                "chuẩn ÷ √n.",
                "en": "95% interval of the mean: mean ± t(0.975; n−1) × standard deviation ÷ √n.",
            },
        ),
        (
            "rank_range",
            {
                "vi": "Thứ hạng cao nhất/thấp nhất có thể: chỉ coi một địa bàn hơn địa bàn khác "
                "khi hai khoảng tin cậy không chồng lên nhau.",
                "en": "Best and worst possible rank: an area counts as ahead of another only "
                "when their two intervals do not overlap.",
            },
        ),
        (
            "ties",
            {
                "vi": "Hai địa bàn có điểm trung bình bằng nhau (làm tròn 1 chữ số thập phân) "
                "cùng thứ hạng.",
                "en": "Two areas with the same mean (rounded to one decimal) share a rank.",
            },
        ),
        (
            "combined",
            {
                "vi": "Chỉ số tổng hợp: trung bình cộng điểm các bộ câu hỏi của HTX trong đợt; "
                "bắt buộc có đủ các bộ câu hỏi cấp HTX, điểm OCOP (sản phẩm tốt nhất) được tính "
                "khi có.",
                "en": "Combined index: the plain mean of a cooperative's questionnaire scores in "
                "the wave; every cooperative questionnaire is required, the OCOP score (its best "
                "product) counts when there is one.",
            },
        ),
        (
            "quartiles",
            {
                "vi": "Trung vị và tứ phân vị tính như hàm QUARTILE.INC của Excel.",
                "en": "Median and quartiles are computed as Excel's QUARTILE.INC.",
            },
        ),
    ]
    return Table(
        "Giải thích" if locale == "vi" else "Notes",
        [Column("code", "Mã", "Code"), Column("note", "Giải thích", "Note", width=100)],
        [{"code": c, "note": pick(n, locale)} for c, n in notes],
    )


# Coverage ------------------------------------------------------------------------------------


def coverage_table(report: coverage_report.CoverageReport, *, locale: str = "vi") -> Table:
    """Coverage per area and per province."""
    choice = report.choice
    columns = [
        WAVE,
        *AREA_COLUMNS,
        Column("active", "Số HTX đang hoạt động", "Active cooperatives", kind="integer"),
        Column("started", "Đã bắt đầu", "Started", kind="integer"),
        Column("finished", "Đã nộp đủ", "Finished", kind="integer"),
        Column("not_started", "Chưa bắt đầu", "Not started", kind="integer"),
        Column("in_progress", "Đang làm dở", "In progress", kind="integer"),
        Column("coverage", "Tỷ lệ nộp đủ", "Coverage", kind="percent"),
    ]
    for key in choice.subjects:
        vi, en = choice.titles[key]["vi"], choice.titles[key]["en"]
        columns += [
            Column(f"{key}_asked", f"{vi}: số được hỏi", f"{en}: asked", kind="integer"),
            Column(f"{key}_started", f"{vi}: đã bắt đầu", f"{en}: started", kind="integer"),
            Column(f"{key}_submitted", f"{vi}: đã nộp", f"{en}: submitted", kind="integer"),
            Column(f"{key}_coverage", f"{vi}: tỷ lệ nộp", f"{en}: coverage", kind="percent"),
        ]

    def row(r: coverage_report.CoverageRow) -> dict[str, Any]:
        values: dict[str, Any] = {
            "wave": choice.wave.key,
            **_area(r, locale),
            "active": r.active,
            "started": r.started,
            "finished": r.finished,
            "not_started": r.not_started,
            "in_progress": r.in_progress,
            "coverage": r.coverage,
        }
        for key, tally in r.by_key.items():
            values |= {
                f"{key}_asked": tally.asked,
                f"{key}_started": tally.started,
                f"{key}_submitted": tally.submitted,
                f"{key}_coverage": tally.coverage,
            }
        return values

    return Table(
        "Độ bao phủ" if locale == "vi" else "Coverage",
        columns,
        [row(r) for r in [*report.rows, *report.provinces]],
    )


def chase_table(choice: WaveChoice, chase: coverage_report.ChaseList) -> Table:
    """Cooperatives still to finish the wave, with whom to call."""
    columns = [
        WAVE,
        COMMUNE,
        DISTRICT,
        REGISTRATION_CODE,
        COOPERATIVE,
        Column("contact_name", "Người liên hệ"),
        Column("phone", "Điện thoại"),
        Column("state", "Tình trạng"),
        *(Column(f"{k}_state", choice.titles[k]["vi"]) for k in choice.subjects),
        # The latest reminder in this wave, as the page shows it on each card.
        Column("contacted_at", "Nhắc gần nhất (giờ Việt Nam UTC+7)", width=20),
        Column("contacted_by", "Người nhắc"),
        Column("contact_channel", "Cách nhắc"),
    ]
    rows = (
        {
            "wave": choice.wave.key,
            "commune": r.commune,
            "district": r.district,
            "registration_code": r.registration_code,
            "cooperative": r.name,
            "contact_name": r.contact_name,
            "phone": r.phone,
            "state": STATE_VI["in_progress" if r.started else "not_started"],
            **{f"{k}_state": STATE_VI[s] for k, s in r.states.items()},
            **(
                {
                    "contacted_at": r.contact.at.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M"),
                    "contacted_by": r.contact.by,
                    "contact_channel": CHANNEL_VI.get(r.contact.channel, r.contact.channel),
                }
                if r.contact
                else {}
            ),
        }
        for r in chase.rows
    )
    return Table("Cần nhắc", columns, rows)


# Scores --------------------------------------------------------------------------------------


def _in_scope(visible: Select[int], district_id: int | None) -> Select[int]:
    """Active visible cooperatives, of one area (a commune or a former district) when given."""
    pop = population(visible, level="former-district").subquery("population")
    ids = select(pop.c.cooperative_id)
    if district_id is None:
        return ids
    return ids.where(
        pop.c.cooperative_id.in_(select(Cooperative.id).where(in_areas({district_id})))
    )


def _registry(
    session: Session, *, ids: Select[int]
) -> list[tuple[Cooperative, str | None, str | None]]:
    """The cooperatives with their district and commune names, by district and name."""
    placed = placement(ids).subquery("placed")
    district = Area.__table__.alias("district_area")
    commune = Area.__table__.alias("commune_area")
    rows = session.execute(
        select(Cooperative, district.c.name, commune.c.name)
        .join(placed, placed.c.cooperative_id == Cooperative.id)
        .outerjoin(district, district.c.id == placed.c.district_id)
        .outerjoin(commune, commune.c.id == placed.c.commune_id)
        .order_by(commune.c.name, district.c.code, Cooperative.name, Cooperative.id)
    ).all()
    return [(c, d, m) for c, d, m in rows]


def _labels(
    session: Session, *, choice: WaveChoice
) -> tuple[dict[str, list[rankings_report.Label]], dict[tuple[str, str], dict[str, str]]]:
    """Each questionnaire's dimensions, and each (questionnaire, level)'s title."""
    dimensions: dict[str, list[rankings_report.Label]] = {}
    levels: dict[tuple[str, str], dict[str, str]] = {}
    for key in choice.subjects:
        dimensions[key], found = rankings_report.labels(session, choice=choice, key=key)
        levels |= {(key, lv.key): lv.title for lv in found}
    return dimensions, levels


def _versions(session: Session, *, choice: WaveChoice) -> dict[str, str]:
    """The questionnaire version the wave asks, by key."""
    found = responses.wave_versions(session, wave_id=choice.wave.id)
    return {key: version.version for key, version in found.items()}


@dataclass(frozen=True)
class _Scored:
    """What the scores tables read: the cooperatives in scope and their stored scores."""

    subjects: dict[str, str]
    registry: list[tuple[Cooperative, str | None, str | None]]
    table: dict[int, CooperativeScores]
    dimensions: dict[str, list[rankings_report.Label]]
    levels: dict[tuple[str, str], str]  # each (questionnaire, level)'s title, for the reader
    versions: dict[str, str]
    locale: str

    def level(self, key: str, level: str | None) -> str | None:
        """A level's title in the reader's language (the code when the title is unknown)."""
        return self.levels.get((key, level or ""), level)


def _scored(
    session: Session,
    choice: WaveChoice,
    visible: Select[int],
    district_id: int | None,
    key: str | None,
    *,
    with_dimensions: bool,
    locale: str,
) -> _Scored:
    """The cooperatives in scope and their scores, read once for every sheet that shows them."""
    subjects = {key: choice.subjects[key]} if key in choice.subjects else dict(choice.subjects)
    ids = _in_scope(visible, district_id)
    dimensions, levels = _labels(session, choice=choice)
    return _Scored(
        subjects,
        _registry(session, ids=ids),
        cooperative_scores(
            session,
            wave_id=choice.wave.id,
            subjects=subjects,
            cooperatives=ids,
            dimensions=(
                {k: [d.key for d in dimensions.get(k, [])] for k in subjects}
                if with_dimensions
                else None
            ),
        ),
        dimensions,
        {at: pick(title, locale) for at, title in levels.items()},
        _versions(session, choice=choice),
        locale,
    )


def scores_tables(
    session: Session,
    *,
    choice: WaveChoice,
    visible: Select[int],
    district_id: int | None = None,
    key: str | None = None,
    locale: str = "vi",
    with_dimensions: bool = False,
) -> list[Table]:
    """One row per active cooperative: its overall score and level in each questionnaire.

    `key` keeps one questionnaire's columns (all of them when None or the combined index).
    `with_dimensions` adds the dimensions table (the workbook's second sheet), from the same
    reading of the scores.
    """
    scored = _scored(
        session, choice, visible, district_id, key, with_dimensions=with_dimensions, locale=locale
    )
    if with_dimensions:
        return [_scores_table(choice, scored), _dimensions_table(choice, scored)]
    return [_scores_table(choice, scored)]


def _scores_table(choice: WaveChoice, scored: _Scored) -> Table:
    subjects, table, versions, locale = (
        scored.subjects,
        scored.table,
        scored.versions,
        scored.locale,
    )
    columns = [
        WAVE,
        REGISTRATION_CODE,
        COOPERATIVE,
        DISTRICT,
        COMMUNE,
        Column("sector", "Lĩnh vực", "Sector"),
    ]
    for k, subject in subjects.items():
        vi, en = choice.titles[k]["vi"], choice.titles[k]["en"]
        columns += [
            Column(f"{k}_version", f"{vi}: phiên bản", f"{en}: version"),
            Column(f"{k}_overall", f"{vi}: điểm", f"{en}: score", kind="number"),
            # The level's code beside its name (the code came later: `_level` keeps the name).
            Column(f"{k}_level_code", f"{vi}: mã mức", f"{en}: level code"),
            Column(f"{k}_level", f"{vi}: mức", f"{en}: level"),
        ]
        if subject == "product":
            columns.append(
                Column(f"{k}_product", f"{vi}: sản phẩm tốt nhất", f"{en}: best product")
            )
    if len(subjects) > 1:
        columns.append(Column(COMBINED, "Chỉ số tổng hợp", "Combined index", kind="number"))
    rows = []
    for cooperative, district, commune in scored.registry:
        entry = table.get(cooperative.id)
        values: dict[str, Any] = {
            "wave": choice.wave.key,
            "registration_code": cooperative.registration_code,
            "cooperative": cooperative.name,
            "district": district,
            "commune": commune,
            "sector": label(SECTORS, cooperative.sector, locale),
        }
        if entry is not None:
            for k, standing in entry.by_key.items():
                values[f"{k}_version"] = versions.get(k)
                values[f"{k}_overall"] = standing.overall
                values[f"{k}_level_code"] = standing.level
                values[f"{k}_level"] = scored.level(k, standing.level)
                values[f"{k}_product"] = standing.product_name
            if len(subjects) > 1:
                values[COMBINED] = entry.combined
        rows.append(values)
    return Table("Điểm HTX" if locale == "vi" else "Cooperative scores", columns, rows)


def dimensions_table(
    session: Session,
    *,
    choice: WaveChoice,
    visible: Select[int],
    key: str | None,
    district_id: int | None = None,
    locale: str = "vi",
) -> Table:
    """One row per cooperative and questionnaire, one column per dimension."""
    scored = _scored(
        session, choice, visible, district_id, key, with_dimensions=True, locale=locale
    )
    return _dimensions_table(choice, scored)


def _dimensions_table(choice: WaveChoice, scored: _Scored) -> Table:
    keys = list(scored.subjects)
    table, versions, locale = scored.table, scored.versions, scored.locale
    columns = [
        WAVE,
        REGISTRATION_CODE,
        COOPERATIVE,
        COMMUNE,
        DISTRICT,
        *QUESTIONNAIRE_COLUMNS,
        QUESTIONNAIRE_VERSION,
        Column("product", "Sản phẩm (tốt nhất)", "Product (the best)"),
        Column("overall", "Điểm tổng", "Overall score", kind="number"),
        *LEVEL_COLUMNS,
    ]
    # Each questionnaire's dimension columns, side by side: a row fills its questionnaire's
    # block, in the order its standing carries them, and leaves the others empty.
    blocks: dict[str, tuple[int, int]] = {}
    for k in keys:
        vi, en = choice.titles[k]["vi"], choice.titles[k]["en"]
        found = scored.dimensions.get(k, [])
        blocks[k] = (len(columns), len(found))
        columns += [
            Column(
                f"{k}_{d.key}", f"{vi}: {d.title['vi']}", f"{en}: {d.title['en']}", kind="number"
            )
            for d in found
        ]
    fixed = len(columns) - sum(n for _, n in blocks.values())
    # Rows as tuples in column order: at national scale this sheet has 60,000 rows.
    around = {
        k: ([None] * (start - fixed), [None] * (len(columns) - start - n))
        for k, (start, n) in blocks.items()
    }
    # What every row of a questionnaire repeats: its key, title and version.
    heads = {k: (k, pick(choice.titles[k], locale), versions.get(k)) for k in keys}
    wave = choice.wave.key
    rows: list[tuple[Any, ...]] = []
    for cooperative, district, commune in scored.registry:
        entry = table.get(cooperative.id)
        if entry is None:
            continue
        # The fixed columns in the order listed above, then every dimension column.
        who = (wave, cooperative.registration_code, cooperative.name, commune, district)
        for k, standing in entry.by_key.items():
            before, after = around[k]
            level = standing.level
            rows.append(
                (
                    *who,
                    *heads[k],
                    standing.product_name,
                    standing.overall,
                    level,
                    scored.level(k, level),
                    *before,
                    *standing.dimensions,
                    *after,
                )
            )
    title = "Điểm theo khía cạnh" if locale == "vi" else "Dimension scores"
    return Table(title, columns, rows, ordered=True)
