import logging
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def fail_login(client, username, times):
    for _ in range(times):
        response = client.post(reverse("login"), {"username": username, "password": "wrong-password"})
    return response


def test_repeated_failed_logins_lock_the_account_with_a_chinese_page(client, member_user):
    response = fail_login(client, "member", settings.AXES_FAILURE_LIMIT)
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    # Even the right password is refused while locked.
    response = client.post(reverse("login"), {"username": "member", "password": "pw-Test-2025"})
    assert response.status_code == 429


def test_a_locked_account_does_not_lock_out_another(client, member_user, staff_user):
    fail_login(client, "member", settings.AXES_FAILURE_LIMIT)
    response = client.post(reverse("login"), {"username": "staff", "password": "pw-Test-2025"})
    assert response.status_code == 302


def test_the_api_token_endpoint_is_throttled_too(member_user):
    from rest_framework.test import APIClient

    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/api/v1/token/", {"username": "member", "password": "wrong"})
    assert response.status_code == 429
    assert "锁定" in response.json()["detail"]
    response = client.post("/api/v1/token/", {"username": "member", "password": "pw-Test-2025"})
    assert response.status_code == 429


def test_failed_logins_and_denied_accesses_are_logged(client, client_for, member_user, other_org, caplog):
    with caplog.at_level(logging.WARNING, logger="consortium.security"):
        client.post(reverse("login"), {"username": "member", "password": "wrong"})
        client_for("leadership").post(reverse("members:organization_add"), {})
    messages = [r.getMessage() for r in caplog.records if r.name == "consortium.security"]
    assert any(
        "event=login_failed user=member address=127.0.0.1" in m and "path=/accounts/login/" in m for m in messages
    )
    assert any("event=access_denied user=leader" in m and "path=/members/organizations/add/" in m for m in messages)


def test_logout_ends_the_session(client, member_user):
    client.post(reverse("login"), {"username": "member", "password": "pw-Test-2025"})
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_a_password_change_ends_the_users_other_sessions(client, member_user):
    from django.test import Client

    other = Client()
    other.post(reverse("login"), {"username": "member", "password": "pw-Test-2025"})
    client.post(reverse("login"), {"username": "member", "password": "pw-Test-2025"})
    response = client.post(
        reverse("password_change"),
        {"old_password": "pw-Test-2025", "new_password1": "Xin-Mima-2025!", "new_password2": "Xin-Mima-2025!"},
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert other.get(reverse("home")).status_code == 302


def test_activity_pushes_the_session_expiry_forward(client, member_user):
    from django.contrib.sessions.models import Session

    client.post(reverse("login"), {"username": "member", "password": "pw-Test-2025"})
    key = client.session.session_key
    session = client.session
    session["_seen"] = 0  # last renewed long ago
    session.save()
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timedelta(minutes=5))
    assert client.get(reverse("home")).status_code == 200
    expire = Session.objects.get(pk=key).expire_date
    assert expire > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_a_session_idle_past_the_timeout_has_ended(client, member_user):
    from django.contrib.sessions.models import Session

    client.post(reverse("login"), {"username": "member", "password": "pw-Test-2025"})
    Session.objects.filter(pk=client.session.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("home")).status_code == 302


def test_the_idle_timeout_comes_from_the_environment():
    assert settings.SESSION_COOKIE_AGE == int(os.environ.get("SESSION_IDLE_TIMEOUT", 7200))


def test_production_settings_pass_check_deploy():
    env = {
        **os.environ,
        "DEPLOYMENT": "production",
        "DEBUG": "false",
        "SECRET_KEY": "k3y-" + "x9Q!b7Lm#2vR" * 5,
        "ALLOWED_HOSTS": "portal.example.cn",
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_an_english_browser_gets_chinese_until_the_user_chooses_english(client, member_user):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "zh-hans"
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "en"
