"""The portal's URLs plus two that fail on purpose, for the error-handling tests."""

from django.db import OperationalError
from django.urls import path

from consortium.urls import handler403, handler500  # noqa: F401
from consortium.urls import urlpatterns as portal_urlpatterns


def boom(request):
    raise RuntimeError("forced failure for the error-handling test")


def database_away(request):
    raise OperationalError("could not connect to server")


urlpatterns = [
    path("boom/", boom),
    path("api/v1/boom/", boom),
    path("api/v1/database-away/", database_away),
    *portal_urlpatterns,
]
