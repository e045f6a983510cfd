"""Each role signs in on a phone-sized screen and lands on its own page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import LiveServer, screenshot

LANDINGS = {
    "admin": "Quản trị",
    "canbo": "Hợp tác xã theo huyện",
    "bancd": "Tổng quan",
    "giamdoc": "Xin chào",
}


@pytest.mark.parametrize("username", list(LANDINGS))
def test_each_role__signs_in_on_a_phone_and_lands_on_its_page(
    live_server: LiveServer, phone: Any, username: str
) -> None:
    phone.goto(f"{live_server.url}/")
    assert phone.url.endswith("/signin?next=/")
    assert phone.locator("h1").inner_text() == "Đăng nhập"
    phone.fill("#username", username)
    phone.fill("#password", live_server.passwords[username])
    phone.click("form[action='/signin'] button")
    phone.wait_for_url(f"{live_server.url}/")
    assert LANDINGS[username] in phone.locator("h1").inner_text()
    # Nothing overflows the 360 px screen sideways.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, f"home-{username}")


def test_a_wrong_password__shows_the_message_in_vietnamese(
    live_server: LiveServer, phone: Any
) -> None:
    phone.goto(f"{live_server.url}/signin")
    phone.fill("#username", "admin")
    phone.fill("#password", "not the password")
    phone.click("form[action='/signin'] button")
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in phone.locator(".form-error").inner_text()
