"""Targeting lists and shortlists over stored scores, checked against the targeting world of
tests/worlds.py (figures worked out by hand).
"""

import io
import itertools

import pytest
from openpyxl import load_workbook
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.models import Role, User
from app.areas.models import Area
from app.audit.models import AuditEvent
from app.db import utcnow
from app.errors import Invalid
from app.responses import service as responses
from app.surveys import service as surveys
from app.targeting import criteria as targeting
from app.targeting import queries as targeting_queries
from app.targeting import rows as targeting_rows
from app.targeting import shortlists
from app.targeting.models import ShortlistEntry
from app.targeting.schemas import ShortlistName
from app.validation import parse
from app.web.i18n import translate
from tests.workbooks import column_codes, keyed_rows
from tests.worlds import TargetingProvince as Province
from tests.worlds import submit, targeting_province


@pytest.fixture
def province(session: Session) -> Province:
    return targeting_province(session)


def viewer(session: Session, role: Role, *, areas: tuple[Area, ...] = ()) -> User:
    """An account that never signs in (no password to hash: tests stay fast)."""
    return accounts.create_user(
        session,
        username=f"viewer{next(_numbers)}",
        full_name="Người xem",
        role=role,
        password=None,
        area_ids=tuple(a.id for a in areas),
    )


_numbers = itertools.count(1)


def everyone(session: Session) -> Select[int]:
    return accounts.accessible_cooperative_ids(session, user=viewer(session, Role.ADMIN))


def limited_to(session: Session, area: Area) -> Select[int]:
    return accounts.accessible_cooperative_ids(
        session, user=viewer(session, Role.ADVISOR, areas=(area,))
    )


def names(rows: list[targeting_rows.SupportRow] | list[targeting_rows.ModelRow]) -> list[str]:
    return [row.contact.name for row in rows]


def support(
    session: Session, province: Province, visible: Select[int] | None = None, **params: str
) -> list[targeting_rows.SupportRow]:
    found = targeting.search(session, kind="support", params=params)
    assert found.errors == {}
    assert isinstance(found.criteria, targeting.SupportCriteria)
    return targeting_queries.needs_support(
        session,
        visible=visible if visible is not None else everyone(session),
        criteria=found.criteria,
    )


def models(
    session: Session, province: Province, visible: Select[int] | None = None, **params: str
) -> list[targeting_rows.ModelRow]:
    found = targeting.search(session, kind="model", params=params)
    assert found.errors == {}
    assert isinstance(found.criteria, targeting.ModelCriteria)
    return targeting_queries.model_candidates(
        session,
        visible=visible if visible is not None else everyone(session),
        criteria=found.criteria,
    )


