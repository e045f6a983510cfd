"""A map of a report's areas, as numbers for a server-drawn SVG: no tiles, no script.

Each area sits at its centroid (from the catalogue), sized by its cooperatives and coloured by
its mean score when it is ranked, grey when it has too few responses to rank. Where an
administrator uploaded the communes' boundaries, each outline is drawn too, filled in the
same colour, under the circles: on a phone the outline is the larger target to tap and the
circle still carries the count. The table beside the map carries the same numbers. `area_map`
takes any rows with `area_id`, `name`, a count and a mean, so the rankings, the coverage page
and a dashboard draw the same map.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.areas import boundaries
from app.areas.models import Area, Rings

WIDTH = 640
MARGIN = 24
# Mean score bands and their colours (light to dark: higher is better), and the grey of "too few".
BANDS: tuple[tuple[float, str], ...] = (
    (20.0, "#d7e3ee"),
    (40.0, "#a9c6de"),
    (60.0, "#6f9fc8"),
    (80.0, "#2f74ad"),
    (100.0, "#0b4a7e"),
)
GREY = "#b8c2cc"
# Outline points closer than this (in the map's units: a third of a pixel on a phone, half on
# a desk) add bytes, not shape.
OUTLINE_TOLERANCE = 0.6


class MapRow(Protocol):
    """What the map needs of a report row."""

    area_id: int
    name: str


@dataclass(frozen=True)
class Point:
    area_id: int
    name: str
    x: float
    y: float
    radius: float
    fill: str
    count: int
    mean: float | None
    ranked: bool


@dataclass(frozen=True)
class Shape:
    """An area's outline as an SVG path (`d`), holes cut out by the even-odd rule."""

    point: Point
    d: str


