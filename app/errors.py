"""Domain exceptions: each says what went wrong in terms a page, a fragment or JSON can show.

An error carries a `Message` (an English message id marked with `N_`, and named values); the
web layer and the command line translate it for the reader:

    raise Conflict(N_("Wave '%(key)s' exists."), key=key)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.messages import Message


class DomainError(Exception):
    """Base of the errors the domain raises on purpose."""

    def __init__(self, message: str | Message, /, **params: Any) -> None:
        self.message = message if isinstance(message, Message) else Message(message, **params)
        super().__init__(str(self.message))


class NotFound(DomainError):
    """The thing asked for does not exist, or the caller may not know it exists."""


class Forbidden(DomainError):
    """The caller is known but may not do this."""


class Conflict(DomainError):
    """The request clashes with the stored state (a duplicate, a closed wave)."""


class Invalid(DomainError):
    """The input is wrong; the message says how to fix it, `fields` which field says what."""

    def __init__(
        self,
        message: str | Message,
        /,
        *,
        fields: Mapping[str, Message] | None = None,
        **params: Any,
    ) -> None:
        super().__init__(message, **params)
        self.fields = dict(fields or {})

    @classmethod
    def of(cls, fields: Mapping[str, Message]) -> Invalid:
        """The problems of a form, by field; the first one is the error's own message."""
        return cls(next(iter(fields.values())), fields=fields)


class TooLarge(DomainError):
    """The request carries more than the portal accepts (a file over its size limit)."""
