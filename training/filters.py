import django_filters
from django.utils.translation import gettext_lazy as _

from consortium.filters import IdFilter, SearchFilterSet, YearFilter
from members.models import Organization

from .models import (
    DualTeacherRecognition,
    DualTeacherTraining,
    EnterprisePractice,
    ExchangeVisit,
    GuestProfessor,
    OrderClass,
    OrderClassMode,
    RecognitionLevel,
    SessionStatus,
    Teacher,
    Trainee,
    TraineeImport,
    TrainingKind,
    TrainingSession,
)


def _orgs(request):
    return Organization.objects.order_by("name")


class OrderClassFilterSet(SearchFilterSet):
    search_fields = ("name", "major", "enterprise__name", "school__name")
    enterprise = django_filters.ModelChoiceFilter(queryset=_orgs, label=_("订单企业"))
    school = django_filters.ModelChoiceFilter(queryset=_orgs, label=_("学校"))
    intake_year = YearFilter(label=_("招生年份"))
    # The dashboard's order employment rate of a year is over the classes with intake ≤ that year.
    intake_until = YearFilter(field_name="intake_year", lookup_expr="lte", label=_("招生年份不晚于"))
    mode = django_filters.ChoiceFilter(choices=OrderClassMode.choices, label=_("培养模式"))
    ordering = django_filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("intake_year", "intake_year"),
            ("enrolled", "enrolled"),
            ("graduated", "graduated"),
            ("employed", "employed"),
        ),
        field_labels={
            "name": _("名称"),
            "intake_year": _("招生年份"),
            "enrolled": _("实际招收"),
            "graduated": _("毕业人数"),
            "employed": _("录用人数"),
        },
        label=_("排序"),
    )

    class Meta:
        model = OrderClass
        fields = ["q", "enterprise", "school", "intake_year", "intake_until", "mode"]


class GuestProfessorFilterSet(SearchFilterSet):
    search_fields = ("name", "title", "enterprise__name")
    order_class = IdFilter(field_name="order_class_id", label=_("订单班编号"))
    enterprise = django_filters.ModelChoiceFilter(queryset=_orgs, label=_("所在企业"))
    ordering = django_filters.OrderingFilter(
        fields=(("name", "name"), ("appointed_on", "appointed_on")), label=_("排序")
    )

    class Meta:
        model = GuestProfessor
        fields = ["q", "order_class", "enterprise"]


class TrainingSessionFilterSet(SearchFilterSet):
    search_fields = ("title", "provider__name", "location")
    kind = django_filters.MultipleChoiceFilter(choices=TrainingKind.choices, label=_("培训类型"))
    status = django_filters.MultipleChoiceFilter(choices=SessionStatus.choices, label=_("状态"))
    provider = django_filters.ModelChoiceFilter(queryset=_orgs, label=_("承办单位"))
    beneficiary = django_filters.ModelChoiceFilter(
        queryset=_orgs,
        field_name="beneficiaries",
        label=_("受益单位"),
        distinct=True,
    )
    year = YearFilter(field_name="ends_at", lookup_expr="year", label=_("结束年份"))
    ordering = django_filters.OrderingFilter(
        fields=(
            ("title", "title"),
            ("starts_at", "starts_at"),
            ("ends_at", "ends_at"),
            ("hours", "hours"),
            ("declared_headcount", "declared_headcount"),
            ("trainee_count", "trainee_count"),
        ),
        field_labels={
            "title": _("名称"),
            "starts_at": _("开始时间"),
            "ends_at": _("结束时间"),
            "hours": _("学时"),
            "declared_headcount": _("申报人数"),
            "trainee_count": _("名单人数"),
        },
        label=_("排序"),
    )

    class Meta:
        model = TrainingSession
        fields = ["q", "kind", "status", "provider", "beneficiary", "year"]


class TraineeFilterSet(SearchFilterSet):
    search_fields = ("name", "employer", "id_number_masked")
    session = IdFilter(field_name="session_id", label=_("培训编号"))
    ordering = django_filters.OrderingFilter(fields=(("name", "name"), ("row_number", "row_number")), label=_("排序"))

    class Meta:
        model = Trainee
        fields = ["q", "session"]


class TraineeImportFilterSet(SearchFilterSet):
    search_fields = ("file_name",)
    session = IdFilter(field_name="session_id", label=_("培训编号"))
    ordering = django_filters.OrderingFilter(fields=(("uploaded_at", "uploaded_at"),), label=_("排序"))

    class Meta:
        model = TraineeImport
        fields = ["q", "session", "status"]


class TeacherFilterSet(SearchFilterSet):
    search_fields = ("name", "subject_area", "title", "employee_no", "school__name")
    school = django_filters.ModelChoiceFilter(queryset=_orgs, label=_("学校"))
    recognized = django_filters.BooleanFilter(method="filter_recognized", label=_("已认定双师型"))
    ordering = django_filters.OrderingFilter(
        fields=(("name", "name"), ("school__name", "school"), ("title", "title")),
        field_labels={"name": _("姓名"), "school": _("学校"), "title": _("职称")},
        label=_("排序"),
    )

    class Meta:
        model = Teacher
        fields = ["q", "school", "recognized"]

    def filter_recognized(self, queryset, name, value):
        if value is None:
            return queryset
        ids = DualTeacherRecognition.objects.values("teacher_id")
        return queryset.filter(pk__in=ids) if value else queryset.exclude(pk__in=ids)


class _TeacherRecordFilterSet(SearchFilterSet):
    search_fields = ("teacher__name", "teacher__school__name")
    # By id, so that no filter form ever lists the names of teachers the user may not see.
    teacher = IdFilter(field_name="teacher_id", label=_("教师编号"))


class DualTeacherTrainingFilterSet(_TeacherRecordFilterSet):
    year = YearFilter(field_name="completed_on", lookup_expr="year", label=_("完成年份"))
    ordering = django_filters.OrderingFilter(fields=(("completed_on", "completed_on"),), label=_("排序"))

    class Meta:
        model = DualTeacherTraining
        fields = ["q", "teacher", "year"]


class EnterprisePracticeFilterSet(_TeacherRecordFilterSet):
    enterprise = django_filters.ModelChoiceFilter(queryset=_orgs, label=_("实践企业"))
    ordering = django_filters.OrderingFilter(fields=(("start_date", "start_date"),), label=_("排序"))

    class Meta:
        model = EnterprisePractice
        fields = ["q", "teacher", "enterprise"]


class DualTeacherRecognitionFilterSet(_TeacherRecordFilterSet):
    level = django_filters.ChoiceFilter(choices=RecognitionLevel.choices, label=_("认定等级"))
    ordering = django_filters.OrderingFilter(fields=(("recognized_on", "recognized_on"),), label=_("排序"))

    class Meta:
        model = DualTeacherRecognition
        fields = ["q", "teacher", "level"]


class ExchangeVisitFilterSet(SearchFilterSet):
    search_fields = ("purpose", "visiting_organization__name")
    visiting_organization = django_filters.ModelChoiceFilter(queryset=_orgs, label=_("走访单位"))
    visited = django_filters.ModelChoiceFilter(queryset=_orgs, label=_("被走访单位"), distinct=True)
    year = YearFilter(field_name="date", lookup_expr="year", label=_("年份"))
    ordering = django_filters.OrderingFilter(
        fields=(("date", "date"), ("participants", "participants")),
        field_labels={"date": _("日期"), "participants": _("参加人数")},
        label=_("排序"),
    )

    class Meta:
        model = ExchangeVisit
        fields = ["q", "visiting_organization", "visited", "year"]
