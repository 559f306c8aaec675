from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import ListView, UpdateView

from consortium import registry
from consortium.views import (
    PortalActionView,
    PortalCreateView,
    PortalDetailView,
    PortalListView,
    PortalUpdateView,
)

from . import services
from .filters import OrganizationFilterSet
from .forms import AccountSettingsForm, MembershipStepForm, OrganizationForm
from .models import MembershipEvent, Notification, Organization, notifications_changed


class OrganizationListView(PortalListView):
    model = Organization
    filterset_class = OrganizationFilterSet
    template_name = "members/organization_list.html"
    export_name = "organizations"
    export_fields = (
        (_("单位名称"), "name"),
        (_("统一社会信用代码"), "credit_code"),
        (_("单位类型"), "kind"),
        (_("产业链"), "industry_chain"),
        (_("理事会职务"), "council_role"),
        (_("成员状态"), "status"),
        (_("专精特新"), "is_specialized_sme"),
        (_("产教融合型企业"), "is_integration_enterprise"),
        (_("联系人"), "contact_name"),
        (_("联系电话"), "contact_phone"),
    )


class OrganizationDetailView(PortalDetailView):
    model = Organization
    template_name = "members/organization_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        org = self.object
        ctx["events"] = org.membership_events.select_related("actor")
        ctx["actions"] = (
            [
                (a, MembershipEvent.Action(a).label, reverse(f"members:organization_{a}", args=[org.pk]))
                for a in services.allowed_actions(org)
            ]
            if ctx["can_change"]
            else []
        )
        ctx["sections"] = related_sections(self.request, org)
        return ctx


def related_sections(request, org):
    """Panels the apps register for the organisation page (agreements, projects, classes …)."""
    sections = []
    for panels in registry.panels:
        sections.extend(panels(request, org))
    return sections


class OrganizationCreateView(PortalCreateView):
    model = Organization
    form_class = OrganizationForm
    success_message = _("成员单位已创建，状态为“已申请”。")

    def after_save(self, form):
        services.record_application(self.object, by=self.request.user)


class OrganizationUpdateView(PortalUpdateView):
    model = Organization
    form_class = OrganizationForm


class OrganizationMembershipView(PortalActionView):
    """One membership step (admit, suspend, reinstate, exit, expel)."""

    model = Organization
    form_class = MembershipStepForm
    action = None

    @property
    def title(self):
        return MembershipEvent.Action(self.action).label

    def get_initial(self):
        return {"date": timezone.localdate()}

    def perform(self, obj, form):
        services.change_membership(
            obj.pk,
            self.action,
            by=self.request.user,
            date=form.cleaned_data["date"],
            reason=form.cleaned_data["reason"],
        )


class NotificationListView(LoginRequiredMixin, ListView):
    open_to_experts = True
    template_name = "members/notification_list.html"
    paginate_by = 25

    def get_queryset(self):
        return Notification.objects.for_user(self.request.user)


class NotificationReadAllView(LoginRequiredMixin, View):
    open_to_experts = True

    def post(self, request):
        Notification.objects.for_user(request.user).unread().update(read_at=timezone.now())
        notifications_changed.send(sender=Notification)
        return HttpResponseRedirect(reverse("members:notification_list"))


# -- The signed-in user's own settings: e-mail notices and the member directory ---------------


class AccountSettingsView(LoginRequiredMixin, UpdateView):
    """Any signed-in user (experts too) chooses how notices reach them by e-mail."""

    open_to_experts = True
    form_class = AccountSettingsForm
    template_name = "members/account_settings.html"

    def get_object(self, queryset=None):
        return self.request.user

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        messages.success(self.request, _("设置已保存。"))
        return super().form_valid(form)

    def get_success_url(self):
        return reverse("members:account_settings")
