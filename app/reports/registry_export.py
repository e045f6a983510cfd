"""The registry export: one row per visible cooperative, in both area trees.

Its columns are the importer's: a file exported here imports back unchanged (the commune by
its 2025 code, the former district by its code beside it).
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import Select, case, select
from sqlalchemy.orm import Session, aliased

from app.areas.models import Area, AreaLevel
from app.audit import service as audit
from app.audit.service import Actor
from app.cooperatives.models import Cooperative
from app.cooperatives.vocabulary import SECTORS, STATUSES
from app.reports.downloads import MEDIA, Download, Format
from app.reports.exports import Column, Sheet, csv_bytes, xlsx_bytes
from app.reports.tables import COOPERATIVE, REGISTRATION_CODE, Table

COLUMNS = [
    REGISTRATION_CODE,
    Column("name", COOPERATIVE.header_vi, width=40),
    Column("commune_code", "Mã xã/phường"),
    Column("commune", "Xã/Phường", width=24),
    Column("former_district_code", "Mã huyện (cũ)"),
    Column("former_district", "Huyện (cũ)", width=20),
    Column("province", "Tỉnh"),
    Column("sector", "Lĩnh vực"),
    Column("status", "Trạng thái"),
    Column("members", "Số thành viên", kind="integer"),
    Column("founded_year", "Năm thành lập", kind="integer"),
    Column("contact_name", "Người liên hệ"),
    Column("phone", "Điện thoại"),
    Column("email", "Email"),
    Column("address", "Địa chỉ", width=40),
]


def registry_table(session: Session, *, visible: Select[int]) -> Table:
    """Every visible cooperative with its commune and former district, by registration code."""
    own = aliased(Area)
    province = aliased(Area)
    district = aliased(Area)
    is_commune = own.level == AreaLevel.COMMUNE
    query = (
        select(
            Cooperative,
            case((is_commune, own.code), else_=None),
            case((is_commune, own.name), else_=None),
            case((is_commune, province.name), else_=own.name),
            district.code,
            district.name,
        )
        .join(own, own.id == Cooperative.area_id)
        .outerjoin(province, province.id == own.parent_id)
        .outerjoin(district, district.id == Cooperative.former_district_id)
        .where(Cooperative.id.in_(visible))
        .order_by(Cooperative.registration_code)
    )

    def rows() -> Any:
        for (
            c,
            commune_code,
            commune,
            province_name,
            district_code,
            district_name,
        ) in session.execute(query):
            yield {
                "registration_code": c.registration_code,
                "name": c.name,
                "commune_code": commune_code,
                "commune": commune,
                "former_district_code": district_code,
                "former_district": district_name,
                "province": province_name,
                "sector": SECTORS.get(c.sector, (c.sector,))[0],
                "status": STATUSES.get(c.status, (c.status,))[0],
                "members": c.members,
                "founded_year": c.founded_year,
                "contact_name": c.contact_name,
                "phone": c.phone,
                "email": c.email,
                "address": c.address,
            }

    return Table("Danh sách HTX", COLUMNS, rows())


def export_registry(
    session: Session,
    *,
    visible: Select[int],
    fmt: Format,
    actor: Actor | None,
    via: Literal["web", "cli"],
    ip_address: str | None = None,
) -> Download:
    """The registry as CSV or XLSX, recorded in the audit log like every download."""
    table = registry_table(session, visible=visible)
    if fmt == "csv":
        body = csv_bytes(table.columns, table.rows)
    else:
        body = xlsx_bytes([Sheet(table.title, table.columns, table.rows)])
    audit.record(
        session,
        actor=actor,
        action="export",
        target="registry",
        detail={"what": "registry", "format": fmt, "via": via},
        ip_address=ip_address,
    )
    return Download(f"htxso-registry.{fmt}", MEDIA[fmt], body)
