"""Imports every domain model so that Base.metadata describes the whole schema."""

from app.accounts.models import (
    AuthSession,
    SignInAttempt,
    SignInCode,
    User,
    UserArea,
    UserCooperative,
)
from app.advice.models import AdvisorNote, FollowUp
from app.areas.models import Area, AreaLink
from app.audit.models import AuditEvent
from app.cooperatives.models import Cooperative, Product
from app.db import Base
from app.reports.models import ReportGeneration
from app.responses.models import Answer, DimensionScore, Response, Wave, WaveQuestionnaire
from app.surveys.models import QuestionnaireVersion
from app.targeting.models import Shortlist, ShortlistEntry
from app.targets.models import WaveTarget

metadata = Base.metadata

__all__ = [
    "AdvisorNote",
    "Answer",
    "Area",
    "AreaLink",
    "AuditEvent",
    "AuthSession",
    "Cooperative",
    "DimensionScore",
    "FollowUp",
    "Product",
    "QuestionnaireVersion",
    "ReportGeneration",
    "Response",
    "Shortlist",
    "ShortlistEntry",
    "SignInAttempt",
    "SignInCode",
    "User",
    "UserArea",
    "UserCooperative",
    "Wave",
    "WaveQuestionnaire",
    "WaveTarget",
    "metadata",
]
