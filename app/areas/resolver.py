"""Placing a cooperative from what a registry says: a commune, a district, an address, a code.

Names are ambiguous across the 2025 reform (the old Xã Mẫu Sơn of Cao Lộc is now part of Xã Ba
Sơn; today's Xã Mẫu Sơn is the former Yên Khoái of Lộc Bình), so the form decides the tree:
text with a district (in the address or a district column) is read in the former tree and
carried across the crosswalk; text without one is read in the 2025 tree. A `Resolver` holds
the loaded areas in memory and answers each distinct question once: a registry repeats its
addresses, and 30,000 rows must not mean 30,000 parses.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.areas.models import Area, AreaLevel, AreaLink
from app.folding import fold
from app.messages import N_, Message

# Type words that open a unit's name, longest first so "thị xã" is not read as "xã".
COMMUNE_WORDS = ("thi tran", "dac khu", "phuong", "xa")
DISTRICT_WORDS = ("thanh pho", "thi xa", "huyen", "quan")
PROVINCE_WORDS = ("thanh pho", "tinh")
_ABBREVIATIONS = {
    "tp": "thanh pho",
    "tx": "thi xa",
    "tt": "thi tran",
    "x": "xa",
    "p": "phuong",
    "h": "huyen",
    "q": "quan",
    "t": "tinh",
}
_WORDS = sorted({*COMMUNE_WORDS, *DISTRICT_WORDS, *PROVINCE_WORDS}, key=len, reverse=True)
# A unit's type word inside a longer part ("Thôn Bản Chắt xã Mẫu Sơn"): split before it.
_SPLIT = re.compile(r"(?<!\bthi)\s(?=(?:" + "|".join(_WORDS) + r")\s)")
# "TP." or "TP " alike; a one-letter abbreviation needs its dot ("X. Mai Pha", not "X Mai").
_ABBREVIATED = re.compile(r"^(?:(tp|tx|tt)\s*\.?\s*|(x|p|h|q|t)\s*\.\s*)")


@dataclass(frozen=True)
class Place:
    """An area as the resolver knows it."""

    id: int
    code: str
    name: str
    level: AreaLevel
    parent_id: int | None

    @property
    def label(self) -> str:
        return f"{self.name} ({self.code})"


@dataclass(frozen=True)
class Placement:
    """Where a cooperative goes: its province, and its commune and former units when known."""

    province_id: int
    commune_id: int | None = None
    former_district_id: int | None = None
    former_ward_id: int | None = None

    @property
    def area_id(self) -> int:
        """The cooperative's current area: its commune, or its province until one is known."""
        return self.commune_id or self.province_id


@dataclass(frozen=True)
class Problem:
    """Why a text places nothing: it matches no area, or several; with the candidates."""

    text: str
    ambiguous: bool
    candidates: tuple[str, ...] = ()
    hint: Message | None = None

    @property
    def message(self) -> Message:
        """What is wrong, with the candidates and any hint, for the reader's language."""
        candidates = ", ".join(self.candidates)
        if self.ambiguous:
            head = Message(
                N_("'%(text)s' matches several communes: %(candidates)s"),
                text=self.text,
                candidates=candidates,
            )
        elif self.candidates:
            head = Message(
                N_("no area matches '%(text)s' (close: %(candidates)s)"),
                text=self.text,
                candidates=candidates,
            )
        else:
            head = Message(N_("no area matches '%(text)s'"), text=self.text)
        if self.hint is None:
            return head
        return Message(N_("%(problem)s. %(hint)s"), problem=head, hint=self.hint)


@dataclass(frozen=True)
class Query:
    """What one registry row says about where a cooperative is. Empty strings for the unknown."""

    commune: str = ""
    district: str = ""
    address: str = ""
    # A code or name of any level (the registry's older "Mã địa bàn" column).
    area: str = ""
    # A 2025 commune's code (a registry exported by the portal carries it).
    commune_code: str = ""


def _keys(name: str) -> tuple[str, str | None]:
    """The folded name and, when it opens with a type word, the name without it."""
    folded = fold(name)
    abbreviated = _ABBREVIATED.match(folded)
    if abbreviated:
        word = abbreviated.group(1) or abbreviated.group(2)
        folded = f"{_ABBREVIATIONS[word]} {folded[abbreviated.end() :]}"
    for word in _WORDS:
        if folded.startswith(word + " "):
            return folded, folded[len(word) + 1 :].strip()
    return folded, None


def _type_word(folded: str, words: tuple[str, ...]) -> bool:
    return any(folded.startswith(word + " ") for word in words)


