"""A cooperative manager fills in, resumes, submits and reads `digital` on a 360 px phone.

The demo manager `giamdoc` has two cooperatives; in the open wave 2026 both have `digital` in
progress. The submission journey submits the first cooperative's; the tests that only fill in
use the second one's, so no test relies on another having run (or not run).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from app.db import Database
from app.responses.models import DimensionScore, Response
from tests.browser.conftest import ROOT, LiveServer, screenshot

DIGITAL = yaml.safe_load(Path(ROOT, "surveys", "digital-2026.1.yaml").read_text(encoding="utf-8"))
DIMENSIONS = [d["key"] for d in DIGITAL["dimensions"]]
QUESTIONS = {q["code"]: q for q in DIGITAL["questions"]}
PHONE = {"viewport": {"width": 360, "height": 740}, "locale": "vi-VN"}
SAVED = "Đã lưu"


def sign_in(page: Any, server: LiveServer, username: str = "giamdoc") -> None:
    page.goto(f"{server.url}/signin")
    page.fill("#username", username)
    page.fill("#password", server.passwords[username])
    page.click("form[action='/signin'] button")
    page.wait_for_url(f"{server.url}/")


def digital_response(page: Any, server: LiveServer, card: int) -> int:
    """The id of the `digital` response of the manager's n-th cooperative on the home page."""
    page.goto(f"{server.url}/")
    link = (
        page.locator(".coop-card")
        .nth(card)
        .locator(".assessment", has_text="chuyển đổi số")
        .locator("a[href^='/responses/']")
    )
    href = link.get_attribute("href")
    assert href is not None
    return int(href.rsplit("/", 1)[1])


def no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth") <= 360)


def unanswered(page: Any) -> list[str]:
    """Codes of the visible questions on the page that have no answer yet (optional text aside)."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll('.question:not([hidden])')]
              .filter(q => {
                const choices = q.querySelectorAll('input[type=radio], input[type=checkbox]');
                if (choices.length) return ![...choices].some(c => c.checked);
                const box = q.querySelector('input[type=text]');
                if (box) return box.value.trim() === '';
                return q.querySelector('.req') !== null && q.querySelector('textarea').value === '';
              })
              .map(q => q.id.slice(2))"""
        )
    )


def answer(page: Any, code: str) -> None:
    """Tap an answer the way a hurried manager would: the last radio, the first box, the minimum."""
    question = page.locator(f"#q-{code}")
    radios = question.locator("input[type=radio]")
    boxes = question.locator("input[type=checkbox]")
    if radios.count():
        radios.last.check()
    elif boxes.count():
        boxes.first.check()
    elif question.locator("input[type=text]").count():
        field = question.locator("input[type=text]")
        bounds = re.findall(r"\d+", field.get_attribute("placeholder") or "")
        field.fill(bounds[0] if bounds else "1")
        field.press("Tab")  # leaving the field is what sends the answer
    else:
        question.locator("textarea").fill("Chưa có")
        question.locator("textarea").press("Tab")


def answer_and_wait(page: Any, code: str) -> None:
    """Answer, then wait for the "saved" mark beside the question (the page was fresh)."""
    with page.expect_response(lambda r: r.url.endswith(f"/answers/{code}")) as sent:
        answer(page, code)
    assert sent.value.status == 200
    page.locator(f"#status-{code} .saved").wait_for(timeout=5000)
    assert SAVED in page.locator(f"#status-{code}").inner_text()


@pytest.fixture
def manager(live_server: LiveServer, phone: Any) -> Any:
    sign_in(phone, live_server)
    return phone


@pytest.fixture
def database(live_server: LiveServer) -> Iterator[Database]:
    db = Database(live_server.env["DATABASE_URL"])
    yield db
    db.dispose()


