from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import View

from consortium.access import CHANGE, VIEW, is_reader, is_writer, member_org_id
from consortium.views import (
    PortalActionView,
    PortalCreateView,
    PortalDeleteView,
    PortalDetailView,
    PortalListView,
    PortalUpdateView,
    get_visible_or_denied,
)

from . import attachments, services
from .filters import AgreementFilterSet, ExpertFilterSet, PlatformFilterSet, ProjectFilterSet
from .forms import (
    AgreementForm,
    AgreementStepForm,
    AssignExpertForm,
    AttachmentForm,
    CriterionForm,
    ExpertForm,
    MilestoneForm,
    PlatformForm,
    ProjectForm,
    ProjectResultForm,
    ProjectStepForm,
    ReviewForm,
    ReviewPolicyForm,
)
from .models import (
    EXPIRY_WARNING_DAYS,
    Agreement,
    AgreementAttachment,
    AgreementStatus,
    EvaluationCriterion,
    Expert,
    ExpertReview,
    Milestone,
    Platform,
    PlatformStatus,
    Project,
    ProjectStatus,
    ReviewPolicy,
)


def _names(rel):
    return lambda obj: "、".join(o.name for o in getattr(obj, rel).all())


def _term_label():
    today = timezone.localdate()
    expiring, expired = str(_("30天内到期")), str(_("已到期"))

    def label(agreement):
        if agreement.status == AgreementStatus.TERMINATED:
            return ""
        days = (agreement.end_date - today).days
        return expired if days < 0 else expiring if days <= EXPIRY_WARNING_DAYS else ""

    return label


# ---------------------------------------------------------------------------
# Agreements
# ---------------------------------------------------------------------------


class AgreementListView(PortalListView):
    model = Agreement
    filterset_class = AgreementFilterSet
    template_name = "projects/agreement_list.html"
    select_related = ("organization",)
    prefetch_related = ("parties",)
    export_name = "agreements"

    @property
    def export_fields(self):
        return (
            (_("协议名称"), "title"),
            (_("协议类型"), "kind"),
            (_("登记单位"), "organization.name"),
            (_("协议各方"), _names("parties")),
            (_("签订日期"), "signed_on"),
            (_("生效日期"), "start_date"),
            (_("到期日期"), "end_date"),
            (_("状态"), "status"),
            (_("核验时间"), "verified_at"),
            (_("期限提示"), _term_label()),
        )


class AgreementDetailView(PortalDetailView):
    model = Agreement
    template_name = "projects/agreement_detail.html"
    select_related = ("organization", "verified_by", "created_by")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        obj = self.object
        ctx["parties"] = obj.parties.all()
        ctx["events"] = obj.events.select_related("actor")
        ctx["attachments"] = obj.attachments.select_related("uploaded_by")
        ctx["steps"] = [
            (s, reverse(f"projects:agreement_{s.name}", args=[obj.pk]))
            for s in services.agreement_steps_for(obj, self.request.user, ctx["can_change"])
        ]
        ctx["can_attach"] = ctx["can_change"]
        return ctx


class AgreementCreateView(PortalCreateView):
    model = Agreement
    form_class = AgreementForm
    success_message = _("协议已登记为草稿；上传扫描件后可提交核验。")

    def after_save(self, form):
        if self.object.created_by_id is None:
            self.object.created_by = self.request.user
            self.object.save(update_fields=["created_by"])
        services.record_agreement_created(self.object, by=self.request.user)


class AgreementUpdateView(PortalUpdateView):
    model = Agreement
    form_class = AgreementForm

    def get_object(self, queryset=None):
        user = self.request.user
        if not is_writer(user):
            obj = Agreement.objects.for_user(user, VIEW).filter(pk=self.kwargs["pk"]).first()
            if obj is not None and obj.status not in (AgreementStatus.DRAFT, AgreementStatus.RETURNED):
                raise PermissionDenied(
                    _("协议当前状态为“%(status)s”，成员单位不能再修改；如需变更请联系联合体工作人员。")
                    % {"status": obj.get_status_display()}
                )
        return super().get_object(queryset)

    def after_save(self, form):
        services.record_agreement_edited(self.object, by=self.request.user)


