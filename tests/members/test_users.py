import pytest
from django.core import mail
from django.urls import reverse

from members.models import Role, User, UserEvent
from tests.conftest import login
from tests.factories import UserFactory

# Mail goes through Celery: the tasks run in the test (on PostgreSQL+Redis too), so mail.outbox sees it.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager")]


@pytest.fixture
def org_admin(users):
    user = users["member"]
    user.is_org_admin = True
    user.save()
    return user


@pytest.fixture
def colleague(org):
    return UserFactory(username="colleague", role=Role.MEMBER, organization=org, email="colleague@example.com")


def rows(response):
    """The list's table body, without the navigation and the filter form."""
    return response.content.decode().split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def invite_data(**overrides):
    data = {"username": "wang", "first_name": "王老师", "email": "wang@example.com", "role": "member"}
    data.update(overrides)
    return data


def test_staff_invite_a_user_who_gets_a_link(client_for, org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("staff").post(reverse("members:user_add"), invite_data(organization=org.pk))
    assert response.status_code == 302
    user = User.objects.get(username="wang")
    assert (user.role, user.organization, user.has_usable_password()) == (Role.MEMBER, org, False)
    assert UserEvent.objects.filter(user=user, action="invite").exists()
    assert mail.outbox[0].to == ["wang@example.com"] and "/members/invitation/" in mail.outbox[0].body


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"email": ""}, "请填写邮箱"),
        ({"username": "member"}, "已存在一位使用该名字的用户"),
        ({"organization": ""}, "成员单位用户必须属于一个成员单位"),
        ({"role": "leadership", "is_org_admin": "on"}, "只有成员单位用户可以是本单位管理员"),
        ({"role": "admin"}, "选择一个有效的选项"),
    ],
)
def test_bad_invitations_get_a_chinese_error_and_store_nothing(client_for, org, overrides, message):
    before = User.objects.count()
    data = invite_data(organization=org.pk)
    data.update(overrides)
    response = client_for("staff").post(reverse("members:user_add"), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert User.objects.count() == before and not mail.outbox


def test_staff_cannot_create_or_change_admins_but_an_admin_can(client_for, users):
    admin = users["admin"]
    assert client_for("staff").post(reverse("members:user_role", args=[admin.pk]), {"role": "staff"}).status_code == 403
    assert client_for("staff").post(reverse("members:user_deactivate", args=[admin.pk])).status_code == 403
    admin.refresh_from_db()
    assert admin.is_active and admin.role == Role.ADMIN
    leader = users["leadership"]
    assert (
        client_for("staff").post(reverse("members:user_role", args=[leader.pk]), {"role": "admin"}).status_code == 200
    )
    leader.refresh_from_db()
    assert leader.role == Role.LEADERSHIP
    response = client_for("admin").post(reverse("members:user_add"), invite_data(username="root2", role="admin"))
    assert response.status_code == 302 and User.objects.get(username="root2").role == Role.ADMIN


def test_staff_deactivate_reactivate_change_role_and_reset(
    client_for, users, colleague, django_capture_on_commit_callbacks
):
    client = client_for("staff")
    assert client.post(reverse("members:user_deactivate", args=[colleague.pk])).status_code == 302
    colleague.refresh_from_db()
    assert not colleague.is_active
    again = client.post(reverse("members:user_deactivate", args=[colleague.pk]))
    assert again.status_code == 200 and "已经是停用状态" in again.content.decode()
    assert client.post(reverse("members:user_reactivate", args=[colleague.pk])).status_code == 302
    assert client.post(reverse("members:user_role", args=[colleague.pk]), {"role": "leadership"}).status_code == 302
    colleague.refresh_from_db()
    assert (colleague.role, colleague.organization, colleague.is_active) == (Role.LEADERSHIP, None, True)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("members:user_reset_password", args=[colleague.pk])).status_code == 302
    assert "重设" in mail.outbox[0].subject and "/members/invitation/" in mail.outbox[0].body
    actions = list(colleague.account_events.order_by("id").values_list("action", flat=True))
    assert actions == ["deactivate", "reactivate", "role", "reset"]
    assert client.post(reverse("members:user_deactivate", args=[users["staff"].pk])).status_code == 200
    assert User.objects.get(username="staff").is_active