class TestFillingIn:
    def test_answers_given_by_tapping__are_kept_after_a_reload(
        self, live_server: LiveServer, manager: Any
    ) -> None:
        response_id = digital_response(manager, live_server, card=1)
        manager.goto(f"{live_server.url}/responses/{response_id}/steps/1")
        chosen: dict[str, str] = {}
        for question in manager.locator(".question:not([hidden]):has([type=radio])").all()[:3]:
            code = (question.get_attribute("id") or "")[2:]
            value = question.locator("input[type=radio]:not(:checked)").first.get_attribute("value")
            chosen[code] = value or ""
            words = question.locator(f"label:has(input[value='{value}'])")
            with manager.expect_response(lambda r, c=code: r.url.endswith(f"/answers/{c}")):
                words.click()  # a tap anywhere on the option, not only on the radio
            manager.locator(f"#status-{code} .saved").wait_for(timeout=5000)
            assert SAVED in manager.locator(f"#status-{code}").inner_text()
        assert len(chosen) == 3
        manager.reload()
        for code, value in chosen.items():
            assert manager.locator(f"input[name={code}][value={value}]").is_checked()
        # Leaving and coming back resumes on the step last worked on.
        manager.goto(f"{live_server.url}/responses/{response_id}")
        assert manager.url.endswith(f"/responses/{response_id}/steps/1")

    def test_every_option__is_a_tap_target_of_at_least_44_px_and_nothing_overflows(
        self, live_server: LiveServer, manager: Any
    ) -> None:
        response_id = digital_response(manager, live_server, card=1)
        for step in range(1, len(DIMENSIONS) + 1):
            manager.goto(f"{live_server.url}/responses/{response_id}/steps/{step}")
            assert no_sideways_scroll(manager)
            boxes = manager.evaluate(
                """() => [...document.querySelectorAll('.question:not([hidden]) label')]
                  .filter(l => l.querySelector('input[type=radio], input[type=checkbox]'))
                  .map(l => { const r = l.getBoundingClientRect(); return [r.width, r.height]; })"""
            )
            assert boxes
            assert min(height for _, height in boxes) >= 44
            assert min(width for width, _ in boxes) >= 44
            if step == len(DIMENSIONS):
                screenshot(manager, "manager-fill-last-step")

    def test_choosing_an_export_answer__shows_its_follow_up_questions_without_a_reload(
        self, live_server: LiveServer, manager: Any
    ) -> None:
        # The survey file decides which answers open the follow-ups.
        assert "${dt_export} = 'selling'" in QUESTIONS["dt_export_route"]["relevant"]
        assert "'exploring'" in QUESTIONS["dt_export_digital"]["relevant"]
        assert "'selling'" in QUESTIONS["dt_export_digital"]["relevant"]
        response_id = digital_response(manager, live_server, card=1)
        step = DIMENSIONS.index(QUESTIONS["dt_export"]["dimension"]) + 1
        manager.goto(f"{live_server.url}/responses/{response_id}/steps/{step}")
        manager.evaluate("window.sameDocument = true")
        # Which follow-up questions each answer shows.
        shown = {
            "not_planned": {"dt_export_route": False, "dt_export_digital": False},
            "selling": {"dt_export_route": True, "dt_export_digital": True},
            "exploring": {"dt_export_route": False, "dt_export_digital": True},
        }
        sequence = ["not_planned", "selling", "exploring", "not_planned"]
        if manager.locator("input[name=dt_export][value=not_planned]").is_checked():
            sequence = sequence[1:]  # only a different answer is sent
        sizes = []
        for value in sequence:
            with manager.expect_response(lambda r: r.url.endswith("/answers/dt_export")) as sent:
                manager.check(f"input[name=dt_export][value={value}]")
            sizes.append(sent.value.request.sizes())
            for code, visible in shown[value].items():
                manager.locator(f"#q-{code}").wait_for(
                    state="visible" if visible else "hidden", timeout=3000
                )
            if value == "selling":
                manager.locator("#q-dt_export").scroll_into_view_if_needed()
                screenshot(manager, "manager-fill-follow-up-shown")
        assert manager.evaluate("window.sameDocument") is True
        # An answer's round trip stays small even when it brings two new questions.
        assert max(s["responseHeadersSize"] + s["responseBodySize"] for s in sizes) <= 4096


class TestPageWeight:
    def test_the_questionnaire_page__weighs_far_less_than_150_kb_on_first_load(
        self, live_server: LiveServer, browser: Any
    ) -> None:
        context = browser.new_context(**PHONE)
        try:
            page = context.new_page()
            sign_in(page, live_server)
            response_id = digital_response(page, live_server, card=1)
            fresh = browser.new_context(**PHONE, storage_state=context.storage_state())
            try:
                first = fresh.new_page()
                first.goto(f"{live_server.url}/responses/{response_id}/steps/2")
                first.wait_for_load_state("load")
                transferred = first.evaluate(
                    """() => performance.getEntriesByType('navigation')
                      .concat(performance.getEntriesByType('resource'))
                      .reduce((sum, e) => sum + e.transferSize, 0)"""
                )
            finally:
                fresh.close()
        finally:
            context.close()
        assert 0 < transferred < 100_000


