from django.urls import path

from . import expert_views, views
from .services import AGREEMENT_STEPS, PLATFORM_STEPS, PROJECT_STEPS

app_name = "projects"

urlpatterns = (
    [
        # Agreements
        path("agreements/", views.AgreementListView.as_view(), name="agreement_list"),
        path("agreements/add/", views.AgreementCreateView.as_view(), name="agreement_add"),
        path("agreements/<int:pk>/", views.AgreementDetailView.as_view(), name="agreement_detail"),
        path("agreements/<int:pk>/edit/", views.AgreementUpdateView.as_view(), name="agreement_edit"),
        path("agreements/<int:pk>/delete/", views.AgreementDeleteView.as_view(), name="agreement_delete"),
        path("agreements/<int:pk>/scan/", views.AgreementScanView.as_view(), name="agreement_scan"),
        path(
            "agreements/<int:pk>/attachments/add/",
            views.AgreementAttachmentAddView.as_view(),
            name="agreement_attachment_add",
        ),
        path(
            "agreement-attachments/<int:pk>/",
            views.AgreementAttachmentDownloadView.as_view(),
            name="agreement_attachment",
        ),
        # Projects
        path("", views.ProjectListView.as_view(), name="project_list"),
        path("add/", views.ProjectCreateView.as_view(), name="project_add"),
        path("<int:pk>/", views.ProjectDetailView.as_view(), name="project_detail"),
        path("<int:pk>/edit/", views.ProjectUpdateView.as_view(), name="project_edit"),
        path("<int:pk>/delete/", views.ProjectDeleteView.as_view(), name="project_delete"),
        path("<int:pk>/submit/", views.ProposalSubmitView.as_view(), name="project_submit"),
        path("<int:pk>/experts/assign/", views.ProjectAssignExpertView.as_view(), name="project_assign_expert"),
        path("<int:pk>/milestones/add/", views.MilestoneAddView.as_view(), name="project_milestone_add"),
        path("milestones/<int:pk>/edit/", views.MilestoneUpdateView.as_view(), name="milestone_edit"),
        path("<int:pk>/results/add/", views.ProjectResultAddView.as_view(), name="project_result_add"),
        path("reviews/<int:pk>/", views.ReviewRecordView.as_view(), name="review_record"),
        # Expert pool and review settings
        path("experts/", views.ExpertListView.as_view(), name="expert_list"),
        path("experts/add/", views.ExpertCreateView.as_view(), name="expert_add"),
        path("experts/<int:pk>/edit/", views.ExpertUpdateView.as_view(), name="expert_edit"),
        path("experts/<int:pk>/invite/", expert_views.ExpertInviteView.as_view(), name="expert_invite"),
        path(
            "experts/invitation/<uidb64>/<token>/",
            expert_views.ExpertInvitationView.as_view(),
            name="expert_invitation",
        ),
        # The expert's own reviews (我的评审)
        path("my-reviews/", expert_views.MyReviewListView.as_view(), name="my_review_list"),
        path("my-reviews/<int:pk>/", expert_views.MyReviewDetailView.as_view(), name="my_review"),
        path("my-reviews/<int:pk>/score/", expert_views.MyReviewScoreView.as_view(), name="my_review_score"),
        path("my-reviews/<int:pk>/conflict/", expert_views.MyReviewConflictView.as_view(), name="my_review_conflict"),
        path("review-settings/", views.ReviewSettingsView.as_view(), name="review_settings"),
        path("review-settings/criteria/add/", views.CriterionCreateView.as_view(), name="criterion_add"),
        path("review-settings/criteria/<int:pk>/edit/", views.CriterionUpdateView.as_view(), name="criterion_edit"),
        # Platforms
        path("platforms/", views.PlatformListView.as_view(), name="platform_list"),
        path("platforms/add/", views.PlatformCreateView.as_view(), name="platform_add"),
        path("platforms/<int:pk>/", views.PlatformDetailView.as_view(), name="platform_detail"),
        path("platforms/<int:pk>/edit/", views.PlatformUpdateView.as_view(), name="platform_edit"),
        path("platforms/<int:pk>/delete/", views.PlatformDeleteView.as_view(), name="platform_delete"),
    ]
    + [
        path(f"agreements/<int:pk>/{name}/", views.AgreementStepView.as_view(step=name), name=f"agreement_{name}")
        for name in AGREEMENT_STEPS
    ]
    + [
        path(f"<int:pk>/{name}/", views.ProjectStepView.as_view(step=name), name=f"project_{name}")
        for name in PROJECT_STEPS
    ]
    + [
        path(f"platforms/<int:pk>/{name}/", views.PlatformStepView.as_view(step=name), name=f"platform_{name}")
        for name in PLATFORM_STEPS
    ]
)
