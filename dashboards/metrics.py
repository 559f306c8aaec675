"""The registry of KPI metrics: what each figure counts, by the rules (口径) of DOMAIN.md.

Every metric answers, with SQL aggregates only:
- ``actual(year)``: the figure for the year;
- ``monthly(year)``: the cumulative figure at the end of each month (one GROUP BY query),
  or None for metrics that have no date finer than the year;
- ``by_organization(year)``: {organisation id: contribution} (``values(org).annotate()``);
- ``records(year)``: the queryset behind the figure, for the drill-down.

"In the year" is the calendar year in Asia/Shanghai: the boundaries are aware
datetimes at Shanghai midnight (dates for date fields), never ``__year`` lookups,
which a database in UTC would evaluate eight hours off. Months are bucketed with a
CASE over the same boundaries, which every database evaluates natively (TruncMonth
on SQLite calls a Python function per row).

Done, not planned (DOMAIN.md, 口径): a record counts once its date is reached at ``now``
(a session has ended, a project was accepted, a platform established: date ≤ now, or
≤ today in Shanghai for a date). What the year still holds after ``now`` is the
*pipeline* (``pipeline(year)``), shown beside the actual, never inside it. Every function
takes ``now`` so that one roll-up counts the actual and the pipeline at the same instant.

Shared records credit every party: a metric with a ``partner_field`` credits the lead
organisation and each partner once per record, so organisations' contributions may add
up to more than the total.

Adding a metric means adding one entry to METRICS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import connection, models
from django.db.models import Case, Count, F, IntegerField, Min, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Collate
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from members.models import MembershipEvent, MembershipStatus, Organization
from projects.models import Agreement, AgreementStatus, Platform, PlatformKind, Project
from training.models import (
    PERSON_TIMES,
    SKILL_TRAINING_KINDS,
    DualTeacherRecognition,
    DualTeacherTraining,
    GuestProfessor,
    OrderClass,
    Trainee,
    TrainingKind,
    TrainingSession,
    employment_rate_percent,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTHS = range(1, 13)


def year_start(year):
    return datetime(year, 1, 1, tzinfo=SHANGHAI)


def month_boundaries(year, as_date=False):
    """The 13 boundaries [Jan 1, Feb 1, …, Dec 1, next Jan 1] of the year in Shanghai time."""
    points = [(year, m) for m in MONTHS] + [(year + 1, 1)]
    if as_date:
        return [date(y, m, 1) for y, m in points]
    return [datetime(y, m, 1, tzinfo=SHANGHAI) for y, m in points]


def to_decimal(value):
    if value is None:
        return Decimal(0)
    return value if isinstance(value, Decimal) else Decimal(value)


def cumulate(per_month):
    """[value of Jan, …, Dec] -> the running totals at the end of each month."""
    total, out = Decimal(0), []
    for value in per_month:
        total += to_decimal(value)
        out.append(total)
    return out


@dataclass(frozen=True)
class Column:
    """A column of the drill-down table: header and attribute path (or callable)."""

    header: StrOrPromise
    accessor: object


@dataclass(frozen=True, kw_only=True)
class Metric:
    """A metric counted from the rows of one model dated by one field.

    ``value`` is "count" (rows), "sum" (of ``expression``) or "distinct" (distinct
    ``key``). ``org_field`` is the path to the contributing organisation.
    """

    code: str
    label: StrOrPromise
    unit: StrOrPromise
    model: type[models.Model]
    date_field: str
    org_field: str
    description: StrOrPromise = ""
    value: str = "count"
    expression: object = None
    key: str = ""
    # The model's QuerySet methods that pick the records the figure may count, whatever their date
    # (sessions not cancelled and of the skill-training kinds, say): the rule stays on the model.
    select: Callable[[Any], QuerySet] | None = None
    select_related: tuple = ()
    columns: tuple = ()
    has_target: bool = True
    group: StrOrPromise = ""
    # Models whose saves and deletes change the figure, each with the path to the date
    # that places the change in a year (see dashboards/signals.py).
    depends_on: tuple = ()
    is_ratio: bool = False
    # (records, now) -> the records done at now, where being done needs more than the date (a
    # dual-qualified training tied to a session counts once the session has ended): a QuerySet method.
    done: Callable[[Any, datetime], QuerySet] | None = None
    # The path to the other parties of a shared record (partners, parties, co-builders).
    partner_field: str = ""
    # The kinds the figure counts, shown with its definition on the drill-down page.
    counted_kinds: tuple = ()

    # --- plumbing -----------------------------------------------------------

    @property
    def is_date(self):
        """Whether the dating field is a DateField (else an aware DateTimeField)."""
        model = self.model
        parts = self.date_field.split("__")
        for part in parts[:-1]:
            model = model._meta.get_field(part).related_model
        return not isinstance(model._meta.get_field(parts[-1]), models.DateTimeField)

    def bounds(self, year):
        points = month_boundaries(year, as_date=self.is_date)
        return points[0], points[-1]

    def cutoff(self, now):
        """The last instant (or day, for a date field) that counts as done at ``now``."""
        return timezone.localdate(now, SHANGHAI) if self.is_date else now

    def selected(self):
        """The records the figure may count, done or scheduled."""
        qs = self.model._default_manager.all()
        return self.select(qs) if self.select else qs

    def base(self, now=None):
        qs = self.selected()
        if self.done:
            qs = self.done(qs, now or timezone.now())
        return qs

    def in_year(self, year, now=None):
        """The year's records done at ``now``: what the actual counts."""
        now = now or timezone.now()
        start, end = self.bounds(year)
        cutoff = self.cutoff(now)
        qs = self.base(now).filter(**{f"{self.date_field}__gte": start})
        if cutoff < end:  # the current (or a future) year: only up to now
            return qs.filter(**{f"{self.date_field}__lte": cutoff})
        return qs.filter(**{f"{self.date_field}__lt": end})

    @property
    def has_pipeline(self):
        """Whether records scheduled later in the year make a pipeline figure (not for distinct counts)."""
        return self.value != "distinct"

    def scheduled(self, year, now=None):
        """The year's records dated after ``now`` (not cancelled): the pipeline, never in the actual."""
        now = now or timezone.now()
        start, end = self.bounds(year)
        later = {
            f"{self.date_field}__gt": self.cutoff(now),
            f"{self.date_field}__gte": start,
            f"{self.date_field}__lt": end,
        }
        return self.selected().filter(**later)

    def pipeline(self, year, now=None):
        """The pipeline figure to the year's end, or None for metrics that have none."""
        if not self.has_pipeline:
            return None
        now = now or timezone.now()
        if self.cutoff(now) >= self.bounds(year)[1]:  # a past year has nothing left scheduled
            return Decimal(0)
        return to_decimal(self.scheduled(year, now).aggregate(v=self.aggregate_expression())["v"])

    def party_q(self, org_id):
        """Records the organisation takes part in: as lead, or as a partner of a shared record."""
        q = Q(**{self.org_field: org_id})
        if self.partner_field:
            q |= Q(**{self.partner_field: org_id})
        return q

    def _grouped(self, qs, path):
        rows = qs.values(path).annotate(v=self.aggregate_expression()).order_by()
        return {row[path]: to_decimal(row["v"]) for row in rows if row[path] is not None}

    def _credit_partners(self, qs, by_org):
        """Add the partners' credit, each party once per record: lead + partners − (lead among partners).

        Three GROUP BY queries over organisations, no loop over records.
        """
        if not self.partner_field:
            return by_org
        credit = dict(by_org)
        for org, value in self._grouped(qs, self.partner_field).items():
            credit[org] = credit.get(org, Decimal(0)) + value
        both = qs.filter(**{self.partner_field: F(self.org_field)})
        for org, value in self._grouped(both, self.org_field).items():
            credit[org] -= value
        return {org: value for org, value in credit.items() if value}

    def aggregate_expression(self):
        if self.value == "sum":
            return Sum(self.expression)
        if self.value == "distinct":
            return Count(self.distinct_key(), distinct=True)
        return Count("pk")

    def distinct_key(self):
        # COUNT(DISTINCT text) sorts; byte order ("C") sorts several times faster than a
        # linguistic collation and gives the same count for keys compared for equality.
        field = self._field(self.key)
        if connection.vendor == "postgresql" and isinstance(field, (models.CharField, models.TextField)):
            return Collate(self.key, "C")
        return F(self.key)

    def _field(self, path):
        model = self.model
        parts = path.split("__")
        for part in parts[:-1]:
            model = model._meta.get_field(part).related_model
        return model._meta.get_field(parts[-1])

    def month_bucket(self, year):
        """CASE WHEN date < Feb 1 THEN 1 WHEN date < Mar 1 THEN 2 … END (rows already in the year)."""
        points = month_boundaries(year, as_date=self.is_date)
        whens = [When(**{f"{self.date_field}__lt": points[m]}, then=Value(m)) for m in range(1, 12)]
        return Case(*whens, default=Value(12), output_field=IntegerField())

    # --- the four functions --------------------------------------------------

    def actual(self, year, now=None):
        return to_decimal(self.in_year(year, now).aggregate(v=self.aggregate_expression())["v"])

    def monthly(self, year, now=None):
        if self.value == "distinct":
            return self._monthly_distinct(year, now)
        rows = (
            self.in_year(year, now)
            .annotate(kpi_month=self.month_bucket(year))
            .values("kpi_month")
            .annotate(v=self.aggregate_expression())
            .order_by()
        )
        per_month = dict.fromkeys(MONTHS, 0)
        for row in rows:
            per_month[row["kpi_month"]] = row["v"]
        return cumulate(per_month[m] for m in MONTHS)

    def _monthly_distinct(self, year, now=None):
        # Each key counts once, in the month it first appears: the cumulative count at the
        # end of month m is the number of keys whose first date is before month m+1.
        points = month_boundaries(year, as_date=self.is_date)
        firsts = self.in_year(year, now).values(self.key).annotate(kpi_first=Min(self.date_field)).order_by()
        result = firsts.aggregate(**{f"m{m}": Count(self.key, filter=Q(kpi_first__lt=points[m])) for m in MONTHS})
        return [to_decimal(result[f"m{m}"]) for m in MONTHS]

    def by_organization(self, year, now=None):
        qs = self.in_year(year, now)
        rows = (
            qs.values(self.org_field)
            .annotate(v=self.aggregate_expression())
            .order_by()
            .filter(**{f"{self.org_field}__isnull": False})
        )
        return self._credit_partners(qs, {row[self.org_field]: to_decimal(row["v"]) for row in rows})

    def records(self, year, now=None):
        qs = self.in_year(year, now)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        return qs

    def scheduled_records(self, year, now=None):
        qs = self.scheduled(year, now)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        return qs

    def compute(self, year, now=None):
        """(actual, monthly or None, by organisation) in as few queries as the metric allows.

        Counts and sums come from one GROUP BY (organisation, month) query, one scan of the
        year's rows; the twelve monthly and the per-organisation figures are sums of its
        (at most organisations × 12) rows. Distinct counts cannot be added up that way.
        """
        now = now or timezone.now()
        if self.value == "distinct":
            monthly = self.monthly(year, now)
            return monthly[-1], monthly, self.by_organization(year, now)
        qs = self.in_year(year, now)
        rows = (
            qs.annotate(kpi_month=self.month_bucket(year))
            .values(self.org_field, "kpi_month")
            .annotate(v=self.aggregate_expression())
            .order_by()
        )
        per_month = dict.fromkeys(MONTHS, Decimal(0))
        by_org = {}
        for row in rows:
            value = to_decimal(row["v"])
            per_month[row["kpi_month"]] += value
            org = row[self.org_field]
            if org is not None:
                by_org[org] = by_org.get(org, Decimal(0)) + value
        monthly = cumulate(per_month[m] for m in MONTHS)
        return monthly[-1], monthly, self._credit_partners(qs, {org: v for org, v in by_org.items() if v})


