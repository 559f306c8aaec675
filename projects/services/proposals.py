"""Project proposals (申报) by members: draft, submit, staff return or route to review; the notices.

A member school or enterprise proposes a project with its own organisation as the lead. The
proposal is a draft (草稿) only that organisation sees; submitting it (→ 已申报) tells the staff,
who route it to expert review (``change_project(…, "start_review")``) or return it with a reason
(``change_project(…, "return")`` → 已退回修改); the proposer edits and submits again. The lead
organisation's users are told of each decision (``notify_project_step``).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.access import CHANGE, member_org_id

from ..models import PROPOSAL_EDITABLE, Project, ProjectEvent, ProjectStatus

PS = ProjectStatus

# The steps of which the proposing organisation is told, with what it reads.
NOTIFIED_STEPS = ("return", "start_review", "approve", "reject")


def staff_users():
    from members.models import Role, User

    return list(User.objects.filter(role=Role.STAFF, is_active=True))


def lead_users(project):
    """The active users of the project's lead organisation (the proposing organisation)."""
    from members.models import Role, User

    return list(User.objects.filter(role=Role.MEMBER, is_active=True, organization_id=project.lead_organization_id))


def submit_proposal(project_id, *, by):
    """The proposing organisation submits its draft or returned proposal (→ 已申报); staff are told."""
    org_id = member_org_id(by)
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project_id)
        if org_id is None or project.lead_organization_id != org_id:
            raise PermissionDenied(_("只有申报单位可以提交本项目。"))
        if project.status not in PROPOSAL_EDITABLE:
            raise ValidationError(
                _("项目当前状态为“%(status)s”，不能提交申报（只能提交草稿或已退回修改的项目）。")
                % {"status": project.get_status_display()}
            )
        if not Project.objects.for_user(by, CHANGE).filter(pk=project.pk).exists():
            raise PermissionDenied(_("只有申报单位可以提交本项目。"))
        now = timezone.now()
        event = ProjectEvent.objects.create(
            project=project,
            action="submit",
            from_status=project.status,
            to_status=PS.PROPOSED,
            date=timezone.localdate(),
            actor=by,
            at=now,
        )
        project.status = PS.PROPOSED
        project.submitted_at = now
        project.return_reason = ""
        project._change_reason = _("提交申报")
        project.save(update_fields=["status", "submitted_at", "return_reason", "updated_at"])
        from members.services import notify

        notify(
            staff_users(),
            _("新的项目申报待处理：%(title)s") % {"title": project.title},
            body=_("申报单位：%(org)s。") % {"org": project.lead_organization.name},
            url=project.get_absolute_url(),
        )
    return event


def notify_project_step(project, step, reason=""):
    """Tell the lead (proposing) organisation that staff returned, routed, approved or rejected it."""
    if step.name not in NOTIFIED_STEPS:
        return 0
    from members.services import notify

    title = _("项目“%(title)s”：%(step)s") % {"title": project.title, "step": step.label}
    body = reason or _("项目状态：%(status)s。") % {"status": ProjectStatus(step.target).label}
    return notify(lead_users(project), title, body=body, url=project.get_absolute_url())
