"""Wide tables on a laptop, every page on a phone: nothing hidden, nothing scrolls sideways."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import LiveServer, screenshot
from tests.browser.test_advisor_journey import sign_in


def context_page(browser: Any, width: int, height: int) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    yield context.new_page()
    context.close()


@pytest.fixture
def laptop(browser: Any) -> Iterator[Any]:
    """The Steering Committee's and advisors' usual screen: 1366×768."""
    yield from context_page(browser, 1366, 768)


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    yield from context_page(browser, 360, 740)


def last_column_fits(page: Any, table: str) -> dict[str, float]:
    """Where the table's last header cell ends, against the page and its scrolling box."""
    return dict(
        page.evaluate(
            """(selector) => {
              const table = document.querySelector(selector);
              const wrap = table.closest('.table-wrap') || table.parentElement;
              const cells = table.querySelectorAll('thead tr:first-child th');
              const last = cells[cells.length - 1].getBoundingClientRect();
              return {right: last.right, viewport: document.documentElement.clientWidth,
                      wrapRight: wrap.getBoundingClientRect().right,
                      overflow: wrap.scrollWidth - wrap.clientWidth,
                      page: document.documentElement.scrollWidth};
            }""",
            table,
        )
    )


@pytest.mark.parametrize("username", ["canbo", "bancd"])
def test_at_1366_px__the_last_column_of_the_rankings_and_district_tables_is_visible(
    live_server: LiveServer, laptop: Any, username: str
) -> None:
    sign_in(laptop, live_server, username)
    laptop.goto(f"{live_server.url}/reports/rankings")
    ranking = last_column_fits(laptop, "table.ranking-table")
    screenshot(laptop, f"rankings-1366-{username}")
    assert ranking["overflow"] <= 1, ranking  # no inner scrollbar hides a column
    assert ranking["right"] <= ranking["viewport"], ranking
    href = laptop.locator("table.ranking-table a[href^='/districts/']").first.get_attribute("href")
    laptop.goto(f"{live_server.url}{href}")
    district = last_column_fits(laptop, "table.district-table")
    screenshot(laptop, f"district-1366-{username}")
    assert district["overflow"] <= 1, district
    assert district["right"] <= district["viewport"], district


PHONE_PAGES = {
    "giamdoc": ["/", "/account/password"],
    "canbo": [
        "/",
        "/reports/rankings",
        "/reports/coverage",
        "/cooperatives",
        "/password-requests",
        "/account/password",
    ],
}


@pytest.mark.parametrize("username", sorted(PHONE_PAGES))
def test_at_360_px__no_page_scrolls_sideways(
    live_server: LiveServer, phone: Any, username: str
) -> None:
    sign_in(phone, live_server, username)
    pages = list(PHONE_PAGES[username])
    if username == "canbo":
        phone.goto(f"{live_server.url}/reports/rankings")
        pages.append(
            phone.locator("table a[href^='/districts/']").first.get_attribute("href") or "/"
        )
        phone.goto(f"{live_server.url}/cooperatives")
        pages.append(phone.locator("a[href^='/cooperatives/']").first.get_attribute("href") or "/")
    else:
        phone.goto(f"{live_server.url}/")
        result = phone.locator("a[href$='/result'], a[href^='/responses/']").first
        pages.append(result.get_attribute("href") or "/")
    wide = {}
    for path in pages:
        phone.goto(f"{live_server.url}{path}")
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            wide[path] = width
            screenshot(phone, "wide-" + re.sub(r"\W+", "-", path).strip("-"))
    assert wide == {}


def small_targets(page: Any) -> list[str]:
    """Links and buttons a thumb would tap that are less than 44 px high."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll(
                'header a, header button, header summary, main button, main [role=button],'
                + ' main summary, main a.change-link, main select')]
              .filter(e => e.offsetParent !== null)
              .filter(e => e.getBoundingClientRect().height < 44)
              .map(e => e.tagName + ' ' + (e.textContent || '').trim().slice(0, 30)
                         + ' ' + Math.round(e.getBoundingClientRect().height))"""
        )
    )


def test_at_360_px__the_home_and_review_pages_have_tap_targets_of_44_px(
    live_server: LiveServer, phone: Any
) -> None:
    sign_in(phone, live_server, "giamdoc")
    small = small_targets(phone)
    screenshot(phone, "manager-home-360")
    assert small == [], "\n".join(small)
    # A questionnaire still in progress (the demo leaves several): its review page.
    href = phone.locator(".assessment-in_progress a[href^='/responses/']").first.get_attribute(
        "href"
    )
    phone.goto(f"{live_server.url}{href}/review")
    assert phone.locator("a.change-link").count() > 0
    screenshot(phone, "manager-review-360")
    assert small_targets(phone) == []
