import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from consortium.filters import SearchFilterSet, YearFilter
from members.models import Organization

from .models import (
    Agreement,
    AgreementKind,
    AgreementStatus,
    Expert,
    Platform,
    PlatformKind,
    PlatformLevel,
    PlatformStatus,
    Project,
    ProjectKind,
    ProjectStatus,
)


@extend_schema_field(OpenApiTypes.INT)
class OrganizationFilter(django_filters.ModelChoiceFilter):
    """A member organisation (by id) involved in the record in any role."""


def _organizations(request):
    if request is None or not request.user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.order_by("name")


def _involving(queryset, q):
    # A subquery keeps rows unique when the condition follows a many-to-many relation.
    return queryset.filter(pk__in=queryset.model._base_manager.filter(q).values("pk"))


class AgreementFilterSet(SearchFilterSet):
    search_fields = ("title", "summary", "organization__name")
    organization = OrganizationFilter(
        queryset=_organizations,
        method="filter_organization",
        label=_("成员单位（任一方）"),
    )
    kind = django_filters.MultipleChoiceFilter(choices=AgreementKind.choices, label=_("协议类型"))
    status = django_filters.MultipleChoiceFilter(choices=AgreementStatus.choices, label=_("状态"))
    year = YearFilter(field_name="signed_on", lookup_expr="year", label=_("签订年份"))
    term = django_filters.ChoiceFilter(
        choices=(("expiring", _("30天内到期")), ("expired", _("已到期")), ("valid", _("有效期内"))),
        method="filter_term",
        label=_("期限"),
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("signed_on", "signed_on"),
            ("end_date", "end_date"),
            ("title", "title"),
            ("status", "status"),
            ("verified_at", "verified_at"),
            ("kind", "kind"),
        ),
        field_labels={
            "signed_on": _("签订日期"),
            "end_date": _("到期日期"),
            "title": _("协议名称"),
            "status": _("状态"),
            "verified_at": _("核验时间"),
            "kind": _("协议类型"),
        },
        label=_("排序"),
    )

    class Meta:
        model = Agreement
        fields = ["q", "organization", "kind", "status", "year", "term"]

    def filter_organization(self, queryset, name, value):
        if not value:
            return queryset
        return _involving(queryset, Q(organization=value) | Q(parties=value))

    def filter_term(self, queryset, name, value):
        if value == "expiring":
            return queryset.expiring()
        if value == "expired":
            return queryset.expired()
        if value == "valid":
            return queryset.running().filter(end_date__gte=timezone.localdate())
        return queryset


class ProjectFilterSet(SearchFilterSet):
    search_fields = ("title", "description", "lead_organization__name")
    organization = OrganizationFilter(
        queryset=_organizations,
        method="filter_organization",
        label=_("成员单位（牵头或合作）"),
    )
    kind = django_filters.MultipleChoiceFilter(choices=ProjectKind.choices, label=_("项目类型"))
    status = django_filters.MultipleChoiceFilter(choices=ProjectStatus.choices, label=_("状态"))
    year = YearFilter(field_name="planned_start", lookup_expr="year", label=_("开始年份"))
    completed_year = YearFilter(method="filter_completed_year", label=_("结项年份"))
    ordering = django_filters.OrderingFilter(
        fields=(
            ("title", "title"),
            ("planned_start", "planned_start"),
            ("planned_end", "planned_end"),
            ("budget", "budget"),
            ("support_fund", "support_fund"),
            ("status", "status"),
            ("completed_on", "completed_on"),
        ),
        field_labels={
            "title": _("项目名称"),
            "planned_start": _("计划开始"),
            "planned_end": _("计划结束"),
            "budget": _("预算"),
            "support_fund": _("专项扶持资金"),
            "status": _("状态"),
            "completed_on": _("结项日期"),
        },
        label=_("排序"),
    )

    class Meta:
        model = Project
        fields = ["q", "organization", "kind", "status", "year", "completed_year"]

    def filter_organization(self, queryset, name, value):
        if not value:
            return queryset
        return _involving(queryset, Q(lead_organization=value) | Q(partners=value))

    def filter_completed_year(self, queryset, name, value):
        return queryset.completed_in(int(value)) if value else queryset


class PlatformFilterSet(SearchFilterSet):
    search_fields = ("name", "description", "lead_organization__name")
    organization = OrganizationFilter(
        queryset=_organizations,
        method="filter_organization",
        label=_("共建单位"),
    )
    kind = django_filters.MultipleChoiceFilter(choices=PlatformKind.choices, label=_("平台类型"))
    level = django_filters.MultipleChoiceFilter(choices=PlatformLevel.choices, label=_("级别"))
    status = django_filters.MultipleChoiceFilter(choices=PlatformStatus.choices, label=_("确认状态"))
    year = YearFilter(field_name="established_on", lookup_expr="year", label=_("建成年份"))
    ordering = django_filters.OrderingFilter(
        fields=(("name", "name"), ("kind", "kind"), ("level", "level"), ("established_on", "established_on")),
        field_labels={"name": _("平台名称"), "kind": _("类型"), "level": _("级别"), "established_on": _("建成日期")},
        label=_("排序"),
    )

    class Meta:
        model = Platform
        fields = ["q", "organization", "kind", "level", "status", "year"]

    def filter_organization(self, queryset, name, value):
        if not value:
            return queryset
        return _involving(queryset, Q(lead_organization=value) | Q(organizations=value))


class ExpertFilterSet(SearchFilterSet):
    search_fields = ("name", "field", "affiliation", "organization__name")
    is_active = django_filters.BooleanFilter(label=_("在库"))
    ordering = django_filters.OrderingFilter(
        fields=(("name", "name"), ("field", "field")),
        field_labels={"name": _("姓名"), "field": _("专业领域")},
        label=_("排序"),
    )

    class Meta:
        model = Expert
        fields = ["q", "is_active"]
