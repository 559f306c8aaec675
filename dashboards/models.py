"""Annual targets, the KPI snapshots written by the roll-up, and the close of a year.

The dashboards read these tables only: the counting itself lives in
dashboards/metrics.py and is run by dashboards/services.py:rollup().

Access: targets and snapshots are consortium figures; everyone signed in may read
the totals (a member user sees its own organisation's contributions only, see
``MetricContributionQuerySet``); only staff change targets or close a year.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from consortium.access import VIEW, RestrictedQuerySet

VALUE = dict(max_digits=16, decimal_places=2)


class FiguresQuerySet(RestrictedQuerySet):
    """Consortium totals: every signed-in user may read them, nobody but staff changes them."""

    def member_q(self, org_id, action):
        return Q() if action == VIEW else None


class TargetQuerySet(FiguresQuerySet):
    """Targets: read by every signed-in user, set by staff."""


class Target(models.Model):
    """The target of one metric for one year: a minimum and an optional stretch value."""

    year = models.PositiveIntegerField(_("年度"))
    metric = models.CharField(_("指标"), max_length=40)
    minimum = models.DecimalField(_("目标值"), **VALUE)
    stretch = models.DecimalField(_("挑战值"), null=True, blank=True, **VALUE, help_text=_("如“1–2个”中的 2；可不填。"))
    note = models.CharField(_("依据/说明"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()
    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("年度目标")
        verbose_name_plural = _("年度目标")
        ordering = ["-year", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "metric"],
                name="dashboards_target_unique_year_metric",
                violation_error_message=_("该年度已设置此指标的目标。"),
            ),
            models.CheckConstraint(
                condition=Q(minimum__gte=0),
                name="dashboards_target_minimum_not_negative",
                violation_error_message=_("目标值不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(stretch__isnull=True) | Q(stretch__gte=F("minimum")),
                name="dashboards_target_stretch_gte_minimum",
                violation_error_message=_("挑战值不能小于目标值。"),
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.metric_label}"

    def get_absolute_url(self):
        return reverse("dashboards:targets") + f"?year={self.year}"

    @property
    def metric_label(self):
        from .metrics import REGISTRY

        metric = REGISTRY.get(self.metric)
        return metric.label if metric else self.metric

    def clean(self):
        super().clean()
        from .metrics import REGISTRY

        errors = {}
        if self.metric and self.metric not in REGISTRY:
            errors["metric"] = _("未知的指标。")
        if self.minimum is not None and self.minimum < 0:
            errors["minimum"] = _("目标值不能为负数。")
        if self.stretch is not None and self.minimum is not None and self.stretch < self.minimum:
            errors["stretch"] = _("挑战值不能小于目标值。")
        if errors:
            raise ValidationError(errors)


class RollupState(models.Model):
    """The roll-up of one year: when its snapshot was computed, and the lock row that serialises runs."""

    year = models.PositiveIntegerField(_("年度"), unique=True)
    run = models.PositiveIntegerField(_("计算批次"), default=0)
    computed_at = models.DateTimeField(_("数据更新于"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)
    dirty_since = models.DateTimeField(_("待重新计算自"), null=True, blank=True)

    objects = FiguresQuerySet.as_manager()

    class Meta:
        verbose_name = _("指标计算状态")
        verbose_name_plural = _("指标计算状态")
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year}"


class RollupRequest(models.Model):
    """A year whose figures need a recompute, written in the transaction of the change that needs it.

    Only ever inserted by saves (so concurrent saves never wait on each other) and deleted by a
    roll-up of that year once it has succeeded: a request lost by the broker, a worker killed whole
    or a Redis restart is still here, and the sweep (dashboards.tasks.sweep_rollup_requests) runs it.
    """

    year = models.PositiveIntegerField(_("年度"), db_index=True)
    requested_at = models.DateTimeField(_("请求时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("指标重算请求")
        verbose_name_plural = _("指标重算请求")
        ordering = ["id"]

    def __str__(self):
        return f"{self.year} @ {self.requested_at}"


class SnapshotQuerySet(FiguresQuerySet):
    """Rows written by the roll-up: read by every signed-in user, never edited."""


class MetricActual(models.Model):
    """Snapshot: the year's actual value of one metric."""

    year = models.PositiveIntegerField(_("年度"))
    metric = models.CharField(_("指标"), max_length=40)
    value = models.DecimalField(_("完成值"), **VALUE)
    # Records of the year not done at the roll-up (a session that ends later): shown beside the
    # actual as the year-end forecast, never inside it. Null for metrics without a pipeline.
    pipeline = models.DecimalField(_("计划中（至年底）"), null=True, blank=True, **VALUE)
    run = models.PositiveIntegerField(_("计算批次"))

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("指标完成值")
        verbose_name_plural = _("指标完成值")
        ordering = ["year", "metric"]
        constraints = [models.UniqueConstraint(fields=["year", "metric"], name="dashboards_actual_unique")]

    def __str__(self):
        return f"{self.year} {self.metric} {self.value}"


