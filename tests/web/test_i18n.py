"""Every message the interface shows has its Vietnamese translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.config import ROOT
from app.web import i18n

PO = ROOT / "app" / "locale" / "vi" / "LC_MESSAGES" / "messages.po"


def used_messages() -> set[str]:
    found: set[str] = set()
    method_map = [("app/**.py", "python"), ("templates/**.html", "jinja2")]
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, keywords={"_": None, "gettext": None, "ngettext": (1, 2)}
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_interface_message__has_a_vietnamese_translation() -> None:
    translated: set[str] = set()
    for po in sorted(PO.parent.glob("*.po")):
        with Path(po).open("rb") as handle:
            catalog = read_po(handle, locale="vi")
        translated |= {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.string}
    missing = sorted(used_messages() - translated)
    assert missing == [], f"add these to {PO}: {missing}"


def test_vietnamese_numbers__use_dot_thousands_and_comma_decimals() -> None:
    assert i18n.number(1234.5, "vi") == "1.234,5"
    assert i18n.number(1234.5, "en") == "1,234.5"
    assert i18n.percent(0.875, "vi") == "88%"
