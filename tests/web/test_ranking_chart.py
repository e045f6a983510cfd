"""The ranking chart stays readable however many areas a ranking holds."""

from __future__ import annotations

from functools import partial

from app.reports.rankings import RankingRow
from app.web import i18n
from app.web.routes.reports import CHART_BARS, bar_chart
from app.web.templating import _translate, env


def ranked(count: int, *, unranked: int = 0) -> list[RankingRow]:
    """Areas in rank order (means falling), then some with too few responses."""
    rows = [
        RankingRow(
            area_id=i,
            code=f"A{i}",
            name=f"Huyện {i}",
            area_level="former-district",
            asked=10,
            responses=8,
            mean=90 - i * 0.1,
            low=80 - i * 0.1,
            high=95 - i * 0.1,
            too_few=False,
        )
        for i in range(count)
    ]
    rows += [
        RankingRow(
            area_id=1000 + i,
            code=f"U{i}",
            name=f"Xã {i}",
            area_level="former-district",
            asked=5,
            responses=2,
            mean=50.0,
            too_few=True,
        )
        for i in range(unranked)
    ]
    return rows


def render(chart: dict[str, object]) -> str:
    macro = env.from_string(
        '{% from "reports/_chart.html" import interval_chart with context %}'
        "{{ interval_chart(chart, 'Biểu đồ') }}"
    )
    return macro.render(
        chart=chart,
        _=partial(_translate, i18n.translations("vi")),
        fmt_int=partial(i18n.integer, locale="vi"),
    )


def test_a_province__draws_every_area() -> None:
    chart = bar_chart(ranked(11, unranked=2), [])

    assert len(chart["bars"]) == 13
    assert chart["omitted"] == 0
    assert "địa bàn ở giữa" not in render(chart)


def test_the_nation__draws_the_highest_and_lowest_ranked_and_says_how_many_lie_between() -> None:
    rows = ranked(705, unranked=20)

    chart = bar_chart(rows, [])

    names = [b["name"] for b in chart["bars"] if "gap" not in b]
    half = CHART_BARS // 2
    assert names == [f"Huyện {i}" for i in range(half)] + [
        f"Huyện {i}" for i in range(705 - half, 705)
    ]
    assert chart["omitted"] == 705 - CHART_BARS
    html = render(chart)
    assert html.count("interval-row") == CHART_BARS
    assert "675 địa bàn ở giữa" in html
    assert "Biểu đồ thể hiện 30 trong 725 địa bàn" in html


def test_many_unranked_areas__are_cut_after_the_ranked_ones() -> None:
    chart = bar_chart(ranked(10, unranked=40), [])

    assert len(chart["bars"]) == CHART_BARS
    assert [b["ranked"] for b in chart["bars"]].count(True) == 10
    assert chart["omitted"] == 20
