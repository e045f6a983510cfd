"""Ranking statistics against the figures worked out by hand in tests/worlds.py."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.areas.models import Area, AreaLevel
from app.cooperatives.models import Cooperative
from app.reports import rankings, scope
from app.reports.scores import COMBINED
from app.reports.statistics import (
    competition_ranks,
    mean_interval,
    rank_ranges,
    t_quantile_975,
)
from tests import factories
from tests.worlds import (
    EVERYONE,
    Province,
    cooperative_and_product_wave,
    province,
    stored,
)


@pytest.fixture
def world(session: Session) -> Province:
    return province(session)


def rank(
    session: Session, *, sort: str | None = None, level: str = "former-district", key: str = "mini"
):
    choice = scope.choose_wave(session, wave_key="2026")
    return rankings.ranking(
        session, choice=choice, key=key, level=level, sort=sort, visible=EVERYONE
    )


def by_name(report: rankings.Ranking) -> dict[str, rankings.RankingRow]:
    return {r.name: r for r in report.rows}


class TestStatistics:
    def test_t_quantile__matches_the_table_and_the_normal_limit(self) -> None:
        assert t_quantile_975(4) == pytest.approx(2.776445105)
        assert t_quantile_975(30) == pytest.approx(2.042272456)
        assert t_quantile_975(60) == pytest.approx(2.000297822, abs=1e-7)
        assert t_quantile_975(10_000) == pytest.approx(1.960201, abs=1e-6)

    def test_interval__is_mean_plus_minus_t_times_standard_error(self) -> None:
        values = [40, 50, 60, 70, 80]
        found = mean_interval(5, sum(values), sum(v * v for v in values))
        half = 2.776445105 * math.sqrt(250) / math.sqrt(5)
        assert found.mean == 60
        assert found.sd == pytest.approx(math.sqrt(250))
        assert (found.low, found.high) == (pytest.approx(60 - half), pytest.approx(60 + half))

    def test_one_value__has_a_mean_and_no_interval(self) -> None:
        assert mean_interval(1, 42.0, 42.0 * 42.0).low is None

    def test_equal_means__share_a_rank_and_the_next_is_skipped(self) -> None:
        assert competition_ranks([60.0, 60.04, 20.0, 75.0]) == [2, 2, 4, 1]

    def test_rank_ranges__widen_where_intervals_overlap(self) -> None:
        assert rank_ranges([(40, 80), (60, 60), (11, 29)]) == [(1, 2), (1, 2), (3, 3)]


class TestRanking:
    def test_figures__match_the_hand_computed_ones(self, session: Session, world: Province) -> None:
        rows = by_name(rank(session))
        a = rows["An Bình"]
        half = 2.776445105 * math.sqrt(250) / math.sqrt(5)
        assert (a.responses, a.asked) == (5, 6)
        assert a.coverage == pytest.approx(5 / 6)
        assert a.mean == pytest.approx(60)
        assert (a.low, a.high) == (pytest.approx(60 - half), pytest.approx(60 + half))
        assert (a.q1, a.median, a.q3, a.iqr) == (50, 60, 70, 20)
        assert a.dimensions == {"sales": pytest.approx(60), "ops": pytest.approx(40)}
        assert a.levels == {"mid": 4, "high": 1}
        assert a.previous_mean == pytest.approx(50)
        assert a.change == pytest.approx(10)
        d = rows["Đông Sơn"]
        half_d = 2.776445105 * math.sqrt(50) / math.sqrt(5)
        assert (d.mean, d.median, d.iqr) == (pytest.approx(20), 20, 0)
        assert (d.low, d.high) == (pytest.approx(20 - half_d), pytest.approx(20 + half_d))
        assert d.levels == {"low": 5}
        assert rows["Bắc Hà"].change is None  # no responses in the previous wave

    def test_ties__share_a_rank_and_the_next_rank_is_skipped(
        self, session: Session, world: Province
    ) -> None:
        report = rank(session)
        assert [(r.name, r.rank) for r in report.rows] == [
            ("An Bình", 1),
            ("Bắc Hà", 1),
            ("Đông Sơn", 3),
            ("Cẩm Lý", None),
        ]

    def test_small_area__is_marked_and_not_ranked_though_its_mean_is_highest(
        self, session: Session, world: Province
    ) -> None:
        small = by_name(rank(session))["Cẩm Lý"]
        assert small.too_few
        assert small.rank is None
        assert small.mean == pytest.approx(95)

    def test_overlapping_intervals__give_a_range_of_ranks(
        self, session: Session, world: Province
    ) -> None:
        rows = by_name(rank(session))
        assert (rows["An Bình"].rank_best, rows["An Bình"].rank_worst) == (1, 2)
        assert (rows["Bắc Hà"].rank_best, rows["Bắc Hà"].rank_worst) == (1, 2)
        assert (rows["Đông Sơn"].rank_best, rows["Đông Sơn"].rank_worst) == (3, 3)
        assert not rows["Đông Sơn"].rank_uncertain

    def test_province__is_a_row_of_its_own_over_every_response(
        self, session: Session, world: Province
    ) -> None:
        report = rank(session)
        [total] = report.provinces
        assert (total.name, total.responses, total.asked) == ("Lạng Sơn", 19, 21)
        assert total.mean == pytest.approx(1045 / 19)
        assert total.rank is None

    def test_one_province__names_its_districts_alone(
        self, session: Session, world: Province
    ) -> None:
        assert {r.province for r in rank(session).rows} == {None}

    def test_several_provinces__name_each_districts_province(
        self, session: Session, world: Province
    ) -> None:
        country = session.scalars(select(Area).where(Area.level == AreaLevel.COUNTRY)).one()
        cao_bang = factories.area(
            session, code="P04", name="Cao Bằng", level=AreaLevel.PROVINCE, parent=country
        )
        twin = factories.area(session, code="D9", name="An Bình", parent=cao_bang)
        cooperative = factories.cooperative(session, in_area=twin, name="HTX Cao Bằng")
        stored(session, wave=world.wave, version=world.version, cooperative=cooperative, overall=50)

        report = rank(session)

        named = {(r.name, r.province) for r in report.rows}
        assert ("An Bình", "Lạng Sơn") in named
        assert ("An Bình", "Cao Bằng") in named
        assert {p.name for p in report.provinces} == {"Lạng Sơn", "Cao Bằng"}

    def test_sorting_by_a_dimension__ranks_by_that_dimension(
        self, session: Session, world: Province
    ) -> None:
        report = rank(session, sort="ops")
        assert report.measure == "ops"
        assert [(r.name, r.rank) for r in report.rows][:3] == [
            ("Đông Sơn", 1),
            ("An Bình", 2),
            ("Bắc Hà", 2),
        ]
        assert by_name(report)["Đông Sơn"].mean == pytest.approx(80)

    def test_an_unknown_sort__falls_back_to_the_overall_score(
        self, session: Session, world: Province
    ) -> None:
        assert rank(session, sort="nonsense").measure == "overall"

    def test_commune_level__groups_cooperatives_placed_in_communes(
        self, session: Session, world: Province
    ) -> None:
        report = rank(session, level="commune")
        rows = by_name(report)
        assert rows["Xã Đồng"].responses == 2
        assert rows["Xã Đồng"].mean == pytest.approx(15)
        assert rows["Xã Đồng"].too_few
        # the cooperatives not yet placed in a commune have no commune row, but still count in
        # the province: nothing is silently left out of the totals
        assert list(rows) == ["Xã Đồng"]
        assert report.provinces[0].responses == 19

    def test_province_level__has_one_ranked_row_and_no_extra_total(
        self, session: Session, world: Province
    ) -> None:
        report = rank(session, level="province")
        assert [(r.name, r.responses, r.rank) for r in report.rows] == [("Lạng Sơn", 19, 1)]
        assert report.provinces == []

    def test_a_limited_viewer__sees_only_their_areas_and_is_told_so(
        self, session: Session, world: Province
    ) -> None:
        choice = scope.choose_wave(session, wave_key="2026")
        mine = select(Cooperative.id).where(
            Cooperative.former_district_id == world.districts["A"].id
        )
        report = rankings.ranking(
            session, choice=choice, key="mini", level="former-district", sort=None, visible=mine
        )
        assert [r.name for r in report.rows] == ["An Bình"]
        assert report.provinces[0].responses == 5
        assert not report.whole_scope

    def test_whole_scope__is_known_without_a_query_for_every_cooperative_and_found_otherwise(
        self, session: Session, world: Province
    ) -> None:
        every = select(Cooperative.id)
        # Every area listed: the same cooperatives, found by looking for a hidden one.
        listed = select(Cooperative.id).where(Cooperative.id.in_(select(Cooperative.id)))
        mine = select(Cooperative.id).where(
            Cooperative.former_district_id == world.districts["A"].id
        )
        asked: list[str] = []

        def record(*args: object) -> None:
            asked.append(str(args[2]))

        engine = session.get_bind()
        event.listen(engine, "before_cursor_execute", record)
        try:
            assert scope.sees_everything(session, visible=every)
            assert asked == []
            assert scope.sees_everything(session, visible=listed)
            assert not scope.sees_everything(session, visible=mine)
            assert len(asked) == 2
        finally:
            event.remove(engine, "before_cursor_execute", record)


class TestCombinedIndex:
    @pytest.fixture
    def combined_world(self, session: Session) -> dict[str, Cooperative]:
        return cooperative_and_product_wave(session)

    def test_combined__is_the_mean_of_what_a_cooperative_has_with_its_questionnaire_required(
        self, session: Session, combined_world: dict[str, Cooperative]
    ) -> None:
        # X: (60 + best product 80) / 2 = 70; Y: 50 alone; Z lacks the cooperative questionnaire.
        report = rank(session, key=COMBINED)
        [row] = report.rows
        assert row.responses == 2
        assert row.mean == pytest.approx(60)
        assert row.dimensions == {"mini": pytest.approx(55), "miniprod": pytest.approx(80)}
        assert report.levels == []

    def test_product_questionnaire__stands_by_the_best_product_and_counts_products_per_band(
        self, session: Session, combined_world: dict[str, Cooperative]
    ) -> None:
        report = rank(session, key="miniprod")
        [row] = report.rows
        assert (row.responses, row.asked) == (2, 2)  # X (best 80) and Z (90); Y has no product
        assert row.mean == pytest.approx(85)
        assert row.levels == {"mid": 1, "high": 2}  # Na 40, Hồi 80, Quế 90
        assert report.levels_count_products

    def test_ranking_by_a_component__ranks_on_those_that_have_it(
        self, session: Session, combined_world: dict[str, Cooperative]
    ) -> None:
        [row] = rank(session, key=COMBINED, sort="miniprod").rows
        assert (row.responses, row.measured) == (2, 1)
        assert row.too_few

    def test_unknown_questionnaire__is_not_found(
        self, session: Session, combined_world: dict[str, Cooperative]
    ) -> None:
        from app.errors import NotFound

        with pytest.raises(NotFound):
            rank(session, key="digital")
