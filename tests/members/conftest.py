"""Fixtures of the members tests: a real SMTP server and Celery run in the test (tests/mailserver.py)."""

import pytest
from django.core.cache import cache

from tests.mailserver import eager, smtp  # noqa: F401 - fixtures


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """The application throttle counts in the cache, which outlives a test: each test starts afresh."""
    cache.clear()
    yield
    cache.clear()
