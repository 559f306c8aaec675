"""Jointly built platforms (共建平台)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from consortium.access import CHANGE, VIEW, RestrictedQuerySet, is_writer, member_org_id

from .projects import Project


class PlatformKind(models.TextChoices):
    KEY_LAB = "key_lab", _("重点实验室")
    RESOURCE_LIBRARY = "resource_library", _("专业教学资源库")
    PRACTICE_CENTER = "practice_center", _("区域产教融合实践中心")
    VIRTUAL_BASE = "virtual_base", _("虚拟仿真实训基地")
    DUAL_TEACHER_BASE = "dual_teacher_base", _("双师型教师培养培训基地")
    TEACHER_PRACTICE_BASE = "teacher_practice_base", _("教师企业实践基地")
    INTERNSHIP_BASE = "internship_base", _("学生实习实训基地")


class PlatformLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    REGIONAL = "regional", _("市（区）级")
    SCHOOL = "school", _("校级")


class PlatformStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    DECLINED = "declined", _("未予确认")


class PlatformQuerySet(RestrictedQuerySet):
    def member_q(self, org_id, action):
        if action == VIEW:
            return models.Q(lead_organization_id=org_id) | models.Q(organizations=org_id)
        if action == CHANGE:
            # The registering member edits its platform until staff confirm or decline it.
            return models.Q(registering_organization_id=org_id, status=PlatformStatus.PENDING)
        return None

    def use_q(self, org_id):
        # Only an established (confirmed) platform is a place to name in other records.
        return self.member_q(org_id, VIEW) & models.Q(status=PlatformStatus.CONFIRMED)

    def established(self):
        """Platforms staff have confirmed: the only ones that count (a pending registration does not)."""
        return self.filter(status=PlatformStatus.CONFIRMED)


class Platform(models.Model):
    """A jointly built platform (共建平台): lab, resource library, practice centre or base."""

    name = models.CharField(_("平台名称"), max_length=200)
    kind = models.CharField(_("平台类型"), max_length=32, choices=PlatformKind.choices)
    level = models.CharField(_("级别"), max_length=16, choices=PlatformLevel.choices)
    lead_organization = models.ForeignKey(
        "members.Organization",
        on_delete=models.PROTECT,
        related_name="led_platforms",
        verbose_name=_("牵头单位"),
    )
    organizations = models.ManyToManyField(
        "members.Organization",
        related_name="platforms",
        verbose_name=_("共建单位"),
    )
    established_on = models.DateField(_("建成/认定日期"))
    project = models.ForeignKey(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="platforms",
        verbose_name=_("建设项目"),
    )
    description = models.TextField(_("简介"), blank=True)
    status = models.CharField(
        _("确认状态"),
        max_length=16,
        choices=PlatformStatus.choices,
        # Staff's own entries are confirmed as they are made; a member's registration starts pending.
        default=PlatformStatus.CONFIRMED,
        editable=False,
    )
    registering_organization = models.ForeignKey(
        "members.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="registered_platforms",
        verbose_name=_("登记单位"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("登记人"),
    )
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("确认人"),
    )
    decline_reason = models.TextField(_("未予确认原因"), blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = PlatformQuerySet.as_manager()

    class Meta:
        verbose_name = _("共建平台")
        verbose_name_plural = _("共建平台")
        ordering = ["-established_on", "-id"]
        indexes = [models.Index(fields=["kind", "established_on"]), models.Index(fields=["status"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:platform_detail", args=[self.pk])

    @classmethod
    def user_can_create(cls, user):
        """Staff enter platforms; a member registers one its organisation co-builds (pending)."""
        return is_writer(user) or member_org_id(user) is not None
