from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from projects import services
from projects.models import EvaluationCriterion, ExpertReview, Project, ProjectResult, ProjectStatus, ReviewPolicy

from .factories import ExpertFactory, ExpertReviewFactory, ProjectFactory
from .helpers import snapshot

pytestmark = pytest.mark.django_db
PS = ProjectStatus


def full_scores(value):
    return {c.pk: Decimal(value) for c in EvaluationCriterion.objects.filter(is_active=True)}


def reviewed_project(org, scores=(80, 75, 70), **kwargs):
    project = ProjectFactory(lead_organization=org, status=PS.UNDER_REVIEW, **kwargs)
    for s in scores:
        ExpertReviewFactory(project=project, score=Decimal(s), risk="low")
    return project


def test_a_project_goes_through_its_whole_lifecycle_with_each_step_recorded(org, other_org, staff_user):
    project = ProjectFactory(lead_organization=org, partners=[other_org])
    services.change_project(project.pk, "start_review", by=staff_user)
    for _ in range(3):
        review = services.assign_expert(project.pk, ExpertFactory().pk, by=staff_user)
        services.record_review(review.pk, by=staff_user, scores=full_scores(82), risk="low")
    for step in ("approve", "start", "complete"):
        services.change_project(project.pk, step, by=staff_user)
    ProjectResult.objects.create(project=project, title="工艺包", applied_at="兰石集团生产线")
    services.change_project(project.pk, "apply", by=staff_user)
    project.refresh_from_db()
    today = timezone.localdate()
    assert project.status == PS.APPLIED
    assert project.approved_on == project.completed_on == project.applied_on == today
    assert list(project.events.values_list("to_status", flat=True)) == [
        PS.UNDER_REVIEW,
        PS.APPROVED,
        PS.IN_PROGRESS,
        PS.COMPLETED,
        PS.APPLIED,
    ]
    assert set(project.events.values_list("actor__username", flat=True)) == {"staff"}
    assert Project.objects.completed_in(today.year).get() == project


def test_completing_a_project_that_was_never_approved_is_refused(org, staff_user):
    project = ProjectFactory(lead_organization=org)
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        services.change_project(project.pk, "complete", by=staff_user)
    assert "项目当前状态为“已申报”，不能结项验收（只能从“实施中”状态结项验收）。" in str(exc.value)
    assert snapshot() == before


def test_completing_out_of_order_through_the_page_shows_the_reason(client_for, org):
    project = ProjectFactory(lead_organization=org)
    client = client_for("staff")
    before = snapshot()
    response = client.post(
        reverse("projects:project_complete", args=[project.pk]), {"date": timezone.localdate().isoformat()}
    )
    assert response.status_code == 200
    assert "不能结项验收" in response.content.decode()
    assert snapshot() == before


def test_approving_with_too_few_reviews_is_refused(org, staff_user):
    project = reviewed_project(org, scores=(90, 88))
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        services.change_project(project.pk, "approve", by=staff_user)
    assert "专家评审不足：已完成 2 份，至少需要 3 份，不能立项。" in str(exc.value)
    assert snapshot() == before


def test_an_assigned_but_unscored_review_does_not_count(org, staff_user):
    project = reviewed_project(org, scores=(90, 88))
    ExpertReviewFactory(project=project)
    with pytest.raises(ValidationError, match="已完成 2 份"):
        services.change_project(project.pk, "approve", by=staff_user)


def test_approving_below_the_pass_score_is_refused(org, staff_user):
    project = reviewed_project(org, scores=(60, 55, 58))
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        services.change_project(project.pk, "approve", by=staff_user)
    assert "专家评审平均分 57.67 低于立项分数线 60.00，不能立项。" in str(exc.value)
    assert snapshot() == before


def test_the_average_at_the_threshold_passes(org, staff_user):
    project = reviewed_project(org, scores=(60, 60, 60))
    services.change_project(project.pk, "approve", by=staff_user)
    project.refresh_from_db()
    assert project.status == PS.APPROVED


def test_the_review_policy_is_configurable(org, staff_user):
    policy = ReviewPolicy.current()
    policy.min_reviews, policy.pass_score = 4, Decimal("75")
    policy.save()
    project = reviewed_project(org, scores=(80, 80, 80))
    with pytest.raises(ValidationError, match="至少需要 4 份"):
        services.change_project(project.pk, "approve", by=staff_user)