class TestNeedsSupport:
    def test_below_the_threshold__weakest_first_from_current_submissions_of_active_cooperatives(
        self, session: Session, province: Province
    ) -> None:
        rows = support(session, province, dimension="digital:strategy", threshold="40")
        # Bình's superseded 90 does not count, Giang's draft has no score, Hà is dissolved,
        # and Khánh's 40 is not below 40.
        assert names(rows) == ["HTX Dũng", "HTX Bình", "HTX An", "HTX Em"]
        assert [row.score for row in rows] == [5, 12, 30, 39.9]
        assert [row.overall for row in rows] == [62, 20, 35, 85]
        assert rows[0].level == {"vi": "Nâng cao", "en": "Advanced"}

    def test_the_defaults__are_the_first_dimension_below_40(
        self, session: Session, province: Province
    ) -> None:
        assert names(support(session, province)) == ["HTX Dũng", "HTX Bình", "HTX An", "HTX Em"]

    def test_a_former_district__includes_its_communes_and_names_the_district(
        self, session: Session, province: Province
    ) -> None:
        rows = support(session, province, district=str(province.chi_lang.id))
        assert names(rows) == ["HTX Bình", "HTX An"]
        assert {row.contact.district for row in rows} == {"Chi Lăng"}
        assert {row.contact.commune for row in rows} == {"Xã Quang Lang", None}

    def test_a_commune__narrows_to_the_cooperatives_placed_in_it(
        self, session: Session, province: Province
    ) -> None:
        commune = session.scalar(select(Area).where(Area.name == "Xã Quang Lang"))
        assert commune is not None
        rows = support(session, province, district=str(commune.id))
        assert names(rows) == ["HTX Bình"]

    def test_a_sector__filters_the_list(self, session: Session, province: Province) -> None:
        assert names(support(session, province, sector="handicraft", threshold="60")) == [
            "HTX Cường"
        ]
        assert names(support(session, province, sector="handicraft")) == []

    def test_a_limited_advisor__sees_only_their_area(
        self, session: Session, province: Province
    ) -> None:
        visible = limited_to(session, province.huu_lung)
        assert names(support(session, province, visible)) == ["HTX Dũng", "HTX Em"]

    def test_a_product_questionnaire__counts_each_cooperative_by_its_best_product(
        self, session: Session, province: Province
    ) -> None:
        # Cường's Khăn has 20 on part A but Túi has 60: Cường does not need support there.
        rows = support(session, province, dimension="ocop:part_a")
        assert names(rows) == ["HTX Em"]
        assert (rows[0].score, rows[0].product_name) == (25, "Chè")
        assert rows[0].level == {"vi": "2 sao", "en": "2 stars"}

    def test_a_threshold_that_is_not_a_number__is_refused_with_a_vietnamese_message(
        self, session: Session, province: Province
    ) -> None:
        found = targeting.search(session, kind="support", params={"threshold": "bốn mươi"})
        assert found.criteria is None
        assert translate(found.errors["threshold"], "vi") == "Ngưỡng là một số từ 0 đến 100."
        assert found.values["threshold"] == "bốn mươi"

    def test_a_dimension_the_wave_does_not_ask__is_refused(
        self, session: Session, province: Province
    ) -> None:
        found = targeting.search(session, kind="support", params={"dimension": "digital:nope"})
        assert found.criteria is None
        assert "dimension" in found.errors


class TestModelCandidates:
    def test_the_documented_defaults__pick_high_digital_and_linkage_with_a_3_star_product(
        self, session: Session, province: Province
    ) -> None:
        rows = models(session, province)
        # Em is high on both but its product is 2★ officially and hai_sao in the self-check.
        # Dũng (62 + 82 = 144) is stronger than Cường (70 + 65 = 135).
        assert names(rows) == ["HTX Dũng", "HTX Cường"]
        dung, cuong = rows
        assert (dung.stars, dung.levels["ocop"], dung.products["ocop"]) == (4, None, None)
        assert cuong.stars == 0
        assert cuong.levels["ocop"] == {"vi": "3 sao", "en": "3 stars"}
        assert cuong.products["ocop"] == "Khăn"
        assert cuong.levels["digital"] == {"vi": "Nâng cao", "en": "Advanced"}
        assert cuong.scores == {"digital": 70, "value_chain": 65, "ocop": 55}

    def test_more_official_stars__drop_a_cooperative_qualified_by_stars_alone(
        self, session: Session, province: Province
    ) -> None:
        assert names(models(session, province, stars="5")) == ["HTX Cường"]

    def test_a_higher_band_and_fewer_stars__change_the_list(
        self, session: Session, province: Province
    ) -> None:
        rows = models(session, province, ocop="bon_sao", stars="2")
        assert names(rows) == ["HTX Em", "HTX Dũng"]  # 85 + 61 = 146, then 144

    def test_a_higher_digital_level__is_at_or_above_only(
        self, session: Session, province: Province
    ) -> None:
        assert names(models(session, province, digital="dan_dat", stars="2")) == ["HTX Em"]

    def test_a_limited_advisor__sees_only_their_area(
        self, session: Session, province: Province
    ) -> None:
        visible = limited_to(session, province.chi_lang)
        assert names(models(session, province, visible)) == ["HTX Cường"]

    def test_an_unknown_level__is_refused(self, session: Session, province: Province) -> None:
        found = targeting.search(session, kind="model", params={"digital": "giỏi"})
        assert found.criteria is None
        assert translate(found.errors["digital"], "vi") == "Mức độ không hợp lệ."


