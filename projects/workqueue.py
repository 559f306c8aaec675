"""What waits in the work queue (consortium.workqueue) from agreements and projects."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium import registry
from consortium.access import is_reader, is_writer, member_org_id
from consortium.workqueue import PER_PROVIDER, WorkItem

from .models import Agreement, AgreementStatus, ExpertReview, ProjectEvent, ProjectStatus
from .models.agreements import EXPIRY_WARNING_DAYS
from .services import conflicts_to_replace


@registry.work_queue.register
def agreements_to_verify(user):
    """Staff: agreements members submitted, to verify or return."""
    if not is_writer(user):
        return []
    rows = Agreement.objects.filter(status=AgreementStatus.SUBMITTED).select_related("organization")
    return [
        WorkItem(
            kind=_("待核验协议"),
            title=a.title,
            url=a.get_absolute_url(),
            when=a.submitted_at or a.updated_at,
            detail=a.organization.name,
        )
        for a in rows.order_by("-submitted_at", "-id")[:PER_PROVIDER]
    ]


@registry.work_queue.register
def agreements_expiring(user):
    """Staff: every agreement that lapses within 30 days; members: their own (registered or a party)."""
    today = timezone.localdate()
    if is_writer(user):
        rows = Agreement.objects.all()
    elif member_org_id(user):
        rows = Agreement.objects.for_user(user)
    else:
        return []
    rows = rows.filter(status=AgreementStatus.VERIFIED).expiring(EXPIRY_WARNING_DAYS, today=today)
    return [
        WorkItem(
            kind=_("协议即将到期"),
            title=a.title,
            url=a.get_absolute_url(),
            when=today,
            detail=_("%(date)s 到期，剩余 %(days)d 天") % {"date": a.end_date, "days": (a.end_date - today).days},
            level="warning",
        )
        for a in rows.order_by("end_date", "id")[:PER_PROVIDER]
    ]


@registry.work_queue.register
def own_agreements_to_finish(user):
    """Members: their returned agreements (with the reason) and their drafts."""
    org_id = member_org_id(user)
    if not org_id:
        return []
    rows = Agreement.objects.filter(
        organization_id=org_id, status__in=[AgreementStatus.RETURNED, AgreementStatus.DRAFT]
    ).order_by("-updated_at", "-id")
    items = []
    for a in rows[:PER_PROVIDER]:
        returned = a.status == AgreementStatus.RETURNED
        items.append(
            WorkItem(
                kind=_("协议被退回") if returned else _("协议草稿"),
                title=a.title,
                url=a.get_absolute_url(),
                when=a.updated_at,
                detail=(_("退回原因：%(reason)s") % {"reason": a.return_reason}) if returned else _("尚未提交核验"),
                level="danger" if returned else "secondary",
            )
        )
    return items


@registry.work_queue.register
def agreements_naming_us(user):
    """Members: agreements another member registered in the last 30 days naming their organisation as a party."""
    org_id = member_org_id(user)
    if not org_id:
        return []
    since = timezone.now() - timedelta(days=30)
    rows = (
        Agreement.objects.filter(parties=org_id, submitted_at__gte=since)
        .exclude(organization_id=org_id)
        .exclude(status__in=[AgreementStatus.DRAFT, AgreementStatus.TERMINATED])
        .select_related("organization")
        .order_by("-submitted_at", "-id")
    )
    return [
        WorkItem(
            kind=_("请知悉：新登记的协议"),
            title=a.title,
            url=a.get_absolute_url(),
            when=a.submitted_at,
            detail=_("%(org)s 登记，贵单位为协议一方") % {"org": a.organization.name},
        )
        for a in rows[:PER_PROVIDER]
    ]


@registry.work_queue.register
def project_changes_since_last_visit(user):
    """Leadership: project steps taken since their last visit to the home page."""
    if not is_reader(user) or is_writer(user):
        return []
    since = getattr(user, "last_home_visit", None) or timezone.now() - timedelta(days=7)
    events = ProjectEvent.objects.filter(at__gt=since)
    count = events.count()
    if not count:
        return []
    latest = events.order_by("-at").values_list("at", flat=True).first()
    return [
        WorkItem(
            kind=_("上次访问以来的变化"),
            title=_("%(n)d 个项目进展（立项、验收等）") % {"n": count},
            url=reverse("projects:project_list"),
            when=latest,
            count=count,
        )
    ]


# --- expert review -------------------------------------------------------------------------------


@registry.work_queue.register
def expert_reviews_to_score(user):
    """An expert's assignments still to score (danger once past their due date)."""
    if not getattr(user, "is_expert", False):
        return []
    today = timezone.localdate()
    reviews = (
        ExpertReview.objects.of_expert_user(user)
        .filter(conflict_declared_at__isnull=True, score__isnull=True, project__status=ProjectStatus.UNDER_REVIEW)
        .select_related("project")
        .order_by("due_on", "pk")[:PER_PROVIDER]
    )
    return [
        WorkItem(
            kind=_("待评审项目"),
            title=r.project.title,
            url=r.get_expert_url(),
            when=r.due_on or r.assigned_at,
            detail=_("截止日期：%(due)s") % {"due": r.due_on} if r.due_on else "",
            level="danger" if r.due_on and r.due_on < today else "warning",
        )
        for r in reviews
    ]


@registry.work_queue.register
def staff_conflicts_to_replace(user):
    """Staff: an expert withdrew for a conflict of interest and the panel needs another expert."""
    if not is_writer(user):
        return []
    return [
        WorkItem(
            kind=_("需另派评审专家"),
            title=r.project.title,
            url=r.project.get_absolute_url(),
            when=r.conflict_declared_at,
            detail=_("专家“%(expert)s”声明利益冲突：%(reason)s")
            % {"expert": r.expert.name, "reason": r.conflict_reason},
            level="warning",
        )
        for r in conflicts_to_replace(PER_PROVIDER)
    ]
