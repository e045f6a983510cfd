"""An advisor at a desk: from the ranking to a district, to a cooperative, a note, a download."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import LiveServer, screenshot


@pytest.fixture
def desktop(browser: Any) -> Iterator[Any]:
    """A fresh desktop-sized page (1280×800) with its own cookies."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="vi-VN", accept_downloads=True
    )
    page = context.new_page()
    yield page
    context.close()


def sign_in(page: Any, live_server: LiveServer, username: str) -> None:
    page.goto(f"{live_server.url}/signin")
    page.fill("#username", username)
    page.fill("#password", live_server.passwords[username])
    page.click("form[action='/signin'] button")
    page.wait_for_url(f"{live_server.url}/")


def test_advisor__drills_from_the_ranking_to_a_cooperative_writes_a_note_and_downloads_a_csv(
    live_server: LiveServer, desktop: Any
) -> None:
    page = desktop
    sign_in(page, live_server, "canbo")

    page.goto(f"{live_server.url}/reports/rankings")
    district = page.locator("table a[href^='/districts/']").first
    district_name = district.inner_text()
    district.click()
    page.wait_for_url(re.compile(r"/districts/\d+"))
    assert district_name in page.locator("h1").inner_text()

    cooperative = page.locator("table a[href^='/cooperatives/']").first
    cooperative_name = cooperative.inner_text()
    cooperative.click()
    page.wait_for_url(re.compile(r"/cooperatives/\d+$"))
    assert page.locator("h1").inner_text() == cooperative_name

    note = "Đã gọi điện cho giám đốc, hẹn tập huấn bán hàng trên sàn <b>tháng sau</b>."
    page.fill("#note-body", note)
    page.click("#save-note")
    # htmx swaps the panel in place: the note is listed as text, the box is empty again.
    first_note = page.locator("#advice .note-body").first
    first_note.wait_for()
    assert first_note.inner_text() == note
    assert page.locator("#note-body").input_value() == ""
    page.reload()
    assert page.locator("#advice .note-body").first.inner_text() == note
    screenshot(page, "advisor-profile")

    page.goto(f"{live_server.url}/reports/rankings")
    with page.expect_download() as waiting:
        page.click("button[data-export='rankings-csv']")
    download = waiting.value
    assert download.suggested_filename.endswith(".csv")
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