class AgreementDeleteView(PortalDeleteView):
    model = Agreement
    success_url = reverse_lazy("projects:agreement_list")


class AgreementStepView(PortalActionView):
    """One agreement workflow step (submit, verify, return, terminate)."""

    model = Agreement
    form_class = AgreementStepForm
    step = None

    @property
    def _step(self):
        return services.AGREEMENT_STEPS[self.step]

    @property
    def title(self):
        return self._step.label

    def get_object(self, queryset=None):
        user = self.request.user
        obj = get_visible_or_denied(Agreement, user, self.kwargs["pk"], VIEW)
        if self._step.staff_only and not is_writer(user):
            raise PermissionDenied(_("只有联合体工作人员可以%(step)s。") % {"step": self._step.label})
        if not self._step.staff_only and not Agreement.objects.for_user(user, CHANGE).filter(pk=obj.pk).exists():
            raise PermissionDenied(_("只有登记单位可以在草稿或退回状态下提交本协议。"))
        return obj

    def perform(self, obj, form):
        services.change_agreement(obj.pk, self.step, by=self.request.user, reason=form.cleaned_data["reason"])


class AgreementScanView(View):
    """The signed scan as a download, for users who may see the agreement."""

    def get(self, request, pk):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        agreement = get_object_or_404(Agreement.objects.for_user(request.user, VIEW), pk=pk)
        if not agreement.scan:
            raise Http404(_("该协议尚未上传扫描件。"))
        return attachments.download_response(agreement.scan, agreement.scan_name, agreement.scan_content_type)


class AgreementAttachmentDownloadView(View):
    def get(self, request, pk):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        item = get_object_or_404(AgreementAttachment.objects.for_user(request.user, VIEW), pk=pk)
        return attachments.download_response(item.file, item.original_name, item.content_type)


class AgreementAttachmentAddView(PortalActionView):
    model = Agreement
    form_class = AttachmentForm
    title = _("上传附件")
    success_message = _("附件已上传。")

    def perform(self, obj, form):
        services.add_agreement_attachment(
            obj,
            form.cleaned_data["file"].checked,
            by=self.request.user,
            description=form.cleaned_data["description"],
        )


# ---------------------------------------------------------------------------
# Projects
# ---------------------------------------------------------------------------


class ProjectListView(PortalListView):
    model = Project
    filterset_class = ProjectFilterSet
    template_name = "projects/project_list.html"
    select_related = ("lead_organization",)
    prefetch_related = ("partners",)
    export_name = "projects"

    @property
    def export_fields(self):
        return (
            (_("项目名称"), "title"),
            (_("项目类型"), "kind"),
            (_("牵头单位"), "lead_organization.name"),
            (_("合作单位"), _names("partners")),
            (_("预算（万元）"), lambda p: float(p.budget)),
            (_("申请专项扶持资金（万元）"), lambda p: float(p.support_fund_requested)),
            (_("专项扶持资金（万元）"), lambda p: float(p.support_fund)),
            (_("计划开始"), "planned_start"),
            (_("计划结束"), "planned_end"),
            (_("状态"), "status"),
            (_("立项日期"), "approved_on"),
            (_("结项验收日期"), "completed_on"),
        )


