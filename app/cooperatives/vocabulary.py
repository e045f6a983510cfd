"""Controlled values of the registry, with their Vietnamese and English names, and the other
ways people write them.

The importer accepts a key, either name or a listed synonym, compared after folding case,
diacritics, punctuation and spacing; pages show the name in the reader's language. The
synonym lists are documented for administrators in the import page and the template.
"""

from __future__ import annotations

import difflib

from app.folding import fold as fold  # re-exported: the importer matches with it
from app.folding import fold_key as fold_key

SECTORS: dict[str, tuple[str, str]] = {
    "agriculture": ("Nông nghiệp", "Agriculture"),
    "forestry": ("Lâm nghiệp", "Forestry"),
    "fisheries": ("Thủy sản", "Fisheries"),
    "handicraft": ("Tiểu thủ công nghiệp", "Handicraft and small industry"),
    "trade_services": ("Thương mại, dịch vụ", "Trade and services"),
    "tourism": ("Du lịch cộng đồng", "Community tourism"),
    "transport": ("Vận tải", "Transport"),
    "construction": ("Xây dựng", "Construction"),
    "credit": ("Quỹ tín dụng nhân dân", "People's credit fund"),
    "environment": ("Vệ sinh môi trường", "Environmental services"),
    "other": ("Khác", "Other"),
}

STATUSES: dict[str, tuple[str, str]] = {
    "active": ("Đang hoạt động", "Active"),
    "suspended": ("Tạm ngừng hoạt động", "Suspended"),
    "dissolved": ("Đã giải thể", "Dissolved"),
}

# The six OCOP product groups of Decision 148/QĐ-TTg.
OCOP_GROUPS: dict[str, tuple[str, str]] = {
    "food": ("Thực phẩm", "Food"),
    "drinks": ("Đồ uống", "Drinks"),
    "herbs": ("Thảo dược", "Medicinal herbs"),
    "handicrafts": ("Thủ công mỹ nghệ, trang trí", "Handicrafts and decorative items"),
    "ornamentals": ("Sinh vật cảnh", "Ornamental plants and animals"),
    "tourism": ("Dịch vụ du lịch cộng đồng, sinh thái và điểm du lịch", "Rural tourism services"),
}

# A product's OCOP group as the OCOP questionnaire's `ocop_group` options name it, where the
# two differ (the others are the same word).
OCOP_GROUP_ANSWERS = {"handicrafts": "handicraft", "ornamentals": "ornamental"}


def ocop_group_answer(group: str | None) -> str | None:
    """The OCOP questionnaire's option for a product's stored group."""
    return OCOP_GROUP_ANSWERS.get(group, group) if group else None


def ocop_group_of(answer: str | None) -> str | None:
    """A product's group for the OCOP questionnaire's answer (None if no group matches)."""
    group = next((g for g, a in OCOP_GROUP_ANSWERS.items() if a == answer), answer)
    return group if group in OCOP_GROUPS else None


