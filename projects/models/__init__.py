"""Agreements, cooperation projects with expert review, and joint platforms.

The names of Agreement, Project and Platform and of their fields and enum values
are the data contract the KPI dashboards and the training app build on. The models
live in one module per concern and are re-exported here, so ``projects.models.X``
keeps working and Django finds every model (``app_label`` stays ``projects``).
"""

from .agreements import (
    EXPIRY_WARNING_DAYS,
    MEMBER_EDITABLE,
    Agreement,
    AgreementAttachment,
    AgreementAttachmentQuerySet,
    AgreementEvent,
    AgreementEventQuerySet,
    AgreementExpiryNotice,
    AgreementKind,
    AgreementQuerySet,
    AgreementStatus,
)
from .platforms import Platform, PlatformKind, PlatformLevel, PlatformQuerySet, PlatformStatus
from .projects import (
    PROPOSAL_EDITABLE,
    CriterionScore,
    EvaluationCriterion,
    Expert,
    ExpertReview,
    Milestone,
    Project,
    ProjectChildQuerySet,
    ProjectEvent,
    ProjectKind,
    ProjectQuerySet,
    ProjectResult,
    ProjectStatus,
    ReviewPolicy,
    RiskLevel,
    StaffOnlyQuerySet,
)

__all__ = [
    "EXPIRY_WARNING_DAYS",
    "MEMBER_EDITABLE",
    "Agreement",
    "AgreementAttachment",
    "AgreementAttachmentQuerySet",
    "AgreementEvent",
    "AgreementEventQuerySet",
    "AgreementExpiryNotice",
    "AgreementKind",
    "AgreementQuerySet",
    "AgreementStatus",
    "CriterionScore",
    "EvaluationCriterion",
    "Expert",
    "ExpertReview",
    "Milestone",
    "Project",
    "ProjectChildQuerySet",
    "ProjectEvent",
    "ProjectKind",
    "ProjectQuerySet",
    "ProjectResult",
    "ProjectStatus",
    "ReviewPolicy",
    "RiskLevel",
    "StaffOnlyQuerySet",
    "Platform",
    "PlatformKind",
    "PlatformLevel",
    "PlatformQuerySet",
    "PlatformStatus",
    "PROPOSAL_EDITABLE",
]
