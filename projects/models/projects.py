"""Cooperation projects (校企合作项目), their milestones and results, and expert review."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from consortium.access import CHANGE, VIEW, RestrictedQuerySet, is_writer, member_org_id


class ProjectKind(models.TextChoices):
    RND = "rnd", _("技术研发")
    CURRICULUM = "curriculum", _("课程共建")
    ORDER_TRAINING = "order_training", _("订单培养")
    PRACTICE_BASE = "practice_base", _("实践基地")
    LAB = "lab", _("实验室建设")
    RESOURCE_LIBRARY = "resource_library", _("教学资源库")
    PRACTICE_CENTER = "practice_center", _("实践中心")
    TEACHER_TRAINING = "teacher_training", _("教师培训")
    EMPLOYEE_TRAINING = "employee_training", _("员工培训")
    TALENT_PLATFORM = "talent_platform", _("人才平台")


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PROPOSED = "proposed", _("已申报")
    RETURNED = "returned", _("已退回修改")
    UNDER_REVIEW = "under_review", _("专家评审中")
    APPROVED = "approved", _("已立项")
    IN_PROGRESS = "in_progress", _("实施中")
    COMPLETED = "completed", _("已结项验收")
    APPLIED = "applied", _("成果已应用")
    REJECTED = "rejected", _("未立项")
    TERMINATED = "terminated", _("已终止")


# A member's proposal (申报) it may still edit, submit or delete: before staff route it to review.
PROPOSAL_EDITABLE = (ProjectStatus.DRAFT, ProjectStatus.RETURNED)


class ProjectQuerySet(RestrictedQuerySet):
    def member_q(self, org_id, action):
        if action == VIEW:
            # A draft is the proposing (lead) organisation's own until it is submitted.
            return models.Q(lead_organization_id=org_id) | (
                models.Q(partners=org_id) & ~models.Q(status=ProjectStatus.DRAFT)
            )
        if action == CHANGE:
            return models.Q(lead_organization_id=org_id, status__in=PROPOSAL_EDITABLE)
        return None

    def use_q(self, org_id):
        # A platform names the project that built it: a real one, never a draft.
        return self.member_q(org_id, VIEW) & ~models.Q(status=ProjectStatus.DRAFT)

    def for_user(self, user, action=VIEW):
        qs = super().for_user(user, action)
        if member_org_id(user) is None:
            # Staff, leadership and admins see a proposal once it is submitted, not the draft.
            qs = qs.exclude(status=ProjectStatus.DRAFT)
        return qs

    def proposals_waiting(self):
        """Submitted proposals waiting for staff to route them to review or return them."""
        return self.filter(status=ProjectStatus.PROPOSED)

    def accepted(self):
        """Projects accepted (结项验收), whether or not their results are applied yet: the counting rule."""
        return self.filter(status__in=[ProjectStatus.COMPLETED, ProjectStatus.APPLIED])

    def completed_in(self, year):
        """Projects accepted in the year (the project list's filter; the metric dates them the same way)."""
        return self.accepted().filter(completed_on__year=year)


class Project(models.Model):
    """A school–enterprise cooperation project (校企合作项目) and where it is in its lifecycle."""

    title = models.CharField(_("项目名称"), max_length=200)
    kind = models.CharField(_("项目类型"), max_length=32, choices=ProjectKind.choices)
    lead_organization = models.ForeignKey(
        "members.Organization",
        on_delete=models.PROTECT,
        related_name="led_projects",
        verbose_name=_("牵头单位"),
    )
    partners = models.ManyToManyField(
        "members.Organization",
        related_name="partner_projects",
        blank=True,
        verbose_name=_("合作单位"),
    )
    description = models.TextField(_("项目内容"), blank=True)
    budget = models.DecimalField(_("项目预算（万元）"), max_digits=12, decimal_places=2, default=0)
    support_fund_requested = models.DecimalField(
        _("申请专项扶持资金（万元）"), max_digits=12, decimal_places=2, default=0
    )
    support_fund = models.DecimalField(_("专项扶持资金（万元）"), max_digits=12, decimal_places=2, default=0)
    planned_start = models.DateField(_("计划开始日期"))
    planned_end = models.DateField(_("计划结束日期"))
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=ProjectStatus.choices,
        default=ProjectStatus.PROPOSED,
        editable=False,
    )
    approved_on = models.DateField(_("立项日期"), null=True, blank=True, editable=False)
    started_on = models.DateField(_("开始实施日期"), null=True, blank=True, editable=False)
    completed_on = models.DateField(_("结项验收日期"), null=True, blank=True, editable=False)
    applied_on = models.DateField(_("成果应用日期"), null=True, blank=True, editable=False)
    reason = models.TextField(_("未立项/终止原因"), blank=True, editable=False)
    return_reason = models.TextField(_("退回原因"), blank=True, editable=False)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("申报人"),
    )
    submitted_at = models.DateTimeField(_("申报提交时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("校企合作项目")
        verbose_name_plural = _("校企合作项目")
        ordering = ["-planned_start", "-id"]
        indexes = [
            models.Index(fields=["status", "completed_on"]),
            models.Index(fields=["lead_organization", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_end__gte=models.F("planned_start")),
                name="project_end_not_before_start",
                violation_error_message=_("计划结束日期不能早于计划开始日期。"),
            ),
            models.CheckConstraint(
                condition=models.Q(budget__gte=0),
                name="project_budget_not_negative",
                violation_error_message=_("预算不能为负数。"),
            ),
            models.CheckConstraint(
                condition=models.Q(support_fund__gte=0),
                name="project_support_fund_not_negative",
                violation_error_message=_("专项扶持资金不能为负数。"),
            ),
            models.CheckConstraint(
                condition=models.Q(support_fund_requested__gte=0),
                name="project_support_fund_requested_not_negative",
                violation_error_message=_("申请的专项扶持资金不能为负数。"),
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["completed", "applied"]) | models.Q(completed_on__isnull=False),
                name="project_completed_has_date",
                violation_error_message=_("已结项的项目必须有结项验收日期。"),
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["approved", "in_progress", "completed", "applied"])
                | models.Q(approved_on__isnull=False),
                name="project_approved_has_date",
                violation_error_message=_("已立项的项目必须有立项日期。"),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("projects:project_detail", args=[self.pk])

    @classmethod
    def user_can_create(cls, user):
        """Staff register projects; a member school or enterprise proposes (申报) its own."""
        if is_writer(user):
            return True
        if member_org_id(user) is None:
            return False
        organization = user.organization
        return organization.is_school or organization.is_enterprise

    @property
    def is_proposal_editable(self):
        return self.status in PROPOSAL_EDITABLE

    def clean(self):
        super().clean()
        errors = {}
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            errors["planned_end"] = _("计划结束日期不能早于计划开始日期。")
        if self.budget is not None and self.budget < 0:
            errors["budget"] = _("预算不能为负数。")
        if self.support_fund is not None and self.support_fund < 0:
            errors["support_fund"] = _("专项扶持资金不能为负数。")
        requested = self.support_fund_requested
        if requested is not None and requested < 0:
            errors["support_fund_requested"] = _("申请的专项扶持资金不能为负数。")
        elif requested is not None and self.budget is not None and requested > self.budget:
            errors["support_fund_requested"] = _("申请的专项扶持资金不能超过项目预算。")
        if errors:
            raise ValidationError(errors)


class ProjectChildQuerySet(RestrictedQuerySet):
    """Rows that belong to a project: visible with the project, changed by staff only."""

    def member_q(self, org_id, action):
        if action == VIEW:
            return models.Q(project__lead_organization_id=org_id) | (
                models.Q(project__partners=org_id) & ~models.Q(project__status=ProjectStatus.DRAFT)
            )
        return None


class ProjectEvent(models.Model):
    """One lifecycle step of a project: who, when, from which status to which, and why."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=24)
    from_status = models.CharField(_("原状态"), max_length=16, choices=ProjectStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=ProjectStatus.choices)
    date = models.DateField(_("日期"))
    reason = models.TextField(_("原因/说明"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("记录时间"), default=timezone.now)

    objects = ProjectChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目状态变更")
        verbose_name_plural = _("项目状态变更")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.project} {self.get_to_status_display()}"


class Milestone(models.Model):
    """A planned milestone of a project (里程碑) and when it was reached."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("里程碑"), max_length=200)
    due_on = models.DateField(_("计划完成日期"))
    done_on = models.DateField(_("实际完成日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    history = HistoricalRecords()
    objects = ProjectChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目里程碑")
        verbose_name_plural = _("项目里程碑")
        ordering = ["due_on", "id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.project.get_absolute_url()


class ProjectResult(models.Model):
    """A result (成果) delivered by a completed project, and where it is applied."""

    class Kind(models.TextChoices):
        PATENT = "patent", _("专利")
        STANDARD = "standard", _("标准")
        PRODUCT = "product", _("产品/工艺")
        COURSE = "course", _("课程/教材")
        SOFTWARE = "software", _("软件/平台")
        REPORT = "report", _("研究报告")
        OTHER = "other", _("其他")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="results")
    title = models.CharField(_("成果名称"), max_length=200)
    kind = models.CharField(_("成果类型"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    description = models.TextField(_("成果内容"), blank=True)
    applied_at = models.CharField(_("应用单位/场景"), max_length=200, blank=True)
    applied_on = models.DateField(_("应用日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ProjectChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目成果")
        verbose_name_plural = _("项目成果")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.project.get_absolute_url()


class StaffOnlyQuerySet(RestrictedQuerySet):
    """Configuration and the expert pool: read by staff and leadership, changed by staff."""


class Expert(models.Model):
    """A member of the expert pool (专家智库); with a portal account (``user``) they enter their own reviews."""

    name = models.CharField(_("姓名"), max_length=50)
    organization = models.ForeignKey(
        "members.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="experts",
        verbose_name=_("所在成员单位"),
        help_text=_("专家不得评审本单位牵头或参与的项目。"),
    )
    affiliation = models.CharField(_("工作单位（非成员单位时填写）"), max_length=200, blank=True)
    field = models.CharField(_("专业领域"), max_length=100)
    title = models.CharField(_("职称/职务"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    email = models.EmailField(_("联系邮箱"), blank=True)
    is_active = models.BooleanField(_("在库"), default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="expert_profile",
        verbose_name=_("门户账号"),
        editable=False,
    )

    history = HistoricalRecords()
    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("评审专家")
        verbose_name_plural = _("评审专家")
        ordering = ["name", "id"]

    def __str__(self):
        where = self.organization.name if self.organization_id else self.affiliation
        return f"{self.name}（{where}）" if where else self.name

    def get_absolute_url(self):
        return reverse("projects:expert_edit", args=[self.pk])


class EvaluationCriterion(models.Model):
    """One weighted criterion of the project evaluation standard (项目评价标准)."""

    name = models.CharField(_("评价指标"), max_length=100, unique=True)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    weight = models.PositiveSmallIntegerField(_("权重"))
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    history = HistoricalRecords()
    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("评价指标")
        verbose_name_plural = _("评价指标")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gt=0),
                name="criterion_weight_positive",
                violation_error_message=_("权重必须大于 0。"),
            )
        ]

    def __str__(self):
        return f"{self.name}（{self.weight}）"

    def get_absolute_url(self):
        return reverse("projects:review_settings")


class ReviewPolicy(models.Model):
    """The review policy (one row): how many reviews and which average score a project needs."""

    min_reviews = models.PositiveSmallIntegerField(_("最少评审专家人数"), default=3)
    pass_score = models.DecimalField(_("立项通过分数线（百分制）"), max_digits=5, decimal_places=2, default=60)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("评审规则")
        verbose_name_plural = _("评审规则")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_reviews__gte=1),
                name="review_policy_min_reviews",
                violation_error_message=_("至少需要 1 位评审专家。"),
            ),
            models.CheckConstraint(
                condition=models.Q(pass_score__gte=0, pass_score__lte=100),
                name="review_policy_pass_score_range",
                violation_error_message=_("分数线应在 0 到 100 之间。"),
            ),
        ]

    def __str__(self):
        return str(_("评审规则"))

    def get_absolute_url(self):
        return reverse("projects:review_settings")

    @classmethod
    def current(cls):
        policy = cls.objects.order_by("pk").first()
        return policy if policy is not None else cls.objects.create()


class RiskLevel(models.TextChoices):
    LOW = "low", _("低风险")
    MEDIUM = "medium", _("中风险")
    HIGH = "high", _("高风险")


class ExpertReviewQuerySet(ProjectChildQuerySet):
    def counted(self):
        """Reviews that count toward the project's review: the expert did not withdraw for a conflict."""
        return self.filter(conflict_declared_at__isnull=True)

    def done(self):
        return self.counted().filter(score__isnull=False)

    def of_expert_user(self, user):
        """The reviews assigned to the signed-in expert (none for a user without a pool record)."""
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(expert__user=user)


class ExpertReview(models.Model):
    """An expert assigned to a project and, once recorded, their weighted score and risk rating."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reviews")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("专家"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("指派人"),
    )
    assigned_at = models.DateTimeField(_("指派时间"), default=timezone.now)
    score = models.DecimalField(_("加权得分"), max_digits=5, decimal_places=2, null=True, blank=True)
    risk = models.CharField(_("风险评估"), max_length=8, choices=RiskLevel.choices, blank=True)
    opinion = models.TextField(_("评审意见"), blank=True)
    reviewed_on = models.DateField(_("评审日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("录入人"),
    )
    due_on = models.DateField(_("评审截止日期"), null=True, blank=True)
    conflict_declared_at = models.DateTimeField(_("利益冲突声明时间"), null=True, blank=True, editable=False)
    conflict_reason = models.TextField(_("利益冲突说明"), blank=True, editable=False)

    history = HistoricalRecords()
    objects = ExpertReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("专家评审")
        verbose_name_plural = _("专家评审")
        ordering = ["assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "expert"],
                name="one_review_per_expert_and_project",
                violation_error_message=_("该专家已被指派评审本项目。"),
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=0, score__lte=100),
                name="review_score_range",
                violation_error_message=_("得分应在 0 到 100 之间。"),
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | ~models.Q(risk=""),
                name="review_scored_has_risk",
                violation_error_message=_("评审打分后必须给出风险评估。"),
            ),
            models.CheckConstraint(
                condition=models.Q(conflict_declared_at__isnull=True) | models.Q(score__isnull=True),
                name="review_withdrawn_has_no_score",
                violation_error_message=_("已声明利益冲突的评审不能有得分。"),
            ),
        ]

    def __str__(self):
        return f"{self.project} · {self.expert.name}"

    def get_absolute_url(self):
        return self.project.get_absolute_url()

    @property
    def is_done(self):
        return self.score is not None

    @property
    def is_withdrawn(self):
        return self.conflict_declared_at is not None

    def get_expert_url(self):
        return reverse("projects:my_review", args=[self.pk])


class CriterionScore(models.Model):
    """An expert's score (0–100) on one criterion of a project review."""

    review = models.ForeignKey(ExpertReview, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(EvaluationCriterion, on_delete=models.PROTECT, related_name="+")
    weight = models.PositiveSmallIntegerField(_("评审时权重"))
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("分项得分")
        verbose_name_plural = _("分项得分")
        ordering = ["criterion__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="one_score_per_criterion"),
            models.CheckConstraint(
                condition=models.Q(score__gte=0, score__lte=100),
                name="criterion_score_range",
                violation_error_message=_("得分应在 0 到 100 之间。"),
            ),
        ]

    def __str__(self):
        return f"{self.criterion.name}: {self.score}"
