"""Experts in the portal: their own reviews only, conflicts of interest, scoring, and what each role sees."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from consortium import workqueue
from members.models import Notification, Role
from projects import services
from projects.models import CriterionScore, EvaluationCriterion, ExpertReview, ProjectStatus
from tests.conftest import api_login, login
from tests.factories import UserFactory

from .factories import ExpertFactory, ExpertReviewFactory, ProjectFactory
from .helpers import snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def criteria(db):
    EvaluationCriterion.objects.all().delete()
    return [
        EvaluationCriterion.objects.create(name="创新性", weight=60, position=1),
        EvaluationCriterion.objects.create(name="可行性", weight=40, position=2),
    ]


@pytest.fixture
def me(users):
    """The fixtures' expert user, linked to a pool expert."""
    return ExpertFactory(name="李明", user=users["expert"])


@pytest.fixture
def reviewing(org):
    return ProjectFactory(lead_organization=org, status=ProjectStatus.UNDER_REVIEW, title="催化剂再生工艺研发")


@pytest.fixture
def my_review(me, reviewing):
    return ExpertReviewFactory(project=reviewing, expert=me, due_on=timezone.localdate())


def form_data(criteria, values=(80, 70), risk="low", opinion="可行"):
    data = {"risk": risk, "opinion": opinion}
    for c, v in zip(criteria, values, strict=True):
        data[f"score_{c.pk}"] = str(v)
    return data


def score_url(review):
    return reverse("projects:my_review_score", args=[review.pk])


# --- only their own assignments ------------------------------------------------------------------


def test_expert_sees_only_their_own_assignments(users, me, my_review, reviewing):
    other = ExpertReviewFactory(project=ProjectFactory(title="别人的评审项目", status=ProjectStatus.UNDER_REVIEW))
    client = login(users["expert"])
    page = client.get(reverse("projects:my_review_list"))
    assert page.status_code == 200
    assert reviewing.title in page.content.decode()
    assert "别人的评审项目" not in page.content.decode()
    assert client.get(reverse("projects:my_review", args=[my_review.pk])).status_code == 200
    assert client.get(reverse("projects:my_review", args=[other.pk])).status_code == 404
    assert client.post(score_url(other), {"risk": "low"}).status_code == 404


def test_expert_is_refused_every_other_page_and_the_api(users, me, my_review, reviewing):
    client = login(users["expert"])
    for url in (
        reverse("projects:project_detail", args=[reviewing.pk]),
        reverse("projects:project_list"),
        reverse("projects:expert_list"),
        reverse("projects:review_record", args=[my_review.pk]),
    ):
        assert client.get(url).status_code == 403, url
    api = api_login(users["expert"])
    assert api.get("/api/v1/projects/").status_code == 403
    assert api.get("/api/v1/experts/").status_code == 403


def test_other_roles_are_refused_the_expert_pages(users, my_review):
    for role in ("staff", "admin", "leadership", "member"):
        assert login(users[role]).get(reverse("projects:my_review", args=[my_review.pk])).status_code == 403


def test_an_expert_user_without_a_pool_record_sees_an_empty_queue(users, my_review):
    lone = UserFactory(username="lone", role=Role.EXPERT)
    page = login(lone).get(reverse("projects:my_review_list"))
    assert page.status_code == 200
    assert "暂无指派给您的评审" in page.content.decode()
    assert workqueue.items_for(lone) == []
    assert login(lone).get(reverse("projects:my_review", args=[my_review.pk])).status_code == 404


def test_pending_reviews_come_first_with_their_due_date(users, me, org):
    done = ExpertReviewFactory(
        expert=me,
        project=ProjectFactory(title="已评项目", status=ProjectStatus.UNDER_REVIEW),
        score=Decimal("70"),
        risk="low",
    )
    pending = ExpertReviewFactory(
        expert=me,
        project=ProjectFactory(title="待评项目", status=ProjectStatus.UNDER_REVIEW),
        due_on=datetime.date(2030, 1, 2),
    )
    page = login(users["expert"]).get(reverse("projects:my_review_list"))
    rows = list(page.context["object_list"])
    assert rows == [pending, done]
    assert "2030-01-02" in page.content.decode()


# --- scoring ------------------------------------------------------------------------------------


def test_expert_scores_and_the_weighted_score_is_computed_like_staffs(users, criteria, my_review):
    response = login(users["expert"]).post(score_url(my_review), form_data(criteria, (80, 70)))
    assert response.status_code == 302
    my_review.refresh_from_db()
    assert my_review.score == Decimal("76.00")  # 0.6 * 80 + 0.4 * 70
    assert my_review.risk == "low"
    assert my_review.recorded_by == users["expert"]
    assert my_review.reviewed_on == timezone.localdate()


