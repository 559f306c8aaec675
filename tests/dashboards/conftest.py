import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def _no_pending_rollup_from_earlier_tests():
    """Each test's transaction is rolled back, never committed: drop the years an earlier test noted."""
    connection.__dict__.pop("_kpi_pending", None)
    yield
    connection.__dict__.pop("_kpi_pending", None)