def test_the_approve_page_explains_why_not(client_for, org):
    project = reviewed_project(org, scores=(90,))
    page = client_for("staff").get(reverse("projects:project_approve", args=[project.pk])).content.decode()
    assert "专家评审不足：已完成 1 份，至少需要 3 份" in page


def test_an_expert_of_the_lead_organisation_cannot_be_assigned(org, staff_user):
    project = ProjectFactory(lead_organization=org)
    expert = ExpertFactory(organization=org, name="赵敏")
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        services.assign_expert(project.pk, expert.pk, by=staff_user)
    assert "专家“赵敏”来自“兰州石化职业技术大学”，该单位是本项目的牵头或合作单位，不能评审本项目。" in str(exc.value)
    assert snapshot() == before


def test_an_expert_of_a_partner_cannot_be_assigned_through_the_page(client_for, org, other_org):
    project = ProjectFactory(lead_organization=org, partners=[other_org])
    expert = ExpertFactory(organization=other_org, name="刘建军")
    client = client_for("staff")
    before = snapshot()
    response = client.post(reverse("projects:project_assign_expert", args=[project.pk]), {"expert": expert.pk})
    assert response.status_code == 200
    assert "专家“刘建军”来自“兰石集团”" in response.content.decode()
    assert snapshot() == before


def test_an_expert_reviewing_their_own_organisations_project_is_refused(org, other_org, staff_user):
    # Assigned while unrelated; the expert's organisation joined the project afterwards (e.g. through the admin).
    project = ProjectFactory(lead_organization=org, status=PS.UNDER_REVIEW)
    expert = ExpertFactory(organization=other_org, name="刘建军")
    review = ExpertReviewFactory(project=project, expert=expert)
    project.partners.add(other_org)
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        services.record_review(review.pk, by=staff_user, scores=full_scores(90), risk="low")
    assert "不能评审本项目" in str(exc.value)
    assert snapshot() == before


def test_a_project_cannot_take_on_a_reviewers_organisation_as_partner(client_for, org, other_org):
    project = ProjectFactory(lead_organization=org, status=PS.UNDER_REVIEW)
    ExpertReviewFactory(project=project, expert=ExpertFactory(organization=other_org, name="刘建军"))
    client = client_for("staff")
    before = snapshot()
    response = client.post(
        reverse("projects:project_edit", args=[project.pk]),
        {
            "title": project.title,
            "kind": project.kind,
            "lead_organization": org.pk,
            "partners": [other_org.pk],
            "planned_start": "2025-01-01",
            "planned_end": "2025-12-31",
            "budget": "1",
            "support_fund": "0",
        },
    )
    assert response.status_code == 200
    assert "该单位不能成为本项目的牵头或合作单位" in response.content.decode()
    assert snapshot() == before


def test_a_review_is_the_weighted_average_of_the_criterion_scores(org, staff_user):
    project = ProjectFactory(lead_organization=org, status=PS.UNDER_REVIEW)
    review = services.assign_expert(project.pk, ExpertFactory().pk, by=staff_user)
    criteria = list(EvaluationCriterion.objects.filter(is_active=True))
    scores = {c.pk: Decimal(100 if i == 0 else 50) for i, c in enumerate(criteria)}
    services.record_review(review.pk, by=staff_user, scores=scores, risk="medium", opinion="可行")
    review.refresh_from_db()
    total_weight = sum(c.weight for c in criteria)
    expected = Decimal(100 * criteria[0].weight + 50 * (total_weight - criteria[0].weight)) / total_weight
    assert review.score == expected.quantize(Decimal("0.01"))
    assert review.risk == "medium" and review.scores.count() == len(criteria)


def test_a_review_needs_every_criterion_and_a_risk_rating(org, staff_user):
    project = ProjectFactory(lead_organization=org, status=PS.UNDER_REVIEW)
    review = services.assign_expert(project.pk, ExpertFactory().pk, by=staff_user)
    scores = full_scores(80)
    scores.pop(next(iter(scores)))
    with pytest.raises(ValidationError, match="以下评价指标未打分"):
        services.record_review(review.pk, by=staff_user, scores=scores, risk="low")
    with pytest.raises(ValidationError, match="请给出风险评估"):
        services.record_review(review.pk, by=staff_user, scores=full_scores(80), risk="")
    assert ExpertReview.objects.get().score is None


