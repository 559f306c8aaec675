"""Shared fixtures: one user per role and two member organisations.

``org`` is the member user's own organisation (a school), ``other_org`` another
member (an enterprise) with its own member user, so every permission test can
check "own organisation" against "other organisation".
"""

import pytest
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from members.models import Role

from .factories import OrganizationFactory, SchoolFactory, UserFactory

PASSWORD = "pw-Test-2025"
ROLES = ("anonymous", "admin", "staff", "leadership", "member", "other_member")


@pytest.fixture(autouse=True)
def _chinese(settings):
    """Each test starts in the portal's default language: a request made in English (the
    language cookie) leaves English active in the thread after it, as LocaleMiddleware does."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _rollup_on_one_connection(settings):
    """A test's records are not committed: a second connection would not see them."""
    settings.KPI_ROLLUP_THREADS = False


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: what a test keeps there (the navigation's work-queue
    count, throttles, dashboard pages) never reaches the next one through a reused primary key."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def org(db):
    return SchoolFactory(name="兰州石化职业技术大学")


@pytest.fixture
def other_org(db):
    return OrganizationFactory(name="兰石集团")


@pytest.fixture
def users(db, org, other_org):
    return {
        "anonymous": None,
        "admin": UserFactory(username="admin", role=Role.ADMIN, is_superuser=True, is_staff=True),
        "staff": UserFactory(username="staff", role=Role.STAFF),
        "leadership": UserFactory(username="leader", role=Role.LEADERSHIP),
        "member": UserFactory(username="member", role=Role.MEMBER, organization=org),
        "other_member": UserFactory(username="other", role=Role.MEMBER, organization=other_org),
        "expert": UserFactory(username="expert", role=Role.EXPERT),
    }


@pytest.fixture
def staff_user(users):
    return users["staff"]


@pytest.fixture
def leader_user(users):
    return users["leadership"]


@pytest.fixture
def member_user(users):
    return users["member"]


@pytest.fixture
def other_member_user(users):
    return users["other_member"]


def login(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def api_login(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def client_for(users):
    """client_for("member") -> a Django test client signed in as that role."""
    return lambda role: login(users[role])


@pytest.fixture
def api_for(users):
    return lambda role: api_login(users[role])