@dataclass(frozen=True, kw_only=True)
class YearMetric(Metric):
    """A metric whose records carry years, not a date: the model's QuerySet method ``selector(year)``
    picks the year's records (order classes running in the year, or new in it)."""

    selector: Callable[[Any, int], QuerySet] | None = None

    def in_year(self, year, now=None):
        return self.selector(self.base(), year)

    @property
    def is_date(self):
        return True

    @property
    def has_pipeline(self):
        return False

    def monthly(self, year, now=None):
        return None

    def compute(self, year, now=None):
        return self.actual(year), None, self.by_organization(year)


@dataclass(frozen=True, kw_only=True)
class RatioMetric(YearMetric):
    """A percentage: ``rate`` (a QuerySet method) over the year's records, and ``rate_of(Σ numerator,
    Σ denominator)`` per organisation: the same formula as the QuerySet method uses."""

    numerator: str = ""
    denominator: str = ""
    rate: Callable[[Any], Decimal | None] | None = None
    rate_of: object = None
    is_ratio: bool = True

    def in_year(self, year, now=None):
        return self.base().filter(**{f"{self.date_field}__lte": year, f"{self.denominator}__gt": 0})

    def aggregate_expression(self):
        return None

    def actual(self, year, now=None):
        return to_decimal(self.rate(self.in_year(year)))

    def by_organization(self, year, now=None):
        # Σ numerator and Σ denominator per party (lead + partners − both), then the rate of each.
        qs = self.in_year(year)
        sums = {}

        def add(rows, path, sign):
            for row in rows:
                if row[path] is not None:
                    n, d = sums.get(row[path], (0, 0))
                    sums[row[path]] = (n + sign * (row["n"] or 0), d + sign * (row["d"] or 0))

        def grouped(queryset, path):
            return queryset.values(path).annotate(n=Sum(self.numerator), d=Sum(self.denominator)).order_by()

        add(grouped(qs, self.org_field), self.org_field, 1)
        if self.partner_field:
            add(grouped(qs, self.partner_field), self.partner_field, 1)
            add(grouped(qs.filter(**{self.partner_field: F(self.org_field)}), self.org_field), self.org_field, -1)
        return {org: to_decimal(self.rate_of(n, d)) for org, (n, d) in sums.items() if d}


