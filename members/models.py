from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.dispatch import Signal
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from consortium.access import CHANGE, VIEW, RestrictedQuerySet, is_writer, member_org_id
from consortium.uploads import generated_path

from .validators import validate_credit_code

# Sent after notifications are created or marked read in bulk (no post_save then).
notifications_changed = Signal()


class Role(models.TextChoices):
    STAFF = "staff", _("联合体工作人员")
    LEADERSHIP = "leadership", _("领导小组/理事会")
    MEMBER = "member", _("成员单位用户")
    ADMIN = "admin", _("系统管理员")
    EXPERT = "expert", _("评审专家")


class EmailNotice(models.TextChoices):
    EACH = "each", _("每条通知发送邮件")
    DAILY = "daily", _("每日汇总一封邮件")
    NONE = "none", _("不发送邮件")


class OrganizationKind(models.TextChoices):
    GOVERNMENT = "government", _("政府部门")
    SECONDARY_VOCATIONAL = "secondary_vocational", _("中职")
    HIGHER_VOCATIONAL = "higher_vocational", _("高职")
    VOCATIONAL_UNDERGRADUATE = "vocational_undergraduate", _("职教本科")
    UNIVERSITY = "university", _("普通本科")
    ENTERPRISE = "enterprise", _("企业")
    ASSOCIATION = "association", _("行业协会")
    RESEARCH = "research", _("科研院所")

    @classmethod
    def schools(cls):
        return [cls.SECONDARY_VOCATIONAL, cls.HIGHER_VOCATIONAL, cls.VOCATIONAL_UNDERGRADUATE, cls.UNIVERSITY]


class IndustryChain(models.TextChoices):
    GREEN_CHEMICAL = "green_chemical", _("绿色化工")
    EQUIPMENT = "equipment", _("先进装备制造")
    NEW_ENERGY = "new_energy", _("新能源新材料")
    BIOMEDICINE = "biomedicine", _("生物医药")
    DIGITAL = "digital", _("数据信息")
    LOGISTICS = "logistics", _("现代物流")
    SERVICES = "services", _("现代服务业")
    NONE = "", _("不适用")


class CouncilRole(models.TextChoices):
    CHAIR = "chair", _("理事长单位")
    VICE_CHAIR = "vice_chair", _("副理事长单位")
    COUNCIL = "council", _("理事单位")
    MEMBER = "member", _("成员单位")


class MembershipStatus(models.TextChoices):
    APPLIED = "applied", _("已申请")
    ADMITTED = "admitted", _("已入会")
    SUSPENDED = "suspended", _("已暂停")
    EXITED = "exited", _("已退出")
    EXPELLED = "expelled", _("已除名")


class OrganizationQuerySet(RestrictedQuerySet):
    def member_q(self, org_id, action):
        # A member user sees their own organisation; staff manage memberships.
        if action == VIEW:
            return models.Q(pk=org_id)
        return None

    def use_q(self, org_id):
        # Who the members are is public in the consortium: any organisation may be named as a party,
        # a beneficiary or a partner; its private records stay behind member_q.
        return models.Q()

    def active(self):
        return self.filter(status=MembershipStatus.ADMITTED)

    def enterprises(self):
        return self.filter(kind=OrganizationKind.ENTERPRISE)

    def schools(self):
        return self.filter(kind__in=OrganizationKind.schools())


