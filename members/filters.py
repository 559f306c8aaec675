import django_filters
from django.utils.translation import gettext_lazy as _

from consortium.filters import SearchFilterSet

from .models import (
    ApplicationStatus,
    CouncilRole,
    IndustryChain,
    MembershipApplication,
    MembershipStatus,
    Organization,
    OrganizationKind,
    Role,
    User,
)


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


class DirectoryFilterSet(SearchFilterSet):
    """The member directory: public profile fields only."""

    search_fields = ("name", "short_name", "offers", "seeks", "description")
    kind = django_filters.MultipleChoiceFilter(choices=OrganizationKind.choices, label=_("单位类型"))
    industry_chain = django_filters.ChoiceFilter(choices=IndustryChain.choices, label=_("产业链"))
    ordering = django_filters.OrderingFilter(
        fields=(("name", "name"), ("kind", "kind"), ("industry_chain", "industry_chain")),
        field_labels={"name": _("名称"), "kind": _("类型"), "industry_chain": _("产业链")},
        label=_("排序"),
    )

    class Meta:
        model = Organization
        fields = ["q", "kind", "industry_chain"]


class MembershipApplicationFilterSet(SearchFilterSet):
    search_fields = ("name", "credit_code", "contact_name", "contact_email")
    status = django_filters.MultipleChoiceFilter(choices=ApplicationStatus.choices, label=_("状态"))
    kind = django_filters.MultipleChoiceFilter(choices=OrganizationKind.choices, label=_("单位类型"))
    industry_chain = django_filters.ChoiceFilter(choices=IndustryChain.choices, label=_("产业链"))
    ordering = django_filters.OrderingFilter(
        fields=(("name", "name"), ("status", "status"), ("created_at", "created_at"), ("decided_at", "decided_at")),
        field_labels={"name": _("名称"), "status": _("状态"), "created_at": _("申请时间"), "decided_at": _("审核时间")},
        label=_("排序"),
    )

    class Meta:
        model = MembershipApplication
        fields = ["q", "status", "kind", "industry_chain"]


class UserFilterSet(SearchFilterSet):
    search_fields = ("username", "first_name", "last_name", "email")
    role = django_filters.MultipleChoiceFilter(choices=Role.choices, label=_("角色"))
    organization = django_filters.ModelChoiceFilter(queryset=Organization.objects.all(), label=_("所属成员单位"))
    is_active = django_filters.BooleanFilter(label=_("启用"))
    is_org_admin = django_filters.BooleanFilter(label=_("本单位管理员"))
    ordering = django_filters.OrderingFilter(
        fields=(("username", "username"), ("first_name", "first_name"), ("role", "role"), ("last_login", "last_login")),
        field_labels={"username": _("用户名"), "first_name": _("姓名"), "role": _("角色"), "last_login": _("上次登录")},
        label=_("排序"),
    )

    class Meta:
        model = User
        fields = ["q", "role", "organization", "is_active", "is_org_admin"]
