"""The registry export: both area trees per cooperative, and a file that imports back unchanged."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.areas import service as areas
from app.areas.models import Area, AreaLevel
from app.cooperatives.importer import apply_plan, check_table, read_file
from app.cooperatives.models import Cooperative
from app.reports.registry_export import export_registry
from tests import factories
from tests.workbooks import column_codes

EVERYONE = select(Cooperative.id)


@pytest.fixture
def registry(session: Session) -> list[Cooperative]:
    areas.load_provinces(session, codes=["20"])
    ky_lua = areas.get_by_code(session, "06187", level=AreaLevel.COMMUNE)
    cao_loc = areas.get_by_code(session, "183", level=AreaLevel.FORMER_DISTRICT)
    chi_lang = areas.get_by_code(session, "187", level=AreaLevel.FORMER_DISTRICT)
    assert ky_lua is not None
    assert cao_loc is not None
    assert chi_lang is not None
    return [
        # a commune from two former districts, with the one this cooperative was in
        factories.cooperative(
            session,
            in_area=ky_lua,
            former_district=cao_loc,
            code="4900000001",
            name="HTX Hồi Kỳ Lừa",
        ),
        # known only by its former district: not yet in a commune
        factories.cooperative(
            session,
            in_area=chi_lang,
            code="4900000002",
            name="HTX Na Chi Lăng",
            status="suspended",
        ),
    ]


def rows(data: bytes) -> list[str]:
    return data.decode("utf-8-sig").split("\r\n")


def snapshot(session: Session) -> list[tuple[object, ...]]:
    return [
        (
            c.registration_code,
            c.name,
            c.area_id,
            c.former_district_id,
            c.sector,
            c.status,
            c.members,
            c.founded_year,
            c.contact_name,
            c.phone,
            c.email,
            c.address,
        )
        for c in session.scalars(select(Cooperative).order_by(Cooperative.registration_code))
    ]


def test_csv__carries_both_trees_with_codes_and_vietnamese_headers(
    session: Session, registry: list[Cooperative]
) -> None:
    download = export_registry(session, visible=EVERYONE, fmt="csv", actor=None, via="cli")
    assert download.body is not None
    lines = rows(download.body)
    assert lines[0].startswith(
        "registration_code | Mã số HTX,name | Tên HTX,commune_code | Mã xã/phường,"
        "commune | Xã/Phường,former_district_code | Mã huyện (cũ),former_district | Huyện (cũ),"
        "province | Tỉnh,sector | Lĩnh vực,status | Trạng thái,"
    )
    assert lines[1].startswith(
        "4900000001,HTX Hồi Kỳ Lừa,06187,Phường Kỳ Lừa,183,Huyện Cao Lộc,Tỉnh Lạng Sơn,"
        "Nông nghiệp,Đang hoạt động,25,2015,"
    )
    # not placed: no commune, the former district kept
    assert lines[2].startswith(
        "4900000002,HTX Na Chi Lăng,,,187,Huyện Chi Lăng,Tỉnh Lạng Sơn,Nông nghiệp,"
        "Tạm ngừng hoạt động,"
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_exported_file__imports_back_unchanged(
    session: Session, registry: list[Cooperative], fmt: str
) -> None:
    before = snapshot(session)
    download = export_registry(session, visible=EVERYONE, fmt=fmt, actor=None, via="cli")  # type: ignore[arg-type]
    assert download.body is not None
    table, columns = read_file(download.body, filename=f"registry.{fmt}")
    assert not columns.needs_mapping
    plan = check_table(session, table=table, columns=columns, clear_blanks=False)
    assert plan.problems == []
    assert plan.updates == ["4900000001", "4900000002"]
    apply_plan(session, plan=plan)
    session.expire_all()
    assert snapshot(session) == before


def test_xlsx__has_headers_and_codes_on_their_sheet(
    session: Session, registry: list[Cooperative]
) -> None:
    download = export_registry(session, visible=EVERYONE, fmt="xlsx", actor=None, via="cli")
    assert download.body is not None
    book = load_workbook(io.BytesIO(download.body))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]][:4] == ["Mã số HTX", "Tên HTX", "Mã xã/phường", "Xã/Phường"]
    assert sheet["A2"].value == "4900000001"
    assert column_codes(book, sheet.title)[:4] == [
        "registration_code",
        "name",
        "commune_code",
        "commune",
    ]


def test_a_limited_viewer__exports_only_what_they_see(
    session: Session, registry: list[Cooperative]
) -> None:
    mine = select(Cooperative.id).where(Cooperative.id == registry[0].id)
    download = export_registry(session, visible=mine, fmt="csv", actor=None, via="web")
    assert download.body is not None
    assert len(rows(download.body)) == 3  # header, one cooperative, the final newline


def test_the_importer__places_an_old_form_and_a_2025_form_address_through_the_resolver(
    session: Session, registry: list[Cooperative]
) -> None:
    text = (
        "Mã số HTX,Tên HTX,Lĩnh vực,Địa chỉ\n"
        "4900000011,HTX Cũ,Nông nghiệp,"
        '"Thôn Bản Chắt, xã Mẫu Sơn, huyện Cao Lộc, tỉnh Lạng Sơn"\n'
        "4900000012,HTX Mới,Nông nghiệp,"
        '"Thôn Bản Chắt, Xã Mẫu Sơn, Tỉnh Lạng Sơn"\n'
    )
    table, columns = read_file(text.encode(), filename="htx.csv")
    plan = check_table(session, table=table, columns=columns, clear_blanks=False)
    assert plan.problems == []
    old, new = (r.values for r in plan.rows)
    cao_loc = areas.get_by_code(session, "183", level=AreaLevel.FORMER_DISTRICT)
    assert cao_loc is not None
    # the old form: the former Mẫu Sơn of Cao Lộc, now in another commune, district kept
    ba_son = session.get(Area, old["area_id"])
    assert ba_son is not None
    assert (ba_son.name, old["former_district_id"]) == ("Xã Ba Sơn", cao_loc.id)
    # the 2025 form: today's Xã Mẫu Sơn itself
    mau_son = session.get(Area, new["area_id"])
    assert mau_son is not None
    assert (mau_son.name, mau_son.level) == ("Xã Mẫu Sơn", AreaLevel.COMMUNE)
