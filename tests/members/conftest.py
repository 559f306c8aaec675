import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """The application throttle counts in the cache, which outlives a test: each test starts afresh."""
    cache.clear()
    yield
    cache.clear()
