from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .views import HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("members/", include("members.urls")),
    path("projects/", include("projects.urls")),
    path("training/", include("training.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("api/v1/", include("consortium.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script under the CSP.
    path("api/docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="api_schema")), name="api_docs"),
    path("admin/", admin.site.urls),
]

handler403 = "consortium.security.permission_denied"
handler404 = "consortium.errors.page_not_found"
handler500 = "consortium.errors.server_error"
