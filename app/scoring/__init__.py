"""Pure scoring: a questionnaire definition and answers give scores (no database)."""

from app.scoring.engine import (
    SCORING_VERSION,
    DimensionScore,
    NextLevel,
    ScoreResult,
    effective_answers,
    missing_required,
    score,
    visible_codes,
)

__all__ = [
    "SCORING_VERSION",
    "DimensionScore",
    "NextLevel",
    "ScoreResult",
    "effective_answers",
    "missing_required",
    "score",
    "visible_codes",
]
