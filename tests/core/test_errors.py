"""Errors nobody sees no more: every unhandled exception is logged with its traceback, the request's
path, user and a request id, and the page (or the API's JSON) shows the same id."""

import logging

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


class Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append((record, self.format(record)))


@pytest.fixture
def request_log(settings):
    settings.ROOT_URLCONF = "tests.core.boom_urls"
    settings.DEBUG = False
    console = logging.getLogger().handlers[0]
    collect = Collect()
    collect.setFormatter(console.formatter)
    for f in console.filters:
        collect.addFilter(f)
    logger = logging.getLogger("django.request")
    logger.addHandler(collect)
    yield collect
    logger.removeHandler(collect)


def test_a_500_is_logged_with_traceback_path_user_and_the_id_the_page_shows(request_log, member_user):
    client = Client(raise_request_exception=False)
    client.force_login(member_user)
    response = client.get("/boom/")
    assert response.status_code == 500
    rid = response["X-Request-ID"]
    assert rid and rid in response.content.decode()
    errors = [(record, line) for record, line in request_log.lines if record.levelno >= logging.ERROR]
    assert len(errors) == 1
    record, line = errors[0]
    assert record.exc_info and record.exc_info[0] is RuntimeError
    assert f"request {rid}" in line and "GET /boom/" in line and "member#" in line
    formatted = request_log.format(record)
    assert "Traceback" in formatted and "forced failure" in formatted


def test_the_api_answers_a_500_in_json_with_the_request_id(request_log, staff_user):
    client = Client(raise_request_exception=False)
    client.force_login(staff_user)
    response = client.get("/api/v1/boom/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["request_id"] == response["X-Request-ID"]


def test_the_api_answers_json_while_the_database_is_away(request_log, staff_user):
    client = Client(raise_request_exception=False)
    client.force_login(staff_user)
    response = client.get("/api/v1/database-away/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "数据库" in response.json()["detail"]


def test_every_response_carries_a_request_id(client):
    response = client.get("/accounts/login/")
    assert len(response["X-Request-ID"]) == 16
