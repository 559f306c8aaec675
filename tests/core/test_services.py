"""Under CI the second run must really use PostgreSQL and Redis: fail, never skip."""

import os

import pytest
from django.conf import settings
from django.db import connection

REQUIRED = os.environ.get("REQUIRE_SERVICES") == "1"


@pytest.mark.django_db
def test_the_configured_database_is_the_one_in_use():
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    if REQUIRED:
        assert expected == "postgresql", "REQUIRE_SERVICES=1 needs DATABASE_URL=postgres://…"
    assert connection.vendor == expected


def test_redis_answers_when_configured():
    if REQUIRED:
        assert settings.REDIS_URL, "REQUIRE_SERVICES=1 needs REDIS_URL=redis://…"
    if not settings.REDIS_URL:
        assert settings.CELERY_TASK_ALWAYS_EAGER, "without REDIS_URL Celery must run tasks in-process"
        return
    import redis

    assert redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    assert not settings.CELERY_TASK_ALWAYS_EAGER