@dataclass(frozen=True)
class AreaMap:
    width: int
    height: int
    points: list[Point]
    # Areas of the report the catalogue has no centroid for: listed under the map.
    missing: list[str]
    # Outlines, for the areas that have one; drawn under every circle.
    shapes: list[Shape] = field(default_factory=list)
    bands: tuple[tuple[float, str], ...] = BANDS
    grey: str = GREY
    # Drawn by province for a table of the areas of several: the table lists every area.
    by_province: bool = False

    @property
    def legend(self) -> list[tuple[str, str]]:
        """(label, colour) for each band, lowest first."""
        found, low = [], 0.0
        for high, colour in self.bands:
            found.append((f"{low:.0f}–{high:.0f}", colour))
            low = high
        return found

    @property
    def sizes(self) -> list[tuple[int, float]]:
        """Cooperative counts and their circle radius, for the legend."""
        largest = max((p.count for p in self.points), default=1)
        steps = sorted({1, max(1, largest // 2), largest})
        return [(n, radius(n, largest)) for n in steps]


def colour(mean: float | None, *, ranked: bool) -> str:
    """The fill of a ranked mean; grey when not ranked or unknown."""
    if not ranked or mean is None:
        return GREY
    for high, fill in BANDS:
        if mean <= high:
            return fill
    return BANDS[-1][1]


# The largest circle's radius at most: a province of the whole country holds a thousand
# cooperatives, and circles sized for a commune's dozen would cover the map.
RADIUS_MAX = 24.0


def radius(count: int, largest: int = 0) -> float:
    """Circle area grows with the number of cooperatives; `largest`, the map's biggest count,
    shrinks the scale so that its circle stays within RADIUS_MAX."""
    step = 2.2
    if largest > 0:
        step = min(step, (RADIUS_MAX - 3.0) / math.sqrt(largest))
    return round(3.0 + step * math.sqrt(max(count, 0)), 1)


def _centre(polygons: Rings) -> tuple[float, float]:
    """(lat, lon) of the middle of an outline's box: a position for an area with no centroid."""
    lons = [p[0] for polygon in polygons for p in polygon[0]]
    lats = [p[1] for polygon in polygons for p in polygon[0]]
    return (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2


def _path(polygons: Rings, project: Callable[[float, float], tuple[float, float]]) -> str:
    """The outline in map units, rings that shrink below a pixel dropped."""
    parts = []
    for polygon in polygons:
        for ring in polygon:
            # Thinning only: the outline was simplified once, when it was uploaded; this
            # drops what a smaller map cannot show, in one pass per drawing.
            drawn = boundaries.thin_ring(
                [project(lon, lat) for lon, lat in ring], OUTLINE_TOLERANCE
            )
            if drawn:
                # The last point repeats the first: Z closes the ring instead.
                parts.append("M" + " ".join(f"{x:.1f},{y:.1f}" for x, y in drawn[:-1]) + "Z")
    return "".join(parts)


def area_map(
    session: Session,
    *,
    rows: Sequence[MapRow],
    counts: Iterable[int],
    means: Iterable[float | None],
    ranked: Iterable[bool],
    by_province: bool = False,
) -> AreaMap | None:
    """The map of these rows, or None when fewer than two of their areas have a position.

    `by_province` says the rows are the provinces of a report whose table lists smaller
    areas (`drawn_rows`).
    """
    ids = [r.area_id for r in rows]
    outlines = boundaries.outlines(session, area_ids=ids)
    found = {
        a.id: (a.latitude, a.longitude)
        for a in session.scalars(select(Area).where(Area.id.in_(ids)))
        if a.latitude is not None and a.longitude is not None
    }
    for area_id, polygons in outlines.items():
        found.setdefault(area_id, _centre(polygons))
    placed = [
        (row, found[row.area_id], n, m, k)
        for row, n, m, k in zip(rows, counts, means, ranked, strict=True)
        if row.area_id in found
    ]
    if len(placed) < 2:
        return None
    drawn_ids = {row.area_id for row, *_ in placed}
    # The frame holds every centroid and every outline point.
    corners = [
        (lat, lon)
        for area_id, polygons in outlines.items()
        if area_id in drawn_ids
        for polygon in polygons
        for lon, lat in polygon[0]
    ]
    lats = [c[0] for _, c, *_ in placed] + [lat for lat, _ in corners]
    lons = [c[1] for _, c, *_ in placed] + [lon for _, lon in corners]
    # Equirectangular, with longitude shrunk by the cosine of the middle latitude: true enough
    # at a province's scale, and the shape people know.
    squeeze = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x = max((max(lons) - min(lons)) * squeeze, 1e-6)
    span_y = max(max(lats) - min(lats), 1e-6)
    scale = (WIDTH - 2 * MARGIN) / span_x
    height = min(int(span_y * scale) + 2 * MARGIN, 2 * WIDTH)
    scale = min(scale, (height - 2 * MARGIN) / span_y)
    west, north = min(lons), max(lats)

    def project(lon: float, lat: float) -> tuple[float, float]:
        return MARGIN + (lon - west) * squeeze * scale, MARGIN + (north - lat) * scale

    points = []
    shapes = []
    largest = max(n for _, _, n, _, _ in placed)
    for row, (lat, lon), n, m, k in placed:
        x, y = project(lon, lat)
        point = Point(
            area_id=row.area_id,
            name=row.name,
            x=round(x, 1),
            y=round(y, 1),
            radius=radius(n, largest),
            fill=colour(m, ranked=k),
            count=n,
            mean=m,
            ranked=k,
        )
        points.append(point)
        if row.area_id in outlines:
            d = _path(outlines[row.area_id], project)
            if d:
                shapes.append(Shape(point, d))
    # Largest first, so small circles stay visible on top.
    points.sort(key=lambda p: -p.radius)
    missing = [r.name for r in rows if r.area_id not in found]
    return AreaMap(WIDTH, height, points, missing, shapes, by_province=by_province)


R = TypeVar("R", bound=MapRow)


def drawn_rows(rows: Sequence[R], provinces: Sequence[R]) -> tuple[Sequence[R], bool]:
    """The rows a report's map draws, and whether they are its provinces.

    A report's own areas, unless they lie in several provinces: then one circle per province.
    Across the country 3,321 communes are one blot of overlapping circles, and a megabyte
    of page to send to a phone.
    """
    if len(provinces) > 1:
        return provinces, True
    return rows, False
