"""Messages on the command line: an administrator reads Vietnamese, with English beside it."""

from __future__ import annotations

from rich.markup import escape

from app.messages import Message
from app.web.i18n import translate


def spoken(message: Message) -> str:
    """A message for the console (rich markup escaped): Vietnamese, then English if different."""
    vi, en = translate(message, "vi"), translate(message, "en")
    return escape(vi if vi == en else f"{vi}\n{en}")
