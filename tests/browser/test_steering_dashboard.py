"""A Steering Committee member reads the dashboard: at a desk (1366 px) and on a phone (360 px)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import LiveServer, screenshot


@pytest.mark.parametrize("width", [1366, 360])
def test_steering__reads_the_dashboard_as_home(
    live_server: LiveServer, browser: Any, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="vi-VN")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/signin")
        page.fill("#username", "bancd")
        page.fill("#password", live_server.passwords["bancd"])
        page.click("form[action='/signin'] button")
        page.wait_for_url(f"{live_server.url}/")
        assert page.locator("h1").inner_text().startswith("Tổng quan")
        figures = page.locator(".figure")
        assert figures.count() >= 4
        assert "HTX đang hoạt động" in figures.first.inner_text()
        assert page.locator(".questionnaire-card svg.bar-chart").count() >= 1
        # Nothing wider than the screen but the tables, which scroll in their own box.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        screenshot(page, f"steering-dashboard-{width}")
    finally:
        context.close()
