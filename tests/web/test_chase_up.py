"""Chasing up: a ready message per cooperative, who was contacted when, filters, days left."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.responses.models import WaveContact
from tests.conftest import page_csrf
from tests.web import test_reports as reports
from tests.worlds import Province, as_user

world = reports.world  # the province of the report tests: four districts, one wave open

COVERAGE = "/reports/coverage?wave=2026"


def chase_part(html: str) -> str:
    return html.split('id="chase"', 1)[1]


def card(html: str, cooperative_id: int) -> str:
    part = html.split(f'id="chase-{cooperative_id}"', 1)[1]
    return part.split('class="chase-card"', 1)[0]


def mark(client: TestClient, cooperative_id: int, channel: str = "zalo", **extra: str) -> object:
    return client.post(
        f"/cooperatives/{cooperative_id}/contacts",
        data={
            "wave": "2026",
            "channel": channel,
            "csrf_token": page_csrf(client, COVERAGE),
            **extra,
        },
    )


class TestChaseList:
    def test_each_cooperative__has_a_ready_vietnamese_message(
        self, client: TestClient, world: Province
    ) -> None:
        a6 = world.cooperatives["A6"]
        page = as_user(client, "canbo").get(COVERAGE).text
        mine = card(page, a6.id)
        message = re.search(r"<textarea[^>]*>(.*?)</textarea>", mine, flags=re.S)
        assert message is not None
        text = message.group(1)
        assert "HTX A6" in text
        assert a6.registration_code in text
        assert "Đợt 2026" in text
        assert "http://testserver" in text
        assert 'data-copy="#message-' in mine

    def test_a_phone_number__gives_sms_and_zalo_links_with_the_message(
        self, client: TestClient, world: Province
    ) -> None:
        a6 = world.cooperatives["A6"]
        mine = card(as_user(client, "canbo").get(COVERAGE).text, a6.id)
        sms = re.search(r'href="sms:0912345678\?body=([^"]+)"', mine)
        assert sms is not None
        assert "HTX A6" in unquote(sms.group(1))
        assert 'href="https://zalo.me/0912345678"' in mine

    def test_marking_contacted__is_stored_and_shown_with_who_and_when(
        self, client: TestClient, world: Province, session: Session
    ) -> None:
        a6 = world.cooperatives["A6"]
        as_user(client, "canbo")
        reply = mark(client, a6.id, "zalo")
        assert reply.status_code == 303  # type: ignore[attr-defined]
        assert reply.headers["location"].endswith(f"#chase-{a6.id}")  # type: ignore[attr-defined]
        stored_contact = session.scalars(select(WaveContact)).one()
        assert (stored_contact.cooperative_id, stored_contact.channel) == (a6.id, "zalo")
        page = client.get(reply.headers["location"]).text  # type: ignore[attr-defined]
        assert "Đã ghi nhận là đã liên hệ." in page
        mine = card(page, a6.id)
        assert "Đã liên hệ" in mine
        assert "Người dùng thử" in mine  # the advisor's name
        assert "Zalo" in mine

    def test_an_unknown_channel__is_refused_and_nothing_is_stored(
        self, client: TestClient, world: Province, session: Session
    ) -> None:
        as_user(client, "canbo")
        reply = mark(client, world.cooperatives["A6"].id, "pigeon")
        assert reply.status_code == 422  # type: ignore[attr-defined]
        assert session.scalars(select(WaveContact)).all() == []

    def test_an_advisor_of_another_area__cannot_mark_it(
        self, client: TestClient, world: Province, session: Session
    ) -> None:
        as_user(client, "canbo.a")
        reply = mark(client, world.cooperatives["D6"].id)
        assert reply.status_code == 404  # type: ignore[attr-defined]
        assert session.scalars(select(WaveContact)).all() == []

    @pytest.mark.parametrize(
        ("contact", "shown", "hidden"),
        [
            ("not_contacted", ["HTX D6"], ["HTX A6"]),
            ("contacted", ["HTX A6"], ["HTX D6"]),
            ("answered", ["HTX B1"], ["HTX A6", "HTX D6"]),
        ],
    )
    def test_the_filters__split_contacted_not_contacted_and_answered(
        self,
        client: TestClient,
        world: Province,
        contact: str,
        shown: list[str],
        hidden: list[str],
    ) -> None:
        as_user(client, "canbo")
        mark(client, world.cooperatives["A6"].id)
        mark(client, world.cooperatives["B1"].id, "phone")  # reminded, and it has finished
        part = chase_part(client.get(f"{COVERAGE}&contact={contact}").text)
        for name in shown:
            assert f"<strong>{name}</strong>" in part
        for name in hidden:
            assert f"<strong>{name}</strong>" not in part

    def test_the_filter_form_with_every_area__filters_as_the_link_does(
        self, client: TestClient, world: Province
    ) -> None:
        # The form sends the "All areas" choice as an empty district.
        as_user(client, "canbo")
        mark(client, world.cooperatives["A6"].id)
        reply = client.get(f"{COVERAGE}&level=former-district&district=&contact=contacted")
        assert reply.status_code == 200
        part = chase_part(reply.text)
        assert "<strong>HTX A6</strong>" in part
        assert "<strong>HTX D6</strong>" not in part

    @pytest.mark.parametrize(
        ("contact", "names"),
        [("contacted", ["HTX A6"]), ("not_contacted", ["HTX D6"]), ("all", ["HTX A6", "HTX D6"])],
    )
    def test_the_download__holds_what_the_filter_shows_with_the_last_reminder(
        self, client: TestClient, world: Province, contact: str, names: list[str]
    ) -> None:
        as_user(client, "canbo")
        mark(client, world.cooperatives["A6"].id, "phone")
        page = client.get(f"{COVERAGE}&contact={contact}").text
        download_form = page.split('data-export="chase-')[0].rsplit("<form", 1)[1]
        assert f'name="contact" value="{contact}"' in download_form
        reply = client.post(
            "/reports/export",
            data={
                "csrf_token": page_csrf(client, COVERAGE),
                "what": "chase",
                "wave": "2026",
                "contact": contact,
                "format": "csv",
            },
        )
        assert reply.status_code == 200
        rows = list(csv.DictReader(io.StringIO(reply.content.decode("utf-8-sig"))))
        by_name = {r["cooperative | Tên HTX"]: r for r in rows}
        assert sorted(by_name) == names
        if "HTX A6" in by_name:
            a6 = by_name["HTX A6"]
            assert a6["contact_channel | Cách nhắc"] == "gọi điện"
            assert a6["contacted_by | Người nhắc"] == "Người dùng thử"
            assert re.fullmatch(
                r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}",
                a6["contacted_at | Nhắc gần nhất (giờ Việt Nam UTC+7)"],
            )
        if contact != "all":
            assert f"-{contact.replace('_', '-')}" in reply.headers["content-disposition"]

    def test_the_days_left__are_shown_against_the_deadline(
        self, client: TestClient, world: Province, session: Session
    ) -> None:
        world.wave.closes_on = dt.date.today() + dt.timedelta(days=12)
        session.flush()
        page = as_user(client, "canbo").get(COVERAGE).text
        days = re.search(r'id="days-left">\s*Còn (\d+) ngày', page)
        assert days is not None
        assert int(days.group(1)) in (11, 12, 13)  # the date in Vietnam may differ from here


def test_the_profile__lists_the_reminders_and_links_to_the_chase_list(
    client: TestClient, world: Province, session: Session
) -> None:
    a6 = world.cooperatives["A6"]
    as_user(client, "canbo")
    mark(client, a6.id, "sms", back="profile")
    profile = client.get(f"/cooperatives/{a6.id}").text
    section = profile.split('id="contacts"', 1)[1]
    assert "Đợt 2026: đã liên hệ lúc" in section
    assert "SMS" in section
    assert 'href="/reports/coverage?wave=2026' in section


def test_stored_contacts__never_show_stored_script(
    client: TestClient, world: Province, session: Session
) -> None:
    a6 = world.cooperatives["A6"]
    a6.contact_name = "<script>alert(1)</script>"
    session.flush()
    page = as_user(client, "canbo").get(COVERAGE).text
    assert "<script>alert(1)</script>" not in page
