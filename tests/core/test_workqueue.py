"""The home page of every role is what waits for them (consortium.workqueue), with its count in the navigation."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from consortium import workqueue
from dashboards.models import MetricActual, RollupState, Target, YearClose
from projects.models import AgreementStatus, ProjectEvent, ProjectStatus
from tests.conftest import api_login, login
from tests.projects.factories import AgreementFactory, ProjectFactory, VerifiedAgreementFactory

pytestmark = pytest.mark.django_db


def queue(user):
    response = login(user).get(reverse("home"))
    assert response.status_code == 200
    return response, [(str(item.kind), str(item.title), item.url) for item in response.context["work_items"]]


def test_an_empty_queue_says_so(users):
    response, items = queue(users["expert"])
    assert items == []
    assert "暂无待办事项" in response.content.decode()


def test_staff_see_agreements_to_verify_until_verified(users, org):
    agreement = AgreementFactory(organization=org, status=AgreementStatus.SUBMITTED, submitted_at=timezone.now())
    _response, items = queue(users["staff"])
    assert ("待核验协议", agreement.title, agreement.get_absolute_url()) in items
    # Members see neither another organisation's queue nor staff's work.
    assert not [i for i in queue(users["other_member"])[1] if i[1] == agreement.title]

    agreement.status, agreement.verified_at = AgreementStatus.VERIFIED, timezone.now()
    agreement.save()
    assert not [i for i in queue(users["staff"])[1] if i[0] == "待核验协议"]


def test_a_member_sees_its_returned_agreement_with_the_reason(users, org):
    agreement = AgreementFactory(organization=org, status=AgreementStatus.RETURNED, return_reason="扫描件缺少盖章页")
    response, items = queue(users["member"])
    assert ("协议被退回", agreement.title, agreement.get_absolute_url()) in items
    assert "扫描件缺少盖章页" in response.content.decode()
    assert not [i for i in queue(users["other_member"])[1] if i[1] == agreement.title]


def test_expiring_agreements_reach_staff_and_every_party(users, org, other_org):
    today = timezone.localdate()
    agreement = VerifiedAgreementFactory(organization=org, parties=[other_org], end_date=today + timedelta(days=12))
    VerifiedAgreementFactory(organization=org, end_date=today + timedelta(days=90), title="远未到期的协议")
    for role in ("staff", "member", "other_member"):
        titles = [i[1] for i in queue(users[role])[1] if i[0] == "协议即将到期"]
        assert titles == [agreement.title], role


def test_leadership_sees_targets_at_risk_and_changes_since_the_last_visit(users):
    year = timezone.localdate().year
    Target.objects.create(year=year, metric="training_person_times", minimum=Decimal(10000))
    Target.objects.create(year=year, metric="projects_completed", minimum=Decimal(10))
    MetricActual.objects.create(year=year, metric="training_person_times", value=Decimal(10), run=1)
    MetricActual.objects.create(year=year, metric="projects_completed", value=Decimal(10), run=1)
    RollupState.objects.create(year=year, computed_at=timezone.now())
    _response, items = queue(users["leadership"])
    risky = [i for i in items if "培训人次" in i[1]]
    assert risky and risky[0][2].startswith(reverse("dashboards:records", args=["training_person_times"]))
    assert not [i for i in items if "校企合作项目结项" in i[1]], "a met target is not at risk"

    project = ProjectFactory()
    ProjectEvent.objects.create(
        project=project, action="approve", to_status=ProjectStatus.APPROVED, date=timezone.localdate()
    )
    users["leadership"].refresh_from_db()
    changes = [i for i in queue(users["leadership"])[1] if i[0] == "上次访问以来的变化"]
    assert changes and "1 个项目进展" in changes[0][1]
    # That visit was the last one: the same step is not news any more.
    users["leadership"].refresh_from_db()
    assert not [i for i in queue(users["leadership"])[1] if i[0] == "上次访问以来的变化"]


def test_staff_are_asked_to_close_a_past_year(users):
    last_year = timezone.localdate().year - 1
    RollupState.objects.create(year=last_year, computed_at=timezone.now())
    assert [i for i in queue(users["staff"])[1] if i[0] == "年度待关账"]
    YearClose.objects.create(year=last_year, is_closed=True)
    assert not [i for i in queue(users["staff"])[1] if i[0] == "年度待关账"]


def test_the_navigation_counts_the_queue_and_recounts_after_the_users_own_change(users, org):
    AgreementFactory(organization=org, status=AgreementStatus.DRAFT, title="草稿一")
    client = login(users["member"])
    page = client.get(reverse("members:notification_list"))
    assert page.context["work_queue_count"] == 1
    AgreementFactory(organization=org, status=AgreementStatus.DRAFT, title="草稿二")
    # Cached for a short while …
    assert client.get(reverse("members:notification_list")).context["work_queue_count"] == 1
    # … and counted again once the user changes something.
    client.post(reverse("members:notification_read_all"))
    assert client.get(reverse("members:notification_list")).context["work_queue_count"] == 2


def test_items_come_newest_first_and_each_provider_is_bounded(users, org):
    now = timezone.now()
    for n in range(workqueue.PER_PROVIDER + 5):
        AgreementFactory(
            organization=org, status=AgreementStatus.SUBMITTED, submitted_at=now - timedelta(hours=n), title=f"协议{n}"
        )
    items = workqueue.items_for(users["staff"])
    verify = [i for i in items if i.kind == "待核验协议"]
    assert len(verify) == workqueue.PER_PROVIDER
    assert [i.title for i in verify[:3]] == ["协议0", "协议1", "协议2"]


def test_the_home_page_makes_a_bounded_number_of_queries(users, org, django_assert_max_num_queries):
    for _n in range(15):
        AgreementFactory(organization=org, status=AgreementStatus.SUBMITTED, submitted_at=timezone.now())
    client = login(users["staff"])
    client.get(reverse("home"))
    with django_assert_max_num_queries(30):
        client.get(reverse("home"))


class TestExpertScope:
    """Experts reach only the pages made for them."""

    def test_pages_and_api_are_refused(self, users):
        client = login(users["expert"])
        assert client.get(reverse("home")).status_code == 200
        assert client.get(reverse("projects:project_list")).status_code == 403
        assert client.get(reverse("members:organization_list")).status_code == 403
        assert client.get(reverse("dashboards:overview")).status_code == 403
        assert api_login(users["expert"]).get("/api/v1/projects/").status_code == 403
        # The account pages stay open.
        assert client.get(reverse("password_change")).status_code == 200

    def test_the_navigation_offers_experts_no_page_they_cannot_open(self, users):
        menus = login(users["expert"]).get(reverse("home")).context["nav_menus"]
        for menu in menus:
            for item in menu["items"]:
                assert login(users["expert"]).get(item["url"]).status_code == 200, item

    def test_a_member_is_not_affected(self, users):
        assert login(users["member"]).get(reverse("projects:project_list")).status_code == 200
