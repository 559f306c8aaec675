"""What the dashboards show, read from the snapshot tables only (a fixed number of queries).

Leadership and staff see every organisation's contribution and the breakdowns by
organisation kind and industry chain; a member user sees the consortium totals and
its own organisation's contributions, nothing of other organisations (the
breakdowns by kind or chain could single one out, so members do not get them).
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Exists, F, Max, OuterRef, Subquery, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consortium.access import is_reader, member_org_id
from members.models import IndustryChain, Organization, OrganizationKind

from .metrics import METRICS, SHANGHAI
from .models import MetricActual, MetricContribution, MetricMonthly, RollupState, Target, YearClose

TOP_ORGANIZATIONS = 10
ADDITIVE = [m for m in METRICS if not m.is_ratio]  # ratios are not summed over organisations

STATUS_LABELS = {
    "on_track": _("进度正常"),
    "at_risk": _("存在风险"),
    "behind": _("进度滞后"),
    "met": _("已完成"),
    "stretch_met": _("达到挑战值"),
    "missed": _("未完成"),
    "not_started": _("未开始"),
}
STATUS_CLASSES = {
    "on_track": "success",
    "met": "success",
    "stretch_met": "success",
    "at_risk": "warning",
    "behind": "danger",
    "missed": "danger",
    "not_started": "secondary",
}
AT_RISK_SHARE = Decimal("0.8")  # within 80 % of the pace the time elapsed asks for


def elapsed_share(year, now=None):
    """How much of the year has passed (0 before it, 1 after it), in Shanghai time."""
    now = (now or timezone.now()).astimezone(SHANGHAI)
    start = datetime(year, 1, 1, tzinfo=SHANGHAI)
    end = datetime(year + 1, 1, 1, tzinfo=SHANGHAI)
    if now <= start:
        return Decimal(0)
    if now >= end:
        return Decimal(1)
    return Decimal((now - start).total_seconds()) / Decimal((end - start).total_seconds())


def status_of(actual, minimum, stretch, year, *, closed=False, now=None):
    """on_track / at_risk / behind during the year; met / stretch_met / missed after it (or once closed)."""
    if minimum is None:
        return None
    share = Decimal(1) if closed else elapsed_share(year, now)
    if share == 0:
        return "not_started"
    if stretch is not None and actual >= stretch:
        return "stretch_met"
    if actual >= minimum:
        return "met"
    if share == 1:
        return "missed"
    progress = actual / minimum if minimum else Decimal(1)
    if progress >= share:
        return "on_track"
    if progress >= share * AT_RISK_SHARE:
        return "at_risk"
    return "behind"


def percent(actual, minimum):
    if not minimum:
        return None
    return (Decimal(100) * actual / minimum).quantize(Decimal("0.1"))


@dataclass
class Card:
    metric: object
    actual: Decimal | None
    previous: Decimal | None
    minimum: Decimal | None = None
    stretch: Decimal | None = None
    monthly: list = field(default_factory=list)
    own: Decimal | None = None
    top: list = field(default_factory=list)
    status: str | None = None
    pipeline: Decimal | None = None  # scheduled to the year's end, not in the actual

    @property
    def percent(self):
        return percent(self.actual or 0, self.minimum)

    @property
    def status_label(self):
        return STATUS_LABELS.get(self.status, "")

    @property
    def status_class(self):
        return STATUS_CLASSES.get(self.status, "secondary")

    @property
    def change(self):
        """Year-over-year change (absolute), None without last year's figure."""
        if self.actual is None or self.previous is None:
            return None
        return self.actual - self.previous

    @property
    def change_percent(self):
        if self.change is None or not self.previous:
            return None
        return (Decimal(100) * self.change / self.previous).quantize(Decimal("0.1"))


class YearState:
    """The year's roll-up state and close state, as the overview and its cache key read them."""

    @property
    def computed_at(self):
        return self.state.computed_at if self.state else None

    @property
    def is_closed(self):
        return bool(self.closing and self.closing.is_closed)


@dataclass
class Overview(YearState):
    year: int
    state: object
    closing: object
    cards: list
    scope_org: object  # the member's organisation, or None for a full view
    kinds: list = field(default_factory=list)  # [(label, {metric: value})]
    chains: list = field(default_factory=list)
    full: bool = False
    additive = ADDITIVE

    def chart_data(self):
        return {
            "year": self.year,
            "months": [_("%(month)d月") % {"month": m} for m in range(1, 13)],
            "metrics": [
                {
                    "code": c.metric.code,
                    "label": str(c.metric.label),
                    "unit": str(c.metric.unit),
                    "monthly": [float(v) for v in c.monthly],
                    "target": float(c.minimum) if c.minimum is not None else None,
                    "stretch": float(c.stretch) if c.stretch is not None else None,
                }
                for c in self.cards
                if c.monthly
            ],
        }


@dataclass
class Head(YearState):
    """What decides whether the figures of a year changed: its last run, close state and targets,
    and the last run of the year before (the overview shows its figures beside this year's)."""

    year: int
    state: object
    closing: object
    targets_stamp: tuple
    previous_run: int | None = None

    def cache_key(self, scope):
        parts = (
            self.year,
            scope,
            self.state.run if self.state else 0,
            self.computed_at,
            self.is_closed,
            *self.targets_stamp,
            self.previous_run,
        )
        return ":".join(str(p) for p in parts)


