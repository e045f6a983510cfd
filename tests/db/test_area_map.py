"""The map of areas: centroids placed in the frame, sized by cooperatives, coloured by mean."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.areas import service as areas
from app.areas.models import AreaLevel
from app.reports.map import BANDS, GREY, WIDTH, area_map, colour, radius


@dataclass
class Row:
    area_id: int
    name: str


def test_lang_sons_communes__fit_the_frame_north_up(session: Session) -> None:
    areas.load_provinces(session, codes=["20"])
    communes = areas.list_areas(session, level=AreaLevel.COMMUNE)
    rows = [Row(c.id, c.name) for c in communes]
    drawn = area_map(
        session,
        rows=rows,
        counts=[i % 7 for i in range(len(rows))],
        means=[float(i) for i in range(len(rows))],
        ranked=[i % 2 == 0 for i in range(len(rows))],
    )
    assert drawn is not None
    assert len(drawn.points) == 65
    assert drawn.missing == []
    assert all(0 <= p.x <= WIDTH and 0 <= p.y <= drawn.height for p in drawn.points)
    by_name = {p.name: p for p in drawn.points}
    # Tràng Định lies north of Hữu Lũng: higher on the map
    assert by_name["Xã Tràng Định"].y < by_name["Xã Hữu Lũng"].y
    assert {p.fill for p in drawn.points if not p.ranked} == {GREY}
    # the largest circles are drawn first, so the small ones stay on top
    assert [p.radius for p in drawn.points] == sorted(
        (p.radius for p in drawn.points), reverse=True
    )


def test_colour__bands_a_ranked_mean_and_greys_the_rest() -> None:
    assert colour(10, ranked=True) == BANDS[0][1]
    assert colour(90, ranked=True) == BANDS[-1][1]
    assert colour(90, ranked=False) == GREY
    assert colour(None, ranked=True) == GREY
    assert radius(16) > radius(4) > radius(0)
    # A map of provinces of a thousand cooperatives keeps its largest circle in bounds.
    assert radius(1378, largest=1378) <= 24.0 < radius(1378)
    assert radius(700, largest=1378) < radius(1378, largest=1378)
    assert radius(28, largest=28) == radius(28)  # a province's communes keep their scale


def test_areas_without_a_centroid__are_listed_not_drawn(session: Session) -> None:
    areas.load_provinces(session, codes=["20"])
    one, two = areas.list_areas(session, level=AreaLevel.COMMUNE)[:2]
    placed = areas.load_rows(
        session,
        rows=[{"code": "X9", "name": "Xã Không Tọa Độ", "level": "commune", "parent_code": "20"}],
    )
    assert placed == 1
    nowhere = areas.get_by_code(session, "X9")
    assert nowhere is not None
    rows = [Row(one.id, one.name), Row(two.id, two.name), Row(nowhere.id, nowhere.name)]
    drawn = area_map(session, rows=rows, counts=[1, 2, 3], means=[50, 60, 70], ranked=[True] * 3)
    assert drawn is not None
    assert drawn.missing == ["Xã Không Tọa Độ"]
    assert area_map(session, rows=rows[2:], counts=[1], means=[1], ranked=[True]) is None
