from django.urls import path

from . import views
from .services import TRANSITIONS

app_name = "members"

urlpatterns = [
    path("organizations/", views.OrganizationListView.as_view(), name="organization_list"),
    path("organizations/add/", views.OrganizationCreateView.as_view(), name="organization_add"),
    path("organizations/<int:pk>/", views.OrganizationDetailView.as_view(), name="organization_detail"),
    path("organizations/<int:pk>/edit/", views.OrganizationUpdateView.as_view(), name="organization_edit"),
    path("notifications/", views.NotificationListView.as_view(), name="notification_list"),
    path("notifications/read/", views.NotificationReadAllView.as_view(), name="notification_read_all"),
    # Membership applications: the public page, then staff's list, detail and the two steps.
    path("apply/", views.MembershipApplyView.as_view(), name="application_apply"),
    path("apply/done/", views.MembershipApplyDoneView.as_view(), name="application_apply_done"),
    path("applications/", views.MembershipApplicationListView.as_view(), name="application_list"),
    path("applications/<int:pk>/", views.MembershipApplicationDetailView.as_view(), name="application_detail"),
    path("applications/<int:pk>/admit/", views.MembershipApplicationAdmitView.as_view(), name="application_admit"),
    path(
        "applications/<int:pk>/decline/", views.MembershipApplicationDeclineView.as_view(), name="application_decline"
    ),
    path("applications/documents/<int:pk>/", views.ApplicationDocumentView.as_view(), name="application_document"),
    path("invitation/<uidb64>/<token>/", views.InvitationView.as_view(), name="invitation"),
    # The member directory (public profiles).
    path("directory/", views.DirectoryListView.as_view(), name="directory_list"),
    path("directory/<int:pk>/", views.DirectoryDetailView.as_view(), name="directory_detail"),
    path("directory/<int:pk>/edit/", views.DirectoryProfileEditView.as_view(), name="directory_edit"),
    # Users in the portal.
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/invite/", views.UserInviteView.as_view(), name="user_add"),
    path("users/<int:pk>/", views.UserDetailView.as_view(), name="user_detail"),
    path("users/<int:pk>/deactivate/", views.UserDeactivateView.as_view(), name="user_deactivate"),
    path("users/<int:pk>/reactivate/", views.UserReactivateView.as_view(), name="user_reactivate"),
    path("users/<int:pk>/reset-password/", views.UserPasswordResetView.as_view(), name="user_reset_password"),
    path("users/<int:pk>/role/", views.UserRoleView.as_view(), name="user_role"),
    # The signed-in user's own settings (e-mail notices, the member directory)
    path("account/", views.AccountSettingsView.as_view(), name="account_settings"),
] + [
    path(
        f"organizations/<int:pk>/{action}/",
        views.OrganizationMembershipView.as_view(action=action),
        name=f"organization_{action}",
    )
    for action in TRANSITIONS
]
