from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from consortium import uploads
from consortium.forms import PortalForm, PortalModelForm

from . import services
from .models import EmailNotice, MembershipApplication, Organization, Role, User


class OrganizationForm(PortalModelForm):
    website = forms.URLField(label=_("网站"), required=False, assume_scheme="https")

    class Meta:
        model = Organization
        fields = [
            "name",
            "short_name",
            "credit_code",
            "kind",
            "industry_chain",
            "council_role",
            "is_specialized_sme",
            "is_integration_enterprise",
            "address",
            "website",
            "contact_name",
            "contact_title",
            "contact_phone",
            "contact_email",
            "description",
        ]
        error_messages = {
            "name": {"unique": _("已有同名的成员单位。")},
            "credit_code": {"unique": _("该统一社会信用代码已被另一成员单位使用。")},
        }

    def clean_credit_code(self):
        return (self.cleaned_data.get("credit_code") or "").strip().upper()


class MembershipStepForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(label=_("原因/说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class DocumentsField(forms.FileField):
    """Several files in one input, each checked by content (consortium.uploads)."""

    widget = MultipleFileInput

    def __init__(self, *args, max_files=5, **kwargs):
        self.max_files = max_files
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(
                    _("请上传至少一份申请材料（如营业执照、法人证书或入会申请书）。"), code="required"
                )
            return []
        if len(files) > self.max_files:
            raise ValidationError(_("最多上传 %(n)d 份材料。") % {"n": self.max_files}, code="too_many")
        return [uploads.check_upload(f) for f in files]


class MembershipApplicationForm(PortalModelForm):
    """The public application form (入会申请); ``homepage`` is a trap for robots, hidden from people."""

    documents = DocumentsField(
        label=_("申请材料"),
        help_text=_("营业执照或法人证书、入会申请书等；PDF、JPEG 或 PNG，最多 5 份。"),
    )
    homepage = forms.CharField(label=_("请勿填写此项"), required=False)

    class Meta:
        model = MembershipApplication
        fields = [
            "name",
            "credit_code",
            "kind",
            "industry_chain",
            "contact_name",
            "contact_phone",
            "contact_email",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def clean_credit_code(self):
        code = (self.cleaned_data.get("credit_code") or "").strip().upper()
        if Organization.objects.filter(credit_code=code).exists():
            raise ValidationError(_("该统一社会信用代码的单位已是联合体成员单位（或已登记），无需重复申请。"))
        if MembershipApplication.objects.pending().filter(credit_code=code).exists():
            raise ValidationError(_("该统一社会信用代码已有一份待审核的入会申请，请耐心等待审核结果。"))
        return code

    def clean_name(self):
        name = (self.cleaned_data.get("name") or "").strip()
        if Organization.objects.filter(name=name).exists():
            raise ValidationError(_("已有同名的成员单位。"))
        return name

    @property
    def is_robot(self) -> bool:
        return bool(self.cleaned_data.get("homepage"))


class AdmitApplicationForm(PortalForm):
    username = forms.CharField(
        label=_("首个用户的用户名"),
        max_length=150,
        help_text=_("该用户为新成员单位的本单位管理员，将收到设置密码的邀请邮件（发往申请联系邮箱）。"),
    )

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        User.username_validator(username)
        return username


class DeclineApplicationForm(PortalForm):
    reason = forms.CharField(
        label=_("不予批准的原因"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("原因将通过邮件告知申请单位的联系人。"),
        error_messages={"required": _("不予批准必须填写原因。")},
    )


class DirectoryProfileForm(PortalModelForm):
    """The organisation's public profile in the member directory (成员名录)."""

    website = forms.URLField(label=_("网站"), required=False, assume_scheme="https")

    class Meta:
        model = Organization
        fields = ["offers", "seeks", "description", "website", "directory_contact"]
        widgets = {
            "offers": forms.Textarea(attrs={"rows": 4}),
            "seeks": forms.Textarea(attrs={"rows": 4}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only a user of this organisation who agreed to be listed may be its public contact.
        self.fields["directory_contact"].queryset = User.objects.filter(
            organization_id=self.instance.pk, listed_in_directory=True, is_active=True
        )
        self.fields["directory_contact"].help_text = _(
            "只能选择本单位已同意在成员名录中公开联系方式的用户（在用户资料中勾选）。"
        )


def _role_choices(user):
    if user is not None and user.effective_role == Role.ADMIN:
        return Role.choices
    return [(value, label) for value, label in Role.choices if value != Role.ADMIN]


class UserInviteForm(PortalModelForm):
    """Invite a user: the account is made without a password and the person sets one from the e-mailed link."""

    class Meta:
        model = User
        fields = ["username", "first_name", "email", "role", "organization", "is_org_admin"]
        labels = {"first_name": _("姓名")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].error_messages["required"] = _("请填写邮箱：邀请链接将发往该邮箱。")
        self.fields["first_name"].required = True
        if self.user is not None and not self.user.can_edit_all:
            # An organisation's administrator invites members of their own organisation only.
            del self.fields["role"]
            del self.fields["organization"]
        else:
            self.fields["role"].choices = _role_choices(self.user)

    def clean(self):
        data = super().clean()
        if self.user is not None and not self.user.can_edit_all:
            role, org = Role.MEMBER, self.user.organization
        else:
            role, org = data.get("role"), data.get("organization")
        if role == Role.MEMBER and org is None and "organization" in self.fields:
            self.add_error("organization", _("成员单位用户必须属于一个成员单位。"))
        if role and role != Role.MEMBER and data.get("is_org_admin"):
            self.add_error("is_org_admin", _("只有成员单位用户可以是本单位管理员。"))
        try:
            services.check_can_invite(self.user, role=role, organization_id=org.pk if org else None)
        except PermissionDenied as exc:
            raise ValidationError(str(exc)) from exc
        self.instance.role = role
        self.instance.organization = org if role == Role.MEMBER else None
        return data

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


class UserRoleForm(PortalForm):
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    organization = forms.ModelChoiceField(label=_("所属成员单位"), queryset=Organization.objects.all(), required=False)
    is_org_admin = forms.BooleanField(label=_("本单位管理员"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.user is not None and not self.user.can_edit_all:
            del self.fields["role"]
            del self.fields["organization"]
        else:
            self.fields["role"].choices = _role_choices(self.user)


class ConfirmForm(PortalForm):
    """A step with nothing to fill in: the button confirms it."""


# -- The signed-in user's own settings (members.views.AccountSettingsView) --------------------


class AccountSettingsForm(PortalModelForm):
    class Meta:
        model = User
        fields = ["email", "email_notice", "listed_in_directory"]
        widgets = {"email_notice": forms.RadioSelect}
        help_texts = {
            "email": _("通知邮件发往此地址。"),
            "email_notice": _("站内通知总会保留；这里选择是否同时发送邮件。"),
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("email_notice") in (EmailNotice.EACH, EmailNotice.DAILY) and not cleaned.get("email"):
            self.add_error("email", _("选择发送邮件时必须填写邮箱。"))
        return cleaned
