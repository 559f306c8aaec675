"""What waits in the work queue (consortium.workqueue) from training: trainee lists not yet imported."""

from datetime import timedelta

from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium import registry
from consortium.access import is_writer, member_org_id
from consortium.workqueue import PER_PROVIDER, WorkItem, leadership_since

from .models import SKILL_TRAINING_KINDS, ImportStatus, TraineeImport, TrainingSession


@registry.work_queue.register
def imports_waiting(user):
    """Staff: uploads refused row by row (errors to correct) or given up unconfirmed in the last week;
    members: their own uploads still waiting for confirmation."""
    if is_writer(user):
        week = timezone.now() - timedelta(days=7)
        rows = TraineeImport.objects.filter(
            status=ImportStatus.PREVIEW, error_count__gt=0
        ) | TraineeImport.objects.filter(
            status=ImportStatus.DISCARDED, confirmed_by__isnull=True, uploaded_at__gte=week
        ).exclude(message="")
    elif member_org_id(user):
        rows = TraineeImport.objects.for_user(user).filter(status=ImportStatus.PREVIEW)
    else:
        return []
    rows = rows.select_related("session").order_by("-uploaded_at", "-id")
    items = []
    for imp in rows[:PER_PROVIDER]:
        failed = imp.status == ImportStatus.DISCARDED or imp.error_count
        items.append(
            WorkItem(
                kind=_("学员名单导入未完成") if failed else _("学员名单待确认导入"),
                title=f"{imp.session.title} · {imp.file_name}",
                url=imp.get_absolute_url(),
                when=imp.uploaded_at,
                detail=imp.message
                or (_("%(n)d 行有错误") % {"n": imp.error_count} if imp.error_count else _("预览已生成，待确认")),
                level="danger" if failed else "secondary",
            )
        )
    return items


@registry.work_queue.register
def training_since_last_visit(user):
    """Leadership: skill training sessions held since their last visit to the home page."""
    since = leadership_since(user)
    if since is None:
        return []
    held = TrainingSession.objects.counted().filter(
        kind__in=SKILL_TRAINING_KINDS, ends_at__gt=since, ends_at__lte=timezone.now()
    )
    totals = held.aggregate(count=Count("pk"), latest=Max("ends_at"))
    count = totals["count"]
    if not count:
        return []
    return [
        WorkItem(
            kind=_("上次访问以来的变化"),
            title=_("%(n)d 期职业技能培训结束") % {"n": count},
            url=reverse("training:session_list"),
            when=totals["latest"],
            count=count,
        )
    ]
