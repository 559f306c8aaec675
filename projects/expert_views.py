"""The pages of review experts (我的评审) and the invitation that gives an expert a portal account.

Every page here is ``open_to_experts`` (consortium.middleware.ExpertScopeMiddleware lets experts
through to it) and, except the invitation link, refuses everyone who is not an expert; an expert
reaches only the reviews assigned to them (``ExpertReview.objects.of_expert_user``), any other is a 404.
"""

from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView

from consortium.access import is_writer
from consortium.views import PortalActionView

from . import services
from .forms import ConflictForm, ExpertInviteForm, ExpertScoreForm
from .models import Expert, ExpertReview, ProjectStatus


class ExpertOnlyMixin(LoginRequiredMixin):
    """A page for review experts only: every other role is refused (403)."""

    open_to_experts = True

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_expert:
            raise PermissionDenied(_("该页面仅供评审专家使用。"))
        return super().dispatch(request, *args, **kwargs)


def own_review(user, pk):
    """The signed-in expert's own assignment, or 404 (another expert's review does not exist for them)."""
    review = (
        ExpertReview.objects.of_expert_user(user)
        .select_related("project__lead_organization", "expert")
        .filter(pk=pk)
        .first()
    )
    if review is None:
        raise Http404(_("评审任务不存在或未指派给您。"))
    return review


class MyReviewListView(ExpertOnlyMixin, ListView):
    """我的评审: the expert's assignments, those still to score first (earliest due date first)."""

    template_name = "projects/my_review_list.html"
    paginate_by = 25

    def get_queryset(self):
        pending = Case(
            When(conflict_declared_at__isnull=False, then=Value(3)),
            When(score__isnull=False, then=Value(2)),
            When(project__status=ProjectStatus.UNDER_REVIEW, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return (
            ExpertReview.objects.of_expert_user(self.request.user)
            .select_related("project__lead_organization")
            .annotate(rank=pending)
            .order_by("rank", "due_on", "-assigned_at", "pk")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["has_profile"] = Expert.objects.filter(user=self.request.user).exists()
        return ctx


class MyReviewDetailView(ExpertOnlyMixin, DetailView):
    """One assignment: the project as proposed, the expert's own review, and the two actions."""

    template_name = "projects/my_review_detail.html"
    context_object_name = "review"

    def get_object(self, queryset=None):
        return own_review(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        review = self.object
        project = review.project
        show_others = services.others_visible_to_expert(project)
        ctx.update(
            project=project,
            partners=project.partners.all(),
            milestones=project.milestones.all(),
            own_scores=review.scores.select_related("criterion"),
            can_score=services.review_is_open(review),
            can_declare=not review.is_withdrawn and project.status in services.REVIEWABLE,
            show_others=show_others,
            others=project.reviews.done().exclude(pk=review.pk).select_related("expert") if show_others else [],
            spread=services.review_spread(project) if show_others else None,
        )
        return ctx


class _OwnReviewActionView(ExpertOnlyMixin, PortalActionView):
    model = ExpertReview
    template_name = "projects/action_form.html"

    def get_object(self, queryset=None):
        return own_review(self.request.user, self.kwargs["pk"])

    def get_success_url(self):
        return reverse("projects:my_review", args=[self.object.pk])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["cancel_url"] = self.get_success_url()
        return ctx


class MyReviewScoreView(_OwnReviewActionView):
    """The expert scores against the evaluation standard; revisable until the review closes."""

    form_class = ExpertScoreForm
    title = _("评审打分")
    success_message = _("评审已保存；评审结束前您仍可修改。")

    def get_initial(self):
        initial = {"risk": self.object.risk, "opinion": self.object.opinion}
        for s in self.object.scores.all():
            initial[f"score_{s.criterion_id}"] = s.score
        return initial

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["note"] = _("各项指标按 0–100 分打分，系统按权重计算加权得分；项目评审结束前可随时修改。")
        return ctx

    def perform(self, obj, form):
        services.record_review(
            obj.pk,
            by=self.request.user,
            scores=form.scores(),
            risk=form.cleaned_data["risk"],
            opinion=form.cleaned_data["opinion"],
        )


class MyReviewConflictView(_OwnReviewActionView):
    """利益冲突声明: the expert leaves this review; staff are asked to assign another expert."""

    form_class = ConflictForm
    title = _("利益冲突声明")
    button_class = "btn-danger"
    success_message = _("已声明利益冲突，您已退出本项目评审。")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["note"] = _("声明后您将退出本项目评审，已录入的评分将作废，联合体工作人员会另行指派专家。")
        return ctx

    def perform(self, obj, form):
        services.declare_conflict(obj.pk, by=self.request.user, reason=form.cleaned_data["reason"])


class ExpertInviteView(PortalActionView):
    """Staff give a pool expert a portal account and e-mail them the link to set a password."""

    model = Expert
    form_class = ExpertInviteForm
    title = _("开通专家账号")
    success_message = _("已开通专家账号，并向专家发送了设置密码的邮件。")
    success_url = reverse_lazy("projects:expert_list")

    def get_object(self, queryset=None):
        if not is_writer(self.request.user):
            raise PermissionDenied(_("只有联合体工作人员可以邀请专家。"))
        return get_object_or_404(Expert.objects.select_related("user"), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["expert"] = self.object
        return kwargs

    def get_initial(self):
        user = self.object.user
        return {"email": user.email if user else self.object.email}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if self.object.user_id:
            ctx["note"] = _("该专家已有门户账号（%(username)s），将重新发送设置密码的链接。") % {
                "username": self.object.user.username
            }
        return ctx

    def get_success_url(self):
        return str(self.success_url)

    def perform(self, obj, form):
        services.invite_expert(
            obj.pk,
            by=self.request.user,
            username=form.cleaned_data.get("username", ""),
            email=form.cleaned_data["email"],
            base_url=self.request.build_absolute_uri("/"),
        )


class ExpertInvitationView(auth_views.PasswordResetConfirmView):
    """The link of the invitation: the expert sets a password, then signs in."""

    open_to_experts = True
    template_name = "projects/expert_invitation.html"
    success_url = reverse_lazy("login")
    post_reset_login = False

    def form_valid(self, form):
        from django.contrib import messages

        response = super().form_valid(form)
        messages.success(self.request, _("密码已设置，请使用用户名和新密码登录。"))
        return response
