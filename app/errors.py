"""Domain exceptions: each says what went wrong in terms a page, a fragment or JSON can show."""

from __future__ import annotations


class DomainError(Exception):
    """Base of the errors the domain raises on purpose."""

    def __init__(self, message: str, *, message_en: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.message_en = message_en or message


class NotFound(DomainError):
    """The thing asked for does not exist, or the caller may not know it exists."""


class Forbidden(DomainError):
    """The caller is known but may not do this."""


class Conflict(DomainError):
    """The request clashes with the stored state (a duplicate, a closed wave)."""


class Invalid(DomainError):
    """The input is wrong; the message says how to fix it."""


class TooLarge(DomainError):
    """The request carries more than the portal accepts (a file over its size limit)."""