@dataclass(frozen=True, kw_only=True)
class ActiveMembersMetric(Metric):
    """Member organisations whose membership is active (admitted) at the end of each month.

    The state at a date is the target status of the organisation's last membership step
    dated on or before it; an organisation without any step counts by its current status.
    """

    def _active_q(self, point, alias):
        # point is the first day after the period; the state is taken at the day before.
        return Q(**{alias: MembershipStatus.ADMITTED}) | (
            Q(**{f"{alias}__isnull": True}, status=MembershipStatus.ADMITTED)
            & (Q(status_changed_on__isnull=True) | Q(status_changed_on__lt=point))
        )

    def _annotated(self, points):
        qs = self.base()
        for i, point in enumerate(points):
            last = (
                MembershipEvent.objects.filter(organization=OuterRef("pk"), date__lt=point)
                .order_by("-date", "-id")
                .values("to_status")[:1]
            )
            qs = qs.annotate(**{f"kpi_state_{i}": Subquery(last)})
        return qs

    @property
    def is_date(self):
        return True

    @property
    def has_pipeline(self):
        return False

    def in_year(self, year, now=None):
        end = month_boundaries(year, as_date=True)[-1]
        return self._annotated([end]).filter(self._active_q(end, "kpi_state_0"))

    def actual(self, year, now=None):
        return to_decimal(self.in_year(year).count())

    def monthly(self, year, now=None):
        points = month_boundaries(year, as_date=True)[1:]
        result = self._annotated(points).aggregate(
            **{f"m{i}": Count("pk", filter=self._active_q(point, f"kpi_state_{i}")) for i, point in enumerate(points)}
        )
        return [to_decimal(result[f"m{i}"]) for i in range(12)]

    def by_organization(self, year, now=None):
        return dict.fromkeys(self.in_year(year).values_list("pk", flat=True), Decimal(1))

    def compute(self, year, now=None):
        monthly = self.monthly(year)
        return monthly[-1], monthly, self.by_organization(year)


