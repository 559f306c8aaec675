from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from consortium.access import is_writer, member_org_id
from consortium.forms import PortalForm, PortalModelForm
from members.models import Organization

from . import attachments, services
from .models import (
    Agreement,
    EvaluationCriterion,
    Expert,
    Milestone,
    Platform,
    PlatformStatus,
    Project,
    ProjectResult,
    ProjectStatus,
    ReviewPolicy,
    RiskLevel,
)


def organization_choices():
    return Organization.objects.order_by("name")


class ScanField(forms.FileField):
    """A file field whose value is checked by content (PDF/JPEG/PNG) and size, then renamed."""

    # A plain input: the stored file has no URL (it is served only through a checked view).
    widget = forms.FileInput

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if value and value is not initial and hasattr(value, "read"):
            value.checked = attachments.check_upload(value)
        return value


def parties_error(org):
    return _("协议各方必须包含登记单位“%(org)s”。") % {"org": org.name if org else ""}


def check_parties(organization, parties):
    """The parties must include the registering organisation and at least one other member."""
    parties = list(parties or [])
    if organization is not None and organization.pk not in {p.pk for p in parties}:
        raise ValidationError({"parties": parties_error(organization)})
    if len(parties) < 2:
        raise ValidationError({"parties": _("协议至少需要两方成员单位。")})


