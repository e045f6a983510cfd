"""What an audit event's target names, in words: the cooperative, the response, the wave.

Events store stable references ("cooperative:6", "response:12"); people reading the log need
the names behind them, looked up in one query per kind for a whole page of events.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.cooperatives.models import Cooperative
from app.responses.models import Response, Wave
from app.surveys.models import QuestionnaireVersion
from app.targeting.models import Shortlist


def target_names(
    session: Session, *, events: Iterable[AuditEvent], locale: str = "vi"
) -> dict[str, str]:
    """A readable name for each target of these events that names a known object."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for event in events:
        if event.target and ":" in event.target:
            kind, _, ref = event.target.partition(":")
            wanted[kind].add(ref)
    names: dict[str, str] = {}

    def ids(kind: str) -> list[int]:
        return [int(ref) for ref in wanted.get(kind, ()) if ref.isdecimal()]

    for cid, name, code in session.execute(
        select(Cooperative.id, Cooperative.name, Cooperative.registration_code).where(
            Cooperative.id.in_(ids("cooperative"))
        )
    ):
        names[f"cooperative:{cid}"] = f"{name} ({code})"
    for rid, title_vi, title_en, revision, name, code in session.execute(
        select(
            Response.id,
            QuestionnaireVersion.title_vi,
            QuestionnaireVersion.title_en,
            Response.revision,
            Cooperative.name,
            Cooperative.registration_code,
        )
        .join(Cooperative, Cooperative.id == Response.cooperative_id)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Response.version_id)
        .where(Response.id.in_(ids("response")))
    ):
        title = title_en if locale == "en" and title_en else title_vi
        names[f"response:{rid}"] = f"{name} ({code}) · {title} · #{revision}"
    for key, name in session.execute(
        select(Wave.key, Wave.name).where(Wave.key.in_(wanted.get("wave", ())))
    ):
        names[f"wave:{key}"] = name
    for sid, name in session.execute(
        select(Shortlist.id, Shortlist.name).where(Shortlist.id.in_(ids("shortlist")))
    ):
        names[f"shortlist:{sid}"] = name
    for ref in wanted.get("user", ()):
        names[f"user:{ref}"] = ref
    return names
