"""Nothing a user did is lost: edits made while Redis is down or frozen, or while a worker is killed
whole, are in the figures soon after the services return — for the current and an earlier year —
and a save never waits long on the broker. (PostgreSQL and Redis only, like every fault test.)"""

import os
import signal
import time

import pytest

from dashboards.models import MetricActual, RollupRequest, RollupState
from dashboards.services import current_year
from tests.dashboards.factories import SessionFactory, shanghai

from .conftest import set_real_password
from .test_celery_faults import wait_for

pytestmark = pytest.mark.django_db(transaction=True)
EARLIER = 2024


def person_times(year):
    return (
        MetricActual.objects.filter(year=year, metric="training_person_times").values_list("value", flat=True).first()
    )


def sessions(org):
    """A held session this year and one in an earlier year, already ended (both count)."""
    now_year = current_year()
    this = SessionFactory(
        provider=org, declared_headcount=10, ends_at=shanghai(now_year, 1, 5), starts_at=shanghai(now_year, 1, 4)
    )
    earlier = SessionFactory(
        provider=org, declared_headcount=10, ends_at=shanghai(EARLIER, 5, 5), starts_at=shanghai(EARLIER, 5, 4)
    )
    # Start clean: no request, and no year flagged as already queued (the test's own saves above).
    RollupRequest.objects.all().delete()
    RollupState.objects.update(dirty_since=None)
    return this, earlier


def edit(portal, session, headcount):
    started = time.monotonic()
    status, _ = portal.post_form(
        f"/training/sessions/{session.pk}/edit/",
        {
            "title": session.title,
            "kind": session.kind,
            "provider": session.provider_id,
            "starts_at": session.starts_at.astimezone(shanghai(2000, 1, 1).tzinfo).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": session.ends_at.astimezone(shanghai(2000, 1, 1).tzinfo).strftime("%Y-%m-%dT%H:%M"),
            "hours": "8",
            "declared_headcount": str(headcount),
            "status": "held",
        },
    )
    return status, time.monotonic() - started


@pytest.mark.parametrize("outage", ["stopped", "frozen"])
def test_edits_made_while_redis_is_away_reach_the_figures_within_a_minute_of_its_return(
    outage, postgres_only, private_redis, start_worker, start_beat, start_portal, users, org
):
    set_real_password(users["staff"])
    this, earlier = sessions(org)
    portal = start_portal(REDIS_URL=private_redis.url)
    portal.login("staff")
    if outage == "stopped":
        private_redis.stop()
    else:
        os.kill(private_redis.proc.pid, signal.SIGSTOP)  # the port stays open, nothing answers

    times = []
    for session, headcount in ((this, 41), (earlier, 42)):
        # The form fetch and the save each go through the portal; the save is what is timed.
        status, seconds = edit(portal, session, headcount)
        assert status == 200
        times.append(seconds)
    assert max(times) < 2.0, times  # the GET of the form plus the POST; the POST waits at most 0.5 s
    assert set(RollupRequest.objects.values_list("year", flat=True)) == {current_year(), EARLIER}

    if outage == "stopped":
        private_redis.start()
    else:
        os.kill(private_redis.proc.pid, signal.SIGCONT)
    back = time.monotonic()
    start_worker(private_redis.url)
    start_beat(private_redis.url)
    assert wait_for(lambda: person_times(current_year()) == 41 and person_times(EARLIER) == 42, 75), (
        person_times(current_year()),
        person_times(EARLIER),
    )
    assert time.monotonic() - back < 75
    assert not RollupRequest.objects.exists()


def test_a_worker_killed_whole_loses_no_rollup(
    postgres_only, private_redis, start_worker, start_beat, start_portal, users, org, tmp_path
):
    set_real_password(users["staff"])
    this, earlier = sessions(org)
    marker = tmp_path / "first-run.pid"
    worker = start_worker(private_redis.url, SLOW_MARKER=str(marker))
    portal = start_portal(REDIS_URL=private_redis.url)
    portal.login("staff")
    status, _ = edit(portal, earlier, 43)
    assert status == 200
    assert wait_for(marker.exists, 60), "the worker never started the roll-up"
    # The whole worker, parent and children, as a machine losing power would.
    os.kill(int(marker.read_text()), signal.SIGKILL)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(10)
    assert person_times(EARLIER) != 43  # the killed run committed nothing
    assert RollupRequest.objects.filter(year=EARLIER).exists()

    start_worker(private_redis.url)
    start_beat(private_redis.url)
    assert wait_for(lambda: person_times(EARLIER) == 43, 75), person_times(EARLIER)
    assert not RollupRequest.objects.exists()
