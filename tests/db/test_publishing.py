"""Publishing again: the instrument a response answered never changes; listing settings may."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from app.errors import Conflict
from app.surveys import service as surveys
from app.surveys.definition import Text, content_hash, instrument_hash
from app.surveys.loader import load_file
from tests.worlds import MINI, publish


def test_a_version_published_before_its_listing_settings__takes_them_without_a_new_version(
    session: Session,
) -> None:
    stored = publish(session, key="listed", version="1")
    before = stored.content_hash
    listed = load_file(MINI).model_copy(
        update={
            "key": "listed",
            "version": "1",
            "order": 2,
            "model_level": "mid",
            "result": "star_band",
            "short_title": Text(vi="Ngắn", en="Short"),
        }
    )
    assert instrument_hash(listed) == instrument_hash(surveys.definition(stored))

    result = surveys.publish(session, questionnaire=listed)

    assert not result.created
    assert stored.content_hash == content_hash(listed) != before
    assert surveys.definition(stored).order == 2
    assert surveys.definition(stored).model_level == "mid"
    assert surveys.definition(stored).banded
    assert surveys.definition(stored).name == Text(vi="Ngắn", en="Short")


def test_a_changed_question__still_needs_a_new_version(session: Session) -> None:
    publish(session, key="fixed", version="1")
    original = load_file(MINI)
    first = original.questions[0]
    changed = original.model_copy(
        update={
            "key": "fixed",
            "version": "1",
            "questions": (
                first.model_copy(update={"required": not first.required}),
                *original.questions[1:],
            ),
        }
    )

    with pytest.raises(Conflict):
        surveys.publish(session, questionnaire=changed)


def test_a_version_published_with_plain_text_sources__takes_them_in_both_languages(
    session: Session,
) -> None:
    stored = publish(session, key="cited", version="1")
    original = load_file(MINI)
    assert original.dimensions[1].source == "Test source B"  # plain text, as first written
    cited = original.model_copy(
        update={
            "key": "cited",
            "version": "1",
            "dimensions": tuple(
                d.model_copy(update={"source": Text(vi=f"Nguồn {d.key}", en=f"Source {d.key}")})
                for d in original.dimensions
            ),
        }
    )

    result = surveys.publish(session, questionnaire=cited)

    assert not result.created
    assert stored.content_hash == content_hash(cited)
    assert surveys.definition(stored).dimensions[1].source == Text(vi="Nguồn ops", en="Source ops")
    # What the version asks and how it scores is the same snapshot.
    assert surveys.definition(stored).questions == original.questions
