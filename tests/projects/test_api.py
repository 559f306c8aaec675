import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import Agreement, AgreementStatus, ProjectStatus

from .factories import AgreementFactory, ExpertReviewFactory, ProjectFactory
from .helpers import snapshot

pytestmark = pytest.mark.django_db


def payload(org, parties, **extra):
    data = {
        "kind": "rnd",
        "title": "技术研发合作协议",
        "parties": [p.pk for p in parties],
        "signed_on": "2025-04-01",
        "start_date": "2025-04-01",
        "end_date": "2027-03-31",
    }
    if org is not None:
        data["organization"] = org.pk
    data.update(extra)
    return data


def test_a_member_registers_for_their_own_organisation_whatever_the_request_says(api_for, org, other_org, third_org):
    response = api_for("member").post(reverse("agreement-list"), payload(other_org, [org, third_org]), format="json")
    assert response.status_code == 201, response.content
    agreement = Agreement.objects.get()
    assert agreement.organization == org and agreement.status == AgreementStatus.DRAFT
    assert agreement.events.get().action == "create"


def test_the_api_refuses_parties_without_the_members_own_organisation(api_for, other_org, third_org):
    api = api_for("member")
    before = snapshot()
    response = api.post(reverse("agreement-list"), payload(None, [other_org, third_org]), format="json")
    assert response.status_code == 400
    assert "协议各方必须包含登记单位“兰州石化职业技术大学”。" in response.json()["parties"]
    assert snapshot() == before


def test_the_api_refuses_an_agreement_ending_before_it_starts(api_for, org, third_org):
    api = api_for("member")
    before = snapshot()
    response = api.post(
        reverse("agreement-list"), payload(None, [org, third_org], end_date="2024-01-01"), format="json"
    )
    assert response.status_code == 400
    assert response.json()["end_date"] == ["到期日期不能早于生效日期。"]
    assert snapshot() == before


def test_a_member_cannot_patch_a_verified_agreement(api_for, org, third_org):
    agreement = AgreementFactory(
        organization=org, parties=[third_org], status=AgreementStatus.VERIFIED, verified_at=timezone.now()
    )
    api = api_for("member")
    before = snapshot()
    response = api.patch(reverse("agreement-detail", args=[agreement.pk]), {"title": "改"}, format="json")
    assert response.status_code == 403  # may read it, may not change it: refused like its other writes
    assert snapshot() == before


def test_workflow_steps_through_the_api(api_for, org, third_org):
    agreement = AgreementFactory(organization=org, parties=[third_org], with_scan=True)
    url = reverse("agreement-transition", args=[agreement.pk])
    assert api_for("member").post(url, {"step": "submit"}, format="json").status_code == 200
    refused = api_for("member").post(url, {"step": "verify"}, format="json")
    assert refused.status_code == 403
    ok = api_for("staff").post(url, {"step": "verify"}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "verified"
    again = api_for("staff").post(url, {"step": "verify"}, format="json")
    assert again.status_code == 400
    assert "协议当前状态为“已核验”，不能核验通过。" in again.json()["non_field_errors"]


def test_project_approval_through_the_api_says_why_not(api_for, org):
    project = ProjectFactory(lead_organization=org, status=ProjectStatus.UNDER_REVIEW)
    ExpertReviewFactory(project=project, score=90, risk="low")
    api = api_for("staff")
    before = snapshot()
    response = api.post(reverse("project-transition", args=[project.pk]), {"step": "approve"}, format="json")
    assert response.status_code == 400
    assert "专家评审不足：已完成 1 份，至少需要 3 份，不能立项。" in response.json()["non_field_errors"]
    assert snapshot() == before


def test_the_api_lists_only_the_members_records(api_for, org, other_org, third_org):
    AgreementFactory(organization=org, parties=[third_org], title="本校协议")
    AgreementFactory(organization=other_org, parties=[third_org], title="兰石协议")
    titles = [row["title"] for row in api_for("member").get(reverse("agreement-list")).json()["results"]]
    assert titles == ["本校协议"]
    expiring = api_for("staff").get(reverse("agreement-list") + "?term=expired").json()
    assert expiring["count"] == 0