class ProjectDetailView(PortalDetailView):
    model = Project
    template_name = "projects/project_detail.html"
    select_related = ("lead_organization", "proposed_by")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        obj, user = self.object, self.request.user
        policy = ReviewPolicy.current()
        done, avg = services.review_summary(obj)
        ctx.update(
            partners=obj.partners.all(),
            events=obj.events.select_related("actor"),
            milestones=obj.milestones.all(),
            results=obj.results.all(),
            platforms=obj.platforms.select_related("lead_organization"),
            policy=policy,
            reviews_done=done,
            review_average=avg if is_reader(user) or obj.status not in services.REVIEWABLE else None,
            show_reviews=is_reader(user),
            spread=services.review_spread(obj) if is_reader(user) else None,
            reviews=obj.reviews.select_related("expert__organization").prefetch_related("scores__criterion")
            if is_reader(user)
            else [],
            steps=[
                (s, reverse(f"projects:project_{s.name}", args=[obj.pk])) for s in services.project_steps_for(obj, user)
            ],
            can_review=is_writer(user) and obj.status in services.REVIEWABLE,
            can_add_result=is_writer(user) and obj.status in (ProjectStatus.COMPLETED, ProjectStatus.APPLIED),
            approval_blocker=services.approval_blocker(obj, policy)
            if obj.status == ProjectStatus.UNDER_REVIEW
            else None,
            can_submit=ctx["can_change"] and member_org_id(user) == obj.lead_organization_id,
            can_manage=is_writer(user),
        )
        return ctx


class ProjectCreateView(PortalCreateView):
    """Staff register a project (已申报); a member school or enterprise proposes one as a draft."""

    model = Project
    form_class = ProjectForm

    @property
    def success_message(self):
        if is_writer(self.request.user):
            return _("项目已登记，状态为“已申报”。")
        return _("项目申报已保存为草稿；检查无误后请提交申报。")

    def after_save(self, form):
        services.record_project_proposed(self.object, by=self.request.user)


def _proposal_locked(project):
    return PermissionDenied(
        _("项目当前状态为“%(status)s”，申报单位不能再修改；如需变更请联系联合体工作人员。")
        % {"status": project.get_status_display()}
    )


class ProjectUpdateView(PortalUpdateView):
    model = Project
    form_class = ProjectForm

    def get_object(self, queryset=None):
        user = self.request.user
        if not is_writer(user):
            obj = Project.objects.for_user(user, VIEW).filter(pk=self.kwargs["pk"]).first()
            if obj is not None and obj.lead_organization_id == member_org_id(user) and not obj.is_proposal_editable:
                raise _proposal_locked(obj)
        return super().get_object(queryset)


class ProjectDeleteView(PortalDeleteView):
    """Staff delete any project; the proposing organisation its own draft or returned proposal."""

    model = Project
    success_url = reverse_lazy("projects:project_list")

    def get_object(self, queryset=None):
        user = self.request.user
        if not is_writer(user):
            obj = Project.objects.for_user(user, CHANGE).filter(pk=self.kwargs["pk"]).first()
            if obj is not None:
                return obj
        return super().get_object(queryset)


class ProposalSubmitView(PortalActionView):
    """The proposing organisation submits its draft or returned proposal (→ 已申报)."""

    model = Project
    form_class = forms.Form
    title = _("提交申报")
    success_message = _("项目已提交申报，等待联合体工作人员处理。")

    def get_object(self, queryset=None):
        user = self.request.user
        obj = get_visible_or_denied(Project, user, self.kwargs["pk"], VIEW)
        if member_org_id(user) != obj.lead_organization_id:
            raise PermissionDenied(_("只有申报单位可以提交本项目。"))
        if not obj.is_proposal_editable:
            raise _proposal_locked(obj)
        return obj

    def perform(self, obj, form):
        services.submit_proposal(obj.pk, by=self.request.user)


class StaffStepMixin:
    """Steps only staff take: a member who may see the record (even their own draft) gets 403."""

    staff_message = _("只有联合体工作人员可以执行此操作。")

    def get_object(self, queryset=None):
        obj = get_visible_or_denied(self.model, self.request.user, self.kwargs["pk"], VIEW)
        if not is_writer(self.request.user):
            raise PermissionDenied(self.staff_message)
        return obj


class ProjectStepView(StaffStepMixin, PortalActionView):
    """One project lifecycle step (start review, approve, reject, start, complete, apply, terminate)."""

    model = Project
    form_class = ProjectStepForm
    template_name = "projects/action_form.html"
    step = None

    @property
    def title(self):
        return services.PROJECT_STEPS[self.step].label

    def get_initial(self):
        return {"date": timezone.localdate()}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if self.step == "approve":
            ctx["note"] = services.approval_blocker(self.object) or _("专家评审满足立项条件。")
        return ctx

    def perform(self, obj, form):
        services.change_project(
            obj.pk,
            self.step,
            by=self.request.user,
            date=form.cleaned_data["date"],
            reason=form.cleaned_data["reason"],
        )


