from django import forms
from django.utils.translation import gettext_lazy as _

from consortium.forms import PortalModelForm

from .models import EmailNotice, Organization, User


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
