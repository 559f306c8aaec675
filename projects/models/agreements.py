"""Agreements (合作协议): their workflow steps, further attachments and expiry notices."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from consortium.access import CHANGE, VIEW, RestrictedQuerySet, is_writer, member_org_id

from .. import attachments


class AgreementKind(models.TextChoices):
    STRATEGIC = "strategic", _("战略合作")
    ORDER_TRAINING = "order_training", _("订单培养")
    TEACHER_PRACTICE_BASE = "teacher_practice_base", _("教师企业实践基地")
    INTERNSHIP_BASE = "internship_base", _("学生实习实训基地")
    RND = "rnd", _("技术研发")
    EMPLOYEE_TRAINING = "employee_training", _("员工培训")
    PROPERTY_SERVICES = "property_services", _("校园物业服务")
    TALENT_PLATFORM = "talent_platform", _("人才供需平台")
    CO_BUILT_LAB = "co_built_lab", _("共建实验室")
    INDUSTRY_COLLEGE = "industry_college", _("产业学院")
    APPRENTICESHIP = "apprenticeship", _("现代学徒制")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("已退回")
    VERIFIED = "verified", _("已核验")
    TERMINATED = "terminated", _("已终止")


# Statuses in which the registering member may still edit the agreement.
MEMBER_EDITABLE = (AgreementStatus.DRAFT, AgreementStatus.RETURNED)
EXPIRY_WARNING_DAYS = 30


class AgreementQuerySet(RestrictedQuerySet):
    def member_q(self, org_id, action):
        if action == VIEW:
            return models.Q(organization_id=org_id) | models.Q(parties=org_id)
        if action == CHANGE:
            return models.Q(organization_id=org_id, status__in=MEMBER_EDITABLE)
        return None

    def running(self):
        """Agreements whose term can still lapse (a terminated agreement is over already)."""
        return self.exclude(status=AgreementStatus.TERMINATED)

    def expired(self, today=None):
        today = today or timezone.localdate()
        return self.running().filter(end_date__lt=today)

    def expiring(self, days=EXPIRY_WARNING_DAYS, today=None):
        today = today or timezone.localdate()
        return self.running().filter(end_date__gte=today, end_date__lte=today + timedelta(days=days))


class Agreement(models.Model):
    """A cooperation agreement (合作协议) registered by a member, with its parties, term and signed scan."""

    organization = models.ForeignKey(
        "members.Organization",
        on_delete=models.PROTECT,
        related_name="registered_agreements",
        verbose_name=_("登记单位"),
    )
    parties = models.ManyToManyField("members.Organization", related_name="agreements", verbose_name=_("协议各方"))
    kind = models.CharField(_("协议类型"), max_length=32, choices=AgreementKind.choices)
    title = models.CharField(_("协议名称"), max_length=200)
    summary = models.TextField(_("内容摘要"), blank=True)
    signed_on = models.DateField(_("签订日期"))
    start_date = models.DateField(_("生效日期"))
    end_date = models.DateField(_("到期日期"))
    scan = models.FileField(
        _("签署扫描件"),
        upload_to=attachments.agreement_scan_path,
        max_length=200,
        blank=True,
    )
    scan_name = models.CharField(_("扫描件文件名"), max_length=120, blank=True, editable=False)
    scan_content_type = models.CharField(_("扫描件类型"), max_length=40, blank=True, editable=False)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=AgreementStatus.choices,
        default=AgreementStatus.DRAFT,
        editable=False,
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True, editable=False)
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("核验人"),
    )
    return_reason = models.TextField(_("退回原因"), blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("合作协议")
        verbose_name_plural = _("合作协议")
        ordering = ["-signed_on", "-id"]
        indexes = [
            models.Index(fields=["status", "verified_at"]),
            models.Index(fields=["end_date"]),
            models.Index(fields=["organization", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="agreement_end_not_before_start",
                violation_error_message=_("到期日期不能早于生效日期。"),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="verified") | models.Q(verified_at__isnull=False),
                name="agreement_verified_has_time",
                violation_error_message=_("已核验的协议必须有核验时间。"),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("projects:agreement_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("到期日期不能早于生效日期。")})

    @classmethod
    def user_can_create(cls, user):
        return is_writer(user) or member_org_id(user) is not None

    @property
    def days_left(self):
        return (self.end_date - timezone.localdate()).days if self.end_date else None

    @property
    def is_expired(self):
        return self.status != AgreementStatus.TERMINATED and self.days_left is not None and self.days_left < 0

    @property
    def is_expiring(self):
        days = self.days_left
        return self.status != AgreementStatus.TERMINATED and days is not None and 0 <= days <= EXPIRY_WARNING_DAYS

    @property
    def term_state(self):
        """ "expired", "expiring" or "" — derived from end_date, never stored."""
        if self.is_expired:
            return "expired"
        if self.is_expiring:
            return "expiring"
        return ""


class AgreementEventQuerySet(RestrictedQuerySet):
    def member_q(self, org_id, action):
        if action == VIEW:
            return models.Q(agreement__organization_id=org_id) | models.Q(agreement__parties=org_id)
        return None


class AgreementEvent(models.Model):
    """One step of an agreement's workflow: who did what, when, and why."""

    class Action(models.TextChoices):
        CREATE = "create", _("登记")
        EDIT = "edit", _("修改")
        SUBMIT = "submit", _("提交核验")
        RETURN = "return", _("退回")
        VERIFY = "verify", _("核验通过")
        TERMINATE = "terminate", _("终止")
        ATTACH = "attach", _("上传附件")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    from_status = models.CharField(_("原状态"), max_length=16, choices=AgreementStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=AgreementStatus.choices, blank=True)
    reason = models.TextField(_("原因/说明"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    objects = AgreementEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("协议操作记录")
        verbose_name_plural = _("协议操作记录")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.agreement} {self.get_action_display()}"


class AgreementAttachmentQuerySet(RestrictedQuerySet):
    def member_q(self, org_id, action):
        if action == VIEW:
            return models.Q(agreement__organization_id=org_id) | models.Q(agreement__parties=org_id)
        if action == CHANGE:
            return models.Q(agreement__organization_id=org_id, agreement__status__in=MEMBER_EDITABLE)
        return None


class AgreementAttachment(models.Model):
    """A further file attached to an agreement (supplements, renewals), checked like the scan."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachments.agreement_attachment_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=120)
    content_type = models.CharField(_("文件类型"), max_length=40)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    description = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = AgreementAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("协议附件")
        verbose_name_plural = _("协议附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name


class AgreementExpiryNotice(models.Model):
    """A sent 30/7/0-day expiry notice: its unique key makes each notice go out once."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="expiry_notices")
    days = models.PositiveSmallIntegerField(_("提前天数"))
    end_date = models.DateField(_("到期日期"))
    recipients = models.PositiveIntegerField(_("接收人数"), default=0)
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)

    class Meta:
        verbose_name = _("到期提醒记录")
        verbose_name_plural = _("到期提醒记录")
        ordering = ["-sent_at"]
        constraints = [
            # end_date is part of the key so that a renewed term gets its own notices.
            models.UniqueConstraint(fields=["agreement", "days", "end_date"], name="agreement_expiry_notice_once"),
        ]

    def __str__(self):
        return f"{self.agreement} {self.days}"
