"""/api/v1/: every app registers its viewsets through its api.register(router)."""

from importlib import import_module

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from .token_view import ObtainTokenView

API_APPS = ("members", "projects", "training", "dashboards")

router = DefaultRouter()
for app in API_APPS:
    module = import_module(f"{app}.api")
    module.register(router)

urlpatterns = [
    path("token/", ObtainTokenView.as_view(), name="api_token"),
    path("", include(router.urls)),
]
