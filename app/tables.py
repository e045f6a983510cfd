"""Imports every domain model so that Base.metadata describes the whole schema."""

from app.accounts.models import AuthSession, User, UserArea, UserCooperative
from app.areas.models import Area
from app.cooperatives.models import Cooperative, Product
from app.db import Base
from app.responses.models import Answer, DimensionScore, Response, Wave, WaveQuestionnaire
from app.surveys.models import QuestionnaireVersion

metadata = Base.metadata

__all__ = [
    "Answer",
    "Area",
    "AuthSession",
    "Cooperative",
    "DimensionScore",
    "Product",
    "QuestionnaireVersion",
    "Response",
    "User",
    "UserArea",
    "UserCooperative",
    "Wave",
    "WaveQuestionnaire",
    "metadata",
]