class TestSubmitting:
    def test_a_double_click_and_a_second_tab__make_one_submission_and_show_the_result(
        self, live_server: LiveServer, manager: Any, database: Database
    ) -> None:
        response_id = digital_response(manager, live_server, card=0)
        manager.goto(f"{live_server.url}/responses/{response_id}/steps/1")
        for step in range(1, len(DIMENSIONS) + 1):
            assert manager.url.endswith(f"/steps/{step}")
            # Answering may reveal follow-up questions: answer until nothing is left.
            while codes := unanswered(manager):
                answer_and_wait(manager, codes[0])
            if step == 2:
                screenshot(manager, "manager-fill-sales-step")
            manager.click("button[value=next]")
            manager.wait_for_load_state()
        assert manager.url.endswith(f"/responses/{response_id}/review")
        assert no_sideways_scroll(manager)
        screenshot(manager, "manager-review")

        # A second tab left open on the review page will ask again once the first has submitted.
        other_tab = manager.context.new_page()
        other_tab.goto(manager.url)
        submits: list[str] = []
        manager.context.on("requestfinished", lambda r: submits.append(f"{r.method} {r.url}"))
        errors: list[str] = []
        manager.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        manager.dblclick("#submit-response")
        manager.wait_for_url(f"**/responses/{response_id}/result")
        other_tab.click("#submit-response")
        other_tab.wait_for_url(f"**/responses/{response_id}/result")
        other_tab.close()
        assert sum(1 for r in submits if r.startswith("POST") and r.endswith("/submit")) >= 2

        with database.sessions() as session:
            response = session.get(Response, response_id)
            assert response is not None
            submitted = session.scalar(
                select(func.count())
                .select_from(Response)
                .where(
                    Response.wave_id == response.wave_id,
                    Response.questionnaire_key == "digital",
                    Response.subject_key == response.subject_key,
                    Response.status == "submitted",
                )
            )
            scores = session.scalar(
                select(func.count())
                .select_from(DimensionScore)
                .where(DimensionScore.response_id == response_id)
            )
        assert submitted == 1
        assert scores == len(DIMENSIONS)

        # The result: the chart is drawn, its numbers are in the table, the advice follows.
        manager.wait_for_function(
            "window.Chart && window.Chart.getChart(document.getElementById('dimension-chart'))"
        )
        drawn = manager.evaluate(
            """() => { const c = document.getElementById('dimension-chart');
                 return [c.width, window.Chart.getChart(c).data.labels.length]; }"""
        )
        assert drawn[0] > 0
        assert drawn[1] == len(DIMENSIONS)
        assert manager.locator("table tbody tr").count() == len(DIMENSIONS)
        assert manager.locator(".advice").count() == len(DIMENSIONS)
        assert manager.locator(".stat-value").first.inner_text().strip()
        assert no_sideways_scroll(manager)
        assert errors == []  # nothing refused by the content security policy, no script error
        screenshot(manager, "manager-result")

        # A submitted response is read-only: its steps lead back to the result.
        manager.goto(f"{live_server.url}/responses/{response_id}/steps/1")
        assert manager.url.endswith(f"/responses/{response_id}/result")


class TestResult:
    def test_the_printed_result__hides_navigation_and_buttons(
        self, live_server: LiveServer, manager: Any
    ) -> None:
        manager.goto(f"{live_server.url}/")
        manager.locator(".coop-card").first.locator("a", has_text="Xem kết quả").first.click()
        manager.wait_for_url("**/result")
        manager.wait_for_function(
            "window.Chart && window.Chart.getChart(document.getElementById('dimension-chart'))"
        )
        assert manager.locator(".site-header").is_visible()
        manager.emulate_media(media="print")
        assert manager.locator(".site-header").is_hidden()
        assert manager.locator(".site-footer").is_hidden()
        visible_controls = manager.evaluate(
            """() => [...document.querySelectorAll('button, [role=button], nav, form')]
              .filter(e => e.getClientRects().length > 0).length"""
        )
        assert visible_controls == 0
        assert manager.locator("table").is_visible()
        assert manager.locator(".advice").first.is_visible()
        screenshot(manager, "manager-result-print")


class TestWithoutJavaScript:
    def test_a_plain_form_post__saves_the_step_and_moves_on(
        self, live_server: LiveServer, browser: Any
    ) -> None:
        context = browser.new_context(**PHONE, java_script_enabled=False)
        try:
            page = context.new_page()
            sign_in(page, live_server)
            response_id = digital_response(page, live_server, card=1)
            page.goto(f"{live_server.url}/responses/{response_id}/steps/1")
            first = page.locator(".question:has([type=radio])").first
            code = (first.get_attribute("id") or "")[2:]
            option = first.locator("input[type=radio]:not(:checked)").first
            value = option.get_attribute("value")
            option.check()
            for other in unanswered(page):
                answer(page, other)
            page.click("button[value=next]")
            page.wait_for_url(f"**/responses/{response_id}/steps/2")
            page.goto(f"{live_server.url}/responses/{response_id}/steps/1")
            assert page.locator(f"input[name={code}][value={value}]").is_checked()
        finally:
            context.close()

    def test_a_number_out_of_bounds__comes_back_as_typed_with_the_message_beside_it(
        self, live_server: LiveServer, browser: Any
    ) -> None:
        context = browser.new_context(**PHONE, java_script_enabled=False)
        try:
            page = context.new_page()
            sign_in(page, live_server)
            response_id = digital_response(page, live_server, card=1)
            step = DIMENSIONS.index(QUESTIONS["dt_online_share"]["dimension"]) + 1
            page.goto(f"{live_server.url}/responses/{response_id}/steps/{step}")
            page.fill("input[name=dt_online_share]", "150")
            page.click("button[value=next]")
            assert page.url.endswith(f"/steps/{step}")
            field = page.locator("#q-dt_online_share")
            assert "Giá trị phải từ 0 đến 100." in field.inner_text()
            assert field.locator("input").input_value() == "150"
            # The top of the page says what to fix and links to it.
            assert page.locator("[role=alert] a[href='#q-dt_online_share']").is_visible()
            assert no_sideways_scroll(page)
            screenshot(page, "manager-fill-without-javascript-error")
        finally:
            context.close()