# The type words as written, to tell "Quận" (a type word) from "Quan" (a name: Xã Quan Sơn) when
# the address is typed with its diacritics.
_ACCENTED = {
    "thi tran": "thị trấn",
    "dac khu": "đặc khu",
    "phuong": "phường",
    "xa": "xã",
    "thanh pho": "thành phố",
    "thi xa": "thị xã",
    "huyen": "huyện",
    "quan": "quận",
    "tinh": "tỉnh",
}


def _cuts(piece: str, folded: str) -> list[int]:
    """Where a type word inside a part starts a new part.

    Folding makes names and type words alike (Xã Quan Sơn, Xã Xa Lý), so a cut needs text
    before it that is more than a type word, and, in text typed with diacritics, the type word
    as written ("quận", not "Quan").
    """
    cuts = []
    accented = piece.lower() if not piece.isascii() else None
    start = 0
    for match in _SPLIT.finditer(folded):
        cut = match.start() + 1
        if folded[start:cut].strip() in _ACCENTED:
            continue  # "Xã Quan Sơn": the word after a bare type word belongs to the name
        word = next(w for w in _WORDS if folded.startswith(w + " ", cut))
        if accented is not None and not accented.startswith(_ACCENTED[word], cut):
            continue
        cuts.append(cut)
        start = cut
    return cuts


def split_address(address: str) -> list[str]:
    """An address cut into its parts, broadest last; a type word inside a part starts a new one."""
    parts: list[str] = []
    for piece in re.split(r"[,;\n]+", address):
        piece = unicodedata.normalize("NFC", " ".join(piece.split()))
        if not piece:
            continue
        folded = fold(piece)
        cuts = _cuts(piece, folded)
        # Folding keeps one character per character (đ → d, marks dropped after NFD), so
        # positions carry over only when the lengths agree; otherwise keep the piece whole.
        if cuts and len(folded) == len(piece):
            bounds = [0, *cuts, len(piece)]
            parts.extend(piece[a:b].strip() for a, b in itertools.pairwise(bounds))
        else:
            parts.append(piece)
    return [p for p in parts if p]


@dataclass
class NameIndex:
    """Places of one level, findable by full folded name and by name without the type word."""

    full: dict[str, list[Place]] = field(default_factory=lambda: defaultdict(list))
    short: dict[str, list[Place]] = field(default_factory=lambda: defaultdict(list))

    def add(self, place: Place) -> None:
        full, short = _keys(place.name)
        self.full[full].append(place)
        self.short[short or full].append(place)

    def find(self, text: str, *, within: set[int] | None = None) -> list[Place]:
        full, short = _keys(text)
        found = self.full.get(full, [])
        if not found:
            found = self.short.get(short or full, [])
        if within is not None:
            found = [p for p in found if p.parent_id in within]
        return found


