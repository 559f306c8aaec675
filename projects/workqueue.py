"""What waits in the work queue (consortium.workqueue) from agreements, projects and platforms.

Project proposals and platforms: staff get submitted proposals to route to review or return,
projects under review whose reviews are all in (to approve or reject) and platforms members
registered (to confirm); members get their drafts, their returned proposals with the reason and
their platforms staff declined. Each provider makes one query (two for the decisions, which read
the review policy), whatever the number of items.
"""

from datetime import timedelta

from django.db.models import Avg, Count, F, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium import registry
from consortium.access import is_writer, member_org_id
from consortium.workqueue import PER_PROVIDER, WorkItem, leadership_since

from .models import (
    Agreement,
    AgreementStatus,
    ExpertReview,
    Platform,
    PlatformStatus,
    Project,
    ProjectEvent,
    ProjectStatus,
    ReviewPolicy,
)
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
    since = leadership_since(user)
    if since is None:
        return []
    # A member's draft is not the leadership's to see until it is submitted.
    events = ProjectEvent.objects.filter(at__gt=since).exclude(to_status=ProjectStatus.DRAFT)
    totals = events.aggregate(count=Count("pk"), latest=Max("at"))
    count, latest = totals["count"], totals["latest"]
    if not count:
        return []
    return [
        WorkItem(
            kind=_("上次访问以来的变化"),
            title=_("%(n)d 个项目进展（立项、验收等）") % {"n": count},
            url=reverse("projects:project_list"),
            when=latest,
            count=count,
        )
    ]


# A declined platform stays in its registering member's queue this long (to read the reason).
DECLINED_SHOWN_DAYS = 30


@registry.work_queue.register
def proposals_to_route(user):
    """Staff: submitted proposals waiting to be routed to expert review or returned."""
    if not is_writer(user):
        return []
    rows = (
        Project.objects.proposals_waiting()
        .select_related("lead_organization")
        .order_by(F("submitted_at").desc(nulls_last=True), "-created_at")[:PER_PROVIDER]
    )
    return [
        WorkItem(
            kind=_("待处理的项目申报"),
            title=p.title,
            url=p.get_absolute_url(),
            when=p.submitted_at or p.created_at,
            detail=_("申报单位：%(org)s；提交专家评审或退回修改。") % {"org": p.lead_organization.name},
            level="primary",
        )
        for p in rows
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
def projects_to_decide(user):
    """Staff: projects under review whose assigned reviews are all recorded (at least the policy's minimum)."""
    if not is_writer(user):
        return []
    policy = ReviewPolicy.current()
    rows = (
        Project.objects.filter(status=ProjectStatus.UNDER_REVIEW)
        .annotate(
            assigned=Count("reviews", distinct=True),
            done=Count("reviews", filter=Q(reviews__score__isnull=False), distinct=True),
            average=Avg("reviews__score"),
        )
        .filter(assigned__gt=0, done=F("assigned"), done__gte=policy.min_reviews)
        .order_by("-updated_at", "-id")[:PER_PROVIDER]
    )
    items = []
    for p in rows:
        passed = p.average is not None and p.average >= policy.pass_score
        items.append(
            WorkItem(
                kind=_("评审已完成，待立项决定"),
                title=p.title,
                url=p.get_absolute_url(),
                when=p.updated_at,
                detail=_("%(done)s 份评审，平均分 %(avg).2f（分数线 %(pass)s）")
                % {
                    "done": p.done,
                    "avg": p.average or 0,
                    "pass": policy.pass_score,
                },
                level="success" if passed else "warning",
            )
        )
    return items


@registry.work_queue.register
def platforms_to_confirm(user):
    """Staff: platforms a member registered, waiting for confirmation."""
    if not is_writer(user):
        return []
    rows = (
        Platform.objects.filter(status=PlatformStatus.PENDING)
        .select_related("registering_organization")
        .order_by("-created_at", "-id")[:PER_PROVIDER]
    )
    return [
        WorkItem(
            kind=_("待确认的共建平台"),
            title=p.name,
            url=p.get_absolute_url(),
            when=p.created_at,
            detail=_("登记单位：%(org)s")
            % {"org": p.registering_organization.name if p.registering_organization else "—"},
            level="primary",
        )
        for p in rows
    ]


@registry.work_queue.register
def my_proposals(user):
    """Members: their organisation's drafts to submit and returned proposals to correct."""
    org_id = member_org_id(user)
    if org_id is None:
        return []
    rows = Project.objects.filter(
        lead_organization_id=org_id, status__in=(ProjectStatus.DRAFT, ProjectStatus.RETURNED)
    ).order_by("-updated_at", "-id")[:PER_PROVIDER]
    items = []
    for p in rows:
        if p.status == ProjectStatus.RETURNED:
            items.append(
                WorkItem(
                    kind=_("退回修改的项目申报"),
                    title=p.title,
                    url=p.get_absolute_url(),
                    when=p.updated_at,
                    detail=_("退回原因：%(reason)s") % {"reason": p.return_reason},
                    level="warning",
                )
            )
        else:
            items.append(
                WorkItem(
                    kind=_("待提交的申报草稿"),
                    title=p.title,
                    url=p.get_absolute_url(),
                    when=p.updated_at,
                    detail=_("检查无误后提交申报。"),
                )
            )
    return items


@registry.work_queue.register
def my_declined_platforms(user):
    """Members: platforms of theirs that staff declined lately, with the reason."""
    org_id = member_org_id(user)
    if org_id is None:
        return []
    since = timezone.now() - timedelta(days=DECLINED_SHOWN_DAYS)
    rows = Platform.objects.filter(
        registering_organization_id=org_id, status=PlatformStatus.DECLINED, decided_at__gte=since
    ).order_by("-decided_at", "-id")[:PER_PROVIDER]
    return [
        WorkItem(
            kind=_("未予确认的共建平台"),
            title=p.name,
            url=p.get_absolute_url(),
            when=p.decided_at,
            detail=_("未予确认原因：%(reason)s") % {"reason": p.decline_reason},
            level="warning",
        )
        for p in rows
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
