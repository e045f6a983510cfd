"""The rankings' map of Lạng Sơn's communes, on a phone and on a desk, with no CSP complaint."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
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


FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "lang-son-communes.geojson"


def test_uploaded_boundaries__draw_on_a_phone_and_lead_to_their_commune(
    live_server: LiveServer, browser: Any, phone: Any
) -> None:
    desk = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    admin = desk.new_page()
    sign_in(admin, live_server, "admin")
    admin.goto(f"{live_server.url}/admin/boundaries")
    admin.set_input_files("#file", str(FIXTURE))
    admin.click("#upload-boundaries")
    admin.wait_for_url("**/admin/boundaries?stored=3")
    try:
        page = phone
        complaints: list[str] = []
        page.on("console", lambda m: complaints.append(m.text) if m.type == "error" else None)
        sign_in(page, live_server, "canbo")
        page.goto(f"{live_server.url}/reports/rankings?level=commune")
        drawn = page.locator("svg.area-map-svg")
        drawn.wait_for()
        frame = drawn.bounding_box()
        assert frame is not None
        assert frame["x"] >= 0
        assert frame["x"] + frame["width"] <= 360
        # The file outlines three communes; each one the ranking lists gets its outline.
        outlined = ("Xã Ba Sơn:", "Xã Mẫu Sơn:", "Phường Đông Kinh:")
        circles = page.locator("svg.area-map-svg circle title").all_text_contents()
        listed = [t for t in circles if t.strip().startswith(outlined)]
        shapes = page.locator("svg.area-map-svg path.area-shape")
        assert listed
        assert shapes.count() == len(listed)
        for i in range(shapes.count()):
            box = shapes.nth(i).bounding_box()
            assert box is not None
            # an outline is drawn, inside the map
            assert frame["x"] <= box["x"]
            assert box["x"] + box["width"] <= frame["x"] + frame["width"]
            assert box["width"] >= 10
            assert box["height"] >= 10
        # every commune keeps its circle, drawn over the outlines
        assert page.locator("svg.area-map-svg circle").count() >= 20
        screenshot(page, "area-map-boundaries-360")
        link = page.locator("svg.area-map-svg a:has(path.area-shape)").first
        href = link.get_attribute("href")
        assert href is not None
        assert href.startswith("/districts/")
        assert page.locator(f"table a[href='{href}']").count() == 1
        assert not [c for c in complaints if "Content Security Policy" in c]
    finally:
        # The live server is shared: leave its map as the other tests expect it.
        admin.goto(f"{live_server.url}/admin/boundaries")
        admin.click("#remove-boundaries button")
        admin.wait_for_url("**/admin/boundaries?removed=3")
        desk.close()
