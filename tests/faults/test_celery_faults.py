import json
import os
import signal
import subprocess
import time

import pytest

from dashboards.metrics import METRICS
from dashboards.models import MetricActual, RollupState
from members.models import Organization

from .conftest import BASE_DIR, set_real_password

pytestmark = pytest.mark.django_db(transaction=True)
YEAR = 2025


def enqueue(env, task, **kwargs):
    """Send a task the way beat or the portal would, from another process."""
    celery = BASE_DIR / ".venv/bin/celery"
    return subprocess.run(
        [
            str(celery) if celery.exists() else "celery",
            "-A",
            "consortium",
            "call",
            task,
            "--kwargs",
            json.dumps(kwargs),
        ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def wait_for(predicate, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def expected(code, year=YEAR):
    metric = next(m for m in METRICS if m.code == code)
    return metric.compute(year)[0]


def test_a_worker_killed_mid_rollup_runs_it_again_and_the_figures_are_right(
    postgres_only, private_redis, start_worker, portal_env, tmp_path, users, org, other_org
):
    marker = tmp_path / "first-run.pid"
    start_worker(private_redis.url, SLOW_MARKER=str(marker))
    sent = enqueue({**portal_env, "REDIS_URL": private_redis.url}, "dashboards.tasks.rollup_kpis", year=YEAR)
    assert sent.returncode == 0, sent.stderr
    assert wait_for(marker.exists, 60), "the worker never started the roll-up"
    time.sleep(0.5)
    os.kill(int(marker.read_text()), signal.SIGKILL)  # the pool process running the task

    assert wait_for(lambda: MetricActual.objects.filter(year=YEAR, metric="active_members").exists(), 90), (
        "the roll-up was not run again after its worker process was killed"
    )
    actual = MetricActual.objects.get(year=YEAR, metric="active_members").value
    assert actual == expected("active_members") and actual >= 2
    # The killed run committed nothing: exactly one run wrote the figures.
    assert RollupState.objects.get(year=YEAR).run == 1


def test_with_redis_stopped_pages_and_saves_work_and_rollups_resume_when_it_is_back(
    postgres_only, private_redis, start_worker, start_portal, users, org
):
    set_real_password(users["staff"])
    portal = start_portal(REDIS_URL=private_redis.url)
    portal.login("staff")
    private_redis.stop()

    status, body = portal.get("/members/organizations/")
    assert status == 200 and org.name in body
    from members.demo import synthetic_credit_code

    status, _ = portal.post_form(
        "/members/organizations/add/",
        {
            "name": "断网测试有限公司",
            "credit_code": synthetic_credit_code("断网测试", "enterprise"),
            "kind": "enterprise",
            "council_role": "member",
        },
    )
    assert status == 200  # followed the redirect to the new organisation's page
    new = Organization.objects.get(name="断网测试有限公司")
    status, _ = portal.post_form(f"/members/organizations/{new.pk}/admit/", {"date": time.strftime("%Y-%m-%d")})
    assert status == 200
    new.refresh_from_db()
    assert new.status == "admitted"

    # Redis is back: the next change enqueues a roll-up, and a worker brings the figures up to date.
    private_redis.start()
    start_worker(private_redis.url)
    status, _ = portal.post_form(
        f"/members/organizations/{new.pk}/edit/",
        {
            "name": new.name,
            "credit_code": new.credit_code,
            "kind": "enterprise",
            "council_role": "member",
            "contact_name": "恢复后",
        },
    )
    assert status == 200
    from dashboards.services import current_year

    year = current_year()
    assert wait_for(lambda: MetricActual.objects.filter(year=year, metric="active_members").exists(), 90)
    assert MetricActual.objects.get(year=year, metric="active_members").value == expected("active_members", year)
