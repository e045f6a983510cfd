"""Commune boundaries from a GeoJSON file: read, matched to the province's communes, simplified.

An administrator uploads a FeatureCollection of Polygon and MultiPolygon features, one per
commune; the reports' map then draws each commune's outline. `read` only reads (the file, and
the areas to match against); `store` writes what `read` found, so the caller holds a write
transaction for the write alone, never while a 20 MB file is parsed.

A file with any problem stores nothing: every problem is listed, named by its feature, and the
administrator uploads the corrected file. Uploading replaces the boundaries of the communes the
file names and keeps the others, so a province may arrive in parts. Features of other
provinces (a commune code of another province in the national catalogue, or a `ma_tinh` that
is not this province's) are counted and left aside: a region's or the country's file serves
too, within the size limit.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.areas import catalogue
from app.areas.models import Area, AreaBoundary, AreaLevel, Rings
from app.areas.resolver import NameIndex, Place
from app.errors import Invalid, TooLarge
from app.folding import fold_key
from app.messages import N_, Message, Number

MAX_BYTES = 20 * 2**20
# The [lon, lat] pairs of the matched features, holes included, each one checked and simplified:
# a province's communes at survey precision are a few hundred thousand; past this a file is a
# country's, or not a boundary file. (The size limit already bounds what json reads.)
MAX_POSITIONS = 1_000_000
# About 110 m. The province map is 640 units across some 1.5°, a unit about 250 m, so the
# outline looks the same; and every point kept is work on every drawing of the map.
TOLERANCE = 0.001
DIGITS = 5
# The commune's catalogue centroid must lie in (or near) its outline's box: a shape elsewhere
# has its longitude and latitude swapped, or belongs to another commune.
NEAR = 0.1
SHOWN_PROBLEMS = 200

# Property names that carry a commune's GSO code or name in the files people have, compared
# without case, accents, spaces or underscores ("ma_xa", "MaXa", "MA XA"); the first found wins.
CODE_KEYS = ("maxa", "madvhc", "madonvi", "mahc", "communecode", "wardcode", "code", "ma")
NAME_KEYS = ("tenxa", "tendvhc", "tendonvi", "tenhc", "communename", "wardname", "ten", "name")
# The province a feature says it lies in, in a file of several provinces (or the country).
PROVINCE_KEYS = ("matinh", "provincecode", "matinhthanh")

Point = tuple[float, float]
_NUMBERS = frozenset((int, float))


@dataclass(frozen=True)
class Outline:
    """One commune's simplified outline, as found in a file."""

    area_id: int
    name: str
    feature: int
    polygons: Rings


@dataclass
class Reading:
    """What a file holds: an outline per matched commune, and every problem, by feature."""

    features: int
    outlines: dict[int, Outline] = field(default_factory=dict)
    problems: list[Message] = field(default_factory=list)
    positions: int = 0
    kept: int = 0
    # Features of communes of other provinces (by their GSO codes), left aside: a file of the
    # whole country or a region serves one province's upload.
    elsewhere: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Summary:
    """How many of the province's communes have a boundary, and the latest upload."""

    communes: int
    with_boundary: int
    source: str | None = None
    uploaded_by: str | None = None
    uploaded_at: dt.datetime | None = None


def _too_large() -> TooLarge:
    return TooLarge(
        N_("The file is larger than %(mb)s MB. Upload the province's communes in parts."),
        mb=MAX_BYTES // 2**20,
    )


def _property(properties: Mapping[str, Any], keys: Sequence[str]) -> Any:
    found = {fold_key(str(k)).replace(" ", ""): v for k, v in properties.items()}
    for key in keys:
        value = found.get(key)
        if value is not None and value != "":
            return value
    return None