def save(session: Session, province: Province, name: str, **params: str) -> int:
    found = targeting.search(session, kind=params.pop("kind", "support"), params=params)
    saved = shortlists.save_shortlist(
        session,
        user=province.advisor,
        visible=everyone(session),
        named=ShortlistName(name=name),
        found=found,
        ip_address="10.0.0.1",
    )
    return saved.id


class TestQuestionnaireRoles:
    def test_a_product_questionnaire_with_levels__is_required_by_its_best_product(
        self, session: Session, province: Province
    ) -> None:
        # The OCOP file republished as a level questionnaire (a listing setting, same version):
        # its best product must reach the chosen level.
        wave_version = responses.wave_version(session, wave_id=province.wave.id, key="ocop")
        ocop = surveys.definition(wave_version)
        surveys.publish(session, questionnaire=ocop.model_copy(update={"result": "level"}))
        # Dũng (4 official stars, no self-check) needs an OCOP level now; Cường's best product
        # reaches it but has no official stars, which still stand as their own criterion.
        (em,) = models(session, province, ocop="hai_sao", stars="2")
        assert em.contact.name == "HTX Em"
        assert (em.scores["ocop"], em.levels["ocop"]) == (40, {"vi": "2 sao", "en": "2 stars"})
        assert em.products == {}
        assert list(em.scores) == ["digital", "value_chain", "ocop"]


class TestShortlists:
    def test_saving__keeps_the_criteria_and_every_entry_and_is_audited(
        self, session: Session, province: Province
    ) -> None:
        shortlist_id = save(session, province, "  Cần hỗ trợ   chiến lược  ")
        opened = shortlists.open_shortlist(
            session,
            shortlist_id=shortlist_id,
            visible=everyone(session),
        )
        assert opened.saved.shortlist.name == "Cần hỗ trợ chiến lược"
        assert opened.saved.shortlist.criteria == {
            "kind": "support",
            "wave": "2026",
            "wave_id": province.wave.id,
            "questionnaire": "digital",
            "dimension": "strategy",
            "threshold": 40.0,
            "area_id": None,
            "sector": None,
        }
        assert names(opened.rows) == ["HTX Dũng", "HTX Bình", "HTX An", "HTX Em"]
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "shortlist.create"))
        assert event is not None
        assert event.detail == {"name": "Cần hỗ trợ chiến lược", "entries": 4}

    def test_an_opened_shortlist__keeps_its_entries_with_todays_scores(
        self, session: Session, province: Province
    ) -> None:
        shortlist_id = save(session, province, "Chiến lược yếu")
        # An corrects its response after the list was saved: it stays on the list, at 80.
        current = responses.current_submission(
            session, wave_id=province.wave.id, key="digital", subject=f"c{province.coops['An'].id}"
        )
        assert current is not None
        current.superseded_at = utcnow()
        submit(
            session,
            wave=province.wave,
            key="digital",
            cooperative=province.coops["An"],
            overall=80,
            level="dan_dat",
            dimensions={"strategy": 80},
            revision=2,
        )
        opened = shortlists.open_shortlist(
            session,
            shortlist_id=shortlist_id,
            visible=everyone(session),
        )
        assert names(opened.rows) == ["HTX Dũng", "HTX Bình", "HTX Em", "HTX An"]
        assert opened.rows[-1].score == 80  # type: ignore[union-attr]

    def test_a_viewer__sees_and_counts_only_the_entries_they_may_see(
        self, session: Session, province: Province
    ) -> None:
        shortlist_id = save(session, province, "Toàn tỉnh")
        visible = limited_to(session, province.huu_lung)
        [listed] = shortlists.list_shortlists(session, visible=visible)
        assert listed.entries == 2
        opened = shortlists.open_shortlist(session, shortlist_id=shortlist_id, visible=visible)
        assert names(opened.rows) == ["HTX Dũng", "HTX Em"]
        stored = session.scalars(
            select(ShortlistEntry.cooperative_id).where(ShortlistEntry.shortlist_id == shortlist_id)
        ).all()
        assert len(stored) == 4

    def test_a_model_shortlist__reopens_with_its_criteria(
        self, session: Session, province: Province
    ) -> None:
        shortlist_id = save(session, province, "Mô hình", kind="model", stars="5")
        opened = shortlists.open_shortlist(
            session,
            shortlist_id=shortlist_id,
            visible=everyone(session),
        )
        assert isinstance(opened.criteria, targeting.ModelCriteria)
        assert opened.criteria.min_stars == 5
        assert names(opened.rows) == ["HTX Cường"]

    def test_an_empty_name__is_refused(self) -> None:
        with pytest.raises(Invalid) as refused:
            parse(ShortlistName, {"name": "   "})
        assert translate(refused.value.fields["name"], "vi") == "Vui lòng đặt tên cho danh sách."


