import datetime

import pytest
from django.urls import reverse

from members.models import MembershipStatus
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def post_step(client, org, action, **data):
    data.setdefault("date", "2025-06-01")
    return client.post(reverse(f"members:organization_{action}", args=[org.pk]), data)


def test_staff_walk_an_organization_through_its_lifecycle(client_for):
    org = OrganizationFactory(status=MembershipStatus.APPLIED)
    client = client_for("staff")
    assert post_step(client, org, "admit", date="2025-01-10").status_code == 302
    assert post_step(client, org, "suspend", date="2025-03-01", reason="未按期报送材料").status_code == 302
    assert post_step(client, org, "reinstate", date="2025-04-01").status_code == 302
    assert post_step(client, org, "exit", date="2025-05-01", reason="企业迁出新区").status_code == 302
    org.refresh_from_db()
    assert org.status == MembershipStatus.EXITED
    assert org.status_changed_on == datetime.date(2025, 5, 1)
    steps = list(org.membership_events.values_list("action", "reason"))
    assert steps == [("admit", ""), ("suspend", "未按期报送材料"), ("reinstate", ""), ("exit", "企业迁出新区")]
    page = client.get(org.get_absolute_url()).content.decode()
    assert "企业迁出新区" in page


def test_an_exit_without_a_reason_is_refused_and_changes_nothing(client_for, other_org):
    response = post_step(client_for("staff"), other_org, "exit", reason="  ")
    assert response.status_code == 200
    assert "“退出”必须填写原因" in response.content.decode()
    other_org.refresh_from_db()
    assert other_org.status == MembershipStatus.ADMITTED
    assert not other_org.membership_events.exists()


def test_exiting_an_organization_never_admitted_is_refused(client_for):
    org = OrganizationFactory(status=MembershipStatus.APPLIED)
    response = post_step(client_for("staff"), org, "exit", reason="不再参加")
    assert "当前状态为“已申请”，不能执行“退出”" in response.content.decode()
    org.refresh_from_db()
    assert org.status == MembershipStatus.APPLIED
    assert not org.membership_events.exists()


def test_a_step_dated_before_the_previous_one_is_refused(client_for):
    org = OrganizationFactory(status=MembershipStatus.APPLIED)
    client = client_for("staff")
    post_step(client, org, "admit", date="2025-03-01")
    response = post_step(client, org, "suspend", date="2025-02-01", reason="x")
    assert "日期不能早于上一步" in response.content.decode()
    org.refresh_from_db()
    assert org.status == MembershipStatus.ADMITTED


def test_an_unknown_action_is_not_a_page(client_for, org):
    response = client_for("staff").post(f"/members/organizations/{org.pk}/delete-everything/")
    assert response.status_code == 404


def test_member_cannot_take_membership_steps_on_their_own_organization(client_for, org):
    response = post_step(client_for("member"), org, "suspend", reason="自行暂停")
    assert response.status_code == 403
    org.refresh_from_db()
    assert org.status == MembershipStatus.ADMITTED


def test_the_step_form_prefills_today_in_the_format_date_inputs_accept(client_for, org):
    from django.utils import timezone

    content = client_for("staff").get(reverse("members:organization_suspend", args=[org.pk])).content.decode()
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in content
