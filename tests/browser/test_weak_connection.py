"""Saving on a weak connection: the network is cut in the middle of a step, nothing is lost."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from app.db import Database
from app.responses.models import Answer
from tests.browser.conftest import LiveServer, screenshot
from tests.browser.test_manager_journey import SAVED, digital_response, sign_in


@pytest.fixture
def manager(live_server: LiveServer, phone: Any) -> Any:
    sign_in(phone, live_server)
    return phone


@pytest.fixture
def database(live_server: LiveServer) -> Iterator[Database]:
    db = Database(live_server.env["DATABASE_URL"])
    yield db
    db.dispose()


def stored(database: Database, response_id: int, code: str) -> Any:
    with database.read_sessions() as session:
        return session.scalar(
            select(Answer.value).where(
                Answer.response_id == response_id, Answer.question_code == code
            )
        )


def a_choice_to_change(page: Any) -> tuple[str, str]:
    """A visible single-choice question and an option of it that is not chosen yet."""
    question = page.locator(".question:not([hidden]):has([type=radio])").first
    code = (question.get_attribute("id") or "")[2:]
    value = question.locator("input[type=radio]:not(:checked)").first.get_attribute("value")
    return code, value or ""


def test_an_answer_given_offline__says_so_and_is_saved_when_the_network_returns(
    live_server: LiveServer, manager: Any, database: Database
) -> None:
    response_id = digital_response(manager, live_server, card=1)
    manager.goto(f"{live_server.url}/responses/{response_id}/steps/1")
    code, value = a_choice_to_change(manager)
    manager.context.set_offline(True)
    manager.check(f"input[name={code}][value={value}]")
    failed = manager.locator(f"#status-{code} .save-failed")
    failed.wait_for(timeout=5000)
    assert "mất kết nối" in failed.inner_text()
    screenshot(manager, "manager-fill-offline")
    assert stored(database, response_id, code) != value
    manager.context.set_offline(False)
    manager.locator(f"#status-{code} .saved").wait_for(timeout=15000)
    assert SAVED in manager.locator(f"#status-{code}").inner_text()
    assert stored(database, response_id, code) == value


def test_text_typed_while_saves_fail__survives_a_reload_and_is_saved_later(
    live_server: LiveServer, manager: Any, database: Database
) -> None:
    response_id = digital_response(manager, live_server, card=1)
    # The first step of `digital` ends with an optional free-text question.
    code = "dt_support_note"
    manager.goto(f"{live_server.url}/responses/{response_id}/steps/1")
    box = manager.locator(f"textarea[name={code}]")
    words = "Mạng yếu, nhưng câu này không được mất"
    # The server cannot be reached: every save fails, as on a dead 3G cell.
    manager.route("**/answers/**", lambda route: route.abort("internetdisconnected"))
    box.fill(words)
    box.press("Tab")
    manager.locator(f"#status-{code} .save-failed").wait_for(timeout=5000)
    manager.reload()
    restored = manager.locator(f"textarea[name={code}]")
    assert restored.input_value() == words
    manager.unroute("**/answers/**")
    manager.locator(f"#status-{code} .saved").wait_for(timeout=40000)
    assert stored(database, response_id, code) == words
    # Saved once: nothing is kept in the browser any more.
    left = manager.evaluate(
        f"Object.keys(localStorage).filter(k => k.startsWith('htxso:unsaved:{response_id}:'))"
    )
    assert left == []
