"""What the portal says to people, before it is put in their language.

A message is an English message id, marked with `N_` so `make messages` extracts it into the
catalog, and its named values (`%(name)s` in the id). Domain code builds messages and never
translates them: it does not know the reader. The web layer and the command line translate a
message once, at the edge (`app.web.i18n.translate`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

__all__ = ["N_", "Bilingual", "Message", "Number"]


def N_(message_id: str) -> str:
    """Mark an English message id for extraction; it is translated where it is shown."""
    return message_id


@dataclass(frozen=True)
class Number:
    """A number in a message, written the reader's way (Vietnamese: 1.234,5) when translated."""

    value: int | float | Decimal


@dataclass(frozen=True)
class Bilingual:
    """A value that is data in both languages (a questionnaire's text), not a catalog entry."""

    vi: str
    en: str


@dataclass(frozen=True, init=False)
class Message:
    """An English message id with its named values; `str()` gives the English text."""

    id: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __init__(self, message_id: str, /, **params: Any) -> None:
        object.__setattr__(self, "id", message_id)
        object.__setattr__(self, "params", MappingProxyType(params))

    def __str__(self) -> str:
        if not self.params:
            return self.id
        return self.id % {name: _english(value) for name, value in self.params.items()}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Message):
            return NotImplemented
        return self.id == other.id and dict(self.params) == dict(other.params)

    def __hash__(self) -> int:
        return hash((self.id, tuple(sorted(self.params.items(), key=lambda item: item[0]))))


def _english(value: Any) -> Any:
    if isinstance(value, Number):
        if isinstance(value.value, int):
            return f"{value.value:,}"
        return f"{value.value:,.6f}".rstrip("0").rstrip(".")
    if isinstance(value, Message):
        return str(value)
    if isinstance(value, Bilingual):
        return value.en
    if isinstance(value, list | tuple):
        return "\n".join(str(_english(item)) for item in value)
    return value
