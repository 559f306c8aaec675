"""Schemathesis against /api/schema/, in-process, as each role, with every check (like the CLI's
`--checks all`): no 5xx, and every answer — its status, content type, headers and body — is one
the schema states; data the schema refuses is refused, and an unknown method is a 405.

Examples per operation: FUZZ_EXAMPLES (default 8), so the suite stays quick; CI may raise it.
"""

import json
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.config import SchemathesisConfig

from consortium.wsgi import application

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
# The coverage phase (every boundary case of every field, whatever max_examples says) runs for
# the GET operations, where it finds filter values such as year 0; for writes, whose bodies
# have many fields, it would make the run many times longer, so they get random fuzzing only.
CONFIG = SchemathesisConfig.from_dict(
    {
        # Every check. A request the schema allows may still name a record that does not exist (an
        # organisation filter of 0) or break a rule across fields (an end before the start): the
        # API answers those 400 with the field's message, which the schema documents.
        "checks": {
            "enabled": True,
            "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404", "409", "429"]},
        },
        "phases": {"coverage": {"enabled": False}},
        "operations": [{"include-method": "GET", "phases": {"coverage": {"enabled": True}}}],
    }
)


def _load_schema():
    """The schema /api/schema/ serves (to signed-in users only), generated in-process at import."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    document = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    loaded = schemathesis.openapi.from_dict(document, config=CONFIG)
    loaded.app = application
    loaded.location = "/api/schema/"
    return loaded


schema = _load_schema()


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Requests go through the WSGI handler, whose request_started/finished signals would close
    the test's database connection (and its transaction) on PostgreSQL; Django's own test
    client disconnects them the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "staff", "leadership", "member"])
@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_schema_for_every_generated_request(case, role, users):
    headers = {}
    user = users[role]
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        headers["Authorization"] = f"Token {token.key}"
    case.call_and_validate(headers=headers)