def test_the_review_page_records_scores(client_for, org):
    project = ProjectFactory(lead_organization=org, status=PS.UNDER_REVIEW)
    review = ExpertReviewFactory(project=project)
    data = {"risk": "high", "opinion": "风险较高", "date": timezone.localdate().isoformat()}
    data.update({f"score_{c.pk}": "66" for c in EvaluationCriterion.objects.filter(is_active=True)})
    response = client_for("staff").post(reverse("projects:review_record", args=[review.pk]), data)
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.score == Decimal("66.00") and review.risk == "high"


def test_rejecting_needs_a_reason(org, staff_user):
    project = ProjectFactory(lead_organization=org)
    with pytest.raises(ValidationError, match="“不予立项”必须填写原因。"):
        services.change_project(project.pk, "reject", by=staff_user)
    services.change_project(project.pk, "reject", by=staff_user, reason="与已有项目重复")
    project.refresh_from_db()
    assert project.status == PS.REJECTED and project.reason == "与已有项目重复"


def test_results_applied_needs_a_registered_result(org, staff_user):
    project = ProjectFactory(
        lead_organization=org, status=PS.COMPLETED, approved_on=date(2025, 1, 1), completed_on=date(2025, 6, 1)
    )
    with pytest.raises(ValidationError, match="请先登记项目成果"):
        services.change_project(project.pk, "apply", by=staff_user)


def test_a_result_can_only_be_added_to_a_completed_project(client_for, org):
    project = ProjectFactory(lead_organization=org, status=PS.IN_PROGRESS, approved_on=date(2025, 1, 1))
    client = client_for("staff")
    before = snapshot()
    response = client.post(
        reverse("projects:project_result_add", args=[project.pk]), {"title": "专利一项", "kind": "patent"}
    )
    assert "只有已结项验收的项目才能登记成果。" in response.content.decode()
    assert snapshot() == before


def test_members_and_leadership_cannot_take_project_steps(org, member_user, leader_user):
    project = ProjectFactory(lead_organization=org)
    for user in (member_user, leader_user):
        with pytest.raises(PermissionDenied):
            services.change_project(project.pk, "start_review", by=user)


def test_a_partner_member_sees_the_project_but_not_the_expert_names(client_for, org, other_org):
    project = ProjectFactory(lead_organization=other_org, partners=[org], status=PS.UNDER_REVIEW)
    ExpertReviewFactory(project=project, expert=ExpertFactory(name="张立新"), score=Decimal(80), risk="low")
    page = client_for("member").get(project.get_absolute_url()).content.decode()
    assert project.title in page and "已完成评审 1 份" in page and "张立新" not in page
    assert "张立新" in client_for("leadership").get(project.get_absolute_url()).content.decode()


def test_planned_end_before_start_is_refused(client_for, org):
    client = client_for("staff")
    before = snapshot()
    response = client.post(
        reverse("projects:project_add"),
        {
            "title": "课程共建",
            "kind": "curriculum",
            "lead_organization": org.pk,
            "planned_start": "2025-06-01",
            "planned_end": "2025-01-01",
            "budget": "10",
            "support_fund": "0",
        },
    )
    assert "计划结束日期不能早于计划开始日期。" in response.content.decode()
    assert snapshot() == before


