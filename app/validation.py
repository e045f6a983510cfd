"""Form and query input read through pydantic schemas, with problems as field messages.

Each package keeps its input schemas in its `schemas.py`. `parse` validates the raw values of
a form or a query string against one; what is wrong comes back as `Invalid`, whose `fields`
map each field to a `Message` that the web layer translates beside the field. `problem` is how
a schema's own validator says what is wrong in words the reader understands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ValidationError, ValidationInfo
from pydantic_core import ErrorDetails, PydanticCustomError
from sqlalchemy.orm import Session

from app.errors import Invalid
from app.messages import N_, Message, Number

__all__ = ["field_messages", "optional_date", "parse", "problem", "session_of", "typed_text"]

Schema = TypeVar("Schema", bound=BaseModel)

# pydantic's own error types, said the portal's way; the rest read as "not valid".
_BY_TYPE = {
    "missing": N_("Please fill this in."),
    "string_too_short": N_("Please fill this in."),
    "too_short": N_("Please fill this in."),
    "string_too_long": N_("At most %(max)s characters."),
    "int_parsing": N_("Please enter a whole number."),
    "int_from_float": N_("Please enter a whole number."),
    "float_parsing": N_("Please enter a number, e.g. 12 or 2.5."),
    "greater_than_equal": N_("The value must be at least %(low)s."),
    "greater_than": N_("The value must be more than %(low)s."),
    "less_than_equal": N_("The value must be at most %(high)s."),
    "less_than": N_("The value must be less than %(high)s."),
    "date_parsing": N_("That is not a valid date."),
    "date_from_datetime_parsing": N_("That is not a valid date."),
    "date_type": N_("That is not a valid date."),
    "literal_error": N_("Please choose one of the options."),
    "enum": N_("Please choose one of the options."),
}
_NOT_VALID = N_("This value is not valid.")
_BOUNDS = {"max_length": "max", "ge": "low", "gt": "low", "le": "high", "lt": "high"}


def problem(message_id: str, /, *, at: str | None = None, **params: Any) -> PydanticCustomError:
    """What a schema validator raises: a message id and its values, kept for the reader.

    `at` names the form field the message stands beside when it is not the field validated
    (one select of a group, or a check across fields).
    """
    message = Message(message_id, **params)
    return PydanticCustomError("message", str(message), {"message": message, "at": at})


def typed_text(
    value: str, *, missing: str, at_most: int, too_long: str = N_("At most %(max)s characters.")
) -> str:
    """Text a person must type: without surrounding spaces, given, and not too long."""
    text = value.strip()
    if not text:
        raise problem(missing)
    if len(text) > at_most:
        raise problem(too_long, max=Number(at_most))
    return text


def session_of(info: ValidationInfo) -> Session | None:
    """The database session `parse` was given, for checks against stored data."""
    found = (info.context or {}).get("session")
    return found if isinstance(found, Session) else None


def blank_is_none(value: object) -> object:
    """A `mode="before"` validator: a select's "all" option (or a box left empty) sends an
    empty value, which is no choice rather than a malformed one."""
    return None if isinstance(value, str) and not value.strip() else value


# An id a filter may send empty ("All areas").
OptionalId = Annotated[int | None, BeforeValidator(blank_is_none)]


def optional_date(value: object) -> object:
    """A `mode="before"` validator for a date a form may leave empty (ISO, as browsers send it)."""
    if not isinstance(value, str):
        return value
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise problem(N_("That is not a valid date.")) from None


def field_messages(error: ValidationError) -> dict[str, Message]:
    """Each invalid field's first problem, as a message (a whole-form problem under "")."""
    found: dict[str, Message] = {}
    for detail in error.errors():
        name = (detail.get("ctx") or {}).get("at") or ".".join(str(p) for p in detail["loc"][:1])
        found.setdefault(name, _message(detail))
    return found


def parse(schema: type[Schema], data: Mapping[str, Any], **context: Any) -> Schema:
    """Validated input, or `Invalid` with the message of each field that is wrong.

    `context` reaches the schema's validators (`session=` for checks against stored data).
    """
    try:
        return schema.model_validate(dict(data), context=context or None)
    except ValidationError as error:
        raise Invalid.of(field_messages(error)) from None


def _message(detail: ErrorDetails) -> Message:
    context = detail.get("ctx") or {}
    given = context.get("message")
    if isinstance(given, Message):
        return given
    values = {name: Number(context[bound]) for bound, name in _BOUNDS.items() if bound in context}
    return Message(_BY_TYPE.get(detail["type"], _NOT_VALID), **values)
