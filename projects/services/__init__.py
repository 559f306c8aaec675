"""Workflow steps of agreements and projects, expert review, and expiry notices.

Each step is a named function: it checks that the user may take it and that the
record's current status allows it, changes the record and records who and when,
all in one transaction. A refused step raises ValidationError (in Chinese) or
PermissionDenied and changes nothing. One module per concern (``agreements``,
``projects`` with expert review, ``proposals`` for members' project proposals, ``platforms`` for
confirming the platforms members register), re-exported here.
"""

from .agreements import (
    AGREEMENT_STEPS,
    NOTICE_DAYS,
    add_agreement_attachment,
    agreement_steps_for,
    change_agreement,
    expiry_recipients,
    notice_threshold,
    record_agreement_created,
    record_agreement_edited,
    send_expiry_notices,
)
from .common import Step
from .experts import (
    ReviewSpread,
    conflicts_to_replace,
    declare_conflict,
    invitation_url,
    invite_expert,
    others_visible_to_expert,
    review_is_open,
    review_spread,
)
from .platforms import PLATFORM_STEPS, change_platform, record_platform_registered
from .projects import (
    PROJECT_STEPS,
    REVIEWABLE,
    approval_blocker,
    assign_expert,
    change_project,
    check_partners_against_reviewers,
    conflict_message,
    has_conflict,
    may_record_review,
    project_steps_for,
    record_project_proposed,
    record_review,
    review_summary,
)
from .proposals import NOTIFIED_STEPS, notify_project_step, submit_proposal

__all__ = [
    "ReviewSpread",
    "conflicts_to_replace",
    "declare_conflict",
    "invitation_url",
    "invite_expert",
    "may_record_review",
    "others_visible_to_expert",
    "review_is_open",
    "review_spread",
    "AGREEMENT_STEPS",
    "NOTIFIED_STEPS",
    "PLATFORM_STEPS",
    "change_platform",
    "notify_project_step",
    "record_platform_registered",
    "submit_proposal",
    "NOTICE_DAYS",
    "PROJECT_STEPS",
    "REVIEWABLE",
    "Step",
    "add_agreement_attachment",
    "agreement_steps_for",
    "approval_blocker",
    "assign_expert",
    "change_agreement",
    "change_project",
    "check_partners_against_reviewers",
    "conflict_message",
    "expiry_recipients",
    "has_conflict",
    "notice_threshold",
    "project_steps_for",
    "record_agreement_created",
    "record_agreement_edited",
    "record_project_proposed",
    "record_review",
    "review_summary",
    "send_expiry_notices",
]
