"""The rankings' map of Lạng Sơn's communes, on a phone and on a desk, with no CSP complaint."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import LiveServer, screenshot
from tests.browser.test_advisor_journey import sign_in


@pytest.fixture(params=[(360, 740), (1366, 768)], ids=["phone", "desk"])
def sized(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    page = context.new_page()
    yield page
    context.close()


def test_the_commune_map__fits_the_page_and_links_to_each_commune(
    live_server: LiveServer, sized: Any
) -> None:
    page = sized
    complaints: list[str] = []
    page.on("console", lambda m: complaints.append(m.text) if m.type == "error" else None)
    sign_in(page, live_server, "canbo")
    page.goto(f"{live_server.url}/reports/rankings?level=commune")
    drawn = page.locator("svg.area-map-svg")
    drawn.wait_for()
    box = drawn.bounding_box()
    width = page.viewport_size["width"]
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= width
    assert box["height"] > 100
    circles = page.locator("svg.area-map-svg circle")
    assert circles.count() >= 20  # 60 demo cooperatives over Lạng Sơn's communes
    # the legend names the grey of the communes too small to rank
    assert "too few" in page.locator(".area-map figcaption").inner_text() or (
        "quá ít" in page.locator(".area-map figcaption").inner_text()
    )
    # every commune on the map is also a row of the table, linked to its page
    first = page.locator("svg.area-map-svg a").first
    href = first.get_attribute("href")
    assert href is not None
    assert page.locator(f"table a[href='{href}']").count() == 1
    assert not [c for c in complaints if "Content Security Policy" in c]
    screenshot(page, f"area-map-{width}")