def test_the_api_refuses_an_end_before_the_start(api_for, org):
    response = api_for("staff").post(
        reverse("project-list"),
        {
            "title": "课程共建",
            "kind": "curriculum",
            "lead_organization": org.pk,
            "planned_start": "2025-06-01",
            "planned_end": "2025-01-01",
            "budget": "10",
            "support_fund": "0",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "计划结束日期不能早于计划开始日期。" in str(response.json())
    assert not Project.objects.exists()


def test_a_platform_always_counts_its_lead_among_the_co_builders(client_for, org, other_org):
    from projects.models import Platform

    response = client_for("staff").post(
        reverse("projects:platform_add"),
        {
            "name": "绿色化工重点实验室",
            "kind": "key_lab",
            "level": "provincial",
            "lead_organization": org.pk,
            "organizations": [other_org.pk],
            "established_on": "2025-05-01",
        },
    )
    assert response.status_code == 302
    assert set(Platform.objects.get().organizations.all()) == {org, other_org}


def test_members_see_platforms_of_their_organisation_only(client_for, org, other_org):
    from .factories import PlatformFactory

    ours = PlatformFactory(lead_organization=other_org, organizations=[org], name="共建的实验室")
    theirs = PlatformFactory(lead_organization=other_org, name="兰石独有平台")
    page = client_for("member").get(reverse("projects:platform_list")).content.decode()
    assert ours.name in page and theirs.name not in page


def test_an_experts_organisation_cannot_be_changed_to_a_party_of_a_project_they_review(client_for, org, other_org):
    project = ProjectFactory(lead_organization=org, status=PS.UNDER_REVIEW, title="氢能储运安全技术研究")
    expert = ExpertFactory(organization=None, name="张立新")
    ExpertReviewFactory(project=project, expert=expert)
    client = client_for("staff")
    before = snapshot()
    response = client.post(
        reverse("projects:expert_edit", args=[expert.pk]),
        {
            "name": "张立新",
            "organization": org.pk,
            "field": "化学工程",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "该专家已被指派评审“氢能储运安全技术研究”" in response.content.decode()
    assert snapshot() == before


def test_staff_mark_a_milestone_done(client_for, org):
    project = ProjectFactory(lead_organization=org, status=PS.IN_PROGRESS, approved_on=date(2025, 1, 1))
    milestone = project.milestones.create(title="完成中试", due_on=date(2025, 9, 30))
    response = client_for("staff").post(
        reverse("projects:milestone_edit", args=[milestone.pk]),
        {"title": "完成中试", "due_on": "2025-09-30", "done_on": "2025-09-28"},
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.done_on == date(2025, 9, 28)


def test_the_lead_is_not_also_a_partner(client_for, api_for, org, other_org):
    client = client_for("staff")
    data = {
        "title": "课程共建",
        "kind": "curriculum",
        "lead_organization": org.pk,
        "partners": [org.pk, other_org.pk],
        "planned_start": "2025-01-01",
        "planned_end": "2025-12-31",
        "budget": "10",
        "support_fund": "0",
    }
    before = snapshot()
    response = client.post(reverse("projects:project_add"), data)
    assert "牵头单位“兰州石化职业技术大学”不必再列为合作单位。" in response.content.decode()
    api_response = api_for("staff").post(reverse("project-list"), data, format="json")
    assert api_response.status_code == 400 and "不必再列为合作单位" in str(api_response.json()["partners"])
    assert snapshot() == before


def test_the_project_list_searches_and_filters(client_for, org, other_org):
    ProjectFactory(lead_organization=org, title="氢能储运安全技术研究")
    ProjectFactory(
        lead_organization=other_org,
        partners=[org],
        title="焊接工艺优化",
        kind="curriculum",
        status=PS.COMPLETED,
        approved_on=date(2025, 1, 1),
        completed_on=date(2025, 6, 1),
    )
    client = client_for("staff")
    url = reverse("projects:project_list")
    assert "焊接工艺优化" not in client.get(url + "?q=氢能").content.decode()
    page = client.get(url + "?completed_year=2025").content.decode()
    assert "焊接工艺优化" in page and "氢能储运" not in page
    assert "氢能储运" in client.get(url + f"?organization={org.pk}&ordering=-budget").content.decode()
    assert "氢能储运" not in client.get(url + "?kind=curriculum").content.decode()


def test_a_criterion_weight_must_be_positive(client_for):
    client = client_for("staff")
    before = snapshot()
    response = client.post(reverse("projects:criterion_add"), {"name": "社会效益", "weight": "0", "position": "9"})
    assert "权重必须大于 0。" in response.content.decode()
    assert snapshot() == before


def test_step_and_review_forms_prefill_today_in_the_format_date_inputs_accept(client_for, org):
    project = ProjectFactory(lead_organization=org, status=PS.UNDER_REVIEW)
    review = ExpertReviewFactory(project=project)
    client = client_for("staff")
    today = f'value="{timezone.localdate():%Y-%m-%d}"'
    assert today in client.get(reverse("projects:project_reject", args=[project.pk])).content.decode()
    assert today in client.get(reverse("projects:review_record", args=[review.pk])).content.decode()
