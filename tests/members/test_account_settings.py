"""The signed-in user's own settings: how notices reach them by e-mail, and the member directory."""

import pytest
from django.urls import reverse

from members.models import EmailNotice

pytestmark = pytest.mark.django_db

URL = reverse("members:account_settings")


@pytest.mark.parametrize("role", ["member", "expert", "leadership", "staff"])
def test_every_signed_in_user_chooses_their_email_notices(client, users, role):
    user = users[role]
    client.force_login(user)
    response = client.post(URL, {"email": "me@example.cn", "email_notice": "daily", "listed_in_directory": "on"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.email, user.email_notice, user.listed_in_directory) == ("me@example.cn", EmailNotice.DAILY, True)


def test_mail_without_an_address_is_refused_in_chinese(client, users):
    user = users["member"]
    user.email = ""
    user.save()
    client.force_login(user)
    response = client.post(URL, {"email": "", "email_notice": "each"})
    assert response.status_code == 200
    assert "选择发送邮件时必须填写邮箱。" in response.content.decode()
    user.refresh_from_db()
    assert user.email == ""


def test_the_settings_change_only_the_signed_in_user(client, users):
    client.force_login(users["member"])
    client.post(URL, {"email": "me@example.cn", "email_notice": "none", "role": "admin", "organization": ""})
    member = users["member"]
    member.refresh_from_db()
    assert member.role == "member" and member.organization_id and member.email_notice == EmailNotice.NONE
    users["other_member"].refresh_from_db()
    assert users["other_member"].email_notice == EmailNotice.EACH


def test_the_user_menu_links_to_the_settings(client, users):
    client.force_login(users["member"])
    assert URL in client.get(reverse("home")).content.decode()
