"""Schemathesis against /api/schema/, in-process, as each role: no response may be a 5xx.

Examples per operation: FUZZ_EXAMPLES (default 8), so the suite stays quick; CI may raise it.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token

from consortium.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "staff", "leadership", "member"])
@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_every_generated_request_without_a_server_error(case, role, users):
    headers = {}
    user = users[role]
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        headers["Authorization"] = f"Token {token.key}"
    response = case.call(headers=headers)
    assert response.status_code < 500, f"{role} {case.method} {case.formatted_path}: {response.status_code} {response.text[:500]}"