SKILL_KINDS_LABELS = tuple(TrainingKind(kind).label for kind in SKILL_TRAINING_KINDS)
SESSION_COLUMNS = (
    Column(_("培训名称"), "title"),
    Column(_("类型"), "kind"),
    Column(_("承办单位"), "provider"),
    Column(_("结束时间"), "ends_at"),
    Column(_("状态"), "status"),
    Column(_("学员名单人数"), "trainee_count"),
    Column(_("申报人数"), "declared_headcount"),
    Column(_("人次"), "person_times"),
)
PLATFORM_COLUMNS = (
    Column(_("平台名称"), "name"),
    Column(_("级别"), "level"),
    Column(_("牵头单位"), "lead_organization"),
    Column(_("建成/认定日期"), "established_on"),
)

ORDER_CLASS_COLUMNS = (
    Column(_("班级名称"), "name"),
    Column(_("学校"), "school"),
    Column(_("订单企业"), "enterprise"),
    Column(_("专业"), "major"),
    Column(_("招生年份"), "intake_year"),
    Column(_("毕业年份"), "last_year"),
    Column(_("实际招收"), "enrolled"),
)


def platform_metric(code, label, kind):
    return Metric(
        code=code,
        label=label,
        unit=_("个"),
        group=_("共建平台"),
        model=Platform,
        date_field="established_on",
        org_field="lead_organization",
        partner_field="organizations",
        select=lambda platforms: platforms.established().filter(kind=kind),
        select_related=("lead_organization",),
        columns=PLATFORM_COLUMNS,
        description=format_lazy(
            _(
                "经联合体工作人员确认、当年已建成/认定（建成日期在当年且不晚于今天）的{kind}；"
                "成员单位登记后待确认或未予确认的不计入；"
                "计划在年内稍后建成的计入“计划中”。牵头单位和共建单位各计一次。"
            ),
            kind=label,
        ),
        depends_on=((Platform, "established_on"),),
    )