class ProjectAssignExpertView(StaffStepMixin, PortalActionView):
    model = Project
    form_class = AssignExpertForm
    title = _("指派评审专家")
    success_message = _("已指派评审专家。")

    def perform(self, obj, form):
        services.assign_expert(
            obj.pk, form.cleaned_data["expert"].pk, by=self.request.user, due_on=form.cleaned_data["due_on"]
        )


class ReviewRecordView(PortalActionView):
    """Staff record one expert's scores and risk rating."""

    model = ExpertReview
    form_class = ReviewForm
    template_name = "projects/action_form.html"
    title = _("录入专家评审")
    success_message = _("评审已录入。")

    def get_initial(self):
        initial = {"date": timezone.localdate(), "risk": self.object.risk, "opinion": self.object.opinion}
        for s in self.object.scores.all():
            initial[f"score_{s.criterion_id}"] = s.score
        return initial

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["note"] = _("专家：%(expert)s；项目：%(project)s") % {
            "expert": self.object.expert,
            "project": self.object.project,
        }
        return ctx

    def perform(self, obj, form):
        services.record_review(
            obj.pk,
            by=self.request.user,
            scores=form.scores(),
            risk=form.cleaned_data["risk"],
            opinion=form.cleaned_data["opinion"],
            date=form.cleaned_data["date"],
        )


class MilestoneAddView(StaffStepMixin, PortalActionView):
    model = Project
    form_class = MilestoneForm
    title = _("添加里程碑")

    def perform(self, obj, form):
        form.instance.project = obj
        form.save()


class MilestoneUpdateView(PortalUpdateView):
    model = Milestone
    form_class = MilestoneForm


class ProjectResultAddView(StaffStepMixin, PortalActionView):
    model = Project
    form_class = ProjectResultForm
    title = _("登记项目成果")

    def perform(self, obj, form):
        if obj.status not in (ProjectStatus.COMPLETED, ProjectStatus.APPLIED):
            raise ValidationError(_("只有已结项验收的项目才能登记成果。"))
        form.instance.project = obj
        form.save()


# ---------------------------------------------------------------------------
# Expert pool and review settings (staff manage them, leadership reads)
# ---------------------------------------------------------------------------


