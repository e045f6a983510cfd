"""Registry import: the files officers really have, every problem in one pass, nothing lost."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.areas.models import Area, AreaLevel
from app.cooperatives.columns import mapped_by_names
from app.cooperatives.importer import (
    ImportPlan,
    apply_plan,
    check_table,
    describe_updates,
    normalise_phone,
    read_file,
)
from app.cooperatives.models import Cooperative
from app.reports.registry_export import export_registry
from app.web.i18n import translate
from tests import factories

EVERYONE = select(Cooperative.id)


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Cooperative)) or 0


def plan_of(
    session: Session,
    text: str,
    *,
    clear_blanks: bool = False,
    mapping: list[str] | None = None,
    encoding: str = "utf-8",
) -> ImportPlan:
    table, columns = read_file(text.encode(encoding), filename="htx.csv")
    columns = mapped_by_names(columns, mapping or [])
    return check_table(session, table=table, columns=columns, clear_blanks=clear_blanks)


def stored(session: Session, code: str) -> Cooperative:
    found = session.scalar(select(Cooperative).where(Cooperative.registration_code == code))
    assert found is not None
    return found


@pytest.fixture
def city(session: Session) -> Area:
    return factories.area(session, code="178", name="Thành phố Lạng Sơn")


@pytest.fixture
def chi_lang(session: Session) -> Area:
    return factories.area(session, code="187", name="Chi Lăng")


def test_an_officers_file__with_a_title_and_their_own_headers_and_values__imports(
    session: Session, city: Area, chi_lang: Area
) -> None:
    text = (
        "DANH SÁCH HTX TỈNH LẠNG SƠN;;;;;\n"
        ";;;;;\n"
        "STT;Mã số HTX;Tên hợp tác xã;Huyện/Thành phố;Lĩnh vực;Tình trạng;SĐT\n"
        "1;4900000001;HTX Na Đồng Mỏ;Huyện Chi Lăng;Thương mại - dịch vụ;Giải thể;"
        "0912 345 678\n"
        "2;4900000002;HTX Đào Mẫu Sơn;TP. Lạng Sơn;Thủ công mỹ nghệ;Tạm ngừng;+84 205.3812.345\n"
        "3;4900000003;HTX Chè;TP Lạng Sơn;TM-DV;;912345678\n"
    )
    plan = plan_of(session, text)
    assert plan.problems == []
    assert plan.header_line == 3
    assert plan.columns.ignored == ["STT"]
    apply_plan(session, plan=plan)
    # a former district or city places in it (and its province) until a commune is known
    got = [
        (c.registration_code, c.former_district_id, c.sector, c.status, c.phone)
        for c in session.scalars(select(Cooperative).order_by(Cooperative.registration_code))
    ]
    assert got == [
        ("4900000001", chi_lang.id, "trade_services", "dissolved", "0912345678"),
        ("4900000002", city.id, "handicraft", "suspended", "02053812345"),
        ("4900000003", city.id, "trade_services", "active", "0912345678"),
    ]


def test_english_headers_from_the_readme__are_read(session: Session, chi_lang: Area) -> None:
    text = (
        "registration_code,name,area,sector,contact_name,phone\n"
        "4900000009,HTX Quýt,187,agriculture,Hoàng Văn Thắng,0912345678\n"
    )
    plan = plan_of(session, text)
    assert plan.problems == []
    apply_plan(session, plan=plan)
    assert stored(session, "4900000009").contact_name == "Hoàng Văn Thắng"


@pytest.mark.parametrize(
    ("written", "found"),
    [
        ("0912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("+84 (0) 912-345-678", "0912345678"),
        ("84912345678", "0912345678"),
        ("912345678", "0912345678"),
        ("0205 3812 345", "02053812345"),
        ("0912345678 / 0205.3812.345", "0912345678, 02053812345"),
        ("12345", None),
        ("gọi anh Thắng", None),
    ],
)
def test_phones__keep_their_leading_zero(written: str, found: str | None) -> None:
    assert normalise_phone(written) == found


def test_a_bare_province_name__places_in_the_province_never_in_the_city_that_shares_it(
    session: Session, city: Area
) -> None:
    text = "Mã số HTX,Tên HTX,Địa bàn,Lĩnh vực\n1,HTX A,Lạng Sơn,Nông nghiệp\n"
    plan = plan_of(session, text)
    assert plan.problems == []
    values = plan.rows[0].values
    # in the province until a commune is known, and not in the former city
    assert (values["area_id"], values["former_district_id"]) == (city.parent_id, None)


def test_prefixes_name_a_level__a_commune_and_a_district_of_the_same_name(
    session: Session, chi_lang: Area
) -> None:
    commune = factories.area(
        session,
        code="06196",
        name="Thị trấn Chi Lăng",
        level=AreaLevel.COMMUNE,
        parent=session.get(Area, chi_lang.parent_id),
    )
    text = (
        "Mã số HTX,Tên HTX,Địa bàn,Lĩnh vực\n"
        "1,HTX A,Thị trấn Chi Lăng,Nông nghiệp\n"
        "2,HTX B,TT Chi Lăng,Nông nghiệp\n"
        "3,HTX C,Huyện Chi Lăng,Nông nghiệp\n"
        "4,HTX D,06196,Nông nghiệp\n"
    )
    plan = plan_of(session, text)
    assert plan.problems == []
    # the district places in its province (a commune comes later) and keeps the district
    assert [(r.values["area_id"], r.values["former_district_id"]) for r in plan.rows] == [
        (commune.id, None),
        (commune.id, None),
        (chi_lang.parent_id, chi_lang.id),
        (commune.id, None),
    ]


def test_every_problem_of_every_row__in_one_pass_with_spreadsheet_lines(
    session: Session, chi_lang: Area
) -> None:
    text = (
        "Danh sách HTX\n"
        "Mã số HTX,Tên HTX,Địa bàn,Lĩnh vực,Số thành viên,Năm thành lập,Trạng thái,Email\n"
        "4900000001,HTX Tốt,187,Nông nghiệp,10,2010,,\n"
        ",HTX Thiếu mã,187,Nông nghiệp,10,2010,,\n"
        "4900000003,HTX Sai huyện,999,Nông nghiệp,mười,2010,,\n"
        "4900000004,HTX Sai lĩnh vực,187,Bay vào vũ trụ,10,1800,đóng cửa,not-an-email\n"
        # A duplicate hidden behind other errors is still reported.
        "4900000001,,Huyện Không Có,Nông nghiep xanh,,,,\n"
    )
    before = count(session)
    plan = plan_of(session, text)
    assert sorted((p.line, p.column, p.kind) for p in plan.problems) == [
        (4, "Mã số HTX", "required"),
        (5, "Số thành viên", "number"),
        (5, "Địa bàn", "area"),
        (6, "Email", "email"),
        (6, "Lĩnh vực", "sector"),
        (6, "Năm thành lập", "number"),
        (6, "Trạng thái", "status"),
        (7, "Lĩnh vực", "sector"),
        (7, "Mã số HTX", "duplicate"),
        (7, "Tên HTX", "required"),
        (7, "Địa bàn", "area"),
    ]
    duplicate = next(p for p in plan.problems if p.kind == "duplicate")
    assert translate(duplicate.message, "vi") == "mã số 4900000001 đã có ở dòng 3 của tệp"
    assert str(duplicate.message) == "code 4900000001 is already on line 3 of the file"
    closest = next(p for p in plan.problems if p.line == 7 and p.kind == "sector")
    assert "gần nhất: Nông nghiệp" in translate(closest.message, "vi")
    status = next(p for p in plan.problems if p.kind == "status")
    assert "dùng: Đang hoạt động; Tạm ngừng hoạt động; Đã giải thể" in translate(
        status.message, "vi"
    )
    assert dict(plan.kinds())["sector"] == 2
    assert count(session) == before


def test_thousands_of_bad_rows__show_two_hundred_grouped_by_kind(
    session: Session, chi_lang: Area
) -> None:
    rows = "".join(f"{n},HTX {n},187,Bay,,\n" for n in range(3000))
    plan = plan_of(session, "Mã số HTX,Tên HTX,Địa bàn,Lĩnh vực\n" + rows)
    assert len(plan.problems) == 3000
    [(kind, total, shown)] = plan.shown_problems()
    assert (kind, total, len(shown), shown[0].line) == ("sector", 3000, 200, 2)


def test_a_partial_file__updates_only_its_columns_and_blank_cells_keep_values(
    session: Session, chi_lang: Area
) -> None:
    known = factories.cooperative(session, in_area=chi_lang, code="4900000001", name="HTX Cũ")
    text = "Mã số HTX,Tình trạng,Số thành viên,SĐT\n4900000001,Giải thể,,\n"
    plan = plan_of(session, text)
    assert (plan.problems, plan.updates) == ([], ["4900000001"])
    changes, _ = describe_updates(session, plan=plan)
    assert [(c.column, c.old, c.new, c.cleared) for c in changes[0].changes] == [
        ("Trạng thái", "active", "dissolved", False)
    ]
    apply_plan(session, plan=plan)
    session.refresh(known)
    assert (known.name, known.status, known.members, known.phone, known.sector) == (
        "HTX Cũ",
        "dissolved",
        25,
        "0912345678",
        "agriculture",
    )


def test_clear_blank_fields__clears_only_when_asked_and_the_dry_run_counts_it(
    session: Session, chi_lang: Area
) -> None:
    known = factories.cooperative(session, in_area=chi_lang, code="4900000001")
    text = "Mã số HTX,Tên HTX,Số thành viên,Điện thoại,Email\n4900000001,HTX Na,,,\n"
    plan = plan_of(session, text, clear_blanks=True)
    changes, _ = describe_updates(session, plan=plan)
    assert [(c.column, c.old, c.cleared) for c in changes[0].changes] == [
        ("Tên HTX", "HTX Na Chi Lăng", False),
        ("Số thành viên", "25", True),
        ("Điện thoại", "0912345678", True),
    ]
    apply_plan(session, plan=plan)
    session.refresh(known)
    assert (known.name, known.members, known.phone, known.former_district_id) == (
        "HTX Na",
        None,
        None,
        chi_lang.id,
    )


def test_a_new_code_in_a_partial_file__needs_the_required_columns(
    session: Session, chi_lang: Area
) -> None:
    plan = plan_of(session, "Mã số HTX,Tình trạng\n4900000077,Giải thể\n")
    assert sorted((p.column, p.kind) for p in plan.problems) == [
        ("Lĩnh vực", "new_needs_column"),
        ("Tên HTX", "new_needs_column"),
        ("Địa bàn", "new_needs_column"),
    ]


def test_an_unknown_column_mapped_by_name__is_imported(session: Session, chi_lang: Area) -> None:
    text = "Mã số HTX,Tên HTX,Nơi đóng,Lĩnh vực,Cột lạ\n4900000005,HTX A,Chi Lăng,Nông nghiệp,x\n"
    table, columns = read_file(text.encode(), filename="a.csv")
    assert columns.needs_mapping
    assert columns.unrecognised == [2, 4]
    mapped = mapped_by_names(columns, ["Nơi đóng=area", "Cột lạ=ignore"])
    assert mapped.ignored == ["Cột lạ"]
    plan = check_table(session, table=table, columns=mapped)
    assert plan.problems == []
    assert plan.rows[0].values["former_district_id"] == chi_lang.id
    with pytest.raises(ValueError, match="trường"):
        mapped_by_names(columns, ["Nơi đóng=huyện"])


def test_the_exported_registry__imports_as_no_change(session: Session, chi_lang: Area) -> None:
    factories.cooperative(session, in_area=chi_lang, code="4900000001", name="HTX = Một")
    factories.cooperative(session, in_area=chi_lang, code="4900000002", status="dissolved")
    download = export_registry(session, visible=EVERYONE, fmt="csv", actor=None, via="cli")
    assert download.body is not None
    plan = plan_of(session, download.body.decode("utf-8-sig"))
    assert plan.problems == []
    assert describe_updates(session, plan=plan) == ([], 2)


def test_control_characters_in_text_cells__are_dropped(session: Session, chi_lang: Area) -> None:
    text = "Mã số HTX,Tên HTX,Địa bàn,Lĩnh vực\n4900000081,HTX\x1b[31m Đỏ\x07,187,Nông nghiệp\n"
    plan = plan_of(session, text)
    assert plan.problems == []
    assert plan.rows[0].values["name"] == "HTX[31m Đỏ"