class TestShortlistExport:
    def test_csv__starts_with_the_bom_and_carries_codes_and_vietnamese_headers(
        self, session: Session, province: Province
    ) -> None:
        shortlist_id = save(session, province, "Chiến lược yếu", district=str(province.chi_lang.id))
        name, content = shortlists.export_shortlist(
            session,
            shortlist_id=shortlist_id,
            visible=everyone(session),
            fmt="csv",
            user=province.advisor,
            ip_address=None,
        )
        assert name.endswith(".csv")
        assert content.startswith(b"\xef\xbb\xbf")
        lines = content.decode("utf-8-sig").split("\r\n")
        assert lines[0] == (
            "registration_code | Mã số HTX,name | Tên HTX,commune | Xã/Phường,"
            "district | Huyện (cũ),sector | Lĩnh vực,"
            "contact_name | Người liên hệ,phone | Điện thoại,email | Email,"
            "dimension_score | Điểm khía cạnh,overall | Điểm chung,level | Mức độ,"
            "product | Sản phẩm"
        )
        bình = province.coops["Bình"]
        assert lines[1] == (
            f"{bình.registration_code},HTX Bình,Xã Quang Lang,Chi Lăng,Nông nghiệp,Hoàng Văn Thắng,"
            "0912345678,,12,20,Bắt đầu,"
        )
        assert lines[2].startswith(f"{province.coops['An'].registration_code},HTX An,")
        assert lines[3] == ""

    def test_xlsx__reads_back_with_numbers_as_numbers_and_the_criteria_sheet(
        self, session: Session, province: Province
    ) -> None:
        shortlist_id = save(session, province, "Mô hình", kind="model")
        _, content = shortlists.export_shortlist(
            session,
            shortlist_id=shortlist_id,
            visible=everyone(session),
            fmt="xlsx",
            user=province.advisor,
            ip_address=None,
        )
        book = load_workbook(io.BytesIO(content))
        assert book.sheetnames == ["Danh sách", "Tiêu chí", "Mã cột"]
        sheet = book["Danh sách"]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:2] == ("Mã số HTX", "Tên HTX")
        assert column_codes(book, "Danh sách")[:2] == ["registration_code", "name"]
        assert sheet.freeze_panes == "A2"
        assert [r[1] for r in rows[1:]] == ["HTX Dũng", "HTX Cường"]
        dung = keyed_rows(book, "Danh sách")[0]
        assert dung["digital_overall"] == 62
        assert dung["value_chain_level"] == "Chuỗi liên kết hoàn chỉnh"
        assert dung["stars"] == 4
        criteria = dict(r[:2] for r in book["Tiêu chí"].iter_rows(min_row=2, values_only=True))
        assert criteria["Danh sách"] == "Mô hình"
        assert criteria["Hoặc sản phẩm OCOP chính thức từ (sao)"] == "3"

    def test_an_export__is_recorded_in_the_audit_log_with_the_rows_the_viewer_got(
        self, session: Session, province: Province
    ) -> None:
        shortlist_id = save(session, province, "Toàn tỉnh")
        shortlists.export_shortlist(
            session,
            shortlist_id=shortlist_id,
            visible=limited_to(session, province.huu_lung),
            fmt="csv",
            user=province.advisor,
            ip_address="10.0.0.9",
        )
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "export"))
        assert event is not None
        assert (event.target, event.detail, event.ip_address) == (
            f"shortlist:{shortlist_id}",
            {"format": "csv", "rows": 2},
            "10.0.0.9",
        )
