"""Project proposals (申报) by members: draft, submit, return with a reason, resubmit, route, approve."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from dashboards.metrics import REGISTRY
from members.models import Notification
from projects import services
from projects.models import EvaluationCriterion, Project, ProjectStatus

from .factories import ExpertFactory, ProjectFactory
from .helpers import snapshot

pytestmark = pytest.mark.django_db
PS = ProjectStatus


def proposal_data(lead, partner, **extra):
    data = {
        "title": "化工安全虚拟仿真课程共建",
        "kind": "curriculum",
        "lead_organization": lead.pk,
        "partners": [partner.pk],
        "planned_start": "2026-03-01",
        "planned_end": "2027-02-28",
        "budget": "60",
        "support_fund_requested": "20",
        "description": "共建化工安全虚拟仿真课程",
    }
    data.update(extra)
    return data


def full_scores(value):
    return {c.pk: Decimal(value) for c in EvaluationCriterion.objects.filter(is_active=True)}


def titles(user):
    return list(Notification.objects.filter(user=user).order_by("pk").values_list("title", flat=True))


def draft_of(org, **kwargs):
    return ProjectFactory(lead_organization=org, status=PS.DRAFT, **kwargs)


def test_a_member_proposal_goes_from_draft_through_a_return_to_approval(
    client_for, org, third_org, member_user, staff_user
):
    member, staff = client_for("member"), client_for("staff")
    response = member.post(reverse("projects:project_add"), proposal_data(org, third_org))
    assert response.status_code == 302
    project = Project.objects.get()
    assert (project.status, project.lead_organization, project.proposed_by) == (PS.DRAFT, org, member_user)
    assert project.support_fund_requested == Decimal("20") and project.support_fund == 0
    # A draft is the proposing organisation's own: staff neither list nor open it.
    assert staff.get(project.get_absolute_url()).status_code == 404
    assert project.title not in staff.get(reverse("projects:project_list")).content.decode()
    assert project.title in member.get(reverse("projects:project_list")).content.decode()

    assert member.post(reverse("projects:project_submit", args=[project.pk])).status_code == 302
    project.refresh_from_db()
    assert project.status == PS.PROPOSED and project.submitted_at is not None
    assert titles(staff_user) == ["新的项目申报待处理：化工安全虚拟仿真课程共建"]

    response = staff.post(
        reverse("projects:project_return", args=[project.pk]), {"date": "", "reason": "请补充经费预算明细。"}
    )
    assert response.status_code == 200  # the date is required: nothing happened yet
    project.refresh_from_db()
    assert project.status == PS.PROPOSED
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    response = staff.post(
        reverse("projects:project_return", args=[project.pk]), {"date": today, "reason": "请补充经费预算明细。"}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == PS.RETURNED and project.return_reason == "请补充经费预算明细。"
    assert titles(member_user) == ["项目“化工安全虚拟仿真课程共建”：退回修改"]
    page = member.get(project.get_absolute_url()).content.decode()
    assert "退回原因：请补充经费预算明细。" in page and "提交申报" in page

    response = member.post(
        reverse("projects:project_edit", args=[project.pk]), proposal_data(org, third_org, budget="80")
    )
    assert response.status_code == 302
    assert member.post(reverse("projects:project_submit", args=[project.pk])).status_code == 302
    project.refresh_from_db()
    assert (project.status, project.budget, project.return_reason) == (PS.PROPOSED, Decimal("80"), "")

    services.change_project(project.pk, "start_review", by=staff_user)
    for _ in range(3):
        review = services.assign_expert(project.pk, ExpertFactory().pk, by=staff_user)
        services.record_review(review.pk, by=staff_user, scores=full_scores(85), risk="low")
    services.change_project(project.pk, "approve", by=staff_user)
    project.refresh_from_db()
    assert project.status == PS.APPROVED
    assert list(project.events.values_list("action", "to_status")) == [
        ("propose", PS.DRAFT),
        ("submit", PS.PROPOSED),
        ("return", PS.RETURNED),
        ("submit", PS.PROPOSED),
        ("start_review", PS.UNDER_REVIEW),
        ("approve", PS.APPROVED),
    ]
    assert titles(member_user) == [
        "项目“化工安全虚拟仿真课程共建”：退回修改",
        "项目“化工安全虚拟仿真课程共建”：提交专家评审",
        "项目“化工安全虚拟仿真课程共建”：批准立项",
    ]
    page = member.get(project.get_absolute_url()).content.decode()
    assert "已立项" in page


def test_the_proposer_is_told_of_a_rejection_with_the_reason(org, member_user, staff_user):
    project = ProjectFactory(lead_organization=org, status=PS.PROPOSED)
    services.change_project(project.pk, "reject", by=staff_user, reason="与已立项项目重复")
    notice = Notification.objects.get(user=member_user)
    assert notice.title == f"项目“{project.title}”：不予立项" and notice.body == "与已立项项目重复"


def test_returning_without_a_reason_is_refused_and_changes_nothing(org, staff_user):
    project = ProjectFactory(lead_organization=org, status=PS.PROPOSED)
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        services.change_project(project.pk, "return", by=staff_user, reason="  ")
    assert "“退回修改”必须填写原因。" in str(exc.value)
    assert snapshot() == before


def test_returning_a_project_under_review_is_refused(org, staff_user):
    project = ProjectFactory(lead_organization=org, status=PS.UNDER_REVIEW)
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        services.change_project(project.pk, "return", by=staff_user, reason="补充材料")
    assert "项目当前状态为“专家评审中”，不能退回修改" in str(exc.value)
    assert snapshot() == before


def test_submitting_a_project_under_review_again_is_refused(org, member_user):
    project = ProjectFactory(lead_organization=org, status=PS.UNDER_REVIEW)
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        services.submit_proposal(project.pk, by=member_user)
    assert "项目当前状态为“专家评审中”，不能提交申报" in str(exc.value)
    assert snapshot() == before


def test_another_organisation_cannot_submit_or_even_see_a_draft(client_for, org, other_org, other_member_user):
    project = draft_of(org, partners=[other_org])
    other = client_for("other_member")
    other.get(reverse("home"))
    before = snapshot()
    with pytest.raises(PermissionDenied) as exc:
        services.submit_proposal(project.pk, by=other_member_user)
    assert "只有申报单位可以提交本项目。" in str(exc.value)
    assert other.get(project.get_absolute_url()).status_code == 404
    assert other.post(reverse("projects:project_submit", args=[project.pk])).status_code == 404
    assert snapshot() == before


def test_staff_cannot_route_a_draft_nobody_submitted(org, staff_user, client_for):
    project = draft_of(org)
    staff = client_for("staff")
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        services.change_project(project.pk, "start_review", by=staff_user)
    assert "项目当前状态为“草稿”，不能提交专家评审" in str(exc.value)
    assert staff.post(reverse("projects:project_start_review", args=[project.pk])).status_code == 404
    assert snapshot() == before


def test_a_member_cannot_edit_a_project_under_review(client_for, org, third_org):
    project = ProjectFactory(lead_organization=org, status=PS.UNDER_REVIEW)
    member = client_for("member")
    before = snapshot()
    response = member.get(reverse("projects:project_edit", args=[project.pk]))
    assert response.status_code == 403
    assert "项目当前状态为“专家评审中”，申报单位不能再修改" in response.content.decode()
    response = member.post(reverse("projects:project_edit", args=[project.pk]), proposal_data(org, third_org))
    assert response.status_code == 403
    assert member.post(reverse("projects:project_delete", args=[project.pk])).status_code == 403
    assert snapshot() == before


def test_a_member_cannot_propose_with_another_organisation_as_the_lead(client_for, org, other_org, third_org):
    member = client_for("member")
    before = snapshot()
    response = member.post(reverse("projects:project_add"), proposal_data(other_org, third_org))
    assert response.status_code == 200
    assert "成员单位只能以本单位为牵头单位申报项目。" in response.content.decode()
    assert snapshot() == before


def test_a_member_cannot_grant_itself_support_funds(client_for, org, third_org):
    response = client_for("member").post(
        reverse("projects:project_add"), proposal_data(org, third_org, support_fund="500")
    )
    assert response.status_code == 302
    assert Project.objects.get().support_fund == 0


def test_the_support_fund_requested_may_not_exceed_the_budget(client_for, org, third_org):
    member = client_for("member")
    before = snapshot()
    response = member.post(reverse("projects:project_add"), proposal_data(org, third_org, support_fund_requested="70"))
    assert "申请的专项扶持资金不能超过项目预算。" in response.content.decode()
    assert snapshot() == before


def test_a_member_deletes_its_own_draft_but_not_a_submitted_proposal(client_for, org):
    draft = draft_of(org)
    submitted = ProjectFactory(lead_organization=org, status=PS.PROPOSED)
    member = client_for("member")
    assert member.post(reverse("projects:project_delete", args=[draft.pk])).status_code == 302
    assert not Project.objects.filter(pk=draft.pk).exists()
    assert member.post(reverse("projects:project_delete", args=[submitted.pk])).status_code == 403
    assert Project.objects.filter(pk=submitted.pk).exists()


def test_a_member_of_a_government_body_may_not_propose(client_for, users, org):
    from members.models import OrganizationKind

    org.kind = OrganizationKind.GOVERNMENT
    org.save()
    assert client_for("member").get(reverse("projects:project_add")).status_code == 403


def test_staff_steps_are_refused_to_the_proposer_on_its_own_draft(client_for, org):
    project = draft_of(org)
    member = client_for("member")
    before = snapshot()
    for name in ("project_start_review", "project_return", "project_assign_expert", "project_milestone_add"):
        assert member.get(reverse(f"projects:{name}", args=[project.pk])).status_code == 403
        assert member.post(reverse(f"projects:{name}", args=[project.pk]), {"reason": "x"}).status_code == 403
    assert snapshot() == before


def test_drafts_and_returned_proposals_never_count(org, staff_user):
    from datetime import date

    draft_of(org, completed_on=date(2025, 5, 1))
    ProjectFactory(lead_organization=org, status=PS.RETURNED, completed_on=date(2025, 5, 1))
    ProjectFactory(
        lead_organization=org, status=PS.COMPLETED, approved_on=date(2025, 1, 1), completed_on=date(2025, 5, 1)
    )
    metric = REGISTRY["projects_completed"]
    assert metric.actual(2025) == 1
    assert metric.by_organization(2025) == {org.pk: 1}


# --- the API holds the same rules


def api_data(lead, partner, **extra):
    data = proposal_data(lead, partner, **extra)
    data.pop("description")
    return data


def test_a_member_proposes_through_the_api_as_a_draft_and_submits_it(api_for, org, third_org, staff_user):
    api = api_for("member")
    response = api.post(reverse("project-list"), api_data(org, third_org, support_fund="99"), format="json")
    assert response.status_code == 201, response.content
    project = Project.objects.get()
    assert (project.status, project.lead_organization, project.support_fund) == (PS.DRAFT, org, 0)
    response = api.patch(reverse("project-detail", args=[project.pk]), {"budget": "90"}, format="json")
    assert response.status_code == 200
    response = api.post(reverse("project-transition", args=[project.pk]), {"step": "submit"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == PS.PROPOSED
    # Submitted: no longer the member's to change, nor to route.
    response = api.patch(reverse("project-detail", args=[project.pk]), {"budget": "10"}, format="json")
    assert response.status_code == 403
    response = api.post(reverse("project-transition", args=[project.pk]), {"step": "start_review"}, format="json")
    assert response.status_code == 403
    project.refresh_from_db()
    assert (project.status, project.budget) == (PS.PROPOSED, Decimal("90"))


def test_a_member_cannot_name_another_lead_through_the_api(api_for, org, other_org, third_org):
    before = snapshot()
    response = api_for("member").post(reverse("project-list"), api_data(other_org, third_org), format="json")
    assert response.status_code == 400
    assert response.json()["lead_organization"] == ["成员单位只能以本单位为牵头单位申报项目。"]
    draft = draft_of(org)
    before = snapshot()
    response = api_for("member").patch(
        reverse("project-detail", args=[draft.pk]), {"lead_organization": other_org.pk}, format="json"
    )
    assert response.status_code == 400
    assert snapshot() == before


def test_drafts_are_not_in_the_staff_api_list(api_for, org):
    draft = draft_of(org)
    submitted = ProjectFactory(lead_organization=org, status=PS.PROPOSED)
    ids = [row["id"] for row in api_for("staff").get(reverse("project-list")).json()["results"]]
    assert submitted.pk in ids and draft.pk not in ids
    ids = [row["id"] for row in api_for("member").get(reverse("project-list")).json()["results"]]
    assert {submitted.pk, draft.pk} <= set(ids)
