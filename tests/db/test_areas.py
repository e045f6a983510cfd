"""Lạng Sơn's two area trees from the catalogue, the crosswalk, and placing by address."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.areas import catalogue
from app.areas import service as areas
from app.areas.models import Area, AreaLevel, AreaLink
from app.areas.resolver import Placement, Problem, Query, Resolver, split_address
from app.errors import Invalid
from app.web.i18n import translate


@pytest.fixture
def lang_son(session: Session) -> Resolver:
    areas.load_provinces(session, codes=["20"])
    return Resolver(session)


def names(resolver: Resolver, found: Placement | Problem | None) -> tuple[str | None, ...]:
    """(commune, former district, former ward) of a placement, by name."""
    assert isinstance(found, Placement), found

    def name(area_id: int | None) -> str | None:
        return resolver.places[area_id].name if area_id else None

    return (name(found.commune_id), name(found.former_district_id), name(found.former_ward_id))


def count(session: Session, level: AreaLevel) -> int:
    return session.scalar(select(func.count()).select_from(Area).where(Area.level == level)) or 0


class TestCatalogue:
    def test_lang_son__has_its_65_communes_11_former_districts_and_their_wards(
        self, session: Session, lang_son: Resolver
    ) -> None:
        assert count(session, AreaLevel.PROVINCE) == 1
        assert count(session, AreaLevel.COMMUNE) == 65
        assert count(session, AreaLevel.FORMER_DISTRICT) == 11
        assert count(session, AreaLevel.FORMER_WARD) == 194
        codes = [a.code for a in areas.list_areas(session, level=AreaLevel.FORMER_DISTRICT)]
        assert codes == [str(c) for c in range(178, 190) if c != 179]

    def test_codes__are_text_with_their_leading_zeros(
        self, session: Session, lang_son: Resolver
    ) -> None:
        ba_son = areas.get_by_code(session, "06196", level=AreaLevel.COMMUNE)
        assert ba_son is not None
        assert ba_son.name == "Xã Ba Sơn"
        assert ba_son.latitude is not None

    def test_loading_twice__changes_nothing(self, session: Session, lang_son: Resolver) -> None:
        before = areas.count_areas(session)
        links = session.scalar(select(func.count()).select_from(AreaLink))
        areas.load_provinces(session, codes=["20"])
        assert areas.count_areas(session) == before
        assert session.scalar(select(func.count()).select_from(AreaLink)) == links

    @pytest.mark.slow
    def test_the_whole_country__loads_both_trees_with_every_unit_named_and_coded(
        self, session: Session
    ) -> None:
        areas.load_national(session)
        assert count(session, AreaLevel.PROVINCE) == 34
        assert count(session, AreaLevel.COMMUNE) == 3321
        # The island districts without wards (Bạch Long Vĩ, Côn Đảo, ...) are districts still.
        assert count(session, AreaLevel.FORMER_DISTRICT) == 696
        unnamed = (
            select(func.count()).select_from(Area).where((Area.code == "") | (Area.name == ""))
        )
        assert session.scalar(unnamed) == 0
        con_dao = areas.get_by_code(session, "755", level=AreaLevel.FORMER_DISTRICT)
        assert con_dao is not None
        assert con_dao.name == "Huyện Côn Đảo"

    def test_an_unknown_province__is_refused_with_its_code(self, session: Session) -> None:
        with pytest.raises(Invalid, match="99"):
            areas.load_provinces(session, codes=["99"])

    def test_a_commune_from_two_former_districts__lists_both(
        self, session: Session, lang_son: Resolver
    ) -> None:
        ky_lua = areas.get_by_code(session, "06187", level=AreaLevel.COMMUNE)
        assert ky_lua is not None
        assert ky_lua.name == "Phường Kỳ Lừa"
        found = areas.former_districts_of(session, commune_ids=[ky_lua.id])
        assert found[ky_lua.id] == ["Huyện Cao Lộc", "Thành phố Lạng Sơn"]
        straddling = [
            c
            for c, before in areas.former_districts_of(
                session,
                commune_ids=[a.id for a in areas.list_areas(session, level=AreaLevel.COMMUNE)],
            ).items()
            if len(before) > 1
        ]
        assert len(straddling) == 5


class TestAddresses:
    def test_new_form_mau_son__is_todays_mau_son_the_former_yen_khoai(
        self, lang_son: Resolver
    ) -> None:
        found = lang_son.resolve(Query(address="Thôn Bản Chắt, Xã Mẫu Sơn, Tỉnh Lạng Sơn"))
        assert names(lang_son, found) == ("Xã Mẫu Sơn", "Huyện Lộc Bình", None)

    def test_old_form_mau_son_of_cao_loc__is_now_part_of_ba_son(self, lang_son: Resolver) -> None:
        found = lang_son.resolve(
            Query(address="Thôn Bản Chắt, xã Mẫu Sơn, huyện Cao Lộc, tỉnh Lạng Sơn")
        )
        assert names(lang_son, found) == ("Xã Ba Sơn", "Huyện Cao Lộc", "Xã Mẫu Sơn")

    def test_old_form__goes_across_the_crosswalk(self, lang_son: Resolver) -> None:
        found = lang_son.resolve(Query(address="…, xã Vân Thủy, huyện Chi Lăng, tỉnh Lạng Sơn"))
        assert names(lang_son, found) == ("Xã Chiến Thắng", "Huyện Chi Lăng", "Xã Vân Thủy")

    def test_old_form_without_commas_or_with_abbreviations__reads_the_same(
        self, lang_son: Resolver
    ) -> None:
        plain = lang_son.resolve(Query(address="Thôn Bản Chắt xã Mẫu Sơn tỉnh Lạng Sơn"))
        assert names(lang_son, plain) == ("Xã Mẫu Sơn", "Huyện Lộc Bình", None)
        short = lang_son.resolve(Query(address="TT. Đồng Mỏ, H. Chi Lăng, T. Lạng Sơn"))
        assert names(lang_son, short) == ("Xã Chi Lăng", "Huyện Chi Lăng", "Thị trấn Đồng Mỏ")

    def test_a_ward_of_the_former_city__with_a_street(self, lang_son: Resolver) -> None:
        found = lang_son.resolve(
            Query(address="Số 5 đường Lê Lợi, Phường Vĩnh Trại, Thành phố Lạng Sơn, Tỉnh Lạng Sơn")
        )
        assert names(lang_son, found) == (
            "Phường Đông Kinh",
            "Thành phố Lạng Sơn",
            "Phường Vĩnh Trại",
        )

    def test_a_new_commune_named_like_a_former_district__stays_a_commune(
        self, lang_son: Resolver
    ) -> None:
        found = lang_son.resolve(Query(address="Xã Chi Lăng, Tỉnh Lạng Sơn"))
        assert names(lang_son, found) == ("Xã Chi Lăng", "Huyện Chi Lăng", None)

    def test_a_new_commune_from_two_former_districts__has_no_single_one(
        self, lang_son: Resolver
    ) -> None:
        found = lang_son.resolve(Query(address="Phường Kỳ Lừa, Tỉnh Lạng Sơn"))
        assert names(lang_son, found) == ("Phường Kỳ Lừa", None, None)

    def test_an_old_name_without_its_district__names_where_it_went(
        self, lang_son: Resolver
    ) -> None:
        found = lang_son.resolve(Query(address="xã Vân Thủy, tỉnh Lạng Sơn"))
        assert isinstance(found, Problem)
        assert not found.ambiguous
        assert "xã Vân Thủy" in translate(found.message, "vi")
        assert "Xã Vân Thủy, Huyện Chi Lăng (cũ / former) → Xã Chiến Thắng" in found.candidates
        assert "needs its district" in translate(found.message, "en")

    def test_a_ward_split_between_communes__is_ambiguous_with_the_candidates(
        self, lang_son: Resolver
    ) -> None:
        found = lang_son.resolve(Query(address="Xã Hồng Phong, Huyện Bình Gia, Tỉnh Lạng Sơn"))
        assert isinstance(found, Problem)
        assert found.ambiguous
        assert found.candidates == ("Xã Hồng Phong (06079)", "Xã Đồng Đăng (06184)")
        assert "Xã Hồng Phong (06079), Xã Đồng Đăng (06184)" in translate(found.message, "vi")

    def test_a_name_that_matches_nothing__is_a_problem_naming_the_text(
        self, lang_son: Resolver
    ) -> None:
        found = lang_son.resolve(Query(address="Thôn Nà Pàn, Xã Không Có, Tỉnh Lạng Sơn"))
        assert isinstance(found, Problem)
        assert found.text == "Xã Không Có"
        assert translate(found.message, "en") == "no area matches 'Xã Không Có'"

    def test_an_address_with_no_commune__is_a_problem(self, lang_son: Resolver) -> None:
        found = lang_son.resolve(Query(address="Thôn Nà Pàn, Tỉnh Lạng Sơn"))
        assert isinstance(found, Problem)

    def test_each_distinct_question__is_answered_once(self, lang_son: Resolver) -> None:
        query = Query(address="Thôn Bản Chắt, Xã Mẫu Sơn, Tỉnh Lạng Sơn")
        first = lang_son.resolve(query)
        assert lang_son.resolve(Query(address=query.address)) is first
        assert lang_son.resolve(Query()) is None

    def test_splitting__cuts_before_each_type_word(self) -> None:
        assert split_address("Thôn Bản Chắt xã Mẫu Sơn, huyện Cao Lộc tỉnh Lạng Sơn") == [
            "Thôn Bản Chắt",
            "xã Mẫu Sơn",
            "huyện Cao Lộc",
            "tỉnh Lạng Sơn",
        ]
        assert split_address("thị xã Kỳ Lừa") == ["thị xã Kỳ Lừa"]

    def test_splitting__keeps_every_name_of_the_country_whole(self) -> None:
        # Folded, "Quan" (a name: Xã Quan Sơn) is "quận" (a type word); written with its
        # diacritics, no commune, former district or ward of the catalogue may be cut.
        cut = [
            unit.name
            for unit in catalogue.national().units
            if unit.level in (AreaLevel.COMMUNE, AreaLevel.FORMER_DISTRICT, AreaLevel.FORMER_WARD)
            and split_address(f"Thôn Nà Bó, {unit.name}, Tỉnh Lạng Sơn")[1] != unit.name
        ]
        assert cut == []
        assert split_address("Xa Quan Son, huyen Chi Lang") == ["Xa Quan Son", "huyen Chi Lang"]

    def test_a_commune_whose_name_starts_like_a_type_word__is_found_in_either_form(
        self, lang_son: Resolver
    ) -> None:
        new = lang_son.resolve(Query(address="Thôn Nà Bó, Xã Quan Sơn, Tỉnh Lạng Sơn"))
        assert names(lang_son, new) == ("Xã Quan Sơn", "Huyện Chi Lăng", None)
        old = lang_son.resolve(
            Query(address="Thôn Nà Bó, xã Quan Sơn, huyện Chi Lăng, tỉnh Lạng Sơn")
        )
        assert names(lang_son, old) == ("Xã Quan Sơn", "Huyện Chi Lăng", "Xã Quan Sơn")


class TestColumns:
    def test_a_commune_column_alone__is_read_in_the_2025_tree(self, lang_son: Resolver) -> None:
        found = lang_son.resolve(Query(commune="Mẫu Sơn"))
        assert names(lang_son, found) == ("Xã Mẫu Sơn", "Huyện Lộc Bình", None)

    def test_a_commune_with_a_district_column__is_read_in_the_former_tree(
        self, lang_son: Resolver
    ) -> None:
        by_name = lang_son.resolve(Query(commune="Mẫu Sơn", district="Cao Lộc"))
        assert names(lang_son, by_name) == ("Xã Ba Sơn", "Huyện Cao Lộc", "Xã Mẫu Sơn")
        by_code = lang_son.resolve(Query(commune="Vân Thủy", district="187"))
        assert names(lang_son, by_code) == ("Xã Chiến Thắng", "Huyện Chi Lăng", "Xã Vân Thủy")

    def test_a_new_name_beside_its_former_district__is_accepted(self, lang_son: Resolver) -> None:
        found = lang_son.resolve(Query(commune="Phường Kỳ Lừa", district="Cao Lộc"))
        assert names(lang_son, found) == ("Phường Kỳ Lừa", "Huyện Cao Lộc", None)

    def test_a_former_district_alone__places_in_it_but_in_no_commune(
        self, lang_son: Resolver
    ) -> None:
        for query in (Query(area="187"), Query(area="Chi Lăng"), Query(district="Huyện Chi Lăng")):
            assert names(lang_son, lang_son.resolve(query)) == (None, "Huyện Chi Lăng", None)

    def test_an_unknown_district__is_named(self, lang_son: Resolver) -> None:
        found = lang_son.resolve(Query(commune="Mẫu Sơn", district="Huyện Không Có"))
        assert isinstance(found, Problem)
        assert found.text == "Huyện Không Có"

    def test_a_commune_code__keeps_the_former_district_given_beside_it(
        self, lang_son: Resolver
    ) -> None:
        found = lang_son.resolve(Query(commune_code="06187", district="183"))
        assert names(lang_son, found) == ("Phường Kỳ Lừa", "Huyện Cao Lộc", None)
        wrong = lang_son.resolve(Query(commune_code="06187", district="187"))
        assert isinstance(wrong, Problem)
        assert "Phường Kỳ Lừa" in translate(wrong.message, "vi")


def test_areas_list__prints_code_and_name_per_line(session: Session, lang_son: Resolver) -> None:
    found = areas.list_areas(
        session,
        level=AreaLevel.FORMER_DISTRICT,
        within=areas.get_by_code(session, "20", level=AreaLevel.PROVINCE).id,  # type: ignore[union-attr]
    )
    assert [(a.code, a.name) for a in found][:2] == [
        ("178", "Thành phố Lạng Sơn"),
        ("180", "Huyện Tràng Định"),
    ]


def test_a_csv_for_a_place_outside_the_catalogue__loads_with_old_level_names(
    session: Session,
) -> None:
    loaded = areas.load_rows(
        session,
        rows=[
            {"code": "VN", "name": "Việt Nam", "level": "country", "parent_code": ""},
            {"code": "P1", "name": "Tỉnh Thử", "level": "province", "parent_code": "VN"},
            {"code": "D1", "name": "Huyện Thử", "level": "district", "parent_code": "P1"},
            {"code": "W1", "name": "Xã Cũ", "level": "former-ward", "parent_code": "D1"},
            {"code": "C1", "name": "Xã Mới", "level": "commune", "parent_code": "P1"},
        ],
    )
    assert loaded == 5
    ward = areas.get_by_code(session, "W1")
    assert ward is not None
    assert ward.level == AreaLevel.FORMER_WARD
    with pytest.raises(Invalid, match="row 2"):
        areas.load_rows(
            session,
            rows=[{"code": "C2", "name": "Xã Lạc", "level": "commune", "parent_code": "D1"}],
        )
