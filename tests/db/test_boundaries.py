"""Commune boundaries from GeoJSON: matched by code or name, checked, simplified, then drawn."""

from __future__ import annotations

import copy
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.areas import boundaries
from app.areas import service as areas
from app.areas.models import AreaBoundary, AreaLevel
from app.errors import Invalid, TooLarge
from app.reports.map import area_map
from app.web.i18n import translate

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "lang-son-communes.geojson"


@pytest.fixture
def lang_son(session: Session) -> Session:
    areas.load_provinces(session, codes=["20"])
    return session


def collection() -> dict[str, Any]:
    result: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return result


def encoded(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def read(session: Session, document: dict[str, Any] | bytes) -> boundaries.Reading:
    data = document if isinstance(document, bytes) else encoded(document)
    return boundaries.read(session, data=data, province_code="20")


def problems(reading: boundaries.Reading) -> list[str]:
    return [translate(p, "vi") for p in reading.problems]


def commune_id(session: Session, code: str) -> int:
    found = areas.get_by_code(session, code, level=AreaLevel.COMMUNE)
    assert found is not None
    return found.id


def square(lon: float, lat: float, half: float = 0.02) -> list[list[float]]:
    return [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half],
    ]


class TestReading:
    def test_the_fixture__matches_by_string_code_int_code_and_name(self, lang_son: Session) -> None:
        reading = read(lang_son, collection())
        assert reading.ok, problems(reading)
        assert reading.features == 3
        by_name = {o.name: o for o in reading.outlines.values()}
        # "06196" as text, 6541 as a number padded to 06541, and Phường Đông Kinh by its name
        assert set(by_name) == {"Xã Ba Sơn", "Xã Mẫu Sơn", "Phường Đông Kinh"}
        assert by_name["Xã Ba Sơn"].area_id == commune_id(lang_son, "06196")
        assert by_name["Xã Mẫu Sơn"].area_id == commune_id(lang_son, "06541")
        assert by_name["Phường Đông Kinh"].area_id == commune_id(lang_son, "05977")

    def test_a_multipolygon_and_a_hole__are_kept(self, lang_son: Session) -> None:
        reading = read(lang_son, collection())
        by_name = {o.name: o for o in reading.outlines.values()}
        assert len(by_name["Phường Đông Kinh"].polygons) == 2
        assert [len(p) for p in by_name["Xã Mẫu Sơn"].polygons] == [2]  # outer ring and a hole

    def test_dense_outlines__are_simplified_and_rounded(self, lang_son: Session) -> None:
        reading = read(lang_son, collection())
        assert reading.positions == 569
        assert reading.kept < reading.positions / 3
        for outline in reading.outlines.values():
            for polygon in outline.polygons:
                for ring in polygon:
                    assert ring[0] == ring[-1]
                    assert len(ring) >= 4
                    assert all(round(v, boundaries.DIGITS) == v for p in ring for v in p)

    def test_another_code_property_and_a_folded_name__match(self, lang_son: Session) -> None:
        document = collection()
        document["features"] = document["features"][:1]
        document["features"][0]["properties"] = {"MA_DVHC": 6196}
        assert read(lang_son, document).ok
        document["features"][0]["properties"] = {"Name": "xa ba son"}
        assert read(lang_son, document).ok
        document["features"][0]["properties"] = {"Tên xã": "Ba Sơn"}
        assert read(lang_son, document).ok

    def test_a_code_of_another_tree__falls_back_to_the_name(self, lang_son: Session) -> None:
        document = collection()
        document["features"] = document["features"][:1]
        # a code no commune has (a typo, or another tree's): the name still places it
        document["features"][0]["properties"] = {"ma_xa": "99999", "ten_xa": "Xã Ba Sơn"}
        reading = read(lang_son, document)
        assert reading.ok
        assert list(reading.outlines) == [commune_id(lang_son, "06196")]

    def test_features_of_other_provinces__are_left_aside_by_code_or_province(
        self, lang_son: Session
    ) -> None:
        # A file of the whole country (or a region) serves Lạng Sơn's upload: Hà Nội's Phường
        # Ba Đình by its commune code, a feature that says it is in Cao Bằng by its province.
        document = collection()
        document["features"] += [
            {
                "type": "Feature",
                "properties": {"ma_xa": "00004", "ten_xa": "Phường Ba Đình"},
                "geometry": {"type": "Polygon", "coordinates": [square(105.84, 21.04)]},
            },
            {
                "type": "Feature",
                "properties": {"ma_tinh": 4, "ten_xa": "Xã Không Có"},
                "geometry": {"type": "Polygon", "coordinates": [square(106.26, 22.67)]},
            },
        ]
        reading = read(lang_son, document)
        assert reading.ok
        assert reading.elsewhere == 2
        assert len(reading.outlines) == 3

    def test_a_commune_code_of_the_province__wins_over_a_mistyped_province(
        self, lang_son: Session
    ) -> None:
        # Xã Ba Sơn (06196) with ma_tinh typed as Cao Bằng's 04: still Lạng Sơn's commune.
        document = collection()
        document["features"][0]["properties"] = {"ma_xa": "06196", "ma_tinh": "04"}
        reading = read(lang_son, document)
        assert reading.ok
        assert reading.elsewhere == 0
        assert commune_id(lang_son, "06196") in reading.outlines

    def test_a_file_of_other_provinces_only__stores_nothing_and_says_why(
        self, lang_son: Session
    ) -> None:
        document = collection()
        for feature in document["features"]:
            feature["properties"] = {"ma_tinh": "01", "ten_xa": "Phường Ba Đình"}
        reading = read(lang_son, document)
        assert not reading.ok
        assert problems(reading) == [
            "Tệp không có đối tượng nào là xã, phường của Tỉnh Lạng Sơn (3 đối tượng thuộc "
            "tỉnh khác)."
        ]

    def test_an_unmatched_feature__is_named_with_its_index_and_properties(
        self, lang_son: Session
    ) -> None:
        document = collection()
        document["features"].append(
            {
                "type": "Feature",
                "properties": {"ma_xa": "99999", "ten_xa": "Xã Không Có"},
                "geometry": {"type": "Polygon", "coordinates": [square(106.5, 21.7)]},
            }
        )
        reading = read(lang_son, document)
        assert not reading.ok
        assert problems(reading) == [
            "Đối tượng thứ 4 (Xã Không Có, 99999) không khớp xã nào của Tỉnh Lạng Sơn: hãy ghi "
            "cho mỗi đối tượng mã xã theo Tổng cục Thống kê (ma_xa) hoặc tên xã (ten_xa)."
        ]

    def test_wrong_geometry_and_bad_coordinates__are_problems(self, lang_son: Session) -> None:
        document = collection()
        document["features"][0]["geometry"] = {"type": "Point", "coordinates": [107.0, 21.9]}
        # VN-2000 metres, not degrees
        document["features"][1]["geometry"]["coordinates"] = [
            [[430000, 2410000], [431000, 2410000], [431000, 2411000], [430000, 2410000]]
        ]
        reading = read(lang_son, document)
        assert [p.split(":")[0] for p in problems(reading)] == [
            "Đối tượng thứ 1 (Xã Ba Sơn, 06196)",
            "Đối tượng thứ 2 (Xã Mẫu Sơn, 06541)",
        ]
        assert "Point" in problems(reading)[0]
        assert "WGS 84" in problems(reading)[1]

    @pytest.mark.parametrize(
        "corner",
        [[True, False], ["107.0", "21.9"], [float("nan"), 21.9], [107.0], 107.0],
        ids=["booleans", "text", "nan", "one-number", "not-a-pair"],
    )
    def test_a_corner_that_is_not_a_position__is_a_problem(
        self, lang_son: Session, corner: Any
    ) -> None:
        document = collection()
        document["features"] = document["features"][:1]
        ring = document["features"][0]["geometry"]["coordinates"][0]
        ring[5] = corner
        reading = read(lang_son, document)
        assert len(reading.problems) == 1
        assert "WGS 84" in problems(reading)[0]

    def test_swapped_longitude_and_latitude__are_caught(self, lang_son: Session) -> None:
        document = collection()
        ring = document["features"][0]["geometry"]["coordinates"][0]
        document["features"][0]["geometry"]["coordinates"] = [[[lat, lon] for lon, lat in ring]]
        reading = read(lang_son, document)
        assert len(reading.problems) == 1
        assert "kinh độ trước, vĩ độ sau" in problems(reading)[0]

    def test_an_outline_far_from_its_commune__is_caught(self, lang_son: Session) -> None:
        document = collection()
        # Hữu Lũng's place (21.51, 106.37) under Ba Sơn's code
        document["features"][0]["geometry"]["coordinates"] = [square(106.37, 21.51)]
        reading = read(lang_son, document)
        assert problems(reading) == [
            "Đối tượng thứ 1 (Xã Ba Sơn, 06196) nằm xa Xã Ba Sơn: kinh độ và vĩ độ có bị hoán "
            "đổi không, hay đây là một xã khác?"
        ]

    def test_two_features_for_one_commune__are_a_problem(self, lang_son: Session) -> None:
        document = collection()
        document["features"].append(copy.deepcopy(document["features"][0]))
        reading = read(lang_son, document)
        assert problems(reading) == [
            "Đối tượng thứ 4 (Xã Ba Sơn, 06196): Xã Ba Sơn cũng là đối tượng thứ 1."
        ]

    @pytest.mark.parametrize(
        ("data", "says"),
        [
            (b'{"type": "FeatureCollection", "features": [', "không phải JSON hợp lệ (dòng 1"),
            (b"\x89PNG\r\n\x1a\n\x00\x00", "UTF-8"),
            (b'{"type": "Feature", "geometry": null}', "FeatureCollection"),
            (b'{"type": "FeatureCollection", "features": []}', "không có đối tượng"),
            (b"[" * 200_000, "lồng"),
        ],
        ids=["truncated", "binary", "a-lone-feature", "empty", "nested-too-deep"],
    )
    def test_a_file_that_is_not_geojson__is_refused_with_a_reason(
        self, lang_son: Session, data: bytes, says: str
    ) -> None:
        with pytest.raises(Invalid) as refused:
            read(lang_son, data)
        assert says in translate(refused.value.message, "vi")

    def test_an_oversize_file__is_refused_before_it_is_parsed(
        self, lang_son: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(boundaries, "MAX_BYTES", 1000)
        with pytest.raises(TooLarge):
            read(lang_son, collection())

    def test_too_many_points__are_refused(
        self, lang_son: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(boundaries, "MAX_POSITIONS", 500)
        with pytest.raises(Invalid) as refused:
            read(lang_son, collection())
        assert "500" in translate(refused.value.message, "vi")

    def test_a_province_not_loaded__is_refused(self, session: Session) -> None:
        with pytest.raises(Invalid):
            read(session, collection())


class TestStoring:
    def test_store__replaces_the_named_communes_and_keeps_the_others(
        self, lang_son: Session
    ) -> None:
        boundaries.store(
            lang_son, reading=read(lang_son, collection()), source="a.geojson", uploaded_by="qt"
        )
        document = collection()
        document["features"] = document["features"][:1]
        stored = boundaries.store(
            lang_son, reading=read(lang_son, document), source="b.geojson", uploaded_by="qt"
        )
        assert stored == 1
        sources = dict(lang_son.execute(select(AreaBoundary.area_id, AreaBoundary.source)).all())
        assert sources == {
            commune_id(lang_son, "06196"): "b.geojson",
            commune_id(lang_son, "06541"): "a.geojson",
            commune_id(lang_son, "05977"): "a.geojson",
        }
        summary = boundaries.summary(lang_son, province_code="20")
        assert (summary.communes, summary.with_boundary) == (65, 3)

    def test_a_reading_with_problems__cannot_be_stored(self, lang_son: Session) -> None:
        document = collection()
        document["features"][0]["properties"] = {"ten_xa": "Xã Không Có"}
        reading = read(lang_son, document)
        with pytest.raises(Invalid):
            boundaries.store(lang_son, reading=reading, source="x", uploaded_by=None)
        assert lang_son.scalar(select(func.count()).select_from(AreaBoundary)) == 0

    def test_remove_all__empties_the_table(self, lang_son: Session) -> None:
        boundaries.store(
            lang_son, reading=read(lang_son, collection()), source="a", uploaded_by=None
        )
        assert boundaries.remove_all(lang_son) == 3
        assert boundaries.summary(lang_son, province_code="20").with_boundary == 0


@dataclass
class Row:
    area_id: int
    name: str


class TestTheMapWithBoundaries:
    def rows(self, session: Session, codes: list[str]) -> list[Row]:
        found = []
        for code in codes:
            area = areas.get_by_code(session, code, level=AreaLevel.COMMUNE)
            assert area is not None
            found.append(Row(area.id, area.name))
        return found

    def test_without_boundaries__the_map_has_circles_only(self, lang_son: Session) -> None:
        rows = self.rows(lang_son, ["06196", "06541", "06385"])
        drawn = area_map(
            lang_son, rows=rows, counts=[1, 2, 3], means=[50, 70, 90], ranked=[True] * 3
        )
        assert drawn is not None
        assert drawn.shapes == []
        assert len(drawn.points) == 3

    def test_stored_outlines__are_drawn_in_their_communes_colour_inside_the_frame(
        self, lang_son: Session
    ) -> None:
        boundaries.store(
            lang_son, reading=read(lang_son, collection()), source="a", uploaded_by=None
        )
        # Hữu Lũng has no outline: it keeps its circle alone
        rows = self.rows(lang_son, ["06196", "06541", "05977", "06385"])
        drawn = area_map(
            lang_son,
            rows=rows,
            counts=[5, 6, 7, 8],
            means=[10, 90, 50, 70],
            ranked=[True, True, False, True],
        )
        assert drawn is not None
        assert len(drawn.points) == 4
        shaped = {s.point.name: s for s in drawn.shapes}
        assert set(shaped) == {"Xã Ba Sơn", "Xã Mẫu Sơn", "Phường Đông Kinh"}
        for shape in drawn.shapes:
            numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", shape.d)]
            xs, ys = numbers[0::2], numbers[1::2]
            assert all(0 <= x <= drawn.width for x in xs)
            assert all(0 <= y <= drawn.height for y in ys)
            # the commune's circle sits inside its outline's box
            assert min(xs) <= shape.point.x <= max(xs)
            assert min(ys) <= shape.point.y <= max(ys)
        # a MultiPolygon is two subpaths; a polygon with a hole is two rings of one path
        assert shaped["Phường Đông Kinh"].d.count("M") == 2
        assert shaped["Xã Mẫu Sơn"].d.count("M") == 2
        assert shaped["Phường Đông Kinh"].point.fill != shaped["Xã Mẫu Sơn"].point.fill

    def test_an_area_with_an_outline_but_no_centroid__is_placed_at_its_middle(
        self, lang_son: Session
    ) -> None:
        areas.load_rows(
            lang_son,
            rows=[{"code": "X9", "name": "Xã Mới", "level": "commune", "parent_code": "20"}],
        )
        new = areas.get_by_code(lang_son, "X9")
        assert new is not None
        lang_son.add(
            AreaBoundary(
                area_id=new.id, polygons=[[square(106.6, 21.6)]], source="a", uploaded_by=None
            )
        )
        rows = [*self.rows(lang_son, ["06196"]), Row(new.id, new.name)]
        drawn = area_map(lang_son, rows=rows, counts=[1, 1], means=[50, 50], ranked=[True] * 2)
        assert drawn is not None
        assert drawn.missing == []
        assert len(drawn.shapes) == 1

    def test_a_heavy_outline__draws_as_a_short_path(self, lang_son: Session) -> None:
        # 20,000 points round Ba Sơn: a surveyed boundary, far denser than any screen
        lon, lat = 107.015, 21.9033
        ring = [
            [lon + 0.04 * math.cos(a) * (1 + 0.1 * math.sin(7 * a)), lat + 0.04 * math.sin(a)]
            for a in (2 * math.pi * i / 20_000 for i in range(20_000))
        ]
        ring.append(ring[0])
        document = {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"ma_xa": "06196"},
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                }
            ],
        }
        reading = read(lang_son, document)
        assert reading.ok
        assert reading.kept < 500
        boundaries.store(lang_son, reading=reading, source="a", uploaded_by=None)
        rows = self.rows(lang_son, ["06196", "06541"])
        drawn = area_map(lang_son, rows=rows, counts=[1, 1], means=[50, 50], ranked=[True] * 2)
        assert drawn is not None
        assert len(drawn.shapes[0].d) < 4000