def test_an_org_admin_manages_only_their_own_organisations_users(org_admin, colleague, users, org):
    client = login(org_admin)
    page = rows(client.get(reverse("members:user_list")))
    assert "colleague" in page and ">other<" not in page and ">staff<" not in page
    other = users["other_member"]
    for name in ("user_deactivate", "user_reset_password", "user_role"):
        assert client.post(reverse(f"members:{name}", args=[other.pk])).status_code == 404
    assert client.get(reverse("members:user_detail", args=[users["staff"].pk])).status_code == 404
    other.refresh_from_db()
    assert other.is_active
    assert client.post(reverse("members:user_deactivate", args=[colleague.pk])).status_code == 302
    colleague.refresh_from_db()
    assert not colleague.is_active


def test_an_org_admin_invites_only_members_of_their_own_organisation(org_admin, org, other_org):
    client = login(org_admin)
    form = client.get(reverse("members:user_add")).content.decode()
    assert 'name="role"' not in form and 'name="organization"' not in form
    response = client.post(
        reverse("members:user_add"), invite_data(username="sneaky", role="staff", organization=other_org.pk)
    )
    assert response.status_code == 302
    sneaky = User.objects.get(username="sneaky")
    assert (sneaky.role, sneaky.organization) == (Role.MEMBER, org)


def test_an_org_admin_cannot_raise_a_role_or_deactivate_themselves(org_admin, colleague, users):
    client = login(org_admin)
    form = client.get(reverse("members:user_role", args=[colleague.pk])).content.decode()
    assert 'name="role"' not in form
    assert (
        client.post(
            reverse("members:user_role", args=[colleague.pk]), {"role": "staff", "is_org_admin": "on"}
        ).status_code
        == 302
    )
    colleague.refresh_from_db()
    assert colleague.role == Role.MEMBER and colleague.is_org_admin
    response = client.post(reverse("members:user_deactivate", args=[org_admin.pk]))
    assert response.status_code == 200 and "不能停用或启用自己的账号" in response.content.decode()
    org_admin.refresh_from_db()
    assert org_admin.is_active


def test_a_member_who_is_not_org_admin_and_leadership_manage_nobody(client_for, colleague):
    for role in ("member", "leadership", "other_member"):
        client = client_for(role)
        assert client.get(reverse("members:user_list")).status_code == 403
        assert client.post(reverse("members:user_deactivate", args=[colleague.pk])).status_code == 403
        assert client.post(reverse("members:user_add"), invite_data()).status_code == 403
    colleague.refresh_from_db()
    assert colleague.is_active and not User.objects.filter(username="wang").exists()


def test_the_user_list_searches_and_filters(client_for, colleague, users):
    client = client_for("staff")
    page = rows(client.get(reverse("members:user_list"), {"q": "colleague"}))
    assert "colleague@example.com" in page and "leader" not in page
    page = rows(client.get(reverse("members:user_list"), {"role": "leadership"}))
    assert ">leader<" in page and "colleague" not in page


def test_a_bad_role_change_gets_a_chinese_error_and_changes_nothing(client_for, colleague):
    url = reverse("members:user_role", args=[colleague.pk])
    response = client_for("staff").post(url, {"role": "member", "organization": ""})
    assert response.status_code == 200 and "成员单位用户必须属于一个成员单位" in response.content.decode()
    response = client_for("staff").post(url, {"role": "emperor"})
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    colleague.refresh_from_db()
    assert colleague.role == Role.MEMBER and colleague.organization is not None
    assert not colleague.account_events.exists()