METRICS = [
    Metric(
        code="projects_completed",
        label=_("校企合作项目结项"),
        unit=_("项"),
        group=_("项目"),
        model=Project,
        date_field="completed_on",
        org_field="lead_organization",
        partner_field="partners",
        select=lambda projects: projects.accepted(),
        select_related=("lead_organization",),
        description=_(
            "状态为已结项验收或成果已应用、结项验收日期在当年且不晚于今天的项目；牵头单位和参与单位各计一次。"
        ),
        columns=(
            Column(_("项目名称"), "title"),
            Column(_("类型"), "kind"),
            Column(_("牵头单位"), "lead_organization"),
            Column(_("状态"), "status"),
            Column(_("结项验收日期"), "completed_on"),
        ),
        depends_on=((Project, "completed_on"),),
    ),
    Metric(
        code="training_person_times",
        label=_("培训人次"),
        unit=_("人次"),
        group=_("培训"),
        model=TrainingSession,
        date_field="ends_at",
        org_field="provider",
        value="sum",
        expression=PERSON_TIMES,
        select=lambda sessions: sessions.counted().skill_training(),
        select_related=("provider",),
        counted_kinds=SKILL_KINDS_LABELS,
        description=_(
            "职业技能培训口径：当年（北京时间）已结束、未取消的职业技能培训和企业职工岗位培训，"
            "有学员名单的按名单人数，否则按申报人数；按承办单位计。年内尚未结束的培训计入“计划中”，"
            "不计入完成值；教师培训计入双师型指标，学生实践实训单独统计。"
        ),
        columns=SESSION_COLUMNS,
        depends_on=((TrainingSession, "ends_at"), (Trainee, "session__ends_at")),
    ),
    Metric(
        code="training_persons",
        label=_("培训人数（去重）"),
        unit=_("人"),
        group=_("培训"),
        has_target=False,
        model=Trainee,
        date_field="session__ends_at",
        org_field="session__provider",
        value="distinct",
        key="person_key",
        select=lambda trainees: trainees.of_counted_skill_training(),
        select_related=("session", "session__provider"),
        counted_kinds=SKILL_KINDS_LABELS,
        description=_(
            "与培训人次同一口径的培训（当年已结束、未取消）学员名单中的不同人员（按身份证号摘要或姓名+手机识别）；"
            "单位贡献按各单位去重，合计可大于总数。"
        ),
        columns=(
            Column(_("姓名"), "name"),
            Column(_("身份证号"), "id_number_masked"),
            Column(_("培训"), "session"),
            Column(_("承办单位"), "session.provider"),
            Column(_("结束时间"), "session.ends_at"),
        ),
        depends_on=((TrainingSession, "ends_at"), (Trainee, "session__ends_at")),
    ),
    Metric(
        code="student_practice_person_times",
        label=_("学生实践实训人次"),
        unit=_("人次"),
        group=_("培训"),
        has_target=False,
        model=TrainingSession,
        date_field="ends_at",
        org_field="provider",
        value="sum",
        expression=PERSON_TIMES,
        select=lambda sessions: sessions.counted().filter(kind=TrainingKind.STUDENT_PRACTICE),
        select_related=("provider",),
        counted_kinds=(TrainingKind.STUDENT_PRACTICE.label,),
        description=_(
            "当年（北京时间）已结束、未取消的学生实践实训：有学员名单的按名单人数，否则按申报人数；"
            "按承办单位计。年内尚未结束的计入“计划中”。不计入职业技能培训人次。"
        ),
        columns=SESSION_COLUMNS,
        depends_on=((TrainingSession, "ends_at"), (Trainee, "session__ends_at")),
    ),
    Metric(
        code="dual_teachers_trained",
        label=_("双师型教师培训（去重）"),
        unit=_("人"),
        group=_("双师型教师"),
        model=DualTeacherTraining,
        date_field="completed_on",
        org_field="teacher__school",
        value="distinct",
        key="teacher",
        done=lambda trainings, now: trainings.completed(now),
        select_related=("teacher", "teacher__school", "provider"),
        description=_(
            "当年完成双师型培训的不同教师，同一教师一年内培训多次只计一次；按教师所在学校计。"
            "关联培训的记录在该培训结束且未取消后才计入，未关联培训的按完成日期（不晚于今天）计入。"
        ),
        columns=(
            Column(_("教师"), "teacher"),
            Column(_("学校"), "teacher.school"),
            Column(_("完成日期"), "completed_on"),
            Column(_("学时"), "hours"),
            Column(_("培训单位"), "provider"),
        ),
        depends_on=((DualTeacherTraining, "completed_on"), (TrainingSession, "ends_at")),
    ),
    Metric(
        code="dual_teacher_recognitions",
        label=_("双师型教师认定"),
        unit=_("人次"),
        group=_("双师型教师"),
        has_target=False,
        model=DualTeacherRecognition,
        date_field="recognized_on",
        org_field="teacher__school",
        select_related=("teacher", "teacher__school"),
        description=_("认定日期在当年的双师型认定（初级、中级、高级），按教师所在学校计。"),
        columns=(
            Column(_("教师"), "teacher"),
            Column(_("学校"), "teacher.school"),
            Column(_("等级"), "level"),
            Column(_("认定日期"), "recognized_on"),
            Column(_("认定机构"), "body"),
        ),
        depends_on=((DualTeacherRecognition, "recognized_on"),),
    ),
    platform_metric("key_labs", _("重点实验室"), PlatformKind.KEY_LAB),
    platform_metric("resource_libraries", _("专业教学资源库"), PlatformKind.RESOURCE_LIBRARY),
    platform_metric("practice_centers", _("区域产教融合实践中心"), PlatformKind.PRACTICE_CENTER),
    Metric(
        code="agreements_verified",
        label=_("合作协议核验"),
        unit=_("份"),
        group=_("协议"),
        has_target=False,
        model=Agreement,
        date_field="verified_at",
        org_field="organization",
        partner_field="parties",
        select=lambda agreements: agreements.filter(status=AgreementStatus.VERIFIED),
        select_related=("organization",),
        description=_("状态为已核验、核验时间在当年（北京时间）的合作协议；登记单位和协议各方各计一次。"),
        columns=(
            Column(_("协议名称"), "title"),
            Column(_("类型"), "kind"),
            Column(_("登记单位"), "organization"),
            Column(_("签订日期"), "signed_on"),
            Column(_("核验时间"), "verified_at"),
        ),
        depends_on=((Agreement, "verified_at"),),
    ),
    YearMetric(
        code="order_classes_running",
        label=_("在办订单班"),
        unit=_("个"),
        group=_("订单班"),
        has_target=False,
        model=OrderClass,
        date_field="intake_year",
        org_field="school",
        partner_field="enterprise",
        selector=lambda classes, year: classes.running_in(year),
        select_related=("school", "enterprise"),
        description=_(
            "当年在办的订单班：招生年份不晚于当年、毕业年份不早于当年（未填毕业年份按招生年份 + 3）；"
            "学校和订单企业各计一次。同比与上年在办数比较。"
        ),
        columns=ORDER_CLASS_COLUMNS,
        depends_on=((OrderClass, "intake_year"), (OrderClass, "graduation_year")),
    ),
    YearMetric(
        code="order_classes_new",
        label=_("新增订单班"),
        unit=_("个"),
        group=_("订单班"),
        has_target=False,
        model=OrderClass,
        date_field="intake_year",
        org_field="school",
        partner_field="enterprise",
        selector=lambda classes, year: classes.new_in(year),
        select_related=("school", "enterprise"),
        description=_("招生年份为当年的订单班；学校和订单企业各计一次。"),
        columns=ORDER_CLASS_COLUMNS,
        depends_on=((OrderClass, "intake_year"),),
    ),
    RatioMetric(
        code="order_employment_rate",
        label=_("订单班就业率"),
        unit="%",
        group=_("订单班"),
        has_target=False,
        model=OrderClass,
        date_field="intake_year",
        org_field="school",
        partner_field="enterprise",
        numerator="employed",
        denominator="graduated",
        rate=lambda classes: classes.employment_rate(),
        rate_of=employment_rate_percent,
        select_related=("school", "enterprise"),
        description=_(
            "截至当年：招生年份不晚于当年且已有毕业生的订单班，Σ订单企业录用人数 ÷ Σ毕业人数"
            "（与订单班列表页同一算法）；学校和订单企业各按其订单班计。"
        ),
        columns=(
            Column(_("班级名称"), "name"),
            Column(_("学校"), "school"),
            Column(_("订单企业"), "enterprise"),
            Column(_("招生年份"), "intake_year"),
            Column(_("毕业人数"), "graduated"),
            Column(_("订单企业录用"), "employed"),
            Column(_("就业率（%）"), "employment_rate_percent"),
        ),
        depends_on=((OrderClass, "intake_year"),),
    ),
    Metric(
        code="guest_professors",
        label=_("客座教授聘任"),
        unit=_("人"),
        group=_("订单班"),
        has_target=False,
        model=GuestProfessor,
        date_field="appointed_on",
        org_field="enterprise",
        select_related=("enterprise", "order_class"),
        description=_("聘任日期在当年的客座教授/产业导师，按所在企业计。"),
        columns=(
            Column(_("姓名"), "name"),
            Column(_("所在企业"), "enterprise"),
            Column(_("订单班"), "order_class"),
            Column(_("职务/称号"), "title"),
            Column(_("聘任日期"), "appointed_on"),
        ),
        depends_on=((GuestProfessor, "appointed_on"),),
    ),
    ActiveMembersMetric(
        code="active_members",
        label=_("在册成员单位"),
        unit=_("家"),
        group=_("成员"),
        has_target=False,
        model=Organization,
        date_field="status_changed_on",
        org_field="pk",
        description=_("年末（当年为截至目前）成员状态为已入会的成员单位；按单位类型见分类统计。"),
        columns=(
            Column(_("单位名称"), "name"),
            Column(_("单位类型"), "kind"),
            Column(_("产业链"), "industry_chain"),
            Column(_("理事会职务"), "council_role"),
            Column(_("成员状态"), "status"),
        ),
        depends_on=((Organization, "status_changed_on"), (MembershipEvent, "date")),
    ),
]

REGISTRY = {metric.code: metric for metric in METRICS}
assert len(REGISTRY) == len(METRICS), "metric codes must be unique"


def get(code):
    return REGISTRY[code]


def choices():
    return [(m.code, m.label) for m in METRICS]
