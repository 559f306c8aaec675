"""/api/v1/: one router, filled by the routes each app registers in its api.py (consortium.registry)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import registry
from .token_view import ObtainTokenView

router = DefaultRouter()
for register in registry.api_routes:
    register(router)

urlpatterns = [
    path("token/", ObtainTokenView.as_view(), name="api_token"),
    path("", include(router.urls)),
]
