"""Names as people type them, folded for matching (areas and registry vocabularies alike)."""

from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """Lower case without diacritics or extra spaces, for matching what people type."""
    if text.isascii():
        return " ".join(text.lower().replace("_", " ").split())
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    plain = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return " ".join(plain.lower().replace("_", " ").split())


_PUNCTUATION = re.compile(r"[^0-9a-z]+")


def fold_key(text: str) -> str:
    """`fold`, with punctuation counted as spacing: `TM-DV`, `tm dv` and `Tm. Dv` are equal."""
    return " ".join(_PUNCTUATION.sub(" ", fold(text)).split())
