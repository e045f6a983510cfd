"""Shortlists: a targeting list saved under a name with its criteria, opened again with today's
figures, and exported as CSV or XLSX for the Steering Committee.

A shortlist belongs to the Alliance, but each viewer only ever sees, counts and exports the
entries `accessible_cooperative_ids` lets them see.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.areas.models import Area
from app.audit import service as audit
from app.cooperatives.vocabulary import SECTORS
from app.errors import Invalid, NotFound
from app.messages import N_
from app.reports import exports, scope
from app.responses import service as responses
from app.responses.models import Wave
from app.surveys import service as surveys
from app.surveys.definition import Questionnaire
from app.targeting.criteria import Criteria, ModelCriteria, Search, SupportCriteria
from app.targeting.models import Shortlist, ShortlistEntry
from app.targeting.queries import results
from app.targeting.rows import ModelRow, SupportRow, level_label
from app.targeting.schemas import ShortlistName


def save_shortlist(
    session: Session,
    *,
    user: User,
    visible: Select[int],
    named: ShortlistName,
    found: Search,
    ip_address: str | None,
) -> Shortlist:
    """Save the list the criteria give now, for this user, under a name."""
    if found.criteria is None:
        raise Invalid(N_("Invalid criteria."))
    rows = results(session, visible=visible, criteria=found.criteria)
    shortlist = Shortlist(
        name=named.name,
        kind=found.kind,
        wave_id=found.criteria.wave_id,
        criteria={"kind": found.kind, "wave": found.choices.wave.key, **_stored(found.criteria)},
        created_by_id=user.id,
    )
    session.add(shortlist)
    session.flush()
    ids = list(dict.fromkeys(row.contact.cooperative_id for row in rows))
    if ids:
        session.add_all(ShortlistEntry(shortlist_id=shortlist.id, cooperative_id=i) for i in ids)
        session.flush()
    audit.record(
        session,
        actor=user,
        action="shortlist.create",
        target=f"shortlist:{shortlist.id}",
        detail={"name": shortlist.name, "entries": len(ids)},
        ip_address=ip_address,
    )
    return shortlist


@dataclass(frozen=True)
class SavedList:
    """A saved shortlist as one viewer sees it: only the entries they may see are counted."""

    shortlist: Shortlist
    wave_name: str | None
    created_by: str | None
    entries: int


def _saved(visible: Select[int]) -> Select[Shortlist, str, str, Any]:
    counts = (
        select(ShortlistEntry.shortlist_id, func.count().label("n"))
        .where(ShortlistEntry.cooperative_id.in_(visible))
        .group_by(ShortlistEntry.shortlist_id)
        .subquery()
    )
    return (
        select(Shortlist, Wave.name, User.full_name, func.coalesce(counts.c.n, 0))
        .outerjoin(Wave, Wave.id == Shortlist.wave_id)
        .outerjoin(User, User.id == Shortlist.created_by_id)
        .outerjoin(counts, counts.c.shortlist_id == Shortlist.id)
    )


def list_shortlists(session: Session, *, visible: Select[int]) -> list[SavedList]:
    """Every saved shortlist, newest first, with the number of entries the viewer may see."""
    rows = session.execute(
        _saved(visible).order_by(Shortlist.created_at.desc(), Shortlist.id.desc())
    ).all()
    return [SavedList(s, wave, who, int(n)) for s, wave, who, n in rows]


@dataclass(frozen=True)
class OpenedList:
    saved: SavedList
    criteria: Criteria
    rows: list[SupportRow] | list[ModelRow]
    questionnaires: dict[str, Questionnaire]
    district: str | None  # the name of the district the list was narrowed to, if any


def _stored(criteria: Criteria) -> dict[str, Any]:
    return asdict(criteria) if isinstance(criteria, SupportCriteria) else criteria.stored()


def criteria_of(shortlist: Shortlist) -> Criteria:
    """The criteria a shortlist was saved with."""
    stored = {k: v for k, v in shortlist.criteria.items() if k not in ("kind", "wave")}
    if shortlist.kind == "support":
        return SupportCriteria(**stored)
    return ModelCriteria.from_stored(stored)


def open_shortlist(session: Session, *, shortlist_id: int, visible: Select[int]) -> OpenedList:
    """A saved shortlist with today's figures for the entries the viewer may see."""
    row = session.execute(_saved(visible).where(Shortlist.id == shortlist_id)).first()
    if row is None:
        raise NotFound(N_("Shortlist not found."))
    saved = SavedList(row[0], row[1], row[2], int(row[3]))
    # The queries below keep to `visible` too, so an entry the viewer may not see never shows.
    entries = select(ShortlistEntry.cooperative_id).where(
        ShortlistEntry.shortlist_id == shortlist_id
    )
    criteria = criteria_of(saved.shortlist)
    versions = responses.wave_versions(session, wave_id=criteria.wave_id)
    return OpenedList(
        saved,
        criteria,
        results(session, visible=visible, criteria=criteria, only=entries),
        {k: surveys.definition(versions[k]) for k in scope.ordered(versions)},
        session.scalar(select(Area.name).where(Area.id == criteria.area_id))
        if criteria.area_id
        else None,
    )


# Exports -------------------------------------------------------------------------------------

_CONTACT = [
    exports.Column("registration_code", "Mã số HTX", "Registration code"),
    exports.Column("name", "Tên HTX", "Cooperative"),
    exports.Column("commune", "Xã/Phường", "Commune"),
    exports.Column("district", "Huyện (cũ)", "Former district"),
    exports.Column("sector", "Lĩnh vực", "Sector"),
    exports.Column("contact_name", "Người liên hệ", "Contact"),
    exports.Column("phone", "Điện thoại", "Phone"),
    exports.Column("email", "Email", "Email"),
]
_SUPPORT = [
    exports.Column("dimension_score", "Điểm khía cạnh", "Dimension score", "number"),
    exports.Column("overall", "Điểm chung", "Overall score", "number"),
    exports.Column("level", "Mức độ", "Level"),
    exports.Column("product", "Sản phẩm", "Product"),
]
OFFICIAL_STARS = exports.Column("stars", "Số sao OCOP chính thức", "Official OCOP stars", "integer")


