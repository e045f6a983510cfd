"""The demo's calendar and the waves it opens: closed waves asked the first published version
of each form, the open wave asks the latest (so the demo spans two versions, as a province
does after revising its questionnaires)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.responses.models import (
    Wave,
    WaveQuestionnaire,
    WaveStatus,
)
from app.surveys import service as surveys
from app.surveys.definition import Questionnaire

# The demo's "today": fixed, so the same seed gives the same data whenever it runs.
TODAY = dt.date(2026, 11, 1)
COOPERATIVE_QUESTIONNAIRES = ("digital", "value_chain")
PRODUCT_QUESTIONNAIRES = ("ocop",)


@dataclass(frozen=True)
class DemoWave:
    key: str
    name: str
    status: WaveStatus
    opens_on: dt.date
    closes_on: dt.date
    submitted: float  # share of subjects that submitted
    drafts: float  # share with a draft in progress; the rest have not started


WAVES = (
    DemoWave(
        "2025",
        "Đợt đánh giá 2025",
        WaveStatus.CLOSED,
        dt.date(2025, 3, 1),
        dt.date(2025, 10, 31),
        submitted=0.85,
        drafts=0.0,
    ),
    DemoWave(
        "2026",
        "Đợt đánh giá 2026",
        WaveStatus.OPEN,
        dt.date(2026, 3, 1),
        dt.date(2026, 12, 31),
        submitted=0.65,
        drafts=0.15,
    ),
)


@dataclass(frozen=True)
class Form:
    """A questionnaire version as the generator uses it."""

    version_id: int
    q: Questionnaire
    # The order a person fills it in: step by step (one dimension a step), then file order.
    order: tuple[str, ...]
    step: dict[str, int]


@dataclass(frozen=True)
class WaveRef:
    spec: DemoWave
    id: int
    index: int  # in WAVES, which is also where a subject's maturity for it sits


def published_forms(session: Session) -> list[dict[str, Form]]:
    """For each demo wave, the version of each questionnaire it asks; unpublished ones skipped."""
    per_wave: list[dict[str, Form]] = [{} for _ in WAVES]
    for key in COOPERATIVE_QUESTIONNAIRES + PRODUCT_QUESTIONNAIRES:
        versions = surveys.list_versions(session, key=key)  # newest first
        if not versions:
            continue
        for index, spec in enumerate(WAVES):
            version = versions[0] if spec.status == WaveStatus.OPEN else versions[-1]
            per_wave[index][key] = _form(version.id, surveys.definition(version))
    return per_wave


def _form(version_id: int, q: Questionnaire) -> Form:
    step = {
        question.code: number
        for number, dimension in enumerate(q.dimensions, start=1)
        for question in q.questions_by_dimension[dimension.key]
    }
    return Form(version_id, q, tuple(step), step)


def create_waves(session: Session, *, forms: list[dict[str, Form]]) -> list[WaveRef]:
    """Create the demo waves, each asking every form; a wave key already taken is left alone."""
    made = []
    for index, spec in enumerate(WAVES):
        if session.scalar(select(Wave.id).where(Wave.key == spec.key)) is not None:
            continue
        wave = Wave(
            key=spec.key,
            name=spec.name,
            name_en=f"Assessment wave {spec.key}",
            status=spec.status,
            opens_on=spec.opens_on,
            closes_on=spec.closes_on,
        )
        session.add(wave)
        session.flush()
        session.add_all(
            WaveQuestionnaire(wave_id=wave.id, questionnaire_key=key, version_id=form.version_id)
            for key, form in forms[index].items()
        )
        made.append(WaveRef(spec, wave.id, index))
    session.flush()
    return made
