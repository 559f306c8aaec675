"""List pages and API lists keep a constant number of queries as rows grow (5 and 50 rows)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import AgreementEvent
from tests.factories import OrganizationFactory

from .factories import AgreementFactory, ExpertFactory, ExpertReviewFactory, PlatformFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def make_rows(kind, n, org):
    partner = OrganizationFactory()
    for _ in range(n):
        if kind == "agreement":
            a = AgreementFactory(organization=org, parties=[partner, OrganizationFactory()])
            AgreementEvent.objects.create(agreement=a, action="create", to_status="draft")
        elif kind == "project":
            p = ProjectFactory(lead_organization=org, partners=[partner, OrganizationFactory()])
            p.events.create(action="propose", to_status="proposed", date="2025-01-01")
        elif kind == "platform":
            PlatformFactory(
                lead_organization=org, organizations=[partner], project=ProjectFactory(lead_organization=org)
            )
        elif kind == "expert":
            e = ExpertFactory(organization=OrganizationFactory())
            ExpertReviewFactory(expert=e, score=Decimal(70), risk="low", project__lead_organization=org)


# (row kind, URL name, is API, max queries)
LISTS = [
    ("agreement", "projects:agreement_list", False, 8),
    ("project", "projects:project_list", False, 8),
    ("platform", "projects:platform_list", False, 8),
    ("expert", "projects:expert_list", False, 5),
    ("agreement", "agreement-list", True, 4),
    ("project", "project-list", True, 4),
    ("platform", "platform-list", True, 3),
    ("expert", "expert-list", True, 2),
]


def warm_up(client, url):
    """The first request of a session does one-off work (sign-in records, caches): keep it out of the count."""
    client.get(url)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("kind,url_name,api,limit", LISTS, ids=[row[1] for row in LISTS])
@pytest.mark.parametrize("role", ["staff", "member"])
def test_list_queries_do_not_grow_with_rows(
    kind, url_name, api, limit, role, client_for, api_for, org, django_assert_max_num_queries
):
    if kind == "expert" and role == "member" and not api:
        pytest.skip("the expert pool page is not for members")
    client = api_for(role) if api else client_for(role)
    url = reverse(url_name)
    make_rows(kind, 5, org)
    warm_up(client, url)
    with django_assert_max_num_queries(limit):
        small = count_queries(client, url)
    make_rows(kind, 45, org)
    with django_assert_max_num_queries(limit):
        large = count_queries(client, url)
    assert small == large


def test_the_export_queries_do_not_grow_with_rows(client_for, org):
    client = client_for("staff")
    url = reverse("projects:agreement_list") + "?export=csv"
    make_rows("agreement", 5, org)
    warm_up(client, url)
    small = count_queries(client, url)
    make_rows("agreement", 45, org)
    assert count_queries(client, url) == small


def test_the_organisation_page_panels_do_not_grow_with_rows(client_for, org):
    client = client_for("member")
    for kind in ("agreement", "project", "platform"):
        make_rows(kind, 5, org)
    warm_up(client, org.get_absolute_url())
    small = count_queries(client, org.get_absolute_url())
    for kind in ("agreement", "project", "platform"):
        make_rows(kind, 45, org)
    assert count_queries(client, org.get_absolute_url()) == small
