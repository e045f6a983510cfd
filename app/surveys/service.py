"""Publishing questionnaire versions and reading them back for answering and scoring."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import Conflict, NotFound
from app.surveys.definition import Questionnaire, content_hash
from app.surveys.loader import load_dir
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
        if existing.content_hash != digest:
            raise Conflict(
                f"Phiên bản {questionnaire.key} {questionnaire.version} đã được công bố với nội "
                "dung khác. Hãy tăng số phiên bản (version) trong tệp rồi công bố lại.",
                message_en=(
                    f"{questionnaire.key} {questionnaire.version} is already published with "
                    "different content; raise `version` in the file and publish again."
                ),
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


def publish_dir(session: Session, *, path: Path) -> list[PublishResult]:
    """Validate every file of a folder, then publish them all (nothing when any file is bad)."""
    return [publish(session, questionnaire=q) for q in load_dir(path)]


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
        raise NotFound(f"Chưa công bố bộ câu hỏi '{key}'.", message_en=f"'{key}' not published.")
    return versions[0]


def definition(version: QuestionnaireVersion) -> Questionnaire:
    """The questionnaire of a stored version, parsed once per process (versions never change)."""
    return _parse(version.id, version.content_hash, _Frozen(version.definition))


class _Frozen:
    """Wraps the JSON so the cache key is the version, not the (unhashable) dict."""

    def __init__(self, data: dict[str, object]) -> None:
        self.data = data

    def __hash__(self) -> int:
        return 0

    def __eq__(self, other: object) -> bool:
        return True


@lru_cache(maxsize=64)
def _parse(version_id: int, digest: str, data: _Frozen) -> Questionnaire:
    return Questionnaire.model_validate(data.data)
