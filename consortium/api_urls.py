"""/api/v1/: every app registers its viewsets through its api.register(router)."""

from importlib import import_module

from django.urls import include, path
from rest_framework.authtoken import views as token_views
from rest_framework.routers import DefaultRouter

API_APPS = ("members", "projects", "training", "dashboards")

router = DefaultRouter()
for app in API_APPS:
    module = import_module(f"{app}.api")
    module.register(router)

urlpatterns = [
    path("token/", token_views.obtain_auth_token, name="api_token"),
    path("", include(router.urls)),
]
