"""Pure scoring: a questionnaire definition and answers give scores (no database)."""

from app.scoring.engine import (
    DimensionScore,
    NextLevel,
    ScoreResult,
    effective_answers,
    missing_required,
    score,
    visible_codes,
)

__all__ = [
    "DimensionScore",
    "NextLevel",
    "ScoreResult",
    "effective_answers",
    "missing_required",
    "score",
    "visible_codes",
]
