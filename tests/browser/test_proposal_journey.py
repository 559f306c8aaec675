"""A project proposal in a real browser: a school member drafts and submits it, staff route it to
review and approve it once the reviews are in, and the school sees it approved with the notice."""

from decimal import Decimal

import pytest

from members.models import Notification
from projects import services
from projects.models import EvaluationCriterion, Project, ProjectStatus
from tests.projects.factories import ExpertFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_school_proposes_a_project_and_sees_it_approved(
    guarded_page, live_server, sign_in, users, org, other_org, member_user, staff_user
):
    page, guard = guarded_page
    sign_in(page, "member")
    page.click("nav >> text=协议与项目")
    page.click("nav >> text=申报项目")
    page.fill("#id_title", "化工安全虚拟仿真课程共建")
    page.select_option("#id_kind", "curriculum")
    assert page.locator("#id_lead_organization option").all_inner_texts() == [org.name]
    page.select_option("#id_partners", [str(other_org.pk)])
    page.fill("#id_planned_start", "2026-03-01")
    page.fill("#id_planned_end", "2027-02-28")
    page.fill("#id_budget", "60")
    page.fill("#id_support_fund_requested", "80")  # more than the budget: the page explains in Chinese
    page.click("main button[type=submit]")
    assert page.locator("text=申请的专项扶持资金不能超过项目预算。").count() >= 1
    assert not Project.objects.exists()

    page.fill("#id_support_fund_requested", "20")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=项目申报已保存为草稿")
    project = Project.objects.get()
    assert project.status == ProjectStatus.DRAFT and project.lead_organization == org
    page.click("a:has-text('提交申报')")
    page.click("button:has-text('确认提交申报')")
    page.wait_for_selector("text=项目已提交申报")
    project.refresh_from_db()
    assert project.status == ProjectStatus.PROPOSED

    page.context.clear_cookies()
    sign_in(page, "staff")
    # The submission waits in the staff's work queue on the home page.
    page.click("a:has-text('化工安全虚拟仿真课程共建')")
    page.click("a:has-text('提交专家评审')")
    page.click("button:has-text('确认提交专家评审')")
    page.wait_for_selector("text=操作已完成")
    project.refresh_from_db()
    assert project.status == ProjectStatus.UNDER_REVIEW

    if not EvaluationCriterion.objects.filter(is_active=True).exists():
        # An earlier transactional test may have flushed the criteria the data migration made.
        EvaluationCriterion.objects.create(name="技术可行性", weight=60)
        EvaluationCriterion.objects.create(name="产教融合成效", weight=40)
    scores = {c.pk: Decimal(85) for c in EvaluationCriterion.objects.filter(is_active=True)}
    for _ in range(3):
        review = services.assign_expert(project.pk, ExpertFactory().pk, by=staff_user)
        services.record_review(review.pk, by=staff_user, scores=scores, risk="low")
    page.reload()
    page.click("a:has-text('批准立项')")
    page.click("button:has-text('确认批准立项')")
    page.wait_for_selector("text=操作已完成")
    project.refresh_from_db()
    assert project.status == ProjectStatus.APPROVED

    page.context.clear_cookies()
    sign_in(page, "member")
    page.goto(f"{live_server.url}/members/notifications/")
    page.wait_for_selector("text=项目“化工安全虚拟仿真课程共建”：批准立项")
    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    assert page.locator("h1 + .badge, .badge-status-approved").first.inner_text() == "已立项"
    assert page.locator("td:has-text('已申报 → 专家评审中')").count() == 1
    assert Notification.objects.filter(user=member_user, title__contains="批准立项").count() == 1