# Other ways the provinces' registry files write each value (as typed; folded when compared).
SECTOR_SYNONYMS: dict[str, tuple[str, ...]] = {
    "agriculture": (
        "Nông nghiệp tổng hợp",
        "Sản xuất nông nghiệp",
        "Dịch vụ nông nghiệp",
        "Trồng trọt",
        "Chăn nuôi",
        "Trồng trọt, chăn nuôi",
        "NN",
    ),
    "forestry": ("Trồng rừng", "Lâm sản", "LN"),
    "fisheries": ("Nuôi trồng thủy sản", "Thủy hải sản", "Ngư nghiệp"),
    "handicraft": (
        "Thủ công mỹ nghệ",
        "Tiểu thủ công nghiệp, làng nghề",
        "Công nghiệp, tiểu thủ công nghiệp",
        "Công nghiệp - TTCN",
        "CN-TTCN",
        "TTCN",
        "Làng nghề",
        "Công nghiệp",
    ),
    "trade_services": (
        "Thương mại - dịch vụ",
        "Thương mại và dịch vụ",
        "Thương mại",
        "Dịch vụ",
        "Dịch vụ tổng hợp",
        "TM-DV",
        "TMDV",
    ),
    "tourism": ("Du lịch", "Du lịch sinh thái", "Du lịch cộng đồng, sinh thái"),
    "transport": ("Giao thông vận tải", "Vận tải hành khách", "Vận tải hàng hóa", "GTVT"),
    "construction": ("Xây dựng dân dụng", "XD"),
    "credit": ("Quỹ tín dụng", "Tín dụng", "QTDND"),
    "environment": ("Môi trường", "Vệ sinh môi trường, thu gom rác", "Thu gom rác", "VSMT"),
    "other": ("Lĩnh vực khác", "Ngành khác"),
}
STATUS_SYNONYMS: dict[str, tuple[str, ...]] = {
    "active": ("Hoạt động", "Còn hoạt động", "Đang HĐ", "Bình thường"),
    "suspended": (
        "Tạm ngừng",
        "Tạm dừng",
        "Tạm dừng hoạt động",
        "Tạm ngưng hoạt động",
        "Tạm ngưng",
    ),
    "dissolved": (
        "Giải thể",
        "Ngừng hoạt động",
        "Đã ngừng hoạt động",
        "Chấm dứt hoạt động",
        "Không còn hoạt động",
        "Phá sản",
    ),
}
OCOP_GROUP_SYNONYMS: dict[str, tuple[str, ...]] = {
    "food": ("Nhóm thực phẩm",),
    "drinks": ("Nhóm đồ uống",),
    "herbs": ("Dược liệu", "Nhóm thảo dược", "Sản phẩm từ dược liệu"),
    "handicrafts": ("Thủ công mỹ nghệ", "Thủ công mỹ nghệ - trang trí", "TCMN"),
    "ornamentals": ("Hoa, cây cảnh", "Cây cảnh"),
    "tourism": ("Dịch vụ du lịch", "Du lịch cộng đồng", "Du lịch nông thôn"),
}
_SYNONYMS = (
    (SECTORS, SECTOR_SYNONYMS),
    (STATUSES, STATUS_SYNONYMS),
    (OCOP_GROUPS, OCOP_GROUP_SYNONYMS),
)


def synonyms(vocabulary: dict[str, tuple[str, str]], key: str) -> tuple[str, ...]:
    """The other accepted ways of writing a value, for the documentation."""
    for known, table in _SYNONYMS:
        if known is vocabulary:
            return table.get(key, ())
    return ()


def _forms(vocabulary: dict[str, tuple[str, str]]) -> dict[str, str]:
    forms: dict[str, str] = {}
    for key, (vi, en) in vocabulary.items():
        for written in (key, vi, en, *synonyms(vocabulary, key)):
            forms.setdefault(fold_key(written), key)
    return forms


_KNOWN_FORMS = [(vocabulary, _forms(vocabulary)) for vocabulary, _ in _SYNONYMS]


def match(vocabulary: dict[str, tuple[str, str]], value: str) -> str | None:
    """The key that the value names: its key, either name or a synonym, however typed."""
    forms = next((f for v, f in _KNOWN_FORMS if v is vocabulary), None) or _forms(vocabulary)
    return forms.get(fold_key(value))


def closest(vocabulary: dict[str, tuple[str, str]], value: str) -> list[str]:
    """The Vietnamese names nearest to a value that matched nothing (at most three)."""
    names = {fold_key(vi): vi for vi, _ in vocabulary.values()}
    for key, (vi, _) in vocabulary.items():
        names.update({fold_key(s): vi for s in synonyms(vocabulary, key)})
    near = difflib.get_close_matches(fold_key(value), list(names), n=6, cutoff=0.6)
    return list(dict.fromkeys(names[n] for n in near))[:3]


def label(vocabulary: dict[str, tuple[str, str]], key: str | None, locale: str) -> str:
    """The name of a key in the reader's language (the key itself when unknown)."""
    if key is None:
        return ""
    names = vocabulary.get(key)
    if names is None:
        return key
    return names[0] if locale == "vi" else names[1]
