"""An expert in a real browser (Debian's Chromium): declares a conflict on one review, scores another."""

from decimal import Decimal

import pytest

from projects.models import EvaluationCriterion, ExpertReview, ProjectStatus
from tests.projects.factories import ExpertFactory, ExpertReviewFactory, ProjectFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_expert_declares_a_conflict_scores_another_and_staff_see_the_aggregate(
    guarded_page, live_server, sign_in, users, org
):
    page, guard = guarded_page
    me = ExpertFactory(name="马晓东", user=users["expert"])
    conflicted = ExpertReviewFactory(
        expert=me, project=ProjectFactory(title="煤基新材料催化工艺联合攻关", status=ProjectStatus.UNDER_REVIEW)
    )
    project = ProjectFactory(title="化工仪表专业教学资源库", lead_organization=org, status=ProjectStatus.UNDER_REVIEW)
    mine = ExpertReviewFactory(expert=me, project=project)
    ExpertReviewFactory(project=project, score=Decimal("70"), risk="low")
    # A transactional test starts from a flushed database: the standard's default rows may be gone.
    EvaluationCriterion.objects.get_or_create(name="技术方案可行性", defaults={"weight": 60, "position": 1})
    EvaluationCriterion.objects.get_or_create(name="产教融合程度", defaults={"weight": 40, "position": 2})
    criteria = list(EvaluationCriterion.objects.filter(is_active=True))

    sign_in(page, "expert")
    page.click("main a:has-text('我的评审')")  # from the home page's shortcuts
    page.click(f"[data-review='{conflicted.pk}'] a")
    page.click("a:has-text('利益冲突声明')")
    page.click("button:has-text('确认')")  # no reason: refused in Chinese
    page.wait_for_selector("text=请说明利益冲突的情况。")
    page.fill("#id_reason", "本人近三年为该项目牵头单位提供技术咨询")
    page.click("button:has-text('确认')")
    page.wait_for_selector("text=已声明利益冲突，您已退出本项目评审。")

    page.click("a:has-text('返回我的评审')")
    page.click(f"[data-review='{mine.pk}'] a")
    assert page.locator("text=评审结束前不显示其他专家的评分。").count() == 1
    page.click("a:has-text('评审打分')")
    for c in criteria:
        page.fill(f"#id_score_{c.pk}", "90")
    page.select_option("#id_risk", "medium")
    page.fill("#id_opinion", "资源库建设内容与专业标准对接充分。")
    page.click("button:has-text('确认')")
    page.wait_for_selector("text=评审已保存")
    page.click("a:has-text('返回我的评审')")
    assert "已评分" in page.locator(f"[data-review='{mine.pk}']").inner_text()
    assert "已声明利益冲突" in page.locator(f"[data-review='{conflicted.pk}']").inner_text()
    assert ExpertReview.objects.get(pk=mine.pk).score == Decimal("90.00")

    page.context.clear_cookies()
    sign_in(page, "staff")
    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    assert page.locator("[data-spread='average']").inner_text() == "80.00"
    assert page.locator("[data-spread='range']").inner_text() == "70.00 / 90.00"
    assert page.locator("[data-spread='stddev']").inner_text() == "10.00"
    assert "马晓东" in page.locator("[data-review-spread] + table").inner_text()
