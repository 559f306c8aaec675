from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from consortium.access import is_writer, member_org_id
from consortium.forms import PortalForm, PortalModelForm
from members.models import Organization, OrganizationKind
from members.validators import validate_id_number

from .imports import normalise_id_number
from .models import (
    DualTeacherRecognition,
    DualTeacherTraining,
    EnterprisePractice,
    ExchangeVisit,
    GuestProfessor,
    OrderClass,
    Teacher,
    TrainingSession,
)


def _own_org_only(form, field_name):
    """A member user may only pick their own organisation in ``field_name``."""
    if form.user is not None and not is_writer(form.user):
        org_id = member_org_id(form.user)
        field = form.fields[field_name]
        field.queryset = Organization.objects.filter(pk=org_id)
        if not form.instance.pk:
            field.initial = org_id


class OrderClassForm(PortalModelForm):
    class Meta:
        model = OrderClass
        fields = [
            "name",
            "enterprise",
            "school",
            "major",
            "intake_year",
            "graduation_year",
            "agreement",
            "mode",
            "planned",
            "enrolled",
            "graduated",
            "employed",
            "notes",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Organization.objects.enterprises()
        self.fields["school"].queryset = Organization.objects.schools()
        from projects.models import Agreement

        self.fields["agreement"].queryset = Agreement.objects.for_user(self.user).order_by("-signed_on")
        _own_org_only(self, "school")


class OrderClassFunnelForm(PortalForm):
    """The funnel figures of a class, kept by both its school and its sponsoring enterprise."""

    planned = forms.IntegerField(label=_("计划人数"), min_value=0)
    enrolled = forms.IntegerField(label=_("实际招收"), min_value=0)
    graduated = forms.IntegerField(label=_("毕业人数"), min_value=0)
    employed = forms.IntegerField(label=_("订单企业录用"), min_value=0)


class GuestProfessorForm(PortalModelForm):
    class Meta:
        model = GuestProfessor
        fields = ["name", "enterprise", "title", "appointed_on", "ends_on"]

    def __init__(self, *args, order_class=None, **kwargs):
        super().__init__(*args, **kwargs)
        if order_class is not None:
            self.instance.order_class = order_class
            self.fields["enterprise"].initial = order_class.enterprise_id
        # Every organisation is offered so that clean() can say why a non-enterprise is refused.
        self.fields["enterprise"].queryset = Organization.objects.all()


class TrainingSessionForm(PortalModelForm):
    class Meta:
        model = TrainingSession
        fields = [
            "title",
            "kind",
            "provider",
            "beneficiaries",
            "starts_at",
            "ends_at",
            "hours",
            "place",
            "location",
            "declared_headcount",
            "status",
            "description",
        ]
        widgets = {"beneficiaries": forms.SelectMultiple(attrs={"size": 8})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from projects.models import Platform

        self.fields["place"].queryset = Platform.objects.order_by("name")
        _own_org_only(self, "provider")


def clean_id_number_input(value):
    """A typed 身份证号: blank, or normalised and checked (GB 11643 check digit), with a Chinese message."""
    code = normalise_id_number(value)
    if code:
        validate_id_number(code)
    return code


class TeacherForm(PortalModelForm):
    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=24,
        required=False,
        help_text=_("选填。只保存脱敏号码和不可逆摘要，用于识别同一位教师；留空则不改变已登记的号码。"),
    )

    class Meta:
        model = Teacher
        fields = ["school", "name", "id_number", "subject_area", "title", "employee_no"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = Organization.objects.filter(kind__in=OrganizationKind.schools())
        _own_org_only(self, "school")
        if self.instance.id_number_masked:
            self.fields["id_number"].widget.attrs["placeholder"] = self.instance.id_number_masked

    def clean_id_number(self):
        return clean_id_number_input(self.cleaned_data.get("id_number"))

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        # A second record of the same person is refused here, with a message that names the
        # existing record only to a user who may see it (the database constraint is the backstop).
        teacher = self.instance
        teacher.school = cleaned.get("school")
        teacher.employee_no = cleaned.get("employee_no") or ""
        teacher.set_id_number(cleaned.get("id_number"))
        error = teacher.same_person_error(self.user)
        if error is not None:
            self.add_error(None, error)
        return cleaned


class _TeacherRecordForm(PortalModelForm):
    def __init__(self, *args, teacher=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teacher is not None:
            self.instance.teacher = teacher


class DualTeacherTrainingForm(_TeacherRecordForm):
    class Meta:
        model = DualTeacherTraining
        fields = ["completed_on", "session", "hours", "provider", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = TrainingSession.objects.for_user(self.user).order_by("-starts_at")


class EnterprisePracticeForm(_TeacherRecordForm):
    class Meta:
        model = EnterprisePractice
        fields = ["enterprise", "start_date", "end_date", "position"]


class DualTeacherRecognitionForm(_TeacherRecordForm):
    class Meta:
        model = DualTeacherRecognition
        fields = ["level", "recognized_on", "body"]


class ExchangeVisitForm(PortalModelForm):
    class Meta:
        model = ExchangeVisit
        fields = ["date", "visiting_organization", "visited", "participants", "purpose"]
        widgets = {"visited": forms.SelectMultiple(attrs={"size": 10})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _own_org_only(self, "visiting_organization")


class TraineeUploadForm(forms.Form):
    file = forms.FileField(
        label=_("学员名单文件"),
        help_text=_(
            "Excel（.xlsx、.xls）、WPS、OpenDocument（.ods）或 CSV（UTF-8 或 GBK 编码），"
            "表头：姓名、身份证号、性别、手机号、工作单位、岗位/职务；其他列不导入。"
        ),
    )


class TraineeAddForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("身份证号"), max_length=18, required=False, help_text=_("只保存脱敏号码和不可逆摘要，用于识别同一人。")
    )
    gender = forms.ChoiceField(label=_("性别"), choices=[("", "—"), ("男", _("男")), ("女", _("女"))], required=False)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    employer = forms.CharField(label=_("工作单位"), max_length=200, required=False)
    job_title = forms.CharField(label=_("岗位/职务"), max_length=100, required=False)


class TeacherMergeForm(PortalForm):
    """Which records of the same person to merge into the kept one."""

    duplicates = forms.ModelMultipleChoiceField(
        label=_("合并到本条记录的重复记录"),
        queryset=Teacher.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("所选记录的双师型培训、企业实践和认定记录将移到本条记录，空白信息由其补全，然后删除所选记录。"),
    )

    def __init__(self, *args, keep=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["duplicates"]
        if keep is None:
            return
        # Only records that may be the same person: the same school and name, or the same 身份证号.
        same = Q(school_id=keep.school_id, name=keep.name)
        if keep.id_number_hash:
            same |= Q(id_number_hash=keep.id_number_hash)
        field.queryset = Teacher.objects.filter(same).exclude(pk=keep.pk).select_related("school").order_by("pk")
        field.label_from_instance = lambda t: (
            _("#%(pk)s %(name)s（%(school)s，工号 %(no)s）")
            % {"pk": t.pk, "name": t.name, "school": t.school, "no": t.employee_no or "—"}
        )


class ConfirmForm(forms.Form):
    """An empty form: the POST itself is the confirmation."""