def head(year):
    """The year's state row, close state, targets stamp and the previous year's run in one query."""
    targets = Target.objects.filter(year=OuterRef("year")).order_by().values("year")
    previous = RollupState.objects.filter(year=OuterRef("year") - 1).values("run")[:1]
    state = (
        RollupState.objects.filter(year=year)
        .annotate(
            kpi_closed=Exists(YearClose.objects.filter(year=OuterRef("year"), is_closed=True)),
            kpi_targets=Subquery(targets.annotate(n=Count("pk")).values("n")),
            kpi_targets_at=Subquery(targets.annotate(t=Max("updated_at")).values("t")),
            kpi_previous_run=Subquery(previous),
        )
        .first()
    )
    if state is None:  # never rolled up: no snapshot to cache either
        closing = YearClose.objects.filter(year=year).first()
        return Head(year=year, state=None, closing=closing, targets_stamp=(None,))
    closing = YearClose(year=year, is_closed=state.kpi_closed)
    return Head(
        year=year,
        state=state,
        closing=closing,
        targets_stamp=(state.kpi_targets, state.kpi_targets_at),
        previous_run=state.kpi_previous_run,
    )


def available_years():
    """Years that have a snapshot or a target, newest first (for the year selector), in one query."""
    years = (
        RollupState.objects.exclude(computed_at=None)
        .order_by()
        .values_list("year", flat=True)
        .union(Target.objects.order_by().values_list("year", flat=True))
    )
    return sorted(set(years), reverse=True)


def scope_of(user):
    """ "full" for leadership and staff, "org<id>" for a member user (the cache of a rendered overview)."""
    return "full" if is_reader(user) else f"org{member_org_id(user)}"


def build(year, user, *, organization=None, top=TOP_ORGANIZATIONS, known=None):
    """The overview of a year for a user; ``organization`` narrows contributions to one organisation."""
    full = is_reader(user) and organization is None
    own_id = organization.pk if organization is not None else member_org_id(user)
    scope_org = organization
    if scope_org is None and own_id is not None:
        scope_org = Organization.objects.filter(pk=own_id).first()

    known = known or head(year)
    state, closing = known.state, known.closing
    targets = {t.metric: t for t in Target.objects.filter(year=year)}
    actuals, pipelines = {}, {}
    for y, m, v, p in MetricActual.objects.filter(year__in=[year, year - 1]).values_list(
        "year", "metric", "value", "pipeline"
    ):
        actuals[(y, m)] = v
        if y == year:
            pipelines[m] = p
    monthly = {}
    for metric, _month, value in (
        MetricMonthly.objects.filter(year=year).order_by("metric", "month").values_list("metric", "month", "value")
    ):
        monthly.setdefault(metric, []).append(value)

    own, tops = {}, {}
    if own_id is not None:
        own = dict(MetricContribution.objects.filter(year=year, organization_id=own_id).values_list("metric", "value"))
    if full:
        ranked = (
            MetricContribution.objects.filter(year=year)
            .annotate(
                rank=Window(
                    RowNumber(), partition_by=[F("metric")], order_by=[F("value").desc(), F("organization_id").asc()]
                )
            )
            .filter(rank__lte=top)
            .values("metric", "organization_id", "organization__name", "value")
            .order_by("metric", "rank")
        )
        for row in ranked:
            tops.setdefault(row["metric"], []).append(row)

    closed = bool(closing and closing.is_closed)
    cards = []
    for metric in METRICS:
        target = targets.get(metric.code)
        actual = actuals.get((year, metric.code))
        card = Card(
            metric=metric,
            actual=actual,
            previous=actuals.get((year - 1, metric.code)),
            minimum=target.minimum if target else None,
            stretch=target.stretch if target else None,
            monthly=monthly.get(metric.code, []),
            own=own.get(metric.code, Decimal(0)) if own_id else None,
            top=tops.get(metric.code, []),
            pipeline=pipelines.get(metric.code),
        )
        if actual is not None:
            card.status = status_of(actual, card.minimum, card.stretch, year, closed=closed)
        cards.append(card)

    overview = Overview(year=year, state=state, closing=closing, cards=cards, scope_org=scope_org, full=full)
    if full:
        overview.kinds = _breakdown(year, "organization__kind", OrganizationKind)
        overview.chains = _breakdown(year, "organization__industry_chain", IndustryChain)
    return overview


def _breakdown(year, path, choices):
    """[(label, [value per additive metric, in registry order])] summing the organisations' contributions."""
    additive = [m.code for m in ADDITIVE]
    table = {}
    rows = (
        MetricContribution.objects.filter(year=year, metric__in=additive)
        .values("metric", path)
        .annotate(v=Sum("value"))
        .order_by()
    )
    for row in rows:
        table.setdefault(row[path] or "", {})[row["metric"]] = row["v"]
    labels = dict(choices.choices)
    keys = [key for key, _label in choices.choices if key in table] + [key for key in table if key not in labels]
    return [(labels.get(key) or key or _("未填"), [table[key].get(code) for code in additive]) for key in keys]
