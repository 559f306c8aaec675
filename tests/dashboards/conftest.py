import pytest

from dashboards import signals


@pytest.fixture(autouse=True)
def _no_pending_rollup_from_earlier_tests():
    """Each test's transaction is rolled back, never committed: drop the years an earlier test noted."""
    signals.forget_pending()
    yield
    signals.forget_pending()
