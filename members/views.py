from django.conf import settings
from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.views import PasswordResetConfirmView
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import CreateView, DetailView, ListView, TemplateView, UpdateView

from consortium import registry, uploads
from consortium.access import CHANGE, VIEW, is_reader, is_writer
from consortium.storage import StorageFull, files_follow_transaction
from consortium.views import (
    PortalActionView,
    PortalCreateView,
    PortalDetailView,
    PortalListView,
    PortalUpdateView,
)

from . import services
from .filters import DirectoryFilterSet, MembershipApplicationFilterSet, OrganizationFilterSet, UserFilterSet
from .forms import (
    AccountSettingsForm,
    AdmitApplicationForm,
    ConfirmForm,
    DeclineApplicationForm,
    DirectoryProfileForm,
    MembershipApplicationForm,
    MembershipStepForm,
    OrganizationForm,
    UserInviteForm,
    UserRoleForm,
)
from .models import (
    ApplicationDocument,
    ApplicationStatus,
    MembershipApplication,
    MembershipEvent,
    Notification,
    Organization,
    User,
    UserEvent,
    notifications_changed,
)


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


# -- Membership applications (入会申请) ------------------------------------------------------------


def client_address(request) -> str:
    # REMOTE_ADDR is the proxy's view of the client; a forwarded header could be forged by the applicant.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def application_throttled(request) -> bool:
    """Count one application attempt of this address; True once it made too many within the hour."""
    key = f"members:apply:{client_address(request)}"
    limit = int(getattr(settings, "MEMBERSHIP_APPLY_PER_HOUR", 10))
    cache.add(key, 0, 3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, 3600)
        count = 1
    return count > limit


class MembershipApplyView(CreateView):
    """The public application page: no sign-in, throttled per address, a honeypot for robots."""

    open_to_experts = True
    model = MembershipApplication
    form_class = MembershipApplicationForm
    template_name = "members/application_apply.html"

    def post(self, request, *args, **kwargs):
        if application_throttled(request):
            return render(request, "members/application_throttled.html", status=429)
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user if self.request.user.is_authenticated else None
        return kwargs

    def form_valid(self, form):
        if not form.is_robot:
            try:
                with files_follow_transaction():
                    services.submit_application(form.save(commit=False), form.cleaned_data["documents"])
            except StorageFull as exc:
                form.add_error(None, str(exc))
                return self.form_invalid(form)
            except IntegrityError:
                form.add_error("credit_code", _("该统一社会信用代码已有一份待审核的入会申请，请耐心等待审核结果。"))
                return self.form_invalid(form)
        return HttpResponseRedirect(reverse("members:application_apply_done"))


class MembershipApplyDoneView(TemplateView):
    open_to_experts = True
    template_name = "members/application_apply_done.html"


class ReaderRequiredMixin(LoginRequiredMixin):
    """Staff, admins and leadership (to read); members get 403."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_reader(request.user):
            raise PermissionDenied(_("只有联合体工作人员和领导小组可以查看入会申请。"))
        return super().dispatch(request, *args, **kwargs)


class MembershipApplicationListView(ReaderRequiredMixin, PortalListView):
    model = MembershipApplication
    filterset_class = MembershipApplicationFilterSet
    template_name = "members/application_list.html"
    select_related = ("decided_by", "organization")
    export_name = "membership-applications"
    export_fields = (
        (_("单位名称"), "name"),
        (_("统一社会信用代码"), "credit_code"),
        (_("单位类型"), "kind"),
        (_("产业链"), "industry_chain"),
        (_("联系人"), "contact_name"),
        (_("联系电话"), "contact_phone"),
        (_("联系邮箱"), "contact_email"),
        (_("状态"), "status"),
        (_("申请时间"), "created_at"),
        (_("审核时间"), "decided_at"),
        (_("审核意见"), "reason"),
    )

    def get_queryset(self):
        # Meta.ordering is dropped from an aggregated query: order it again.
        return super().get_queryset().annotate(document_count=Count("documents")).order_by("-created_at", "-id")


class MembershipApplicationDetailView(ReaderRequiredMixin, PortalDetailView):
    model = MembershipApplication
    template_name = "members/application_detail.html"
    select_related = ("decided_by", "organization")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["documents"] = self.object.documents.all()
        ctx["pending"] = self.object.status == ApplicationStatus.PENDING
        return ctx


class ApplicationDocumentView(ReaderRequiredMixin, View):
    """A document of an application, only for those who may read applications."""

    def get(self, request, pk):
        visible = MembershipApplication.objects.for_user(request.user, VIEW)
        document = get_object_or_404(ApplicationDocument.objects.filter(application__in=visible), pk=pk)
        return uploads.download_response(document.file, document.original_name, document.content_type)


def invitation_link(request, user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return request.build_absolute_uri(
        reverse("members:invitation", args=[uid, default_token_generator.make_token(user)])
    )


class MembershipApplicationAdmitView(PortalActionView):
    model = MembershipApplication
    form_class = AdmitApplicationForm
    title = _("批准入会")
    success_message = _("已批准入会：成员单位及其首个用户已创建，邀请邮件已发送。")

    def get_initial(self):
        return {"username": self.object.contact_email}

    def perform(self, obj, form):
        services.admit_application(
            obj.pk,
            by=self.request.user,
            username=form.cleaned_data["username"],
            link_for=lambda user: invitation_link(self.request, user),
        )


class MembershipApplicationDeclineView(PortalActionView):
    model = MembershipApplication
    form_class = DeclineApplicationForm
    title = _("不予批准")
    button_class = "btn-danger"
    success_message = _("已不予批准，原因已通过邮件告知申请单位。")

    def perform(self, obj, form):
        services.decline_application(obj.pk, by=self.request.user, reason=form.cleaned_data["reason"])


class InvitationView(PasswordResetConfirmView):
    """Set a password from an invitation (or reset) link, then sign in; a used or expired link is refused."""

    open_to_experts = True
    template_name = "members/invitation.html"
    form_class = SetPasswordForm
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("home")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        response = super().form_valid(form)
        services.record_user_event(form.user, UserEvent.Action.PASSWORD, by=form.user)
        messages.success(self.request, _("密码已设置，您已登录。"))
        return response


# -- The member directory (成员名录) ---------------------------------------------------------------


def can_edit_profile(user, org) -> bool:
    """Staff and the organisation's own administrator edit its public profile."""
    return is_writer(user) or (user.manages_org_users and user.organization_id == org.pk)


