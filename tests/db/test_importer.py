"""Registry import: every problem listed with row and column; all rows or none."""

from __future__ import annotations

import io

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.cooperatives.importer import apply_import, plan_import
from app.cooperatives.models import Cooperative
from tests import factories


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Cooperative)) or 0


def test_good_csv_with_bom_and_vietnamese_headers__inserts_every_row(session: Session) -> None:
    district = factories.area(session, code="187", name="Chi Lăng")
    data = (
        "\ufeffMã số HTX,Tên HTX,Mã địa bàn,Lĩnh vực,Số thành viên,Năm thành lập,Trạng thái\n"
        "4900000001,HTX Na Đồng Mỏ,187,Nông nghiệp,35,2016,Đang hoạt động\n"
        "4900000002,HTX Hồi Chi Lăng,Chi Lăng,lam nghiep,12,2020,\n"
    ).encode()
    plan = plan_import(session, data=data, filename="registry.csv")
    assert plan.problems == []
    assert plan.inserts == ["4900000001", "4900000002"]
    apply_import(session, plan=plan)
    stored = session.scalars(select(Cooperative).order_by(Cooperative.registration_code)).all()
    # A former district places a cooperative in it and in its province, not yet in a commune.
    assert [
        (c.name, c.former_district_id, c.area_id, c.sector, c.members, c.status) for c in stored
    ] == [
        ("HTX Na Đồng Mỏ", district.id, district.parent_id, "agriculture", 35, "active"),
        ("HTX Hồi Chi Lăng", district.id, district.parent_id, "forestry", 12, "active"),
    ]


def test_english_headers_and_a_known_code__update_the_cooperative(session: Session) -> None:
    district = factories.area(session, code="185", name="Bắc Sơn")
    factories.cooperative(session, in_area=district, code="4900000009", name="Old name")
    data = (
        "registration_code,name,area,sector,members,status\n"
        "4900000009,HTX Quýt Bắc Sơn,185,agriculture,40,suspended\n"
    ).encode()
    plan = plan_import(session, data=data, filename="registry.csv")
    assert (plan.inserts, plan.updates) == ([], ["4900000009"])
    apply_import(session, plan=plan)
    stored = session.scalars(select(Cooperative)).one()
    assert (stored.name, stored.members, stored.status) == ("HTX Quýt Bắc Sơn", 40, "suspended")


def test_bad_rows__import_nothing_and_list_every_problem(session: Session) -> None:
    factories.area(session, code="187", name="Chi Lăng")
    before = count(session)
    data = (
        "Mã số HTX,Tên HTX,Mã địa bàn,Lĩnh vực,Số thành viên,Năm thành lập,Trạng thái,Email\n"
        "4900000001,HTX Tốt,187,Nông nghiệp,10,2010,,\n"
        ",HTX Thiếu mã,187,Nông nghiệp,10,2010,,\n"
        "4900000003,HTX Sai huyện,999,Nông nghiệp,mười,2010,,\n"
        "4900000004,HTX Sai lĩnh vực,187,Bay vào vũ trụ,10,1800,đóng cửa,not-an-email\n"
        "4900000001,HTX Trùng mã,187,Nông nghiệp,10,2010,,\n"
    ).encode()
    plan = plan_import(session, data=data, filename="registry.csv")
    listed = sorted((p.row, p.column) for p in plan.problems)
    assert listed == [
        (3, "Mã số HTX"),
        (4, "Mã địa bàn"),
        (4, "Số thành viên"),
        (5, "Email"),
        (5, "Lĩnh vực"),
        (5, "Năm thành lập"),
        (5, "Trạng thái"),
        (6, "Mã số HTX"),
    ]
    assert "dòng 6, cột 'Mã số HTX': mã số trùng với dòng 2" in str(
        next(p for p in plan.problems if p.row == 6)
    )
    assert count(session) == before


def test_missing_required_column__is_reported_before_any_row(session: Session) -> None:
    plan = plan_import(session, data=b"name,sector\nHTX A,agriculture\n", filename="r.csv")
    assert {p.column for p in plan.problems} == {"Mã số HTX", "Xã/Phường"}
    assert plan.rows == []


def test_xlsx__is_read_like_csv(session: Session) -> None:
    factories.area(session, code="181", name="Bình Gia")
    book = Workbook()
    sheet = book.active
    sheet.append(["Mã số HTX", "Tên HTX", "Mã địa bàn", "Lĩnh vực", "Số thành viên"])
    sheet.append([4900000007, "HTX Chè Bình Gia", 181, "Nông nghiệp", 18])
    buffer = io.BytesIO()
    book.save(buffer)
    plan = plan_import(session, data=buffer.getvalue(), filename="registry.xlsx")
    assert plan.problems == []
    assert plan.inserts == ["4900000007"]
    assert plan.rows[0].members == 18


def test_a_file_that_is_not_utf8__is_refused_with_a_message(session: Session) -> None:
    data = "Mã số HTX,Tên HTX\n".encode("latin-1", errors="replace")
    plan = plan_import(session, data=data, filename="registry.csv")
    assert not plan.ok
    assert "UTF-8" in plan.problems[0].message


def test_a_damaged_xlsx__is_refused_with_a_message(session: Session) -> None:
    plan = plan_import(session, data=b"not a workbook", filename="registry.xlsx")
    assert not plan.ok
    assert "Excel" in plan.problems[0].message
