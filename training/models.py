"""Order classes, training sessions and their trainees, teachers and dual-qualified records,
exchange visits.

Access (``member_q``), decided per model:
- OrderClass: a member sees classes where it is the school or the enterprise; it may change the
  classes where it is the school (the school runs the class). Both sides MAINTAIN the class: its
  funnel figures and its guest professors (training.services.update_funnel).
- GuestProfessor: visible with its order class; changeable by both sides of the class.
- TrainingSession: a member sees sessions it provides or benefits from; it may change the sessions
  it provides (and import their trainee lists).
- Trainee / TraineeImport: visible and changeable with their session.
- Teacher and the three dual-qualified records: a member school sees and changes its own teachers.
- ExchangeVisit: a member sees visits it made or received; it may change the visits it made.
Staff change everything; leadership reads everything and changes nothing.
"""

import re
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, Sum, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from consortium.access import VIEW, RestrictedQuerySet, is_writer, member_org_id
from members.models import OrganizationKind

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _org_is_school(org):
    return org is not None and org.kind in OrganizationKind.schools()


def _org_is_enterprise(org):
    return org is not None and org.kind == OrganizationKind.ENTERPRISE


# ---------------------------------------------------------------------------
# Order classes
# ---------------------------------------------------------------------------


class OrderClassMode(models.TextChoices):
    ORDER = "order", _("订单培养")
    APPRENTICESHIP = "apprenticeship", _("现代学徒制")
    CROWN = "crown", _("冠名班")
    OTHER = "other", _("其他")


# A class without a graduation year is taken to run the three years of a 高职 programme.
DEFAULT_PROGRAMME_YEARS = 3

# What both sides of an order class keep up to date: its funnel figures and its guest professors.
# The other fields (name, school, enterprise, agreement, major, years) are the school's (CHANGE).
MAINTAIN = "maintain"
FUNNEL_FIELDS = ("planned", "enrolled", "graduated", "employed")


class OrderClassQuerySet(RestrictedQuerySet):
    def member_q(self, org_id, action):
        if action in (VIEW, MAINTAIN):
            return models.Q(school_id=org_id) | models.Q(enterprise_id=org_id)
        return models.Q(school_id=org_id)

    def new_in(self, year):
        """Classes whose intake is in the year (新增订单班)."""
        return self.filter(intake_year=year)

    def running_in(self, year):
        """Classes running in the year: from the intake year to the graduation year, both included."""
        return self.filter(intake_year__lte=year).filter(
            models.Q(graduation_year__gte=year)
            | models.Q(graduation_year__isnull=True, intake_year__gte=year - DEFAULT_PROGRAMME_YEARS)
        )

    def with_graduates(self):
        return self.filter(graduated__gt=0)

    def employment_rate(self):
        """The order employment rate of these classes, in per cent: Σ employed ÷ Σ graduated over the
        classes with graduates (None when none has graduated). The dashboard and the list use this."""
        sums = self.with_graduates().aggregate(employed=Sum("employed"), graduated=Sum("graduated"))
        return employment_rate_percent(sums["employed"], sums["graduated"])


def employment_rate_percent(employed, graduated):
    """100 × employed ÷ graduated to two decimals, None without graduates."""
    if not graduated:
        return None
    return (Decimal(100) * Decimal(employed or 0) / Decimal(graduated)).quantize(Decimal("0.01"))


