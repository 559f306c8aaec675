"""What waits in the work queue (consortium.workqueue) from the KPIs: targets at risk, years to close."""

from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium import registry
from consortium.access import is_reader, is_writer
from consortium.workqueue import WorkItem

from .figures import STATUS_LABELS, status_of
from .metrics import METRICS, SHANGHAI
from .models import MetricActual, RollupState, Target, YearClose


@registry.work_queue.register
def targets_at_risk(user):
    """Leadership and staff: this year's targets whose actual is behind the pace the year asks for."""
    if not is_reader(user):
        return []
    year = timezone.localdate().year
    targets = {t.metric: t for t in Target.objects.filter(year=year)}
    if not targets:
        return []
    actuals = dict(MetricActual.objects.filter(year=year).values_list("metric", "value"))
    computed_at = RollupState.objects.filter(year=year).values_list("computed_at", flat=True).first()
    items = []
    for metric in METRICS:
        target = targets.get(metric.code)
        if target is None or metric.code not in actuals:
            continue
        status = status_of(actuals[metric.code], target.minimum, target.stretch, year)
        if status not in ("at_risk", "behind"):
            continue
        items.append(
            WorkItem(
                kind=str(STATUS_LABELS[status]),
                title=_("%(metric)s：%(actual)s / 目标 %(target)s")
                % {"metric": metric.label, "actual": _plain(actuals[metric.code]), "target": _plain(target.minimum)},
                url=reverse("dashboards:records", args=[metric.code]) + f"?year={year}",
                when=computed_at or timezone.now(),
                detail=_("按全年进度，当前完成情况落后于时间进度。"),
                level="danger" if status == "behind" else "warning",
            )
        )
    return items


@registry.work_queue.register
def years_to_close(user):
    """Staff: past years whose figures were rolled up but not closed yet."""
    if not is_writer(user):
        return []
    this_year = timezone.localdate().year
    closed = set(YearClose.objects.filter(is_closed=True).values_list("year", flat=True))
    rows = RollupState.objects.filter(year__lt=this_year).exclude(computed_at=None).exclude(year__in=closed)
    return [
        WorkItem(
            kind=_("年度待关账"),
            title=_("%(year)d 年度指标") % {"year": state.year},
            url=reverse("dashboards:overview") + f"?year={state.year}",
            when=datetime(state.year + 1, 1, 1, tzinfo=SHANGHAI),
            detail=_("年度已结束，核对数据后关账，指标即固定。"),
        )
        for state in rows.order_by("-year")
    ]


def _plain(value):
    """A figure without trailing zeros (10000, 92.5)."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