class ReadersOnlyMixin:
    """Pages about the review machinery: not for member users."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_reader(request.user):
            raise PermissionDenied(_("专家库和评审设置仅供联合体工作人员和领导查看。"))
        return super().dispatch(request, *args, **kwargs)


class ExpertListView(ReadersOnlyMixin, PortalListView):
    model = Expert
    filterset_class = ExpertFilterSet
    template_name = "projects/expert_list.html"
    select_related = ("organization", "user")
    export_name = "experts"
    export_fields = (
        (_("姓名"), "name"),
        (_("所在单位"), lambda e: e.organization.name if e.organization_id else e.affiliation),
        (_("专业领域"), "field"),
        (_("职称/职务"), "title"),
        (_("在库"), "is_active"),
    )

    def get_queryset(self):
        from django.db.models import Count, Q

        return (
            super()
            .get_queryset()
            .annotate(review_count=Count("reviews", filter=Q(reviews__score__isnull=False)))
            .order_by("name", "id")
        )  # Meta.ordering is not applied to GROUP BY queries


class ExpertCreateView(PortalCreateView):
    model = Expert
    form_class = ExpertForm
    success_url = reverse_lazy("projects:expert_list")


class ExpertUpdateView(PortalUpdateView):
    model = Expert
    form_class = ExpertForm
    success_url = reverse_lazy("projects:expert_list")


class ReviewSettingsView(ReadersOnlyMixin, PortalUpdateView):
    """The evaluation standard (criteria) and the review policy on one page."""

    model = ReviewPolicy
    form_class = ReviewPolicyForm
    template_name = "projects/review_settings.html"
    success_url = reverse_lazy("projects:review_settings")

    def get_object(self, queryset=None):
        policy = ReviewPolicy.current()
        if self.request.method != "GET" and not is_writer(self.request.user):
            raise PermissionDenied(_("只有联合体工作人员可以修改评审规则。"))
        return policy

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["criteria"] = EvaluationCriterion.objects.all()
        ctx["can_change"] = is_writer(self.request.user)
        return ctx


class CriterionCreateView(PortalCreateView):
    model = EvaluationCriterion
    form_class = CriterionForm
    success_url = reverse_lazy("projects:review_settings")


class CriterionUpdateView(PortalUpdateView):
    model = EvaluationCriterion
    form_class = CriterionForm
    success_url = reverse_lazy("projects:review_settings")


# ---------------------------------------------------------------------------
# Platforms
# ---------------------------------------------------------------------------


class PlatformListView(PortalListView):
    model = Platform
    filterset_class = PlatformFilterSet
    template_name = "projects/platform_list.html"
    select_related = ("lead_organization", "project")
    prefetch_related = ("organizations",)
    export_name = "platforms"

    @property
    def export_fields(self):
        return (
            (_("平台名称"), "name"),
            (_("平台类型"), "kind"),
            (_("级别"), "level"),
            (_("牵头单位"), "lead_organization.name"),
            (_("共建单位"), _names("organizations")),
            (_("建成/认定日期"), "established_on"),
            (_("建设项目"), "project.title"),
            (_("确认状态"), "status"),
        )


class PlatformDetailView(PortalDetailView):
    model = Platform
    template_name = "projects/platform_detail.html"
    select_related = ("lead_organization", "project", "registering_organization", "decided_by")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["organizations"] = self.object.organizations.all()
        ctx["steps"] = [
            (s, reverse(f"projects:platform_{s.name}", args=[self.object.pk]))
            for s in services.PLATFORM_STEPS.values()
            if is_writer(self.request.user) and self.object.status in s.sources
        ]
        ctx["can_delete"] = is_writer(self.request.user)
        ctx["project_visible"] = bool(
            self.object.project_id
            and Project.objects.for_user(self.request.user).filter(pk=self.object.project_id).exists()
        )
        return ctx


class PlatformCreateView(PortalCreateView):
    """Staff enter a platform (confirmed); a member registers one it co-builds (待确认)."""

    model = Platform
    form_class = PlatformForm

    @property
    def success_message(self):
        if is_writer(self.request.user):
            return _("已保存。")
        return _("共建平台已登记，等待联合体工作人员确认；确认后计入建成平台。")

    def after_save(self, form):
        if self.object.status == PlatformStatus.PENDING:
            services.record_platform_registered(self.object, by=self.request.user)


class PlatformUpdateView(PortalUpdateView):
    model = Platform
    form_class = PlatformForm

    def get_object(self, queryset=None):
        user = self.request.user
        if not is_writer(user):
            obj = Platform.objects.for_user(user, VIEW).filter(pk=self.kwargs["pk"]).first()
            if obj is not None and obj.status != PlatformStatus.PENDING:
                raise PermissionDenied(
                    _("平台当前状态为“%(status)s”，成员单位不能再修改；如需变更请联系联合体工作人员。")
                    % {"status": obj.get_status_display()}
                )
        return super().get_object(queryset)


class PlatformStepView(StaffStepMixin, PortalActionView):
    """Staff confirm a member's platform (it counts from then on) or decline it with a reason."""

    model = Platform
    form_class = AgreementStepForm
    step = None
    staff_message = _("只有联合体工作人员可以确认共建平台。")

    @property
    def title(self):
        return services.PLATFORM_STEPS[self.step].label

    def perform(self, obj, form):
        services.change_platform(obj.pk, self.step, by=self.request.user, reason=form.cleaned_data["reason"])


class PlatformDeleteView(PortalDeleteView):
    model = Platform
    success_url = reverse_lazy("projects:platform_list")