def _model_columns(questionnaires: dict[str, Questionnaire]) -> list[exports.Column]:
    """Two columns per questionnaire, in page order: a level's score and name, or a star band
    and the product that reached it; then the official stars."""
    columns = []
    for key, q in questionnaires.items():
        name = q.name
        if q.banded:
            columns += [
                exports.Column(f"{key}_band", f"{name.vi}: hạng sao", f"{name.en}: star band"),
                exports.Column(f"{key}_product", f"{name.vi}: sản phẩm", f"{name.en}: product"),
            ]
        else:
            columns += [
                exports.Column(f"{key}_overall", f"{name.vi}: điểm", f"{name.en}: score", "number"),
                exports.Column(f"{key}_level", f"{name.vi}: mức", f"{name.en}: level"),
            ]
    return [*columns, OFFICIAL_STARS]


def _export_row(row: SupportRow | ModelRow) -> dict[str, Any]:
    contact = row.contact
    data: dict[str, Any] = {
        "registration_code": contact.registration_code,
        "name": contact.name,
        "commune": contact.commune,
        "district": contact.district,
        "sector": SECTORS.get(contact.sector, (contact.sector,))[0],
        "contact_name": contact.contact_name,
        "phone": contact.phone,
        "email": contact.email,
    }
    if isinstance(row, SupportRow):
        return data | {
            "dimension_score": row.score,
            "overall": row.overall,
            "level": row.level["vi"] if row.level else None,
            "product": row.product_name,
        }
    for key, score in row.scores.items():
        label = (row.levels.get(key) or {}).get("vi")
        if key in row.products:
            data |= {f"{key}_band": label, f"{key}_product": row.products[key]}
        else:
            data |= {f"{key}_overall": score, f"{key}_level": label}
    return data | {"stars": row.stars}


def criteria_lines(opened: OpenedList) -> list[tuple[str, str]]:
    """The criteria in words (Vietnamese), for the export's second sheet."""
    criteria = opened.criteria
    lines = [("Danh sách", opened.saved.shortlist.name), ("Đợt", opened.saved.wave_name or "")]
    if isinstance(criteria, SupportCriteria):
        questionnaire = opened.questionnaires.get(criteria.questionnaire)
        dimension = criteria.dimension
        if questionnaire is not None:
            with contextlib.suppress(KeyError):
                dimension = questionnaire.dimension(criteria.dimension).title.vi
        lines += [
            ("Bộ câu hỏi", questionnaire.title.vi if questionnaire else criteria.questionnaire),
            ("Khía cạnh", dimension),
            ("Ngưỡng (dưới)", f"{criteria.threshold:g}"),
        ]
    else:
        # In page order (a stored JSON object need not keep its keys' order).
        keys = [k for k in opened.questionnaires if k in criteria.levels]
        for key in [*keys, *(k for k in criteria.levels if k not in keys)]:
            value = criteria.levels[key]
            questionnaire = opened.questionnaires.get(key)
            label = level_label(questionnaire, value)
            name = questionnaire.title.vi if questionnaire else key
            lines.append((f"{name}: từ mức", label["vi"] if label else "–"))
        lines.append(("Hoặc sản phẩm OCOP chính thức từ (sao)", str(criteria.min_stars)))
    lines.append(("Địa bàn", opened.district or "Tất cả"))
    lines.append(("Lĩnh vực", SECTORS[criteria.sector][0] if criteria.sector else "Tất cả"))
    lines.append(("Lập lúc", opened.saved.shortlist.created_at.isoformat(timespec="minutes")))
    return lines


def export_shortlist(
    session: Session,
    *,
    shortlist_id: int,
    visible: Select[int],
    fmt: str,
    user: User,
    ip_address: str | None,
) -> tuple[str, bytes]:
    """A shortlist as CSV or XLSX (the viewer's entries only), recorded in the audit log.

    Returns the file name and the bytes.
    """
    if fmt not in ("csv", "xlsx"):
        raise NotFound(N_("Unknown format."))
    opened = open_shortlist(session, shortlist_id=shortlist_id, visible=visible)
    if isinstance(opened.criteria, SupportCriteria):
        columns = _CONTACT + _SUPPORT
    else:
        asked = opened.criteria.levels
        columns = _CONTACT + _model_columns(
            {k: q for k, q in opened.questionnaires.items() if k in asked}
        )
    rows = [_export_row(row) for row in opened.rows]
    if fmt == "csv":
        content = exports.csv_bytes(columns, rows)
    else:
        criteria_columns = [
            exports.Column("item", "Tiêu chí", "Criterion", width=40),
            exports.Column("value", "Giá trị", "Value", width=50),
        ]
        content = exports.xlsx_bytes(
            [
                exports.Sheet("Danh sách", columns, rows),
                exports.Sheet(
                    "Tiêu chí",
                    criteria_columns,
                    [{"item": k, "value": v} for k, v in criteria_lines(opened)],
                ),
            ]
        )
    audit.record(
        session,
        actor=user,
        action="export",
        target=f"shortlist:{shortlist_id}",
        detail={"format": fmt, "rows": len(rows)},
        ip_address=ip_address,
    )
    return f"danh-sach-{shortlist_id}-{dt.date.today():%Y%m%d}.{fmt}", content