class AgreementForm(PortalModelForm):
    scan = ScanField(
        label=_("签署扫描件"),
        required=False,
        help_text=_("PDF、JPEG 或 PNG，按文件内容识别；大小上限见系统设置（默认 20 MB）。"),
    )

    class Meta:
        model = Agreement
        fields = ["organization", "kind", "title", "parties", "signed_on", "start_date", "end_date", "summary", "scan"]
        widgets = {
            "parties": forms.SelectMultiple(attrs={"size": 8}),
            "summary": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parties"].queryset = organization_choices()
        self.fields["parties"].help_text = _("包括本单位在内的所有签约成员单位（按住 Ctrl 多选）。")
        self.fields["organization"].queryset = organization_choices()
        org_id = member_org_id(self.user)
        if not is_writer(self.user) and org_id is not None:
            # A member registers for their own organisation only; the field is not theirs to set.
            del self.fields["organization"]
            if self.instance.pk is None:
                self.instance.organization_id = org_id
            if not self.is_bound and self.instance.pk is None:
                self.initial.setdefault("parties", [org_id])

    def clean(self):
        data = super().clean()
        organization = data.get("organization") if "organization" in self.fields else self.instance.organization
        if "parties" in data:
            try:
                check_parties(organization, data["parties"])
            except ValidationError as exc:
                self.add_error("parties", exc.message_dict["parties"])
        return data

    def save(self, commit=True):
        upload = self.cleaned_data.get("scan")
        checked = getattr(upload, "checked", None)
        if checked is not None:
            self.instance.scan_name = checked.display_name
            self.instance.scan_content_type = checked.content_type
            if self.instance.pk:
                # The replaced scan goes once the new one is saved.
                old = Agreement.objects.filter(pk=self.instance.pk).values_list("scan", flat=True).first()
                if old:
                    storage = self.instance.scan.storage
                    transaction.on_commit(lambda: storage.delete(old))
        return super().save(commit)


class AgreementStepForm(forms.Form):
    reason = forms.CharField(label=_("原因/说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class AttachmentForm(forms.Form):
    file = ScanField(label=_("文件"), help_text=_("PDF、JPEG 或 PNG，按文件内容识别。"))
    description = forms.CharField(label=_("说明"), max_length=200, required=False)


def lead_error():
    return _("成员单位只能以本单位为牵头单位申报项目。")


class ProjectForm(PortalModelForm):
    """Staff register a project; a member proposes one (a draft) with its own organisation as the lead."""

    class Meta:
        model = Project
        fields = [
            "title",
            "kind",
            "lead_organization",
            "partners",
            "planned_start",
            "planned_end",
            "budget",
            "support_fund_requested",
            "support_fund",
            "description",
        ]
        widgets = {
            "partners": forms.SelectMultiple(attrs={"size": 8}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_organization"].queryset = organization_choices()
        self.fields["partners"].queryset = organization_choices()
        self.fields["support_fund_requested"].required = False
        org_id = member_org_id(self.user)
        if not is_writer(self.user) and org_id is not None:
            # The proposing organisation leads its proposal; the fund granted is the staff's to set.
            del self.fields["support_fund"]
            lead = self.fields["lead_organization"]
            lead.queryset = Organization.objects.filter(pk=org_id)
            lead.empty_label = None
            lead.initial = org_id
            lead.error_messages["invalid_choice"] = lead_error()
            lead.help_text = _("成员单位以本单位为牵头单位申报。")
            if self.instance.pk is None:
                self.instance.status = ProjectStatus.DRAFT
                self.instance.proposed_by = self.user

    def clean_support_fund_requested(self):
        value = self.cleaned_data.get("support_fund_requested")
        return 0 if value is None else value

    def clean(self):
        data = super().clean()
        lead, partners = data.get("lead_organization"), data.get("partners")
        if lead is not None and partners is not None and lead in partners:
            self.add_error("partners", _("牵头单位“%(org)s”不必再列为合作单位。") % {"org": lead.name})
        elif lead is not None and partners is not None:
            try:
                services.check_partners_against_reviewers(self.instance, lead.pk, [p.pk for p in partners])
            except ValidationError as exc:
                self.add_error("partners", exc)
        return data


class ProjectStepForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(label=_("原因/说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class AssignExpertForm(PortalForm):
    expert = forms.ModelChoiceField(label=_("评审专家"), queryset=Expert.objects.none())
    due_on = forms.DateField(
        label=_("评审截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("有门户账号的专家会在“我的评审”中看到该日期。"),
    )

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expert"].queryset = Expert.objects.filter(is_active=True).select_related("organization")


class ReviewForm(PortalForm):
    """One expert's review: a 0–100 score per active criterion, a risk rating and an opinion."""

    risk = forms.ChoiceField(label=_("风险评估"), choices=[("", "---------")] + list(RiskLevel.choices))
    opinion = forms.CharField(label=_("评审意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    date = forms.DateField(label=_("评审日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(EvaluationCriterion.objects.filter(is_active=True))
        for c in self.criteria:
            self.fields[f"score_{c.pk}"] = forms.DecimalField(
                label=_("%(name)s（权重 %(weight)s）") % {"name": c.name, "weight": c.weight},
                min_value=0,
                max_value=100,
                decimal_places=2,
                help_text=c.description,
                error_messages={"min_value": _("得分应在 0 到 100 之间。"), "max_value": _("得分应在 0 到 100 之间。")},
            )

    def scores(self):
        return {c.pk: self.cleaned_data.get(f"score_{c.pk}") for c in self.criteria}


class ExpertScoreForm(ReviewForm):
    """The expert's own review: the same criteria, risk and opinion; dated the day it is entered."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["date"]
        self.fields["risk"].error_messages["required"] = _("请给出风险评估。")
        for c in self.criteria:
            self.fields[f"score_{c.pk}"].error_messages["required"] = _("请为该指标打分。")


class ConflictForm(PortalForm):
    reason = forms.CharField(
        label=_("利益冲突说明"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例如：与项目牵头单位存在合作或亲属关系。声明后您将退出本项目的评审。"),
        error_messages={"required": _("请说明利益冲突的情况。")},
    )


class ExpertInviteForm(PortalForm):
    username = forms.CharField(label=_("登录用户名"), max_length=150)
    email = forms.EmailField(label=_("电子邮箱"), help_text=_("设置密码的链接将发送到该邮箱。"))

    def __init__(self, *args, expert=None, **kwargs):
        super().__init__(*args, **kwargs)
        if expert is not None and expert.user_id:
            # The account exists: the invitation is sent again to the (possibly corrected) address.
            del self.fields["username"]


class MilestoneForm(PortalModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due_on", "done_on", "note"]


class ProjectResultForm(PortalModelForm):
    class Meta:
        model = ProjectResult
        fields = ["title", "kind", "description", "applied_at", "applied_on"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ExpertForm(PortalModelForm):
    class Meta:
        model = Expert
        fields = ["name", "organization", "affiliation", "field", "title", "phone", "email", "is_active"]

    def clean_organization(self):
        org = self.cleaned_data.get("organization")
        if org is not None and self.instance.pk:
            clash = (
                self.instance.reviews.filter(models.Q(project__lead_organization=org) | models.Q(project__partners=org))
                .select_related("project")
                .first()
            )
            if clash:
                raise ValidationError(
                    _("该专家已被指派评审“%(project)s”，“%(org)s”是该项目的牵头或合作单位，不能改为该单位。")
                    % {"project": clash.project.title, "org": org.name}
                )
        return org


class CriterionForm(PortalModelForm):
    class Meta:
        model = EvaluationCriterion
        fields = ["name", "description", "weight", "position", "is_active"]
        error_messages = {"name": {"unique": _("已有同名的评价指标。")}}


class ReviewPolicyForm(PortalModelForm):
    class Meta:
        model = ReviewPolicy
        fields = ["min_reviews", "pass_score"]

    def clean_pass_score(self):
        value = self.cleaned_data["pass_score"]
        if not (0 <= value <= 100):
            raise ValidationError(_("分数线应在 0 到 100 之间。"))
        return value

    def clean_min_reviews(self):
        value = self.cleaned_data["min_reviews"]
        if value < 1:
            raise ValidationError(_("至少需要 1 位评审专家。"))
        return value


class PlatformForm(PortalModelForm):
    class Meta:
        model = Platform
        fields = [
            "name",
            "kind",
            "level",
            "lead_organization",
            "organizations",
            "established_on",
            "project",
            "description",
        ]
        widgets = {
            "organizations": forms.SelectMultiple(attrs={"size": 8}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_organization"].queryset = organization_choices()
        self.fields["organizations"].queryset = organization_choices()
        self.fields["organizations"].help_text = _("牵头单位会自动计入共建单位。")
        self.fields["organizations"].required = False
        self.fields["project"].queryset = Project.objects.exclude(status=ProjectStatus.DRAFT).order_by("title")
        org_id = member_org_id(self.user)
        if not is_writer(self.user) and org_id is not None:
            self.fields["organizations"].help_text = _("牵头单位和本单位会自动计入共建单位。")
            if self.instance.pk is None:
                # A member's registration waits for the staff's confirmation before it counts.
                self.instance.status = PlatformStatus.PENDING
                self.instance.registering_organization_id = org_id
                self.instance.created_by = self.user

    def _save_m2m(self):
        super()._save_m2m()
        # The co-builders always include the lead and the registering organisation.
        self.instance.organizations.add(self.instance.lead_organization)
        if self.instance.registering_organization_id:
            self.instance.organizations.add(self.instance.registering_organization_id)