def test_expert_may_revise_until_the_review_closes_never_after(users, criteria, my_review, reviewing):
    client = login(users["expert"])
    client.post(score_url(my_review), form_data(criteria, (80, 70)))
    client.post(score_url(my_review), form_data(criteria, (90, 90), risk="medium"))
    my_review.refresh_from_db()
    assert my_review.score == Decimal("90.00") and my_review.risk == "medium"

    reviewing.status = ProjectStatus.APPROVED
    reviewing.approved_on = timezone.localdate()
    reviewing.save()
    before = snapshot()
    response = client.post(score_url(my_review), form_data(criteria, (10, 10)))
    assert response.status_code == 200
    assert "不在专家评审阶段" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d, c: d.update({f"score_{c[0].pk}": "101"}), "得分应在 0 到 100 之间"),
        (lambda d, c: d.update({f"score_{c[1].pk}": "-1"}), "得分应在 0 到 100 之间"),
        (lambda d, c: d.pop(f"score_{c[1].pk}"), "请为该指标打分"),
        (lambda d, c: d.update({"risk": ""}), "请给出风险评估"),
    ],
    ids=["above-100", "negative", "missing-criterion", "missing-risk"],
)
def test_bad_scores_are_refused_in_chinese_and_nothing_is_stored(users, criteria, my_review, change, message):
    data = form_data(criteria)
    change(data, criteria)
    client = login(users["expert"])
    before = snapshot()
    response = client.post(score_url(my_review), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot() == before


def test_the_service_refuses_a_missing_criterion_and_another_experts_review(users, criteria, my_review):
    with pytest.raises(ValidationError, match="可行性"):
        services.record_review(my_review.pk, by=users["expert"], scores={criteria[0].pk: 80}, risk="low")
    other_user = UserFactory(username="expert2", role=Role.EXPERT)
    ExpertFactory(user=other_user)
    with pytest.raises(PermissionDenied):
        services.record_review(my_review.pk, by=other_user, scores={c.pk: 80 for c in criteria}, risk="low", opinion="")
    assert not CriterionScore.objects.exists()


# --- conflict of interest -----------------------------------------------------------------------


def test_a_conflict_removes_the_expert_from_the_count_and_the_average(users, criteria, me, my_review, reviewing):
    for score in (60, 80):
        ExpertReviewFactory(project=reviewing, score=Decimal(score), risk="low")
    services.record_review(my_review.pk, by=users["expert"], scores={c.pk: 20 for c in criteria}, risk="high")
    assert services.review_summary(reviewing) == (3, Decimal("53.33"))

    response = login(users["expert"]).post(
        reverse("projects:my_review_conflict", args=[my_review.pk]), {"reason": "本人曾为该项目牵头单位提供咨询"}
    )
    assert response.status_code == 302
    my_review.refresh_from_db()
    assert my_review.is_withdrawn and my_review.conflict_reason == "本人曾为该项目牵头单位提供咨询"
    assert my_review.score is None and not my_review.scores.exists()
    assert services.review_summary(reviewing) == (2, Decimal("70.00"))
    spread = services.review_spread(reviewing)
    assert (spread.assigned, spread.done, spread.withdrawn) == (3, 2, 1)
    assert "专家评审不足" in services.approval_blocker(reviewing)

    client = login(users["expert"])
    before = snapshot()
    again = client.post(score_url(my_review), form_data(criteria))
    assert "声明利益冲突" in again.content.decode()
    assert snapshot() == before


def test_a_conflict_needs_a_reason_and_tells_staff(users, my_review, django_capture_on_commit_callbacks):
    client = login(users["expert"])
    url = reverse("projects:my_review_conflict", args=[my_review.pk])
    before = snapshot()
    response = client.post(url, {"reason": "  "})
    assert "请说明利益冲突的情况" in response.content.decode()
    assert snapshot() == before
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"reason": "与牵头单位负责人为亲属"})
    notice = Notification.objects.get(user=users["staff"])
    assert "利益冲突" in notice.title and "与牵头单位负责人为亲属" in notice.body
    # Staff see it in their queue until another expert is assigned.
    items = [i for i in workqueue.items_for(users["staff"]) if i.kind == "需另派评审专家"]
    assert [i.title for i in items] == [my_review.project.title]


# --- who sees whose scores ------------------------------------------------------------------------


def test_experts_see_others_scores_only_after_the_review_closes(users, criteria, me, my_review, reviewing):
    ExpertReviewFactory(project=reviewing, expert=ExpertFactory(name="赵卫东"), score=Decimal("66.50"), risk="medium")
    client = login(users["expert"])
    url = reverse("projects:my_review", args=[my_review.pk])
    body = client.get(url).content.decode()
    assert "赵卫东" not in body and "66.50" not in body
    assert "评审结束前不显示其他专家的评分" in body

    reviewing.status = ProjectStatus.REJECTED
    reviewing.reason = "预算不合理"
    reviewing.save()
    body = client.get(url).content.decode()
    assert "赵卫东" in body and "66.50" in body


