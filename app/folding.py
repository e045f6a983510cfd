"""Names as people type them, folded for matching (areas and registry vocabularies alike)."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower case without diacritics or extra spaces, for matching what people type."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    plain = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return " ".join(plain.lower().replace("_", " ").split())