class Organization(models.Model):
    """A member organisation of the consortium (成员单位) and its membership state."""

    name = models.CharField(_("单位名称"), max_length=200, unique=True)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
        help_text=_("18位，按 GB 32100-2015 校验最后一位。"),
    )
    kind = models.CharField(_("单位类型"), max_length=32, choices=OrganizationKind.choices)
    industry_chain = models.CharField(_("产业链"), max_length=32, choices=IndustryChain.choices, blank=True)
    is_specialized_sme = models.BooleanField(_("专精特新"), default=False)
    is_integration_enterprise = models.BooleanField(_("产教融合型企业"), default=False)
    council_role = models.CharField(
        _("理事会职务"), max_length=16, choices=CouncilRole.choices, default=CouncilRole.MEMBER
    )
    status = models.CharField(
        _("成员状态"),
        max_length=16,
        choices=MembershipStatus.choices,
        default=MembershipStatus.APPLIED,
        editable=False,
    )
    status_changed_on = models.DateField(_("状态变更日期"), null=True, blank=True, editable=False)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    website = models.URLField(_("网站"), blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_title = models.CharField(_("联系人职务"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    description = models.TextField(_("简介"), blank=True)
    # The public profile in the member directory (成员名录): what other members may read.
    offers = models.TextField(_("可提供的资源与能力"), blank=True, db_default="")
    seeks = models.TextField(_("合作需求"), blank=True, db_default="")
    directory_contact = models.ForeignKey(
        "members.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("名录联系人"),
        help_text=_("本人同意在成员名录中公开姓名与联系方式。"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()
    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("成员单位")
        verbose_name_plural = _("成员单位")
        ordering = ["name"]
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.credit_code = (self.credit_code or "").strip().upper()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("members:organization_detail", args=[self.pk])

    @property
    def is_school(self):
        return self.kind in OrganizationKind.schools()

    @property
    def is_enterprise(self):
        return self.kind == OrganizationKind.ENTERPRISE


class MembershipEventQuerySet(RestrictedQuerySet):
    def member_q(self, org_id, action):
        return models.Q(organization_id=org_id) if action == VIEW else None


class MembershipEvent(models.Model):
    """One dated step of an organisation's membership (apply, admit, suspend, exit …)."""

    class Action(models.TextChoices):
        APPLY = "apply", _("申请入会")
        ADMIT = "admit", _("批准入会")
        SUSPEND = "suspend", _("暂停成员资格")
        REINSTATE = "reinstate", _("恢复成员资格")
        EXIT = "exit", _("退出")
        EXPEL = "expel", _("除名")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="membership_events")
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    from_status = models.CharField(_("原状态"), max_length=16, choices=MembershipStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=MembershipStatus.choices)
    date = models.DateField(_("日期"))
    reason = models.TextField(_("原因/说明"), blank=True)
    actor = models.ForeignKey(
        "members.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("操作人")
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = MembershipEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("成员状态变更")
        verbose_name_plural = _("成员状态变更")
        ordering = ["date", "id"]

    def __str__(self):
        return f"{self.organization} {self.get_action_display()} {self.date}"


class UserQuerySet(RestrictedQuerySet):
    """Staff and admins manage every account; a member sees their own organisation's users, and only
    its administrator (is_org_admin) changes them, never anyone above the member role."""

    def member_q(self, org_id, action):
        return models.Q(organization_id=org_id)

    def for_user(self, user, action=VIEW):
        qs = super().for_user(user, action)
        if action == CHANGE and member_org_id(user) is not None:
            if not user.is_org_admin:
                return self.none()
            qs = qs.filter(role=Role.MEMBER, is_superuser=False)
        return qs


class PortalUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """A person who signs in to the portal, with one role (and an organisation for members)."""

    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("所属成员单位"),
    )
    is_org_admin = models.BooleanField(
        _("本单位管理员"), default=False, db_default=False, help_text=_("可管理本成员单位的用户。")
    )
    email_notice = models.CharField(
        _("邮件通知"), max_length=8, choices=EmailNotice.choices, default=EmailNotice.EACH, db_default=EmailNotice.EACH
    )
    listed_in_directory = models.BooleanField(_("同意在成员名录中公开联系方式"), default=False, db_default=False)
    last_home_visit = models.DateTimeField(_("上次查看工作台"), null=True, blank=True, editable=False)

    objects = PortalUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="member") | models.Q(organization__isnull=False),
                name="member_user_has_organization",
                violation_error_message=_("成员单位用户必须属于一个成员单位。"),
            )
        ]

    def clean(self):
        super().clean()
        if self.role == Role.MEMBER and not self.organization_id:
            raise ValidationError({"organization": _("成员单位用户必须属于一个成员单位。")})

    def get_absolute_url(self):
        return reverse("members:user_detail", args=[self.pk])

    @classmethod
    def user_can_create(cls, user) -> bool:
        """Staff and admins invite anyone; an organisation's administrator invites its own members."""
        return is_writer(user) or bool(member_org_id(user) and user.is_org_admin)

    @property
    def manages_org_users(self) -> bool:
        """An organisation's own administrator: manages that organisation's users in the portal."""
        return bool(member_org_id(self) and self.is_org_admin)

    @property
    def effective_role(self):
        return Role.ADMIN if self.is_superuser else self.role

    @property
    def can_edit_all(self):
        return self.effective_role in (Role.ADMIN, Role.STAFF)

    @property
    def can_view_all(self):
        return self.effective_role in (Role.ADMIN, Role.STAFF, Role.LEADERSHIP)

    @property
    def is_member_user(self):
        return self.effective_role == Role.MEMBER

    @property
    def is_leadership(self):
        return self.effective_role == Role.LEADERSHIP

    @property
    def is_expert(self):
        return self.effective_role == Role.EXPERT


class NotificationQuerySet(RestrictedQuerySet):
    def for_user(self, user, action=VIEW):
        # Notifications are personal, whatever the role.
        if not (user and user.is_authenticated):
            return self.none()
        return self.filter(user=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message to one user in the portal (expiring agreements, workflow steps)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("用户"))
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # E-mail delivery (members.tasks): set once the notice went out by itself or in a digest.
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("邮件发送次数"), default=0, db_default=0)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"]), models.Index(fields=["emailed_at", "user"])]

    def __str__(self):
        return self.title


