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
