"""Controlled values of the registry, with their Vietnamese and English names.

The importer accepts a key or either name; pages show the name in the reader's language.
"""

from __future__ import annotations

from app.folding import fold as fold  # re-exported: the importer matches with it

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


def match(vocabulary: dict[str, tuple[str, str]], value: str) -> str | None:
    """The key whose key or either name matches the value, ignoring case and diacritics."""
    wanted = fold(value)
    for key, (vi, en) in vocabulary.items():
        if wanted in (fold(key), fold(vi), fold(en)):
            return key
    return None


def label(vocabulary: dict[str, tuple[str, str]], key: str | None, locale: str) -> str:
    """The name of a key in the reader's language (the key itself when unknown)."""
    if key is None:
        return ""
    names = vocabulary.get(key)
    if names is None:
        return key
    return names[0] if locale == "vi" else names[1]