def _code(value: Any) -> str | None:
    """A GSO commune code as text with its leading zeros; a number is padded to five digits."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:05d}" if value >= 0 else None
    text = str(value).strip()
    return text.zfill(5) if text.isdecimal() else text or None


def _province_code(value: Any) -> str | None:
    """A GSO province code as two digits ("20" for Lạng Sơn), from text or a number."""
    text = str(value).strip() if not isinstance(value, bool) else ""
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    return text.zfill(2) if text.isdecimal() else None


def _communes_elsewhere(province_code: str) -> frozenset[str]:
    """The GSO codes of every 2025 commune of the other provinces, from the national catalogue
    (whether or not those provinces are loaded here)."""
    return frozenset(
        unit.code
        for unit in catalogue.national().units
        if unit.level == AreaLevel.COMMUNE and unit.parent_code != province_code
    )


def _label(code: str | None, name: Any) -> str:
    parts = [str(name).strip()] if name is not None else []
    if code:
        parts.append(code)
    return ", ".join(p for p in parts if p) or "–"


def _rings(geometry: Any) -> list[list[Any]] | None:
    """The polygons of a Polygon or MultiPolygon, unchecked; None for any other geometry."""
    if not isinstance(geometry, Mapping):
        return None
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list):
        return None
    if geometry.get("type") == "Polygon":
        return [coordinates]
    if geometry.get("type") == "MultiPolygon":
        return coordinates
    return None


def _position(value: Any) -> Point | None:
    """A [lon, lat] pair in range, or None. Called once per point of a file, so it is lean:
    JSON gives lists, floats and ints; `type() in` keeps out booleans, and the range
    comparisons are false for NaN and infinities."""
    if type(value) is list and len(value) >= 2:
        lon, lat = value[0], value[1]
        if (
            type(lon) in _NUMBERS
            and type(lat) in _NUMBERS
            and -180 <= lon <= 180
            and -90 <= lat <= 90
        ):
            return float(lon), float(lat)
    return None


def _segment_distance(p: Point, a: Point, b: Point) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    if dx == dy == 0:
        return math.hypot(p[0] - a[0], p[1] - a[1])
    t = max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy)))
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)


def _peucker(points: Sequence[Point], tolerance: float) -> list[Point]:
    """Douglas–Peucker on an open line, with a stack rather than recursion."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        far, distance = 0, tolerance
        for i in range(first + 1, last):
            d = _segment_distance(points[i], points[first], points[last])
            if d > distance:
                far, distance = i, d
        if far:
            keep[far] = True
            stack.extend(((first, far), (far, last)))
    return [p for p, k in zip(points, keep, strict=True) if k]


def thin_ring(ring: Sequence[Point], tolerance: float) -> list[Point]:
    """A closed ring without the points nearer than `tolerance` to the last one kept.

    One pass, cheap enough for every drawing of the map; a ring that collapses to fewer than
    four points (a speck) comes back empty.
    """
    if len(ring) < 4:
        return []
    thinned = [ring[0]]
    for p in ring[1:-1]:
        last = thinned[-1]
        if abs(p[0] - last[0]) > tolerance or abs(p[1] - last[1]) > tolerance:
            thinned.append(p)
    thinned.append(ring[-1])
    return thinned if len(thinned) >= 4 else []


def simplify_ring(ring: Sequence[Point], tolerance: float) -> list[Point]:
    """A closed ring with the points that change its shape by less than `tolerance` dropped.

    Thinning first (a surveyed outline has a point every few metres), then Douglas–Peucker on
    what is left. A ring that collapses to fewer than four points comes back empty.
    """
    thinned = thin_ring(ring, tolerance)
    if not thinned:
        return []
    # A closed ring starts and ends at one point: split it at the point farthest from there.
    start = thinned[0]
    far = max(
        range(1, len(thinned) - 1),
        key=lambda i: (thinned[i][0] - start[0]) ** 2 + (thinned[i][1] - start[1]) ** 2,
    )
    kept = _peucker(thinned[: far + 1], tolerance) + _peucker(thinned[far:], tolerance)[1:]
    return kept if len(kept) >= 4 else []


class _Positions:
    """Counts every position read, and stops the file once there are too many."""

    def __init__(self) -> None:
        self.count = 0

    def add(self, n: int) -> None:
        self.count += n
        if self.count > MAX_POSITIONS:
            raise Invalid(
                N_(
                    "The file has more than %(max)s points. Simplify the boundaries in a GIS "
                    "program, or upload the communes in parts."
                ),
                max=Number(MAX_POSITIONS),
            )


