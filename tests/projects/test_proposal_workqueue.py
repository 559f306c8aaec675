"""The work queue's proposal and platform items: for staff and for the proposing member, in bounded queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects import workqueue
from projects.models import PlatformStatus, ProjectStatus

from .factories import ExpertReviewFactory, PlatformFactory, ProjectFactory

pytestmark = pytest.mark.django_db
PS = ProjectStatus


def kinds(items):
    return sorted((item.kind, item.title) for item in items)


def test_staff_see_submissions_to_route_decisions_due_and_platforms_to_confirm(org, staff_user, member_user):
    ProjectFactory(lead_organization=org, status=PS.DRAFT, title="草稿项目")
    ProjectFactory(lead_organization=org, status=PS.PROPOSED, title="已申报项目", submitted_at=timezone.now())
    ready = ProjectFactory(lead_organization=org, status=PS.UNDER_REVIEW, title="评审完成项目")
    for score in (80, 75, 70):
        ExpertReviewFactory(project=ready, score=Decimal(score), risk="low")
    waiting = ProjectFactory(lead_organization=org, status=PS.UNDER_REVIEW, title="评审未完成项目")
    ExpertReviewFactory(project=waiting, score=Decimal(80), risk="low")
    ExpertReviewFactory(project=waiting)
    PlatformFactory(
        lead_organization=org, status=PlatformStatus.PENDING, registering_organization=org, name="待确认平台"
    )
    PlatformFactory(lead_organization=org, name="已确认平台")
    items = (
        workqueue.proposals_to_route(staff_user)
        + workqueue.projects_to_decide(staff_user)
        + workqueue.platforms_to_confirm(staff_user)
    )
    assert kinds(items) == [
        ("待处理的项目申报", "已申报项目"),
        ("待确认的共建平台", "待确认平台"),
        ("评审已完成，待立项决定", "评审完成项目"),
    ]
    decide = workqueue.projects_to_decide(staff_user)[0]
    assert decide.detail == "3 份评审，平均分 75.00（分数线 60.00）" and decide.level == "success"
    # None of it is the member's to do.
    for provider in (workqueue.proposals_to_route, workqueue.projects_to_decide, workqueue.platforms_to_confirm):
        assert provider(member_user) == []


def test_the_member_sees_its_drafts_returns_with_the_reason_and_declined_platforms(
    org, other_org, member_user, other_member_user, staff_user
):
    ProjectFactory(lead_organization=org, status=PS.DRAFT, title="本单位草稿")
    ProjectFactory(lead_organization=org, status=PS.RETURNED, title="被退回的申报", return_reason="补充预算")
    ProjectFactory(lead_organization=other_org, status=PS.DRAFT, title="他单位草稿")
    PlatformFactory(
        lead_organization=org,
        status=PlatformStatus.DECLINED,
        registering_organization=org,
        decline_reason="认定文件缺失",
        decided_at=timezone.now(),
        name="未确认平台",
    )
    items = workqueue.my_proposals(member_user) + workqueue.my_declined_platforms(member_user)
    assert kinds(items) == [
        ("待提交的申报草稿", "本单位草稿"),
        ("未予确认的共建平台", "未确认平台"),
        ("退回修改的项目申报", "被退回的申报"),
    ]
    assert {item.detail for item in items} >= {"退回原因：补充预算", "未予确认原因：认定文件缺失"}
    assert [i.title for i in workqueue.my_proposals(other_member_user)] == ["他单位草稿"]
    assert workqueue.my_proposals(staff_user) == [] and workqueue.my_declined_platforms(staff_user) == []


def queries(fn, user):
    with CaptureQueriesContext(connection) as ctx:
        fn(user)
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "provider,role",
    [
        (workqueue.proposals_to_route, "staff"),
        (workqueue.projects_to_decide, "staff"),
        (workqueue.platforms_to_confirm, "staff"),
        (workqueue.my_proposals, "member"),
        (workqueue.my_declined_platforms, "member"),
    ],
)
def test_each_provider_makes_as_many_queries_for_ten_items_as_for_one(provider, role, users, org):
    def add(n):
        for _ in range(n):
            ProjectFactory(lead_organization=org, status=PS.PROPOSED)
            ProjectFactory(lead_organization=org, status=PS.RETURNED, return_reason="补充")
            ready = ProjectFactory(lead_organization=org, status=PS.UNDER_REVIEW)
            for score in (80, 75, 70):
                ExpertReviewFactory(project=ready, score=Decimal(score), risk="low")
            PlatformFactory(lead_organization=org, status=PlatformStatus.PENDING, registering_organization=org)
            PlatformFactory(
                lead_organization=org,
                status=PlatformStatus.DECLINED,
                registering_organization=org,
                decided_at=timezone.now(),
            )

    user = users[role]
    add(1)
    queries(provider, user)  # the review policy row is made on first use
    few = queries(provider, user)
    assert len(provider(user)) == 1
    add(9)
    assert len(provider(user)) == 10
    assert queries(provider, user) == few <= 2