class MetricMonthly(models.Model):
    """Snapshot: the cumulative value of one metric at the end of one month of the year."""

    year = models.PositiveIntegerField(_("年度"))
    metric = models.CharField(_("指标"), max_length=40)
    month = models.PositiveSmallIntegerField(_("月份"))
    value = models.DecimalField(_("累计值"), **VALUE)
    run = models.PositiveIntegerField(_("计算批次"))

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("指标月度累计")
        verbose_name_plural = _("指标月度累计")
        ordering = ["year", "metric", "month"]
        constraints = [
            models.UniqueConstraint(fields=["year", "metric", "month"], name="dashboards_monthly_unique"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="dashboards_monthly_month_range"),
        ]

    def __str__(self):
        return f"{self.year}-{self.month:02d} {self.metric} {self.value}"


class MetricContributionQuerySet(SnapshotQuerySet):
    def member_q(self, org_id, action):
        # A member sees its own organisation's contributions, never another's.
        return Q(organization_id=org_id) if action == VIEW else None


class MetricContribution(models.Model):
    """Snapshot: one organisation's contribution to one metric in one year."""

    year = models.PositiveIntegerField(_("年度"))
    metric = models.CharField(_("指标"), max_length=40)
    organization = models.ForeignKey(
        "members.Organization", on_delete=models.CASCADE, related_name="kpi_contributions", verbose_name=_("成员单位")
    )
    value = models.DecimalField(_("贡献值"), **VALUE)
    run = models.PositiveIntegerField(_("计算批次"))

    objects = MetricContributionQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位贡献")
        verbose_name_plural = _("单位贡献")
        ordering = ["year", "metric", "-value"]
        constraints = [
            models.UniqueConstraint(fields=["year", "metric", "organization"], name="dashboards_contribution_unique"),
        ]
        indexes = [models.Index(fields=["year", "run"], name="dashboards_contrib_year_run")]

    def __str__(self):
        return f"{self.year} {self.metric} {self.organization_id} {self.value}"


class YearCloseQuerySet(FiguresQuerySet):
    def closed_years(self):
        return self.filter(is_closed=True).values_list("year", flat=True)


class YearClose(models.Model):
    """Whether a year's figures are closed (frozen): the roll-up no longer overwrites them."""

    year = models.PositiveIntegerField(_("年度"), unique=True)
    is_closed = models.BooleanField(_("已关账"), default=False)
    closed_at = models.DateTimeField(_("关账时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        "members.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("关账人")
    )

    history = HistoricalRecords()
    objects = YearCloseQuerySet.as_manager()

    class Meta:
        verbose_name = _("年度关账")
        verbose_name_plural = _("年度关账")
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year}"

    def get_absolute_url(self):
        return reverse("dashboards:overview") + f"?year={self.year}"


class YearCloseEvent(models.Model):
    """One close or reopen of a year: who, when and why."""

    class Action(models.TextChoices):
        CLOSE = "close", _("关账")
        REOPEN = "reopen", _("重新开放")

    year = models.PositiveIntegerField(_("年度"))
    action = models.CharField(_("操作"), max_length=8, choices=Action.choices)
    reason = models.TextField(_("原因"), blank=True)
    actor = models.ForeignKey(
        "members.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("操作人")
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = FiguresQuerySet.as_manager()

    class Meta:
        verbose_name = _("关账记录")
        verbose_name_plural = _("关账记录")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action="close") | ~Q(reason=""),
                name="dashboards_reopen_has_reason",
                violation_error_message=_("重新开放必须填写原因。"),
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.get_action_display()}"
