import django_filters
from django.utils.translation import gettext_lazy as _

from consortium.filters import SearchFilterSet

from .models import CouncilRole, IndustryChain, MembershipStatus, Organization, OrganizationKind


class OrganizationFilterSet(SearchFilterSet):
    search_fields = ("name", "short_name", "credit_code", "contact_name")
    kind = django_filters.MultipleChoiceFilter(choices=OrganizationKind.choices, label=_("单位类型"))
    status = django_filters.MultipleChoiceFilter(choices=MembershipStatus.choices, label=_("成员状态"))
    industry_chain = django_filters.ChoiceFilter(choices=IndustryChain.choices, label=_("产业链"))
    council_role = django_filters.ChoiceFilter(choices=CouncilRole.choices, label=_("理事会职务"))
    is_specialized_sme = django_filters.BooleanFilter(label=_("专精特新"))
    is_integration_enterprise = django_filters.BooleanFilter(label=_("产教融合型企业"))
    ordering = django_filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("kind", "kind"),
            ("status", "status"),
            ("status_changed_on", "status_changed_on"),
            ("created_at", "created_at"),
        ),
        field_labels={
            "name": _("名称"),
            "kind": _("类型"),
            "status": _("状态"),
            "status_changed_on": _("状态变更日期"),
            "created_at": _("创建时间"),
        },
        label=_("排序"),
    )

    class Meta:
        model = Organization
        fields = [
            "q",
            "kind",
            "status",
            "industry_chain",
            "council_role",
            "is_specialized_sme",
            "is_integration_enterprise",
        ]
