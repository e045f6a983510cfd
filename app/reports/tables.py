"""The tables the portal exports: rankings, coverage, the chase list and cooperatives' scores.

Column codes never change (scripts key on them); headers are Vietnamese for the Steering
Committee. app.reports.downloads writes them as CSV or XLSX.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
from app.reports.exports import Column
from app.reports.scope import WaveChoice, placement, population
from app.reports.scores import COMBINED, CooperativeScores, cooperative_scores
from app.responses import service as responses

STATE_VI = {
    "not_started": "Chưa bắt đầu",
    "in_progress": "Đang làm",
    "submitted": "Đã nộp",
    "not_asked": "Không áp dụng",
}


# Columns that mean the same in every table that has them, defined once so their codes and
# headers cannot drift apart between exports.
WAVE = Column("wave", "Đợt đánh giá")
AREA_COLUMNS = (
    Column("area_level", "Cấp địa bàn"),
    Column("area_code", "Mã địa bàn"),
    Column("area_name", "Tên địa bàn", width=24),
    # For a 2025 commune, the former districts its wards came from (2023 baselines).
    Column("former_districts", "Huyện cũ"),
)
REGISTRATION_CODE = Column("registration_code", "Mã số HTX")
QUESTIONNAIRE_VERSION = Column("version", "Phiên bản bộ câu hỏi")
# A level as a machine keys on it and as a person reads it, in every export that has one.
LEVEL_COLUMNS = (Column("level", "Mã mức"), Column("level_label", "Mức"))
COOPERATIVE = Column("cooperative", "Tên HTX", width=40)
DISTRICT = Column("district", "Huyện (cũ)")
COMMUNE = Column("commune", "Xã/Phường")


def _area(r: rankings_report.RankingRow | coverage_report.CoverageRow) -> dict[str, Any]:
    """The values of the AREA_COLUMNS."""
    return {
        "area_level": r.area_level,
        "area_code": r.code,
        "area_name": r.name,
        "former_districts": r.former_districts,
    }


@dataclass(frozen=True)
class Table:
    """One exported table: a sheet name, its columns and its rows."""

    title: str
    columns: list[Column]
    rows: Iterable[Mapping[str, Any]]


# Rankings ------------------------------------------------------------------------------------


def ranking_table(report: rankings_report.Ranking) -> Table:
    """The ranking as the page shows it: ranked areas, small areas, then the province."""
    measure_vi = (report.measure_title or {}).get("vi", "điểm tổng")
    columns = [
        WAVE,
        Column("questionnaire", "Bộ câu hỏi"),
        QUESTIONNAIRE_VERSION,
        Column("measure", "Chỉ tiêu xếp hạng"),
        *AREA_COLUMNS,
        Column("province", "Tỉnh"),
        Column("asked", "Số HTX được hỏi", kind="integer"),
        Column("responses", "Số HTX có điểm", kind="integer"),
        Column("measured", "Số HTX có điểm chỉ tiêu xếp hạng", kind="integer"),
        Column("coverage", "Tỷ lệ bao phủ", kind="percent"),
        Column("rank", "Thứ hạng", kind="integer"),
        Column("rank_best", "Thứ hạng cao nhất có thể", kind="integer"),
        Column("rank_worst", "Thứ hạng thấp nhất có thể", kind="integer"),
        Column("too_few", f"Dưới {report.minimum} phiếu, không xếp hạng (1 = có)", kind="integer"),
        Column("mean", f"Trung bình ({measure_vi})", kind="number"),
        Column("ci_low", "Cận dưới khoảng tin cậy 95%", kind="number"),
        Column("ci_high", "Cận trên khoảng tin cậy 95%", kind="number"),
        Column("sd", "Độ lệch chuẩn", kind="number"),
        Column("median", "Trung vị", kind="number"),
        Column("q1", "Tứ phân vị thứ nhất", kind="number"),
        Column("q3", "Tứ phân vị thứ ba", kind="number"),
        Column("iqr", "Khoảng tứ phân vị", kind="number"),
        Column("previous_mean", "Trung bình đợt trước", kind="number"),
        Column("change", "Thay đổi so với đợt trước", kind="number"),
        Column("overall_mean", "Điểm tổng trung bình", kind="number"),
        *(Column(f"dim_{d.key}", f"TB: {d.title['vi']}", kind="number") for d in report.dimensions),
        *(
            Column(
                f"level_{lv.key}",
                f"{'Số sản phẩm' if report.levels_count_products else 'Số HTX'}: {lv.title['vi']}",
                kind="integer",
            )
            for lv in report.levels
        ),
    ]

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
            "version": version,
            "measure": report.measure,
            **_area(r),
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

    return Table("Xếp hạng", columns, [row(r) for r in [*report.rows, *report.provinces]])


def notes_table(report: rankings_report.Ranking) -> Table:
    """How to read the ranking, for the workbook's second sheet."""
    notes = [
        (
            "minimum",
            f"Địa bàn có dưới {report.minimum} HTX có điểm được ghi nhận nhưng không xếp hạng.",
        ),
        (
            "interval",
            "Khoảng tin cậy 95% của điểm trung bình: TB ± t(0,975; n−1) × độ lệch chuẩn ÷ √n.",
        ),
        (
            "rank_range",
            "Thứ hạng cao nhất/thấp nhất có thể: chỉ coi một địa bàn hơn địa bàn khác khi hai "
            "khoảng tin cậy không chồng lên nhau.",
        ),
        (
            "ties",
            "Hai địa bàn có điểm trung bình bằng nhau (làm tròn 1 chữ số thập phân) cùng thứ hạng.",
        ),
        (
            "combined",
            "Chỉ số tổng hợp: trung bình cộng điểm các bộ câu hỏi của HTX trong đợt; bắt buộc có "
            "đủ các bộ câu hỏi cấp HTX, điểm OCOP (sản phẩm tốt nhất) được tính khi có.",
        ),
        ("quartiles", "Trung vị và tứ phân vị tính như hàm QUARTILE.INC của Excel."),
    ]
    return Table(
        "Giải thích",
        [Column("code", "Mã"), Column("note", "Giải thích", width=100)],
        [{"code": c, "note": n} for c, n in notes],
    )


