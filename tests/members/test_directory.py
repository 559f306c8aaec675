import pytest
from django.urls import reverse

from members.models import MembershipStatus, Organization
from tests.conftest import login
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def profile(org, **values):
    Organization.objects.filter(pk=org.pk).update(**values)
    org.refresh_from_db()
    return org


def cards(response):
    """The directory's cards, without the navigation and the filter form."""
    return response.content.decode().split("row-cols-1", 1)[1]


def test_members_browse_other_members_public_profiles_and_search(client_for, org, other_org):
    profile(other_org, offers="大型压力容器实训设备", seeks="订单班合作院校")
    OrganizationFactory(name="已退出的公司", status=MembershipStatus.EXITED)
    page = client_for("member").get(reverse("members:directory_list")).content.decode()
    assert "兰石集团" in page and "大型压力容器实训设备" in page
    assert "已退出的公司" not in page
    found = cards(client_for("member").get(reverse("members:directory_list"), {"q": "压力容器"}))
    assert "兰石集团" in found and "兰州石化职业技术大学" not in found
    by_kind = cards(client_for("member").get(reverse("members:directory_list"), {"kind": "enterprise"}))
    assert "兰石集团" in by_kind and "兰州石化职业技术大学" not in by_kind


def test_the_profile_shows_the_contact_only_when_they_agreed(client_for, other_org, users):
    contact = UserFactory(role="member", organization=other_org, first_name="赵经理", email="zhao@lanshi.example.com")
    profile(other_org, directory_contact=contact, contact_phone="0931-8888888")
    # The organisation's own contact details stay private: only the listed person is shown.
    url = reverse("members:directory_detail", args=[other_org.pk])
    page = client_for("member").get(url).content.decode()
    assert "zhao@lanshi.example.com" not in page and "该单位未公开联系人" in page
    contact.listed_in_directory = True
    contact.save()
    page = client_for("member").get(url).content.decode()
    assert "zhao@lanshi.example.com" in page and "赵经理" in page
    assert "0931-8888888" not in page
    # No way into the organisation's private records from its public profile.
    assert reverse("members:organization_detail", args=[other_org.pk]) not in page
    assert "/projects/" not in page.split("<main", 1)[-1]


def test_an_organisations_administrator_edits_its_profile_and_picks_only_its_own_listed_users(users, org, other_org):
    admin = users["member"]
    admin.is_org_admin = True
    admin.save()
    listed = UserFactory(role="member", organization=org, listed_in_directory=True, first_name="刘老师")
    unlisted = UserFactory(role="member", organization=org)
    foreign = UserFactory(role="member", organization=other_org, listed_in_directory=True)
    client = login(admin)
    url = reverse("members:directory_edit", args=[org.pk])
    for bad in (unlisted, foreign):
        response = client.post(url, {"offers": "化工实训", "directory_contact": bad.pk})
        assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
        org.refresh_from_db()
        assert org.offers == "" and org.directory_contact is None
    response = client.post(
        url, {"offers": "化工实训", "seeks": "企业导师", "website": "lzpcc.example.cn", "directory_contact": listed.pk}
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.offers, org.seeks, org.website, org.directory_contact) == (
        "化工实训",
        "企业导师",
        "https://lzpcc.example.cn",
        listed,
    )
    # Not another organisation's profile.
    assert client.get(reverse("members:directory_edit", args=[other_org.pk])).status_code == 403


def test_a_member_who_is_not_the_administrator_cannot_edit_the_profile(client_for, org):
    assert (
        client_for("member").post(reverse("members:directory_edit", args=[org.pk]), {"offers": "x"}).status_code == 403
    )
    org.refresh_from_db()
    assert org.offers == ""


def test_experts_do_not_see_the_directory(client_for):
    assert client_for("expert").get(reverse("members:directory_list")).status_code == 403
