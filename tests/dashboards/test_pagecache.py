"""The overview's few seconds of page cache: per user, with the session's own CSRF token, and
dropped when what the page shows changes."""

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboards import pagecache, services
from dashboards.models import Target
from members.services import notify

from .factories import SessionFactory

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("dashboards:overview") + "?year=2025"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def get(client, url=OVERVIEW):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


def test_a_reload_costs_only_the_session_and_the_user(client_for, org):
    SessionFactory(provider=org, declared_headcount=5)
    services.rollup(2025)
    leader = client_for("leadership")
    first, built = get(leader)
    again, cached = get(leader)
    assert cached == 2 < built, "a reload reads the session and the user, nothing else"
    assert TOKEN.sub("", again) == TOKEN.sub("", first)
    assert pagecache.CSRF_PLACEHOLDER not in again


def test_the_cached_page_carries_each_sessions_own_working_csrf_token(users, org):
    SessionFactory(provider=org, declared_headcount=5)
    services.rollup(2025)
    one, two = (Client(enforce_csrf_checks=True) for _ in range(2))
    for client in (one, two):
        client.force_login(users["staff"])
    get(one)
    page, _n = get(two)  # served from the cache filled by the other session
    token = TOKEN.search(page).group(1)
    assert token != pagecache.CSRF_PLACEHOLDER
    response = two.post(reverse("dashboards:recompute"), {"year": 2025, "csrfmiddlewaretoken": token})
    assert response.status_code == 302, "the token in the cached page is valid for this session"
    refused = two.post(reverse("dashboards:recompute"), {"year": 2025, "csrfmiddlewaretoken": "x" * 64})
    assert refused.status_code == 403


def test_each_user_gets_their_own_page(client_for, org, other_org):
    SessionFactory(provider=org, declared_headcount=5)
    services.rollup(2025)
    member, other = client_for("member"), client_for("other_member")
    own, _n = get(member)
    theirs, _n = get(other)
    assert org.name in own and org.name not in theirs


def test_a_roll_up_a_target_or_a_notification_shows_at_once(client_for, org, users):
    SessionFactory(provider=org, declared_headcount=5)
    services.rollup(2025)
    leader = client_for("leadership")
    before, _n = get(leader)
    SessionFactory(provider=org, declared_headcount=4321)
    services.rollup(2025)
    page, _n = get(leader)
    assert not re.search(r"4,?326", before) and re.search(r"4,?326", page) and get(leader)[1] == 2

    Target.objects.create(year=2025, metric="training_person_times", minimum=8652)
    page, queries = get(leader)
    assert queries > 2 and re.search(r"完成率 50(\.0)?%", page)

    notify([users["leadership"]], "新的协议待核验：测试协议", email=False)
    _page, queries = get(leader)
    assert queries > 2, "the unread count in the navigation is not served stale"


def test_a_waiting_message_is_shown_not_cached(client_for, org):
    SessionFactory(provider=org, declared_headcount=5)
    services.rollup(2025)
    staff = client_for("staff")
    get(staff)
    response = staff.post(reverse("dashboards:recompute"), {"year": 2025}, follow=True)
    # Run in-process, or queued to the worker when REDIS_URL is set: either way a message.
    message = re.compile(r"已重新计算 2025 年度指标|已提交重新计算，稍后刷新即可看到最新数据")
    assert message.search(response.content.decode())
    page, _n = get(staff)
    assert not message.search(page), "the message is shown once, and the page after it has none"


def test_it_can_be_turned_off(client_for, org, settings):
    settings.DASHBOARD_PAGE_CACHE_SECONDS = 0
    SessionFactory(provider=org, declared_headcount=5)
    services.rollup(2025)
    leader = client_for("leadership")
    get(leader)
    assert get(leader)[1] > 2


def test_the_language_is_part_of_the_key(client_for, org):
    SessionFactory(provider=org, declared_headcount=5)
    services.rollup(2025)
    leader = client_for("leadership")
    chinese, _n = get(leader)
    leader.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english, _n = get(leader)
    assert "培训人次" in chinese and "培训人次" not in english
