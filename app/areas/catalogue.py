"""The national catalogue of administrative units, read from the pinned `vietnamadminunits` data.

The library ships GSO's units before and after the 2025 reform in an SQLite file, and the
old-ward → new-commune conversion as a JSON file keyed by folded names. This module turns both
into plain rows (codes as text, with their leading zeros) for `app.areas.service` to store; it
never touches the portal's database.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

from app.areas.models import AreaLevel

COUNTRY_CODE = "VN"
COUNTRY_NAME = "Việt Nam"


@dataclass(frozen=True)
class Unit:
    """One administrative unit: its level, code, full name, parent's code and centroid."""

    level: AreaLevel
    code: str
    name: str
    parent_code: str | None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class Link:
    """A former ward (code) and a commune (code) it became part of."""

    former_ward: str
    commune: str
    main: bool


@dataclass
class Catalogue:
    """Units parents first (country, provinces, communes, former districts, former wards)."""

    units: list[Unit] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)

    def count(self, level: AreaLevel) -> int:
        return sum(1 for u in self.units if u.level == level)


def _data() -> tuple[sqlite3.Connection, dict[str, object]]:
    package = files("vietnamadminunits") / "data"
    dataset = sqlite3.connect(f"file:{package / 'dataset.db'}?mode=ro", uri=True)
    converter = json.loads((package / "converter_2025.json").read_text(encoding="utf-8"))
    return dataset, converter


@cache
def _everything() -> Catalogue:
    """The whole country, read once per process (about 14,000 units and 10,600 links)."""
    dataset, converter = _data()
    try:
        return _build(dataset, converter)
    finally:
        dataset.close()


def _build(dataset: sqlite3.Connection, converter: dict[str, object]) -> Catalogue:
    found = Catalogue()
    found.units.append(Unit(AreaLevel.COUNTRY, COUNTRY_CODE, COUNTRY_NAME, None))
    province_of_key: dict[str, str] = {}
    for code, name, key, lat, lon in dataset.execute(
        "select distinct provinceCode, province, provinceKey, provinceLat, provinceLon"
        " from admin_units order by provinceCode"
    ):
        province_of_key[key] = code
        found.units.append(Unit(AreaLevel.PROVINCE, code, name, COUNTRY_CODE, lat, lon))
    commune_of_key: dict[tuple[str, str], str] = {}
    for province_key, ward_key, code, name, province, lat, lon in dataset.execute(
        "select provinceKey, wardKey, wardCode, ward, provinceCode, wardLat, wardLon"
        " from admin_units order by wardCode"
    ):
        commune_of_key[province_key, ward_key] = code
        found.units.append(Unit(AreaLevel.COMMUNE, code, name, province, lat, lon))

    # Each former province lies wholly in one 2025 province.
    merged = converter["DICT_PROVINCE"]
    assert isinstance(merged, dict)
    now_in = {old: province_of_key[new] for new, olds in merged.items() for old in olds}
    former_ward_of_key: dict[str, str] = {}
    districts_seen: set[str] = set()
    wards: list[Unit] = []
    for row in dataset.execute(
        "select provinceKey, districtKey, wardKey, districtCode, district, districtLat,"
        " districtLon, wardCode, ward, wardLat, wardLon"
        " from admin_units_legacy order by districtCode, wardCode"
    ):
        province_key, district_key, ward_key, district_code, district_name = row[:5]
        if district_code not in districts_seen:
            districts_seen.add(district_code)
            found.units.append(
                Unit(
                    AreaLevel.FORMER_DISTRICT,
                    district_code,
                    district_name,
                    now_in[province_key],
                    row[5],
                    row[6],
                )
            )
        if row[7] is None:
            # A district without wards (the island districts Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa,
            # Lý Sơn and Côn Đảo) has one row with an empty ward: the district stands alone.
            continue
        former_ward_of_key[f"{province_key}_{district_key}_{ward_key}"] = row[7]
        wards.append(Unit(AreaLevel.FORMER_WARD, row[7], row[8], district_code, row[9], row[10]))
    found.units.extend(wards)

    whole = converter["DICT_PROVINCE_WARD_NO_DIVIDED"]
    divided = converter["DICT_PROVINCE_WARD_DIVIDED"]
    assert isinstance(whole, dict)
    assert isinstance(divided, dict)
    seen: set[tuple[str, str]] = set()

    def link(old_key: str, province_key: str, new_key: str, main: bool) -> None:
        old = former_ward_of_key.get(old_key)
        new = commune_of_key.get((province_key, new_key))
        if old is not None and new is not None and (old, new) not in seen:
            seen.add((old, new))
            found.links.append(Link(old, new, main))

    for province_key, communes in whole.items():
        for new_key, old_keys in communes.items():
            for old_key in old_keys:
                link(old_key, province_key, new_key, True)
    for province_key, old_wards in divided.items():
        for old_key, shares in old_wards.items():
            for share in shares:
                link(old_key, province_key, share["newWardKey"], bool(share["isDefaultNewWard"]))
    return found


def national() -> Catalogue:
    """Every unit of both trees and the whole crosswalk."""
    return _everything()


def provinces(codes: Iterable[str]) -> Catalogue:
    """The given 2025 provinces with their communes, former districts, wards and links."""
    wanted = set(codes)
    whole = _everything()
    known = {u.code for u in whole.units if u.level == AreaLevel.PROVINCE}
    unknown = wanted - known
    if unknown:
        raise KeyError(", ".join(sorted(unknown)))
    kept: set[tuple[AreaLevel, str]] = {(AreaLevel.COUNTRY, COUNTRY_CODE)}
    parent_level = {
        AreaLevel.PROVINCE: AreaLevel.COUNTRY,
        AreaLevel.COMMUNE: AreaLevel.PROVINCE,
        AreaLevel.FORMER_DISTRICT: AreaLevel.PROVINCE,
        AreaLevel.FORMER_WARD: AreaLevel.FORMER_DISTRICT,
    }
    chosen = Catalogue()
    for unit in whole.units:
        if unit.level == AreaLevel.COUNTRY:
            keep = True
        elif unit.level == AreaLevel.PROVINCE:
            keep = unit.code in wanted
        else:
            keep = (parent_level[unit.level], unit.parent_code or "") in kept
        if keep:
            kept.add((unit.level, unit.code))
            chosen.units.append(unit)
    chosen.links = [
        link
        for link in whole.links
        if (AreaLevel.FORMER_WARD, link.former_ward) in kept
        and (AreaLevel.COMMUNE, link.commune) in kept
    ]
    return chosen