class Resolver:
    """The loaded areas in memory, answering `resolve(Query)` with a Placement or a Problem."""

    def __init__(self, session: Session) -> None:
        self.places: dict[int, Place] = {}
        self.by_code: dict[str, list[Place]] = defaultdict(list)
        self.indexes: dict[AreaLevel, NameIndex] = {level: NameIndex() for level in AreaLevel}
        for area in session.scalars(select(Area)):
            place = Place(area.id, area.code, area.name, AreaLevel(area.level), area.parent_id)
            self.places[place.id] = place
            self.by_code[place.code].append(place)
            self.indexes[place.level].add(place)
        self.communes_of_ward: dict[int, list[int]] = defaultdict(list)
        self.districts_of_commune: dict[int, set[int]] = defaultdict(set)
        for ward_id, commune_id in session.execute(
            select(AreaLink.former_ward_id, AreaLink.commune_id)
        ):
            self.communes_of_ward[ward_id].append(commune_id)
            district = self.places[ward_id].parent_id
            if district is not None:
                self.districts_of_commune[commune_id].add(district)
        self.provinces = {p.id for p in self.places.values() if p.level == AreaLevel.PROVINCE}
        self._answers: dict[Query, Placement | Problem] = {}

    def resolve(self, query: Query) -> Placement | Problem | None:
        """Where the row's texts place a cooperative; None when the row says nothing about it."""
        if not (
            query.commune or query.district or query.address or query.area or query.commune_code
        ):
            return None
        answer = self._answers.get(query)
        if answer is None:
            answer = self._resolve(query)
            self._answers[query] = answer
        return answer

    def at_commune(self, commune_id: int) -> Placement:
        """The placement of a commune chosen by hand (its former district when it has one)."""
        return self._placement_at_commune(self.places[commune_id])

    # -- reading each text ---------------------------------------------------------------

    def _province_of(self, place: Place) -> int:
        current: Place | None = place
        while current is not None and current.level != AreaLevel.PROVINCE:
            current = self.places.get(current.parent_id) if current.parent_id else None
        if current is None:
            raise LookupError(place.label)
        return current.id

    def _placement_at_commune(
        self, commune: Place, *, district: Place | None = None, ward: Place | None = None
    ) -> Placement:
        if district is None:
            districts = self.districts_of_commune.get(commune.id, set())
            district_id = next(iter(districts)) if len(districts) == 1 else None
        else:
            district_id = district.id
        return Placement(
            province_id=self._province_of(commune),
            commune_id=commune.id,
            former_district_id=district_id,
            former_ward_id=ward.id if ward else None,
        )

    def _from_ward(self, ward: Place, text: str) -> Placement | Problem:
        district = self.places[ward.parent_id] if ward.parent_id else None
        communes = [self.places[c] for c in self.communes_of_ward.get(ward.id, [])]
        if len(communes) > 1:
            return Problem(
                text,
                ambiguous=True,
                candidates=tuple(sorted(c.label for c in communes)),
                hint=Message(
                    N_("%(ward)s was split between these communes: give the new commune."),
                    ward=ward.name,
                ),
            )
        if not communes:
            # Loaded from a file without the crosswalk: the former units are still known.
            return Placement(
                province_id=self._province_of(ward),
                former_district_id=district.id if district else None,
                former_ward_id=ward.id,
            )
        return self._placement_at_commune(communes[0], district=district, ward=ward)

    def _by_code(self, code: str) -> Placement | Problem | None:
        found = self.by_code.get(code.strip())
        if not found:
            return None
        order = list(AreaLevel)
        place = min(found, key=lambda p: order.index(p.level))
        if place.level == AreaLevel.COUNTRY:
            return None
        if place.level == AreaLevel.PROVINCE:
            return Placement(province_id=place.id)
        if place.level == AreaLevel.COMMUNE:
            return self._placement_at_commune(place)
        if place.level == AreaLevel.FORMER_DISTRICT:
            return Placement(province_id=self._province_of(place), former_district_id=place.id)
        return self._from_ward(place, code)

    def _province_named(self, text: str) -> Place | None:
        """The province a part names: by its full name, or by its bare name unless a former
        district bears that name with the type word given ("Thành phố Lạng Sơn")."""
        index = self.indexes[AreaLevel.PROVINCE]
        full, short = _keys(text)
        found = index.full.get(full) or []
        if not found and (short is None or full.startswith("tinh ")):
            found = index.short.get(short or full) or []
        return found[0] if len(found) == 1 else None

    def _by_commune_code(
        self, code: str, district_text: str, provinces: set[int]
    ) -> Placement | Problem:
        """A 2025 commune by its code, with the former district given beside it, if any."""
        commune = next(
            (p for p in self.by_code.get(code, []) if p.level == AreaLevel.COMMUNE), None
        )
        if commune is None:
            return Problem(code, ambiguous=False)
        if not district_text:
            return self._placement_at_commune(commune)
        districts = [
            p for p in self.by_code.get(district_text, []) if p.level == AreaLevel.FORMER_DISTRICT
        ] or self._districts(district_text, {self._province_of(commune)})
        overlapping = self.districts_of_commune.get(commune.id, set())
        fitting = [d for d in districts if not overlapping or d.id in overlapping]
        if len(fitting) != 1:
            return Problem(
                district_text,
                ambiguous=len(fitting) > 1,
                candidates=tuple(sorted(self.places[d].label for d in overlapping)),
                hint=Message(
                    N_("%(commune)s does not lie in that former district."), commune=commune.name
                ),
            )
        return self._placement_at_commune(commune, district=fitting[0])

    def _districts(self, text: str, provinces: set[int]) -> list[Place]:
        return self.indexes[AreaLevel.FORMER_DISTRICT].find(text, within=provinces)

    def _near(self, text: str, provinces: set[int]) -> tuple[str, ...]:
        """Former wards of that name, to say where an old name went."""
        wards = self.indexes[AreaLevel.FORMER_WARD].find(text)
        found = []
        for ward in wards:
            district = self.places.get(ward.parent_id) if ward.parent_id else None
            if district is None or district.parent_id not in provinces:
                continue
            went = [self.places[c].name for c in self.communes_of_ward.get(ward.id, [])]
            arrow = f" → {', '.join(went)}" if went else ""
            found.append(f"{ward.name}, {district.name} (cũ / former){arrow}")
        return tuple(sorted(found))

    def _resolve(self, query: Query) -> Placement | Problem:
        provinces = set(self.provinces)
        parts = split_address(query.address) if query.address else []
        # The province, when the address ends with one (and not with a district of that name).
        if parts:
            province = self._province_named(parts[-1])
            if province is not None:
                provinces = {province.id}
                parts = parts[:-1]

        commune_text = query.commune.strip()
        district_text = query.district.strip()
        district: Place | None = None
        area_text = query.area.strip()
        if query.commune_code.strip():
            return self._by_commune_code(query.commune_code.strip(), district_text, provinces)
        if area_text and area_text in self.by_code:
            coded = self._by_code(area_text)
            if not (commune_text or district_text or parts) or isinstance(coded, Problem):
                if coded is not None:
                    return coded
            elif isinstance(coded, Placement):
                if coded.commune_id:
                    return coded
                if coded.former_district_id:
                    district = self.places[coded.former_district_id]
                provinces = {coded.province_id}
        elif (
            area_text
            and not (commune_text or district_text or parts)
            and _keys(area_text)[1] is None
            and (bare_province := self._province_named(area_text)) is not None
        ):
            # A province's bare name is the province, never the city that shares its name.
            return Placement(province_id=bare_province.id)
        elif area_text:
            said_commune = _type_word(_keys(area_text)[0], COMMUNE_WORDS)
            if said_commune and not commune_text:
                commune_text = area_text  # "Thị trấn Chi Lăng" is not Huyện Chi Lăng
            elif not district_text and self._districts(area_text, provinces):
                district_text = area_text
            elif not commune_text:
                commune_text = area_text

        # The district: a column, or the address's part that names one.
        if district_text:
            districts = [
                p
                for p in self.by_code.get(district_text, [])
                if p.level == AreaLevel.FORMER_DISTRICT
            ] or self._districts(district_text, provinces)
            if len(districts) != 1:
                return Problem(
                    district_text,
                    ambiguous=bool(districts),
                    candidates=tuple(d.label for d in districts),
                )
            district = districts[0]
            # The address may name the district too: it is not the commune.
            if parts and (
                _type_word(_keys(parts[-1])[0], DISTRICT_WORDS)
                or district in self._districts(parts[-1], provinces)
            ):
                parts = parts[:-1]
        elif parts and district is None:
            last = parts[-1]
            folded = _keys(last)[0]
            districts = (
                [] if _type_word(folded, COMMUNE_WORDS) else self._districts(last, provinces)
            )
            if _type_word(folded, DISTRICT_WORDS) or districts:
                if len(districts) != 1:
                    return Problem(
                        last,
                        ambiguous=bool(districts),
                        candidates=tuple(d.label for d in districts),
                    )
                district = districts[0]
                parts = parts[:-1]
        if district is not None:
            provinces = {self._province_of(district)}

        # The commune: a column, else the address's part next in, else one with a type word.
        texts = [commune_text] if commune_text else list(reversed(parts))
        for index, text in enumerate(texts):
            named = _type_word(_keys(text)[0], COMMUNE_WORDS)
            if index > 0 and not named:
                continue  # a village or a street: not a unit of either tree
            answer = self._commune(text, district=district, provinces=provinces)
            if answer is not None:
                return answer
            if named or commune_text or district is None:
                near = () if district else self._near(text, provinces)
                return Problem(
                    text,
                    ambiguous=False,
                    candidates=near,
                    hint=Message(N_("A former commune's name needs its district."))
                    if near
                    else None,
                )
        if district is not None:
            return Placement(
                province_id=self._province_of(district), former_district_id=district.id
            )
        return Problem(query.address or area_text, ambiguous=False)

    def _commune(
        self, text: str, *, district: Place | None, provinces: set[int]
    ) -> Placement | Problem | None:
        """The commune a text names, in the former tree under a district, else in 2025's."""
        if district is not None:
            wards = self.indexes[AreaLevel.FORMER_WARD].find(text, within={district.id})
            if len(wards) > 1:
                return Problem(text, ambiguous=True, candidates=tuple(w.label for w in wards))
            if wards:
                return self._from_ward(wards[0], text)
            # A new commune's name beside a former district: accepted when they overlap.
            communes = [
                c
                for c in self.indexes[AreaLevel.COMMUNE].find(text, within=provinces)
                if district.id in self.districts_of_commune.get(c.id, set())
                or not self.districts_of_commune.get(c.id)
            ]
            if len(communes) == 1:
                return self._placement_at_commune(communes[0], district=district)
            if len(communes) > 1:
                return Problem(text, ambiguous=True, candidates=tuple(c.label for c in communes))
            return None
        communes = self.indexes[AreaLevel.COMMUNE].find(text, within=provinces)
        if len(communes) > 1:
            return Problem(text, ambiguous=True, candidates=tuple(c.label for c in communes))
        if communes:
            return self._placement_at_commune(communes[0])
        return None