def test_members_see_neither_names_nor_scores_while_under_review(users, reviewing, my_review):
    ExpertReviewFactory(project=reviewing, expert=ExpertFactory(name="赵卫东"), score=Decimal("66.50"), risk="medium")
    body = login(users["member"]).get(reverse("projects:project_detail", args=[reviewing.pk])).content.decode()
    assert "赵卫东" not in body and "李明" not in body and "66.50" not in body


def test_staff_see_the_aggregate_and_the_spread(users, reviewing, my_review):
    for score in ("70", "80", "90"):
        ExpertReviewFactory(project=reviewing, score=Decimal(score), risk="low")
    withdrawn = ExpertReviewFactory(project=reviewing)
    ExpertReview.objects.filter(pk=withdrawn.pk).update(conflict_declared_at=timezone.now(), conflict_reason="同单位")
    spread = services.review_spread(reviewing)
    assert spread.average == Decimal("80.00")
    assert (spread.minimum, spread.maximum) == (Decimal("70.00"), Decimal("90.00"))
    assert spread.stddev == Decimal("8.16")  # population standard deviation of 70, 80, 90
    assert (spread.done, spread.assigned, spread.withdrawn, spread.pending) == (3, 5, 1, 1)

    body = login(users["staff"]).get(reverse("projects:project_detail", args=[reviewing.pk])).content.decode()
    assert "8.16" in body and "80.00" in body
    assert "已完成 3 / 已指派 5，利益冲突退出 1" in body
    assert "同单位" in body


# --- invitation, queue ------------------------------------------------------------------------------


def test_staff_invite_an_expert_who_then_sets_a_password(users, django_capture_on_commit_callbacks):
    expert = ExpertFactory(name="王建国", email="wjg@example.cn")
    staff = login(users["staff"])
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            reverse("projects:expert_invite", args=[expert.pk]), {"username": "wangjg", "email": "wjg@example.cn"}
        )
    assert response.status_code == 302
    expert.refresh_from_db()
    user = expert.user
    assert user.role == Role.EXPERT and user.email == "wjg@example.cn" and not user.has_usable_password()
    assert len(mail.outbox) == 1 and "/projects/experts/invitation/" in mail.outbox[0].body

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    client = login(None)
    first = client.get(reverse("projects:expert_invitation", args=[uid, token]))
    assert first.status_code == 302
    done = client.post(first["Location"], {"new_password1": "Expert@2025x", "new_password2": "Expert@2025x"})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Expert@2025x")
    # The link is spent once the password is set.
    assert client.get(reverse("projects:expert_invitation", args=[uid, token])).context["validlink"] is False


def test_a_taken_username_is_refused(users):
    expert = ExpertFactory(email="x@example.cn")
    client = login(users["staff"])
    before = snapshot()
    response = client.post(
        reverse("projects:expert_invite", args=[expert.pk]), {"username": "member", "email": "x@example.cn"}
    )
    assert "该用户名已被使用" in response.content.decode()
    assert snapshot() == before


def test_the_experts_queue_lists_unscored_reviews_and_overdue_ones_in_red(users, me, criteria):
    today = timezone.localdate()
    late = ExpertReviewFactory(expert=me, project=ProjectFactory(title="逾期项目", status=ProjectStatus.UNDER_REVIEW))
    ExpertReview.objects.filter(pk=late.pk).update(due_on=today - datetime.timedelta(days=2))
    ExpertReviewFactory(
        expert=me,
        project=ProjectFactory(title="按期项目", status=ProjectStatus.UNDER_REVIEW),
        due_on=today + datetime.timedelta(days=5),
    )
    ExpertReviewFactory(
        expert=me, project=ProjectFactory(title="已评项目", status=ProjectStatus.UNDER_REVIEW), score=1, risk="low"
    )
    items = {i.title: i for i in workqueue.items_for(users["expert"])}
    assert set(items) == {"逾期项目", "按期项目"}
    assert items["逾期项目"].level == "danger" and items["按期项目"].level != "danger"


def test_the_expert_menu_shows_only_my_reviews(users, me):
    body = login(users["expert"]).get(reverse("home")).content.decode()
    assert reverse("projects:my_review_list") in body
    assert f'href="{reverse("projects:project_list")}"' not in body


def test_the_demo_has_an_expert_with_one_review_due_and_one_scored(db):
    from members import demo as members_demo
    from projects import demo

    today = timezone.localdate()
    members_demo.seed(today=today)
    demo.seed(today=today)
    user = members_demo.User.objects.get(username="expert")
    assert user.role == Role.EXPERT and user.check_password(members_demo.DEMO_PASSWORD)
    reviews = ExpertReview.objects.of_expert_user(user)
    assert reviews.count() == 2
    scored = reviews.get(score__isnull=False)
    assert scored.recorded_by == user and scored.scores.exists()
    pending = reviews.get(score__isnull=True)
    assert pending.due_on > today and pending.project.status == ProjectStatus.UNDER_REVIEW
    assert [i.title for i in workqueue.items_for(user)] == [pending.project.title]
    assert demo.seed(today=today)["expert_users_created"] == 0
    assert reviews.count() == 2