class DirectoryListView(PortalListView):
    """Every admitted member's public profile; never a link to their private records."""

    model = Organization
    filterset_class = DirectoryFilterSet
    template_name = "members/directory_list.html"
    paginate_by = 20

    def get_queryset(self):
        return Organization.objects.active().select_related("directory_contact")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_create"] = False
        return ctx


def public_contact(org):
    """The directory contact, only while that user still agrees to be listed and belongs to the organisation."""
    contact = org.directory_contact
    if contact is not None and contact.listed_in_directory and contact.is_active and contact.organization_id == org.pk:
        return contact
    return None


class DirectoryDetailView(LoginRequiredMixin, DetailView):
    template_name = "members/directory_detail.html"
    context_object_name = "org"

    def get_queryset(self):
        return Organization.objects.active().select_related("directory_contact")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["contact"] = public_contact(self.object)
        ctx["can_edit"] = can_edit_profile(self.request.user, self.object)
        return ctx


class DirectoryProfileEditView(LoginRequiredMixin, UpdateView):
    form_class = DirectoryProfileForm
    template_name = "members/directory_form.html"
    context_object_name = "org"

    def get_object(self, queryset=None):
        org = get_object_or_404(Organization.objects.active(), pk=self.kwargs["pk"])
        if not can_edit_profile(self.request.user, org):
            raise PermissionDenied(_("只有本单位管理员和联合体工作人员可以编辑名录资料。"))
        return org

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        with transaction.atomic():
            self.object = form.save()
        messages.success(self.request, _("名录资料已保存。"))
        return HttpResponseRedirect(reverse("members:directory_detail", args=[self.object.pk]))


# -- Users in the portal ---------------------------------------------------------------------------


class UserManagerMixin(LoginRequiredMixin):
    """Staff and admins, and an organisation's own administrator (for that organisation's users)."""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not (is_writer(user) or user.manages_org_users):
            raise PermissionDenied(_("只有联合体工作人员和本单位管理员可以管理用户。"))
        return super().dispatch(request, *args, **kwargs)


class UserListView(UserManagerMixin, PortalListView):
    model = User
    filterset_class = UserFilterSet
    template_name = "members/user_list.html"

    def get_queryset(self):
        return User.objects.for_user(self.request.user, CHANGE).select_related("organization").order_by("username")


class UserDetailView(UserManagerMixin, PortalDetailView):
    model = User
    template_name = "members/user_detail.html"
    context_object_name = "account"
    select_related = ("organization",)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["events"] = self.object.account_events.select_related("actor")[:50]
        ctx["is_self"] = self.object.pk == self.request.user.pk
        try:
            services.check_can_manage(self.request.user, self.object)
        except PermissionDenied:
            ctx["can_change"] = False  # staff see an administrator's account but may not change it
        return ctx


class UserInviteView(UserManagerMixin, PortalCreateView):
    model = User
    form_class = UserInviteForm
    success_message = _("已邀请用户，设置密码的链接已发往其邮箱。")

    def after_save(self, form):
        services.record_user_event(self.object, UserEvent.Action.INVITE, by=self.request.user)
        services.send_invitation(self.object, invitation_link(self.request, self.object))


class UserStepView(UserManagerMixin, PortalActionView):
    model = User
    form_class = ConfirmForm


class UserDeactivateView(UserStepView):
    title = _("停用用户")
    button_class = "btn-danger"
    success_message = _("用户已停用。")

    def perform(self, obj, form):
        services.set_active(obj.pk, False, by=self.request.user)


class UserReactivateView(UserStepView):
    title = _("重新启用用户")
    success_message = _("用户已重新启用。")

    def perform(self, obj, form):
        services.set_active(obj.pk, True, by=self.request.user)


class UserPasswordResetView(UserStepView):
    title = _("发送重设密码链接")
    success_message = _("重设密码的链接已发往该用户的邮箱。")

    def perform(self, obj, form):
        services.send_password_reset(
            obj.pk, by=self.request.user, link_for=lambda user: invitation_link(self.request, user)
        )


class UserRoleView(UserStepView):
    form_class = UserRoleForm
    title = _("变更角色")
    success_message = _("角色已变更。")

    def get_initial(self):
        obj = self.object
        return {"role": obj.role, "organization": obj.organization, "is_org_admin": obj.is_org_admin}

    def perform(self, obj, form):
        data = form.cleaned_data
        services.change_role(
            obj.pk,
            by=self.request.user,
            role=data.get("role", obj.role),
            organization=data["organization"] if "organization" in data else obj.organization,
            is_org_admin=data.get("is_org_admin", False),
        )


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
