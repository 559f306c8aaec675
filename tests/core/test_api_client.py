"""A client generated from /api/schema/ by openapi-python-client works end to end, with no hand fixes.

The schema is rendered in-process (as tests/core/test_api_fuzz.py does), the client generated into a
temporary directory, every module of it imported, and a journey driven through it alone against
live_server: a token, a list page by page, a training session, an agreement a member registers with
its scan and submits, staff verifying it, the scan downloaded with the token, and a stale edit refused.
"""

import datetime
import importlib
import io
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

from members.models import Organization
from tests.conftest import PASSWORD
from tests.factories import OrganizationFactory

GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PACKAGE = "portal_client"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

pytestmark = pytest.mark.skipif(not GENERATOR.exists(), reason="openapi-python-client is not installed")


@pytest.fixture
def client_package(tmp_path):
    """The generated client, imported; removed from sys.modules again afterwards."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    schema = tmp_path / "schema.json"
    schema.write_bytes(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    result = subprocess.run(
        [str(GENERATOR), "generate", "--path", str(schema), "--output-path", str(tmp_path / PACKAGE), "--meta", "none"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Unable to generate" not in result.stdout and "will be omitted" not in result.stdout, result.stdout
    sys.path.insert(0, str(tmp_path))
    try:
        package = importlib.import_module(PACKAGE)
        for module in pkgutil.walk_packages(package.__path__, f"{PACKAGE}."):
            importlib.import_module(module.name)
        yield package
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _api(name):
    return importlib.import_module(f"{PACKAGE}.api.v1.{name}")


def _models():
    return importlib.import_module(f"{PACKAGE}.models")


def _signed_in(package, base_url, username):
    models = _models()
    anonymous = package.Client(base_url=base_url, raise_on_unexpected_status=True)
    token = _api("v1_token_create").sync(client=anonymous, body=models.CredentialsRequest(username, PASSWORD))
    assert isinstance(token, models.Token), token
    return package.AuthenticatedClient(
        base_url=base_url, token=token.token, prefix="Token", raise_on_unexpected_status=True
    )


def test_a_generated_client_drives_a_whole_journey(client_package, live_server, users, org, other_org):
    from projects.models import AgreementStatus

    OrganizationFactory.create_batch(3)
    models = _models()
    types = importlib.import_module(f"{PACKAGE}.types")
    base = live_server.url

    # Without a token: a 401 the client knows (an Error body).
    anonymous = client_package.Client(base_url=base, raise_on_unexpected_status=True)
    denied = _api("v1_organizations_list").sync_detailed(client=anonymous)
    assert denied.status_code == 401 and denied.headers["WWW-Authenticate"] == "Token"
    assert isinstance(denied.parsed, models.Error)

    staff = _signed_in(client_package, base, "staff")

    # A list, page by page.
    first = _api("v1_organizations_list").sync(
        client=staff, page_size=2, ordering=models.V1OrganizationsListOrdering.NAME
    )
    assert isinstance(first, models.PaginatedOrganizationList)
    assert first.count == Organization.objects.count() and len(first.results) == 2 and first.next_
    second = _api("v1_organizations_list").sync(
        client=staff, page_size=2, page=2, ordering=models.V1OrganizationsListOrdering.NAME
    )
    assert not {o.id for o in first.results} & {o.id for o in second.results}

    # Staff record a training session: the request needs no id, status or counts.
    starts = datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)
    session = _api("v1_training_sessions_create").sync(
        client=staff,
        body=models.TrainingSessionRequest(
            title="新区企业职工岗位技能培训",
            kind=models.TrainingSessionKindEnum.EMPLOYEE_JOB,
            provider=org.pk,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=6),
            beneficiaries=[other_org.pk],
        ),
    )
    assert isinstance(session, models.TrainingSession), session
    assert session.trainee_count == 0

    # A member registers an agreement for its own organisation, uploads the signed scan and submits it.
    member = _signed_in(client_package, base, "member")
    agreement = _api("v1_agreements_create").sync(
        client=member,
        body=models.AgreementRequest(
            parties=[org.pk, other_org.pk],
            kind=models.AgreementKindEnum.INTERNSHIP_BASE,
            title="校企共建实习基地协议",
            signed_on=datetime.date(2026, 1, 5),
            start_date=datetime.date(2026, 1, 5),
            end_date=datetime.date(2028, 1, 4),
        ),
    )
    assert isinstance(agreement, models.Agreement), agreement
    assert agreement.organization == org.pk and agreement.status == models.AgreementStatusEnum.DRAFT
    assert agreement.has_scan is False and agreement.scan_url is None

    scan = types.File(payload=io.BytesIO(PDF), file_name="协议扫描件.pdf", mime_type="application/pdf")
    uploaded = _api("v1_agreements_partial_update").sync(
        agreement.id, client=member, body=models.PatchedAgreementRequest(scan=scan)
    )
    assert isinstance(uploaded, models.Agreement), uploaded
    assert uploaded.has_scan and uploaded.scan_name == "协议扫描件.pdf"

    submitted = _api("v1_agreements_transition_create").sync(
        agreement.id, client=member, body=models.TransitionRequest(step="submit")
    )
    assert isinstance(submitted, models.Agreement) and submitted.status == models.AgreementStatusEnum.SUBMITTED

    # Staff verify it; the events say who did what (the actor may be null for the system).
    verified = _api("v1_agreements_transition_create").sync(
        agreement.id, client=staff, body=models.TransitionRequest(step="verify")
    )
    assert isinstance(verified, models.Agreement) and verified.status == models.AgreementStatusEnum.VERIFIED
    assert verified.events and all(isinstance(e.actor, (str, type(None))) for e in verified.events)

    # The scan's download takes the token (the page's download would answer the login page).
    download = _api("v1_agreements_scan_retrieve").sync_detailed(agreement.id, client=member)
    assert download.status_code == 200 and download.content == PDF
    assert verified.scan_url and verified.scan_url.endswith(f"/api/v1/agreements/{agreement.id}/scan/")

    # A stale edit is refused: the If-Match names a version that is no longer current.
    detail = _api("v1_organizations_retrieve").sync_detailed(other_org.pk, client=staff)
    etag = detail.headers["ETag"]
    changed = _api("v1_organizations_partial_update").sync_detailed(
        other_org.pk, client=staff, body=models.PatchedOrganizationRequest(address="兰州新区纬一路 8 号"), if_match=etag
    )
    assert changed.status_code == 200
    stale = _api("v1_organizations_partial_update").sync_detailed(
        other_org.pk, client=staff, body=models.PatchedOrganizationRequest(address="旧地址"), if_match=etag
    )
    assert stale.status_code == 412 and isinstance(stale.parsed, models.Error)
    other_org.refresh_from_db()
    assert other_org.address == "兰州新区纬一路 8 号"
    assert AgreementStatus.VERIFIED == verified.status.value