def _polygons(raw: list[Any], positions: _Positions) -> tuple[Rings, int] | None:
    """Simplified, rounded polygons and how many points they keep; None when malformed."""
    polygons: Rings = []
    kept = 0
    for polygon in raw:
        if not isinstance(polygon, list) or not polygon:
            return None
        rings: list[list[list[float]]] = []
        for index, ring in enumerate(polygon):
            if not isinstance(ring, list):
                return None
            positions.add(len(ring))
            points = [_position(p) for p in ring]
            if len(points) < 4 or any(p is None for p in points):
                return None
            checked = [p for p in points if p is not None]
            if checked[0] != checked[-1]:
                checked.append(checked[0])
            simple = simplify_ring(checked, TOLERANCE)
            if not simple:
                # A speck of an island or a hole narrower than the tolerance: nothing to draw.
                if index == 0:
                    break
                continue
            rings.append([[round(x, DIGITS), round(y, DIGITS)] for x, y in simple])
            kept += len(simple)
        if rings:
            polygons.append(rings)
    return polygons, kept


def _box(polygons: Rings) -> tuple[float, float, float, float]:
    xs = [p[0] for polygon in polygons for p in polygon[0]]
    ys = [p[1] for polygon in polygons for p in polygon[0]]
    return min(xs), min(ys), max(xs), max(ys)


def _load(data: bytes) -> list[Any]:
    if len(data) > MAX_BYTES:
        raise _too_large()
    try:
        document = json.loads(data)
    except UnicodeDecodeError:
        raise Invalid(N_("The file is not text in UTF-8: save it as GeoJSON (UTF-8).")) from None
    except json.JSONDecodeError as exc:
        raise Invalid(
            N_("The file is not valid JSON (line %(line)s, column %(column)s)."),
            line=exc.lineno,
            column=exc.colno,
        ) from None
    except RecursionError:
        raise Invalid(N_("The file nests its lists too deeply to be GeoJSON.")) from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise Invalid(N_('The file is not a GeoJSON FeatureCollection (its "type" must say so).'))
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise Invalid(N_("The file has no features: nothing to store."))
    return features


def _communes(session: Session, province_code: str) -> tuple[Area, list[Area]]:
    province = session.scalar(
        select(Area).where(Area.level == AreaLevel.PROVINCE, Area.code == province_code)
    )
    if province is None:
        raise Invalid(
            N_("Province %(code)s is not loaded: run `htxso init` first."), code=province_code
        )
    communes = session.scalars(
        select(Area).where(Area.level == AreaLevel.COMMUNE, Area.parent_id == province.id)
    ).all()
    return province, list(communes)


