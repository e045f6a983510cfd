"""Set, list and remove a wave's targets; check what an administrator typed before saving it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.audit.service import Actor
from app.db import utcnow
from app.errors import NotFound
from app.messages import N_, Message
from app.responses import service as responses
from app.responses.models import Wave
from app.surveys import service as surveys
from app.targets.models import WaveTarget

METRICS = ("coverage", "level")


@dataclass(frozen=True)
class TargetInput:
    """A target as typed: the metric, the questionnaire and level for a level target, a %."""

    metric: str
    questionnaire_key: str | None
    level_key: str | None
    percent: float


def check_target(
    session: Session, *, wave: Wave, metric: str, questionnaire: str, level: str, percent: str
) -> tuple[TargetInput | None, dict[str, Message]]:
    """The target to save, or what is wrong with each field."""
    errors: dict[str, Message] = {}
    if metric not in METRICS:
        errors["metric"] = Message(N_("Choose what the target measures."))
    value: float | None = None
    try:
        value = float(percent.strip().replace(",", ".").rstrip("%").strip())
    except ValueError:
        errors["percent"] = Message(N_("Type a percentage."))
    if value is not None and not 0 <= value <= 100:
        errors["percent"] = Message(N_("A percentage is 0 to 100."))
    key: str | None = None
    level_key: str | None = None
    if metric == "level":
        versions = responses.wave_versions(session, wave_id=wave.id)
        if questionnaire not in versions:
            errors["questionnaire"] = Message(N_("This wave does not ask that questionnaire."))
        else:
            definition = surveys.definition(versions[questionnaire])
            if level not in {lv.key for lv in definition.levels}:
                errors["level"] = Message(N_("That questionnaire has no such level."))
            key, level_key = questionnaire, level
    if errors or value is None:
        return None, errors
    return TargetInput(metric, key, level_key, round(value, 1)), {}


def list_targets(session: Session, *, wave_id: int) -> list[WaveTarget]:
    """A wave's targets: coverage first, then levels by questionnaire."""
    found = session.scalars(select(WaveTarget).where(WaveTarget.wave_id == wave_id)).all()
    return sorted(
        found, key=lambda t: (t.metric != "coverage", t.questionnaire_key or "", t.level_key or "")
    )


def set_target(
    session: Session, *, wave: Wave, target: TargetInput, actor: Actor, ip_address: str | None
) -> WaveTarget:
    """Save a target; one of the same metric, questionnaire and level is replaced."""
    existing = next(
        (
            t
            for t in list_targets(session, wave_id=wave.id)
            if (t.metric, t.questionnaire_key, t.level_key)
            == (target.metric, target.questionnaire_key, target.level_key)
        ),
        None,
    )
    if existing is None:
        existing = WaveTarget(
            wave_id=wave.id,
            metric=target.metric,
            questionnaire_key=target.questionnaire_key,
            level_key=target.level_key,
            percent=target.percent,
        )
        session.add(existing)
    existing.percent = target.percent
    existing.set_by_id = actor.id
    existing.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="wave.target_set",
        target=f"wave:{wave.key}",
        detail={
            "metric": target.metric,
            "questionnaire": target.questionnaire_key,
            "level": target.level_key,
            "percent": target.percent,
        },
        ip_address=ip_address,
    )
    return existing


def remove_target(
    session: Session, *, wave: Wave, target_id: int, actor: Actor, ip_address: str | None
) -> None:
    """Remove one of a wave's targets."""
    found = session.get(WaveTarget, target_id)
    if found is None or found.wave_id != wave.id:
        raise NotFound(N_("Target not found."))
    session.execute(delete(WaveTarget).where(WaveTarget.id == target_id))
    audit.record(
        session,
        actor=actor,
        action="wave.target_removed",
        target=f"wave:{wave.key}",
        detail={"metric": found.metric, "questionnaire": found.questionnaire_key},
        ip_address=ip_address,
    )
