"""Fixtures of the training tests: a real SMTP server and Celery run in the test (tests/mailserver.py)."""

from tests.mailserver import eager, smtp  # noqa: F401 - fixtures