class UserEventQuerySet(RestrictedQuerySet):
    def member_q(self, org_id, action):
        return models.Q(user__organization_id=org_id) if action == VIEW else None


class UserEvent(models.Model):
    """One step taken on a user account in the portal (invited, deactivated, re-roled …) and who took it."""

    class Action(models.TextChoices):
        INVITE = "invite", _("邀请")
        DEACTIVATE = "deactivate", _("停用")
        REACTIVATE = "reactivate", _("重新启用")
        ROLE = "role", _("变更角色")
        RESET = "reset", _("发送重设密码链接")
        PASSWORD = "password", _("通过链接设置密码")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="account_events", verbose_name=_("用户"))
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    detail = models.CharField(_("说明"), max_length=300, blank=True)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("操作人")
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = UserEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("用户操作记录")
        verbose_name_plural = _("用户操作记录")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.user} {self.get_action_display()}"


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    ADMITTED = "admitted", _("已批准入会")
    DECLINED = "declined", _("未予批准")


class MembershipApplicationQuerySet(RestrictedQuerySet):
    # Applications are for staff (and leadership to read): member_q stays None.

    def pending(self):
        return self.filter(status=ApplicationStatus.PENDING)


class MembershipApplication(models.Model):
    """An organisation's online application to join the consortium (入会申请) and its outcome."""

    name = models.CharField(_("单位名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, validators=[validate_credit_code])
    kind = models.CharField(_("单位类型"), max_length=32, choices=OrganizationKind.choices)
    industry_chain = models.CharField(_("产业链"), max_length=32, choices=IndustryChain.choices, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=30)
    contact_email = models.EmailField(_("联系邮箱"))
    description = models.TextField(_("单位简介与入会意向"), blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.PENDING, editable=False
    )
    reason = models.TextField(_("审核意见"), blank=True, editable=False)
    decided_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
        editable=False,
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True, editable=False)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("入会后的成员单位"),
        editable=False,
    )
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    history = HistoricalRecords()
    objects = MembershipApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("入会申请")
        verbose_name_plural = _("入会申请")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=models.Q(status="pending"),
                name="one_pending_application_per_credit_code",
                violation_error_message=_("该统一社会信用代码已有一份待审核的入会申请。"),
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.credit_code = (self.credit_code or "").strip().upper()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("members:application_detail", args=[self.pk])


def application_document_path(instance, filename):
    return generated_path("applications", filename)


class ApplicationDocumentQuerySet(RestrictedQuerySet):
    pass


class ApplicationDocument(models.Model):
    """A document uploaded with a membership application (licence, letter of intent), checked by content."""

    application = models.ForeignKey(
        MembershipApplication, on_delete=models.CASCADE, related_name="documents", verbose_name=_("入会申请")
    )
    file = models.FileField(_("文件"), upload_to=application_document_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=120)
    content_type = models.CharField(_("文件类型"), max_length=40)
    size = models.PositiveIntegerField(_("大小（字节）"))

    objects = ApplicationDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["id"]

    def __str__(self):
        return self.original_name


class OutgoingMailQuerySet(RestrictedQuerySet):
    """Mail to addresses that are not users' notices: staff and admins only (members see none)."""

    def unsent(self):
        return self.filter(sent_at__isnull=True)


class OutgoingMail(models.Model):
    """One e-mail to one address outside the notices (an applicant, an invitation), kept until sent."""

    to = models.EmailField(_("收件人"))
    subject = models.CharField(_("主题"), max_length=300)
    body = models.TextField(_("内容"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)

    objects = OutgoingMailQuerySet.as_manager()

    class Meta:
        verbose_name = _("待发邮件")
        verbose_name_plural = _("待发邮件")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["sent_at", "created_at"])]

    def __str__(self):
        return f"{self.to}: {self.subject}"