# Coverage ------------------------------------------------------------------------------------


def coverage_table(report: coverage_report.CoverageReport) -> Table:
    """Coverage per area and per province."""
    choice = report.choice
    columns = [
        WAVE,
        *AREA_COLUMNS,
        Column("active", "Số HTX đang hoạt động", kind="integer"),
        Column("started", "Đã bắt đầu", kind="integer"),
        Column("finished", "Đã nộp đủ", kind="integer"),
        Column("not_started", "Chưa bắt đầu", kind="integer"),
        Column("in_progress", "Đang làm dở", kind="integer"),
        Column("coverage", "Tỷ lệ nộp đủ", kind="percent"),
    ]
    for key in choice.subjects:
        title = choice.titles[key]["vi"]
        columns += [
            Column(f"{key}_asked", f"{title}: số được hỏi", kind="integer"),
            Column(f"{key}_started", f"{title}: đã bắt đầu", kind="integer"),
            Column(f"{key}_submitted", f"{title}: đã nộp", kind="integer"),
            Column(f"{key}_coverage", f"{title}: tỷ lệ nộp", kind="percent"),
        ]

    def row(r: coverage_report.CoverageRow) -> dict[str, Any]:
        values: dict[str, Any] = {
            "wave": choice.wave.key,
            **_area(r),
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

    return Table("Độ bao phủ", columns, [row(r) for r in [*report.rows, *report.provinces]])


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


def _level_labels(session: Session, *, choice: WaveChoice) -> dict[tuple[str, str], str]:
    result: dict[tuple[str, str], str] = {}
    for key in choice.subjects:
        _, levels = rankings_report.labels(session, choice=choice, key=key)
        result |= {(key, lv.key): lv.title["vi"] for lv in levels}
    return result


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
    levels: dict[tuple[str, str], str]
    versions: dict[str, str]


def _scored(
    session: Session,
    choice: WaveChoice,
    visible: Select[int],
    district_id: int | None,
    key: str | None,
    *,
    with_dimensions: bool,
) -> _Scored:
    """The cooperatives in scope and their scores, read once for every sheet that shows them."""
    subjects = {key: choice.subjects[key]} if key in choice.subjects else dict(choice.subjects)
    ids = _in_scope(visible, district_id)
    return _Scored(
        subjects,
        _registry(session, ids=ids),
        cooperative_scores(
            session,
            wave_id=choice.wave.id,
            subjects=subjects,
            cooperatives=ids,
            with_dimensions=with_dimensions,
        ),
        _level_labels(session, choice=choice),
        _versions(session, choice=choice),
    )


def scores_table(
    session: Session,
    *,
    choice: WaveChoice,
    visible: Select[int],
    district_id: int | None = None,
    key: str | None = None,
) -> Table:
    """One row per active cooperative: its overall score and level in each questionnaire.

    `key` keeps one questionnaire's columns (all of them when None or the combined index).
    """
    scored = _scored(session, choice, visible, district_id, key, with_dimensions=False)
    return _scores_table(choice, scored)


def scores_workbook_tables(
    session: Session,
    *,
    choice: WaveChoice,
    visible: Select[int],
    district_id: int | None = None,
    key: str | None = None,
) -> list[Table]:
    """The scores table and the dimensions table from one reading of the scores."""
    scored = _scored(session, choice, visible, district_id, key, with_dimensions=True)
    return [_scores_table(choice, scored), _dimensions_table(session, choice, scored)]


def _scores_table(choice: WaveChoice, scored: _Scored) -> Table:
    subjects, table, levels, versions = (
        scored.subjects,
        scored.table,
        scored.levels,
        scored.versions,
    )
    columns = [
        WAVE,
        REGISTRATION_CODE,
        COOPERATIVE,
        DISTRICT,
        COMMUNE,
        Column("sector", "Lĩnh vực"),
    ]
    for k, subject in subjects.items():
        title = choice.titles[k]["vi"]
        columns += [
            Column(f"{k}_version", f"{title}: phiên bản"),
            Column(f"{k}_overall", f"{title}: điểm", kind="number"),
            Column(f"{k}_level", f"{title}: mức"),
        ]
        if subject == "product":
            columns.append(Column(f"{k}_product", f"{title}: sản phẩm tốt nhất"))
    if len(subjects) > 1:
        columns.append(Column(COMBINED, "Chỉ số tổng hợp", kind="number"))
    rows = []
    for cooperative, district, commune in scored.registry:
        entry = table.get(cooperative.id)
        values: dict[str, Any] = {
            "wave": choice.wave.key,
            "registration_code": cooperative.registration_code,
            "cooperative": cooperative.name,
            "district": district,
            "commune": commune,
            "sector": label(SECTORS, cooperative.sector, "vi"),
        }
        if entry is not None:
            for k, standing in entry.by_key.items():
                values[f"{k}_version"] = versions.get(k)
                values[f"{k}_overall"] = standing.overall
                values[f"{k}_level"] = levels.get((k, standing.level or ""), standing.level)
                values[f"{k}_product"] = standing.product_name
            if len(subjects) > 1:
                values[COMBINED] = entry.combined
        rows.append(values)
    return Table("Điểm HTX", columns, rows)


def dimensions_table(
    session: Session,
    *,
    choice: WaveChoice,
    visible: Select[int],
    key: str | None,
    district_id: int | None = None,
) -> Table:
    """One row per cooperative and questionnaire, one column per dimension."""
    scored = _scored(session, choice, visible, district_id, key, with_dimensions=True)
    return _dimensions_table(session, choice, scored)


def _dimensions_table(session: Session, choice: WaveChoice, scored: _Scored) -> Table:
    keys = list(scored.subjects)
    table, levels, versions = scored.table, scored.levels, scored.versions
    columns = [
        WAVE,
        REGISTRATION_CODE,
        COOPERATIVE,
        COMMUNE,
        DISTRICT,
        Column("questionnaire", "Bộ câu hỏi"),
        QUESTIONNAIRE_VERSION,
        Column("product", "Sản phẩm (tốt nhất)"),
        Column("overall", "Điểm tổng", kind="number"),
        *LEVEL_COLUMNS,
    ]
    dimension_keys: list[tuple[str, str]] = []
    for k in keys:
        for d in rankings_report.labels(session, choice=choice, key=k)[0]:
            dimension_keys.append((k, d.key))
            columns.append(
                Column(f"{k}_{d.key}", f"{choice.titles[k]['vi']}: {d.title['vi']}", kind="number")
            )
    rows = []
    for cooperative, district, commune in scored.registry:
        entry = table.get(cooperative.id)
        if entry is None:
            continue
        for k in keys:
            standing = entry.by_key.get(k)
            if standing is None:
                continue
            rows.append(
                {
                    "wave": choice.wave.key,
                    "registration_code": cooperative.registration_code,
                    "cooperative": cooperative.name,
                    "commune": commune,
                    "district": district,
                    "questionnaire": k,
                    "version": versions.get(k),
                    "product": standing.product_name,
                    "overall": standing.overall,
                    "level": standing.level,
                    "level_label": levels.get((k, standing.level or ""), standing.level),
                    **{
                        f"{qk}_{dk}": standing.dimensions.get(dk)
                        for qk, dk in dimension_keys
                        if qk == k
                    },
                }
            )
    return Table("Điểm theo khía cạnh", columns, rows)
