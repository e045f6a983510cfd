"""The one Vietnamese catalog is complete and in step with the code and the templates."""

from __future__ import annotations

import re

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.config import ROOT
from app.messages import N_, Bilingual, Message, Number
from app.web import i18n

LOCALE_DIR = ROOT / "app" / "locale"
PO = LOCALE_DIR / "vi" / "LC_MESSAGES" / "messages.po"
# The keywords `make messages` extracts: gettext in templates, N_ for message ids in app/.
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
# Common Vietnamese words: a message id left in Vietnamese would show to English readers. Place
# names (Lạng Sơn) may stand in English text, so single accented letters prove nothing.
VIETNAMESE_WORDS = {
    "các", "cho", "chưa", "có", "của", "được", "đã", "để", "không", "là", "lòng", "một", "này",
    "những", "phải", "trong", "từ", "và", "với", "vui",
}  # fmt: skip


def _key(message_id: str | tuple[str, ...]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    with PO.open("rb") as handle:
        return read_po(handle, locale="vi")


@pytest.fixture(scope="module")
def extracted() -> set[str]:
    method_map = [("app/**.py", "python"), ("templates/**.html", "jinja2")]
    return {
        _key(message)
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, keywords=KEYWORDS
        )
    }


def test_the_portal__has_one_catalog() -> None:
    assert sorted(p.relative_to(LOCALE_DIR).as_posix() for p in LOCALE_DIR.rglob("*.po")) == [
        "vi/LC_MESSAGES/messages.po"
    ]


def test_every_message_in_the_code__is_in_the_catalog(
    catalog: Catalog, extracted: set[str]
) -> None:
    missing = sorted(extracted - {_key(m.id) for m in catalog if m.id})
    assert missing == [], f"run `make messages` and translate: {missing}"


def test_every_message_in_the_catalog__is_still_used(catalog: Catalog, extracted: set[str]) -> None:
    unused = sorted({_key(m.id) for m in catalog if m.id} - extracted)
    assert unused == [], f"run `make messages` to drop: {unused}"


def _translated(string: str | tuple[str, ...]) -> bool:
    # A plural entry's string is a tuple of forms: each must be filled.
    return all(string) if isinstance(string, tuple | list) else bool(string)


def test_every_message__has_a_vietnamese_translation(catalog: Catalog) -> None:
    untranslated = [_key(m.id) for m in catalog if m.id and (not _translated(m.string) or m.fuzzy)]
    assert untranslated == []


def test_no_message_id__is_written_in_vietnamese(catalog: Catalog) -> None:
    vietnamese = [
        _key(m.id)
        for m in catalog
        if m.id and VIETNAMESE_WORDS & set(re.findall(r"\w+", _key(m.id).lower()))
    ]
    assert vietnamese == []


def test_every_translation__keeps_the_placeholders_of_its_id(catalog: Catalog) -> None:
    # Only named placeholders are values; Babel also reads "95% i" as a conversion.
    problems = [
        (m.id, [str(e) for e in errors]) for m, errors in catalog.check() if "%(" in _key(m.id)
    ]
    assert problems == []
    named = re.compile(r"%\((\w+)\)")
    dropped = [
        m.id
        for m in catalog
        if isinstance(m.id, str) and set(named.findall(m.id)) != set(named.findall(m.string))
    ]
    assert dropped == []


def test_a_message__is_translated_with_its_values_written_the_readers_way() -> None:
    message = Message(
        N_("The value must be between %(low)s and %(high)s."), low=0, high=Number(1e4)
    )
    assert i18n.translate(message, "vi") == "Giá trị phải từ 0 đến 10.000."
    assert i18n.translate(message, "en") == "The value must be between 0 and 10,000."
    assert str(message) == "The value must be between 0 and 10,000."


def test_a_value_given_in_both_languages__is_picked_for_the_reader() -> None:
    message = Message(
        N_("“%(option)s” cannot be chosen together with other options."),
        option=Bilingual(vi="Không có", en="None"),
    )
    assert i18n.translate(message, "vi") == (
        "Phương án “Không có” không thể chọn cùng các phương án khác."
    )
    assert i18n.translate(message, "en") == "“None” cannot be chosen together with other options."


def test_vietnamese_numbers__use_dot_thousands_and_comma_decimals() -> None:
    assert i18n.number(1234.5, "vi") == "1.234,5"
    assert i18n.number(1234.5, "en") == "1,234.5"
    assert i18n.percent(0.875, "vi") == "88%"