class OrderClass(models.Model):
    """An order class (订单班): an enterprise sponsors a class at a school, with its funnel."""

    name = models.CharField(_("班级名称"), max_length=200)
    enterprise = models.ForeignKey(
        "members.Organization",
        on_delete=models.PROTECT,
        related_name="sponsored_order_classes",
        verbose_name=_("订单企业"),
    )
    school = models.ForeignKey(
        "members.Organization",
        on_delete=models.PROTECT,
        related_name="order_classes",
        verbose_name=_("学校"),
    )
    major = models.CharField(_("专业"), max_length=100)
    intake_year = models.PositiveIntegerField(_("招生年份"))
    graduation_year = models.PositiveIntegerField(
        _("毕业年份"),
        null=True,
        blank=True,
        help_text=_("留空按学制三年计（招生年份 + 3）。"),
    )
    agreement = models.ForeignKey(
        "projects.Agreement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="order_classes",
        verbose_name=_("合作协议"),
    )
    mode = models.CharField(_("培养模式"), max_length=32, choices=OrderClassMode.choices, default=OrderClassMode.ORDER)
    planned = models.PositiveIntegerField(_("计划人数"), default=0)
    enrolled = models.PositiveIntegerField(_("实际招收"), default=0)
    graduated = models.PositiveIntegerField(_("毕业人数"), default=0)
    employed = models.PositiveIntegerField(_("订单企业录用"), default=0)
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()
    objects = OrderClassQuerySet.as_manager()

    class Meta:
        verbose_name = _("订单班")
        verbose_name_plural = _("订单班")
        ordering = ["-intake_year", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(graduation_year__isnull=True) | models.Q(graduation_year__gte=F("intake_year")),
                name="orderclass_graduation_after_intake",
                violation_error_message=_("毕业年份不能早于招生年份。"),
            ),
            models.CheckConstraint(
                condition=models.Q(graduated__lte=F("enrolled")),
                name="orderclass_graduated_lte_enrolled",
                violation_error_message=_("毕业人数不能多于实际招收人数。"),
            ),
            models.CheckConstraint(
                condition=models.Q(employed__lte=F("graduated")),
                name="orderclass_employed_lte_graduated",
                violation_error_message=_("订单企业录用人数不能多于毕业人数。"),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("training:orderclass_detail", args=[self.pk])

    @classmethod
    def user_can_create(cls, user):
        return is_writer(user) or _member_is_school(user)

    def clean(self):
        super().clean()
        errors = {}
        if self.enterprise_id and not _org_is_enterprise(self.enterprise):
            errors["enterprise"] = _("订单企业必须是企业类成员单位。")
        if self.school_id and not _org_is_school(self.school):
            errors["school"] = _("学校必须是院校类成员单位。")
        if self.graduation_year and self.intake_year and self.graduation_year < self.intake_year:
            errors["graduation_year"] = _("毕业年份不能早于招生年份。")
        if self.graduated is not None and self.enrolled is not None and self.graduated > self.enrolled:
            errors["graduated"] = _("毕业人数不能多于实际招收人数。")
        if self.employed is not None and self.graduated is not None and self.employed > self.graduated:
            errors["employed"] = _("订单企业录用人数不能多于毕业人数。")
        if errors:
            raise ValidationError(errors)

    @property
    def last_year(self):
        """The last year the class runs: its graduation year, or intake + the default programme length."""
        return self.graduation_year or self.intake_year + DEFAULT_PROGRAMME_YEARS

    @property
    def employment_rate(self):
        """Order employment rate: employed ÷ graduated (None before anyone graduates)."""
        if not self.graduated:
            return None
        return Decimal(self.employed) / Decimal(self.graduated)

    @property
    def employment_rate_percent(self):
        return employment_rate_percent(self.employed, self.graduated)


class GuestProfessorQuerySet(RestrictedQuerySet):
    def member_q(self, org_id, action):
        # Both sides of the class appoint, edit and remove its guest professors.
        return models.Q(order_class__school_id=org_id) | models.Q(order_class__enterprise_id=org_id)


class GuestProfessor(models.Model):
    """An enterprise expert appointed guest professor (客座教授/产业导师) of an order class: 人才互聘."""

    order_class = models.ForeignKey(
        OrderClass,
        on_delete=models.CASCADE,
        related_name="guest_professors",
        verbose_name=_("订单班"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    enterprise = models.ForeignKey(
        "members.Organization",
        on_delete=models.PROTECT,
        related_name="guest_professors",
        verbose_name=_("所在企业"),
    )
    title = models.CharField(_("职务/称号"), max_length=200, blank=True)
    appointed_on = models.DateField(_("聘任日期"))
    ends_on = models.DateField(_("聘期结束"), null=True, blank=True)

    history = HistoricalRecords()
    objects = GuestProfessorQuerySet.as_manager()

    class Meta:
        verbose_name = _("客座教授")
        verbose_name_plural = _("客座教授")
        ordering = ["order_class", "appointed_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=F("appointed_on")),
                name="guestprofessor_ends_after_appointed",
                violation_error_message=_("聘期结束日期不能早于聘任日期。"),
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.order_class}）"

    def get_absolute_url(self):
        return reverse("training:orderclass_detail", args=[self.order_class_id])

    @classmethod
    def user_can_create(cls, user):
        return is_writer(user) or _member_is_school(user) or _org_is_enterprise(_member_org(user))

    def clean(self):
        super().clean()
        errors = {}
        if self.enterprise_id and not _org_is_enterprise(self.enterprise):
            errors["enterprise"] = _("客座教授必须来自企业类成员单位。")
        if self.ends_on and self.appointed_on and self.ends_on < self.appointed_on:
            errors["ends_on"] = _("聘期结束日期不能早于聘任日期。")
        if errors:
            raise ValidationError(errors)


# ---------------------------------------------------------------------------
# Training sessions and trainees
# ---------------------------------------------------------------------------


class TrainingKind(models.TextChoices):
    VOCATIONAL_SKILL = "vocational_skill", _("职业技能培训")
    EMPLOYEE_JOB = "employee_job", _("企业职工岗位培训")
    TEACHER = "teacher", _("教师培训")
    STUDENT_PRACTICE = "student_practice", _("学生实践实训")
    DUAL_TEACHER = "dual_teacher", _("双师型教师培训")


# The kinds that count toward 职业技能培训 person-times (DOMAIN.md, 口径). Teacher and dual-qualified
# training feed the 双师型 figures through DualTeacherTraining; student practice has its own figure.
SKILL_TRAINING_KINDS = (TrainingKind.VOCATIONAL_SKILL, TrainingKind.EMPLOYEE_JOB)


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("计划中")
    HELD = "held", _("已举办")
    CANCELLED = "cancelled", _("已取消")


# Person-times (人次) of a session: the imported trainee list where there is one, else the declared
# headcount. The one definition: with_person_times() and the dashboards' sums use this expression.
PERSON_TIMES = Case(
    When(trainee_count__gt=0, then=F("trainee_count")),
    default=F("declared_headcount"),
    output_field=models.IntegerField(),
)


class TrainingSessionQuerySet(RestrictedQuerySet):
    def member_q(self, org_id, action):
        if action == VIEW:
            return models.Q(provider_id=org_id) | models.Q(beneficiaries__id=org_id)
        return models.Q(provider_id=org_id)

    def counted(self):
        """Sessions that may count: everything but cancelled (see ended() for the actual)."""
        return self.exclude(status=SessionStatus.CANCELLED)

    def ended(self, now):
        """Sessions that count as done at ``now``: not cancelled and ended (ends_at ≤ now)."""
        return self.counted().filter(ends_at__lte=now)

    def scheduled(self, now):
        """The pipeline at ``now``: sessions not cancelled that end later."""
        return self.counted().filter(ends_at__gt=now)

    def skill_training(self):
        """The kinds counted toward 职业技能培训 person-times (SKILL_TRAINING_KINDS)."""
        return self.filter(kind__in=SKILL_TRAINING_KINDS)

    def with_person_times(self):
        return self.annotate(person_times_value=PERSON_TIMES)


class TrainingSession(models.Model):
    """A training session (培训) with its provider, beneficiaries, time, place and headcount."""

    title = models.CharField(_("培训名称"), max_length=200)
    kind = models.CharField(_("培训类型"), max_length=32, choices=TrainingKind.choices)
    provider = models.ForeignKey(
        "members.Organization",
        on_delete=models.PROTECT,
        related_name="provided_sessions",
        verbose_name=_("承办单位"),
    )
    beneficiaries = models.ManyToManyField(
        "members.Organization",
        blank=True,
        related_name="benefited_sessions",
        verbose_name=_("受益单位"),
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    hours = models.DecimalField(_("学时"), max_digits=7, decimal_places=1, default=Decimal("0"))
    place = models.ForeignKey(
        "projects.Platform",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="training_sessions",
        verbose_name=_("培训地点（共建平台）"),
    )
    location = models.CharField(_("地点说明"), max_length=200, blank=True)
    declared_headcount = models.PositiveIntegerField(_("申报人数"), default=0)
    status = models.CharField(_("状态"), max_length=16, choices=SessionStatus.choices, default=SessionStatus.PLANNED)
    trainee_count = models.PositiveIntegerField(_("学员名单人数"), default=0, editable=False)
    description = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()
    objects = TrainingSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("培训")
        verbose_name_plural = _("培训")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["ends_at", "status", "provider"], name="training_session_rollup"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=F("starts_at")),
                name="trainingsession_ends_after_starts",
                violation_error_message=_("结束时间不能早于开始时间。"),
            ),
            models.CheckConstraint(
                condition=models.Q(hours__gte=0),
                name="trainingsession_hours_not_negative",
                violation_error_message=_("学时不能为负数。"),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("training:session_detail", args=[self.pk])

    @classmethod
    def user_can_create(cls, user):
        return is_writer(user) or member_org_id(user) is not None

    def clean(self):
        super().clean()
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            errors["ends_at"] = _("结束时间不能早于开始时间。")
        if self.hours is not None and self.hours < 0:
            errors["hours"] = _("学时不能为负数。")
        if errors:
            raise ValidationError(errors)

    @property
    def person_times(self):
        """Person-times of this session, as PERSON_TIMES counts it in SQL."""
        return self.trainee_count if self.trainee_count > 0 else self.declared_headcount


class TraineeQuerySet(RestrictedQuerySet):
    def member_q(self, org_id, action):
        if action == VIEW:
            return models.Q(session__provider_id=org_id) | models.Q(session__beneficiaries__id=org_id)
        return models.Q(session__provider_id=org_id)

    def of_counted_skill_training(self):
        """Trainees of sessions that count toward 职业技能培训: the sessions' counted().skill_training(),
        on the trainee's own session (a join, not a subquery: the distinct-person counts are the
        costliest queries of the roll-up)."""
        return self.exclude(session__status=SessionStatus.CANCELLED).filter(session__kind__in=SKILL_TRAINING_KINDS)


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")
    UNKNOWN = "", _("未填")


class Trainee(models.Model):
    """One trainee of a session (学员). The full 身份证号 is never stored: only its HMAC and mask."""

    # No index of its own: the unique (session, person_key) index leads with the session. Fewer
    # indexes keep a 100,000-row COPY fast.
    session = models.ForeignKey(
        TrainingSession,
        on_delete=models.CASCADE,
        related_name="trainees",
        verbose_name=_("培训"),
        db_index=False,
    )
    name = models.CharField(_("姓名"), max_length=50)
    id_number_hash = models.CharField(_("身份证号摘要"), max_length=64, blank=True, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, blank=True, editable=False)
    # 60 bits of the HMAC as an integer (imports.person_key_for): the unique (session, person_key)
    # index and the distinct-person counts work on a bigint, not on 64 hex characters.
    person_key = models.BigIntegerField(_("人员标识"), editable=False)
    gender = models.CharField(_("性别"), max_length=8, choices=Gender.choices, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    employer = models.CharField(_("工作单位"), max_length=200, blank=True)
    job_title = models.CharField(_("岗位/职务"), max_length=100, blank=True)
    row_number = models.PositiveIntegerField(_("导入行号"), null=True, blank=True, editable=False)
    # No database constraint and no index: two fewer per-row costs in a 100,000-row COPY. An import
    # record is only deleted with its session, and the session's trainees go with it.
    import_batch = models.ForeignKey(
        "training.TraineeImport",
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="trainees",
        verbose_name=_("导入批次"),
        editable=False,
        db_constraint=False,
        db_index=False,
    )

    objects = TraineeQuerySet.as_manager()

    class Meta:
        verbose_name = _("学员")
        verbose_name_plural = _("学员")
        ordering = ["session", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person_key"],
                name="trainee_unique_person_per_session",
                violation_error_message=_("该学员已在本次培训名单中。"),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("training:session_detail", args=[self.session_id])


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", _("待确认")
    CONFIRMED = "confirmed", _("已导入")
    # Nothing sets FAILED (a refused upload stores no row); the choice stays because dropping it is a migration.
    FAILED = "failed", _("未通过校验")
    DISCARDED = "discarded", _("已放弃")


class TraineeImportQuerySet(RestrictedQuerySet):
    def member_q(self, org_id, action):
        if action == VIEW:
            return models.Q(session__provider_id=org_id) | models.Q(session__beneficiaries__id=org_id)
        return models.Q(session__provider_id=org_id)


class TraineeImport(models.Model):
    """One upload of a trainee list for a session: who, when, which file, how many rows, outcome."""

    session = models.ForeignKey(
        TrainingSession,
        on_delete=models.CASCADE,
        related_name="imports",
        verbose_name=_("培训"),
    )
    uploaded_by = models.ForeignKey(
        "members.User",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    file_name = models.CharField(_("文件名"), max_length=255)
    stored_file = models.CharField(_("服务器文件"), max_length=255, blank=True, editable=False)
    file_format = models.CharField(_("格式"), max_length=8)
    row_count = models.PositiveIntegerField(_("行数"), default=0)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    status = models.CharField(_("状态"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.PREVIEW)
    confirmed_by = models.ForeignKey(
        "members.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    message = models.TextField(_("说明"), blank=True)
    preview_rows = models.JSONField(_("预览行"), default=list, blank=True, editable=False)
    # What each header of the file became ([{"header": …, "field": … or ""}]), shown on the preview.
    columns = models.JSONField(_("列对应"), default=list, blank=True, editable=False)
    # True for imports that took 身份证号 only from text cells. Imports before that rule (False) may
    # have stored a number an office suite had rounded to 15 digits: see `trainee_numeric_id_suspects`.
    text_id_numbers = models.BooleanField(_("身份证号仅取自文本单元格"), default=False, editable=False)

    objects = TraineeImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("学员导入记录")
        verbose_name_plural = _("学员导入记录")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return f"{self.file_name}（{self.get_status_display()}）"

    def get_absolute_url(self):
        return reverse("training:trainee_import_detail", args=[self.pk])


# ---------------------------------------------------------------------------
# Teachers and dual-qualified records
# ---------------------------------------------------------------------------


def _member_org(user):
    return getattr(user, "organization", None) if member_org_id(user) is not None else None


def _member_is_school(user):
    return _org_is_school(_member_org(user))


def normalised_employee_no(value):
    """An employee number compared loosely: case, spaces, hyphens and underscores ignored."""
    return re.sub(r"[\s\-_－—]", "", value or "").upper()


@dataclass
class DuplicateGroup:
    """Teacher records that may be one person, and why they were put together."""

    reason: str
    teachers: list


class TeacherQuerySet(RestrictedQuerySet):
    def member_q(self, org_id, action):
        return models.Q(school_id=org_id)

    def duplicate_groups(self):
        """Candidate groups of records of one person, each with its reason, for staff to review.

        Conservative: the same 身份证号; or the same school and name with employee numbers that
        match once written alike; or the same school and name where some records have no employee
        number and the others share one. Records with two different 身份证号 never form a group.
        """
        groups, seen = [], set()
        hashes = (
            self.exclude(id_number_hash="")
            .order_by()
            .values("id_number_hash")
            .annotate(n=models.Count("pk"))
            .filter(n__gt=1)
            .values_list("id_number_hash", flat=True)
        )
        by_hash = {}
        for t in self.filter(id_number_hash__in=list(hashes)).select_related("school").order_by("pk"):
            by_hash.setdefault(t.id_number_hash, []).append(t)
        for members in by_hash.values():
            groups.append(DuplicateGroup(_("身份证号相同"), members))
            seen.add(frozenset(t.pk for t in members))
        pairs = list(self.order_by().values_list("school_id", "name").annotate(n=models.Count("pk")).filter(n__gt=1))
        if pairs:
            wanted = set((school, name) for school, name, _n in pairs)
            by_person = {}
            candidates = self.filter(school_id__in={p[0] for p in pairs}, name__in={p[1] for p in pairs})
            for t in candidates.select_related("school").order_by("pk"):
                if (t.school_id, t.name) in wanted:
                    by_person.setdefault((t.school_id, t.name), []).append(t)
            for members in by_person.values():
                groups.extend(_same_name_groups(members, seen))
        return groups


def _same_name_groups(members, seen):
    """Groups among records of one school and one name (see TeacherQuerySet.duplicate_groups)."""
    by_number, blank = {}, []
    for t in members:
        key = normalised_employee_no(t.employee_no)
        (by_number.setdefault(key, []) if key else blank).append(t)
    found = []
    for same in by_number.values():
        if len(same) > 1:
            numbers = "、".join(sorted({t.employee_no for t in same}))
            found.append(DuplicateGroup(_("同一学校、同名，工号一致（%(numbers)s）") % {"numbers": numbers}, same))
    if blank and len(by_number) <= 1:
        group = blank + [t for same in by_number.values() for t in same]
        if len(group) > 1:
            found.append(
                DuplicateGroup(
                    _("同一学校、同名，其中 %(n)d 条没有工号") % {"n": len(blank)}, sorted(group, key=lambda t: t.pk)
                )
            )
    kept = []
    for group in found:
        ids = frozenset(t.pk for t in group.teachers)
        if ids in seen or len({t.id_number_hash for t in group.teachers if t.id_number_hash}) > 1:
            continue
        seen.add(ids)
        kept.append(group)
    return kept


class Teacher(models.Model):
    """A teacher at a member school (教师)."""

    school = models.ForeignKey(
        "members.Organization",
        on_delete=models.PROTECT,
        related_name="teachers",
        verbose_name=_("学校"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    subject_area = models.CharField(_("专业领域"), max_length=100, blank=True)
    title = models.CharField(_("职称"), max_length=50, blank=True)
    employee_no = models.CharField(_("工号"), max_length=30, blank=True)
    # One person, one teacher: the 身份证号 is kept as its keyed hash (the trainee import's HMAC,
    # so the same person has the same hash everywhere) and a masked form for display, never in clear.
    id_number_hash = models.CharField(_("身份证号摘要"), max_length=64, blank=True, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    history = HistoricalRecords()
    objects = TeacherQuerySet.as_manager()

    class Meta:
        verbose_name = _("教师")
        verbose_name_plural = _("教师")
        ordering = ["school", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "employee_no"],
                condition=~models.Q(employee_no=""),
                name="teacher_unique_employee_no_per_school",
                violation_error_message=_("同一学校的工号不能重复。"),
            ),
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=~models.Q(id_number_hash=""),
                name="teacher_unique_id_number",
                violation_error_message=_("该教师已登记。"),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("training:teacher_detail", args=[self.pk])

    @classmethod
    def user_can_create(cls, user):
        return is_writer(user) or _member_is_school(user)

    def clean(self):
        super().clean()
        if self.school_id and not _org_is_school(self.school):
            raise ValidationError({"school": _("教师必须属于院校类成员单位。")})

    def set_id_number(self, id_number):
        """Keep a (valid) 身份证号 as its keyed hash and masked form; a blank one changes nothing."""
        from members.validators import mask_id_number
        from training.imports import hash_id_number, normalise_id_number

        code = normalise_id_number(id_number)
        if code:
            self.id_number_hash = hash_id_number(code)
            self.id_number_masked = mask_id_number(code)

    def same_person(self):
        """The other teacher record of the same person and why, or (None, None).

        The same person is the same 身份证号 anywhere in the consortium or, without it, the same
        school and employee number.
        """
        others = Teacher.objects.exclude(pk=self.pk) if self.pk else Teacher.objects.all()
        if self.id_number_hash:
            found = others.filter(id_number_hash=self.id_number_hash).select_related("school").first()
            if found is not None:
                return found, "id_number"
        if self.school_id and self.employee_no:
            found = (
                others.filter(school_id=self.school_id, employee_no=self.employee_no).select_related("school").first()
            )
            if found is not None:
                return found, "employee_no"
        return None, None

    def same_person_error(self, user):
        """A ValidationError naming the existing record of this person, or None.

        The existing teacher is named only to a user who may see it; anyone else learns only that
        the person is registered (no other school's teacher leaks through this message).
        """
        found, field = self.same_person()
        if found is None:
            return None
        if Teacher.objects.for_user(user, VIEW).filter(pk=found.pk).exists():
            message = _("该教师已登记：#%(pk)s %(name)s（%(school)s，工号 %(no)s），同一人不能重复登记。") % {
                "pk": found.pk,
                "name": found.name,
                "school": found.school,
                "no": found.employee_no or "—",
            }
        else:
            message = _("该教师已登记。")
        return ValidationError({field: message}, code="same_person")


class TeacherRecordQuerySet(RestrictedQuerySet):
    def member_q(self, org_id, action):
        return models.Q(teacher__school_id=org_id)


class TeacherRecordMixin:
    def get_absolute_url(self):
        return reverse("training:teacher_detail", args=[self.teacher_id])

    @classmethod
    def user_can_create(cls, user):
        return is_writer(user) or _member_is_school(user)


class DualTeacherTrainingQuerySet(TeacherRecordQuerySet):
    def completed(self, now):
        """Trainings completed at ``now``: one tied to a session counts once that session has ended
        and was not cancelled; one without a session counts from its completion date."""
        today = timezone.localdate(now, SHANGHAI)
        return self.filter(completed_on__lte=today).filter(
            models.Q(session__isnull=True)
            | (models.Q(session__ends_at__lte=now) & ~models.Q(session__status=SessionStatus.CANCELLED))
        )


class DualTeacherTraining(TeacherRecordMixin, models.Model):
    """A completed dual-qualified (双师型) training of a teacher."""

    teacher = models.ForeignKey(
        Teacher,
        on_delete=models.CASCADE,
        related_name="dual_trainings",
        verbose_name=_("教师"),
    )
    completed_on = models.DateField(_("完成日期"))
    session = models.ForeignKey(
        TrainingSession,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dual_teacher_records",
        verbose_name=_("培训"),
    )
    hours = models.DecimalField(_("学时"), max_digits=7, decimal_places=1, default=Decimal("0"))
    provider = models.ForeignKey(
        "members.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dual_trainings_provided",
        verbose_name=_("培训单位"),
    )
    notes = models.CharField(_("备注"), max_length=200, blank=True)

    history = HistoricalRecords()
    objects = DualTeacherTrainingQuerySet.as_manager()

    class Meta:
        verbose_name = _("双师型培训记录")
        verbose_name_plural = _("双师型培训记录")
        ordering = ["-completed_on", "-id"]
        indexes = [models.Index(fields=["completed_on", "teacher"], name="training_dual_completed")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gte=0),
                name="dualteachertraining_hours_not_negative",
                violation_error_message=_("学时不能为负数。"),
            ),
        ]

    def __str__(self):
        return f"{self.teacher} {self.completed_on}"

    def clean(self):
        super().clean()
        if self.hours is not None and self.hours < 0:
            raise ValidationError({"hours": _("学时不能为负数。")})


class EnterprisePractice(TeacherRecordMixin, models.Model):
    """A teacher's enterprise practice (企业实践/入企挂职)."""

    teacher = models.ForeignKey(
        Teacher,
        on_delete=models.CASCADE,
        related_name="enterprise_practices",
        verbose_name=_("教师"),
    )
    enterprise = models.ForeignKey(
        "members.Organization",
        on_delete=models.PROTECT,
        related_name="teacher_practices",
        verbose_name=_("实践企业"),
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    position = models.CharField(_("岗位"), max_length=100, blank=True)

    history = HistoricalRecords()
    objects = TeacherRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("企业实践记录")
        verbose_name_plural = _("企业实践记录")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=F("start_date")),
                name="enterprisepractice_end_after_start",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
        ]

    def __str__(self):
        return f"{self.teacher} @ {self.enterprise}"

    def clean(self):
        super().clean()
        errors = {}
        if self.enterprise_id and not _org_is_enterprise(self.enterprise):
            errors["enterprise"] = _("实践单位必须是企业类成员单位。")
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = _("结束日期不能早于开始日期。")
        if errors:
            raise ValidationError(errors)


class RecognitionLevel(models.TextChoices):
    JUNIOR = "junior", _("初级")
    INTERMEDIATE = "intermediate", _("中级")
    SENIOR = "senior", _("高级")


class DualTeacherRecognition(TeacherRecordMixin, models.Model):
    """A dual-qualified (双师型) recognition of a teacher at a level by a recognising body."""

    teacher = models.ForeignKey(
        Teacher,
        on_delete=models.CASCADE,
        related_name="recognitions",
        verbose_name=_("教师"),
    )
    level = models.CharField(_("认定等级"), max_length=16, choices=RecognitionLevel.choices)
    recognized_on = models.DateField(_("认定日期"))
    body = models.CharField(_("认定机构"), max_length=200)

    history = HistoricalRecords()
    objects = TeacherRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("双师型认定")
        verbose_name_plural = _("双师型认定")
        ordering = ["-recognized_on", "-id"]

    def __str__(self):
        return f"{self.teacher} {self.get_level_display()}"


# ---------------------------------------------------------------------------
# Exchange visits
# ---------------------------------------------------------------------------


class ExchangeVisitQuerySet(RestrictedQuerySet):
    def member_q(self, org_id, action):
        if action == VIEW:
            return models.Q(visiting_organization_id=org_id) | models.Q(visited__id=org_id)
        return models.Q(visiting_organization_id=org_id)


class ExchangeVisit(models.Model):
    """An exchange visit (走访交流): who visited whom, when, how many people, why."""

    date = models.DateField(_("日期"))
    visiting_organization = models.ForeignKey(
        "members.Organization",
        on_delete=models.PROTECT,
        related_name="visits_made",
        verbose_name=_("走访单位"),
    )
    visited = models.ManyToManyField(
        "members.Organization",
        related_name="visits_received",
        verbose_name=_("被走访单位"),
    )
    participants = models.PositiveIntegerField(_("参加人数"), default=0)
    purpose = models.TextField(_("目的与内容"))

    history = HistoricalRecords()
    objects = ExchangeVisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("走访交流")
        verbose_name_plural = _("走访交流")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date} {self.visiting_organization}"

    def get_absolute_url(self):
        return reverse("training:visit_detail", args=[self.pk])

    @classmethod
    def user_can_create(cls, user):
        return is_writer(user) or member_org_id(user) is not None
