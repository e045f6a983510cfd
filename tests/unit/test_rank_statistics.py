"""Ranks and possible-rank ranges agree with their pairwise definitions, for any input."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.reports.statistics import competition_ranks, rank_ranges

scores = st.floats(min_value=0, max_value=100, allow_nan=False)


@given(st.lists(scores, max_size=60))
def test_competition_ranks__count_the_areas_shown_higher(values: list[float]) -> None:
    shown = [round(v, 1) for v in values]
    expected = [1 + sum(1 for other in shown if other > mine) for mine in shown]

    assert competition_ranks(values) == expected


@given(st.lists(st.tuples(scores, scores).map(sorted), max_size=60))
def test_rank_ranges__count_the_intervals_clearly_above_and_below(
    intervals: list[list[float]],
) -> None:
    pairs = [(low, high) for low, high in intervals]
    expected = [
        (
            1 + sum(1 for other_low, _ in pairs if other_low > high),
            len(pairs) - sum(1 for _, other_high in pairs if other_high < low),
        )
        for low, high in pairs
    ]

    assert rank_ranges(pairs) == expected