def read(session: Session, *, data: bytes, province_code: str) -> Reading:
    """Read a GeoJSON file against the province's communes; writes nothing."""
    features = _load(data)
    province, communes = _communes(session, province_code)
    by_code = {c.code: c for c in communes}
    by_id = {c.id: c for c in communes}
    names = NameIndex()
    for c in communes:
        names.add(Place(c.id, c.code, c.name, AreaLevel.COMMUNE, c.parent_id))
    reading = Reading(features=len(features))
    positions = _Positions()
    problems = reading.problems
    elsewhere = _communes_elsewhere(province_code)

    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        properties = properties if isinstance(properties, dict) else {}
        code = _code(_property(properties, CODE_KEYS))
        in_province = _province_code(_property(properties, PROVINCE_KEYS))
        # The commune's own code wins over a province property a person may have mistyped:
        # only a feature that is not one of this province's communes is left aside.
        if code not in by_code and (
            code in elsewhere or (in_province is not None and in_province != province_code)
        ):
            reading.elsewhere += 1
            continue
        name = _property(properties, NAME_KEYS)
        label = _label(code, name)

        def problem(text: str, /, number: int = number, label: str = label, **values: Any) -> None:
            problems.append(Message(text, number=number, label=label, **values))

        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        raw = _rings(geometry)
        if raw is None:
            kind = geometry.get("type") if isinstance(geometry, dict) else None
            problem(
                N_(
                    "Feature %(number)s (%(label)s): its geometry is %(kind)s, not a Polygon "
                    "or MultiPolygon."
                ),
                kind=str(kind or "–"),
            )
            continue
        commune = by_code.get(code) if code else None
        if commune is None and name is not None:
            found = names.find(str(name), within={province.id})
            if len(found) > 1:
                problem(
                    N_("Feature %(number)s (%(label)s) matches several communes: %(candidates)s."),
                    candidates=", ".join(p.label for p in found),
                )
                continue
            commune = by_id[found[0].id] if found else None
        if commune is None:
            problem(
                N_(
                    "Feature %(number)s (%(label)s) matches no commune of %(province)s: give "
                    "each feature the commune's GSO code (ma_xa) or its name (ten_xa)."
                ),
                province=province.name,
            )
            continue
        shaped = _polygons(raw, positions)
        if shaped is None or not shaped[0]:
            problem(
                N_(
                    "Feature %(number)s (%(label)s): its coordinates are not rings of "
                    "longitude/latitude pairs (WGS 84, EPSG:4326; longitude first)."
                )
            )
            continue
        polygons, kept = shaped
        earlier = reading.outlines.get(commune.id)
        if earlier is not None:
            problem(
                N_("Feature %(number)s (%(label)s): %(commune)s is also feature %(first)s."),
                commune=commune.name,
                first=earlier.feature,
            )
            continue
        if commune.latitude is not None and commune.longitude is not None:
            west, south, east, north = _box(polygons)
            if not (
                west - NEAR <= commune.longitude <= east + NEAR
                and south - NEAR <= commune.latitude <= north + NEAR
            ):
                problem(
                    N_(
                        "Feature %(number)s (%(label)s) lies far from %(commune)s: are "
                        "longitude and latitude swapped, or is it another commune?"
                    ),
                    commune=commune.name,
                )
                continue
        reading.outlines[commune.id] = Outline(commune.id, commune.name, number, polygons)
        reading.kept += kept
    reading.positions = positions.count
    if not reading.outlines and not problems:
        problems.append(
            Message(
                N_(
                    "No feature of the file is a commune of %(province)s (%(elsewhere)s lie "
                    "in other provinces)."
                ),
                province=province.name,
                elsewhere=Number(reading.elsewhere),
            )
        )
    return reading


def store(session: Session, *, reading: Reading, source: str, uploaded_by: str | None) -> int:
    """Replace the boundaries of the communes the file names; the others stay."""
    if not reading.ok:
        raise Invalid(N_("A file with problems stores nothing."))
    ids = list(reading.outlines)
    session.execute(delete(AreaBoundary).where(AreaBoundary.area_id.in_(ids)))
    session.add_all(
        AreaBoundary(
            area_id=o.area_id, polygons=o.polygons, source=source[:255], uploaded_by=uploaded_by
        )
        for o in reading.outlines.values()
    )
    session.flush()
    return len(ids)


def remove_all(session: Session) -> int:
    """Remove every stored boundary; the map goes back to circles."""
    removed = session.scalar(select(func.count()).select_from(AreaBoundary)) or 0
    session.execute(delete(AreaBoundary))
    session.flush()
    return removed


def summary(session: Session, *, province_code: str) -> Summary:
    """How many of the province's communes have a boundary, and the latest upload."""
    province = session.scalar(
        select(Area.id).where(Area.level == AreaLevel.PROVINCE, Area.code == province_code)
    )
    if province is None:
        return Summary(0, 0)
    communes = select(Area.id).where(Area.level == AreaLevel.COMMUNE, Area.parent_id == province)
    total = session.scalar(select(func.count()).select_from(communes.subquery())) or 0
    drawn = (
        session.scalar(
            select(func.count()).select_from(AreaBoundary).where(AreaBoundary.area_id.in_(communes))
        )
        or 0
    )
    latest = session.scalars(
        select(AreaBoundary).order_by(AreaBoundary.uploaded_at.desc()).limit(1)
    ).first()
    if latest is None:
        return Summary(total, drawn)
    return Summary(total, drawn, latest.source, latest.uploaded_by, latest.uploaded_at)


def outlines(session: Session, *, area_ids: Iterable[int]) -> dict[int, Rings]:
    """The stored outline of each of these areas that has one."""
    found = session.execute(
        select(AreaBoundary.area_id, AreaBoundary.polygons).where(
            AreaBoundary.area_id.in_(list(area_ids))
        )
    )
    return {row.area_id: row.polygons for row in found}
