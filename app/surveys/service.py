"""Publishing questionnaire versions and reading them back for answering and scoring."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import Conflict, NotFound
from app.messages import N_
from app.surveys.definition import (
    LISTING_DIMENSION_FIELDS,
    LISTING_FIELDS,
    Questionnaire,
    content_hash,
    instrument_hash,
)
from app.surveys.models import QuestionnaireVersion


@dataclass(frozen=True)
class PublishResult:
    key: str
    version: str
    created: bool

    def __str__(self) -> str:
        state = "published" if self.created else "already published, unchanged"
        return f"{self.key} {self.version}: {state}"


def publish(session: Session, *, questionnaire: Questionnaire) -> PublishResult:
    """Store a validated questionnaire as an immutable version; the same content again is a no-op.

    Publishing a known key and version with different content is refused: responses already
    point at the stored snapshot, and their scores must stay reproducible.
    """
    digest = content_hash(questionnaire)
    existing = session.scalar(
        select(QuestionnaireVersion).where(
            QuestionnaireVersion.key == questionnaire.key,
            QuestionnaireVersion.version == questionnaire.version,
        )
    )
    if existing is not None:
        if existing.content_hash == digest:
            return PublishResult(questionnaire.key, questionnaire.version, created=False)
        stored = Questionnaire.model_validate(existing.definition)
        if instrument_hash(stored) == instrument_hash(questionnaire):
            # Only the listing settings changed: the snapshot's questions and scoring stay as
            # responses saw them. A new hash keeps every worker's parsed copy from going stale.
            definition = dict(existing.definition)
            listed = questionnaire.model_dump(mode="json", include=set(LISTING_FIELDS))
            for name in LISTING_FIELDS:
                definition[name] = listed[name]
            given = questionnaire.model_dump(mode="json")["dimensions"]
            definition["dimensions"] = [
                {**stored, **{name: new[name] for name in LISTING_DIMENSION_FIELDS}}
                for stored, new in zip(definition["dimensions"], given, strict=True)
            ]
            existing.definition = definition
            existing.content_hash = digest
            session.flush()
            return PublishResult(questionnaire.key, questionnaire.version, created=False)
        if existing.content_hash != digest:
            raise Conflict(
                N_(
                    "%(key)s %(version)s is already published with different content; raise "
                    "`version` in the file and publish again."
                ),
                key=questionnaire.key,
                version=questionnaire.version,
            )
        return PublishResult(questionnaire.key, questionnaire.version, created=False)
    session.add(
        QuestionnaireVersion(
            key=questionnaire.key,
            version=questionnaire.version,
            subject=questionnaire.subject,
            title_vi=questionnaire.title.vi,
            title_en=questionnaire.title.en,
            content_hash=digest,
            definition=questionnaire.model_dump(mode="json"),
            source_file=f"{questionnaire.key}-{questionnaire.version}.yaml",
        )
    )
    session.flush()
    return PublishResult(questionnaire.key, questionnaire.version, created=True)


def publish_all(session: Session, *, questionnaires: list[Questionnaire]) -> list[PublishResult]:
    """Publish questionnaires loaded together (by `app.scoring.proof.load_proven`)."""
    return [publish(session, questionnaire=q) for q in questionnaires]


def list_versions(session: Session, *, key: str | None = None) -> list[QuestionnaireVersion]:
    """Published versions, newest first within each questionnaire."""
    query = select(QuestionnaireVersion).order_by(
        QuestionnaireVersion.key,
        QuestionnaireVersion.published_at.desc(),
        QuestionnaireVersion.id.desc(),
    )
    if key is not None:
        query = query.where(QuestionnaireVersion.key == key)
    return list(session.scalars(query))


def latest_version(session: Session, *, key: str) -> QuestionnaireVersion:
    """The most recently published version of a questionnaire."""
    versions = list_versions(session, key=key)
    if not versions:
        raise NotFound(N_("'%(key)s' not published."), key=key)
    return versions[0]


def definition(version: QuestionnaireVersion) -> Questionnaire:
    """The questionnaire of a stored version, parsed once per process (versions never change)."""
    key = (version.id, version.content_hash)
    parsed = _parsed.get(key)
    if parsed is None:
        if len(_parsed) >= 256:  # many test databases in one process; never in a server
            _parsed.clear()
        parsed = _parsed[key] = Questionnaire.model_validate(version.definition)
    return parsed


def definition_of(session: Session, *, version_id: int, digest: str | None = None) -> Questionnaire:
    """The questionnaire of a stored version by id, reading its JSON only on a cache miss.

    `digest`, the version's content hash, saves a query when the caller has read it already.
    """
    if digest is None:
        digest = session.scalar(
            select(QuestionnaireVersion.content_hash).where(QuestionnaireVersion.id == version_id)
        )
    if digest is None:
        raise NotFound(N_("Questionnaire not found."))
    cached = _parsed.get((version_id, digest))
    if cached is not None:
        return cached
    version = session.get(QuestionnaireVersion, version_id)
    assert version is not None
    return definition(version)


# Parsed questionnaires by (version id, content hash): a hash in the key means a version is
# never served stale. A server sees a handful of versions per questionnaire a year.
_parsed: dict[tuple[int, str], Questionnaire] = {}
