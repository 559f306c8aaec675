"""Roll-up requests that never vanish: written with the change, answered by a successful roll-up,
swept for any year, and a save that never waits long on the broker."""

import time
from unittest import mock

import pytest
from celery import current_app
from django.db import transaction

from dashboards import services, signals
from dashboards.models import MetricActual, RollupRequest
from dashboards.tasks import rollup_kpis, sweep_rollup_requests
from tests.factories import SchoolFactory

from .factories import SessionFactory, shanghai

pytestmark = pytest.mark.django_db


def person_times(year):
    return (
        MetricActual.objects.filter(year=year, metric="training_person_times").values_list("value", flat=True).first()
    )


@pytest.fixture
def with_a_broker(monkeypatch):
    """As in production: tasks go to a broker instead of running in the saving thread."""
    monkeypatch.setattr(current_app.conf, "task_always_eager", False)
    monkeypatch.setattr(signals, "_broker_down_until", 0.0)


def test_a_change_writes_its_request_in_its_own_transaction():
    school = SchoolFactory()
    with transaction.atomic():
        SessionFactory(provider=school, ends_at=shanghai(2024, 5, 1))
        assert list(RollupRequest.objects.values_list("year", flat=True)) == [2024]
        SessionFactory(provider=school, ends_at=shanghai(2024, 6, 1))  # the same year: one request per transaction
        assert RollupRequest.objects.count() == 1


def test_a_rolled_back_change_leaves_no_request_and_the_next_one_writes_its_own():
    school = SchoolFactory()
    with transaction.atomic():
        try:
            with transaction.atomic():
                SessionFactory(provider=school, ends_at=shanghai(2024, 5, 1))
                raise RuntimeError("the form failed")
        except RuntimeError:
            pass
        assert not RollupRequest.objects.exists()
        SessionFactory(provider=school, ends_at=shanghai(2024, 6, 1))
        assert list(RollupRequest.objects.values_list("year", flat=True)) == [2024]


def test_moving_a_record_to_another_year_requests_both_years():
    session = SessionFactory(provider=SchoolFactory(), ends_at=shanghai(2024, 5, 1))
    RollupRequest.objects.all().delete()
    signals._pending()["requested"].clear()
    with transaction.atomic():
        session.starts_at = shanghai(2025, 3, 1)
        session.ends_at = shanghai(2025, 3, 2)
        session.save()
    assert sorted(RollupRequest.objects.values_list("year", flat=True)) == [2024, 2025]


def test_when_enqueuing_fails_the_request_stays_and_the_sweep_answers_it(
    with_a_broker, django_capture_on_commit_callbacks
):
    school = SchoolFactory()
    with mock.patch.object(rollup_kpis, "apply_async", side_effect=ConnectionError("Redis is down")):
        with django_capture_on_commit_callbacks(execute=True):
            SessionFactory(provider=school, declared_headcount=40, ends_at=shanghai(2023, 5, 1))
    assert list(RollupRequest.objects.values_list("year", flat=True)) == [2023]
    assert person_times(2023) is None
    assert sweep_rollup_requests() == {"done": [2023], "failed": []}
    assert person_times(2023) == 40
    assert not RollupRequest.objects.exists()


def test_a_failed_rollup_keeps_its_request():
    SessionFactory(provider=SchoolFactory(), ends_at=shanghai(2023, 5, 1))
    with mock.patch.object(services, "compute_all", side_effect=RuntimeError("worker killed")):
        assert services.sweep() == {"done": [], "failed": [2023]}
    assert RollupRequest.objects.filter(year=2023).exists()


def test_a_request_made_during_a_rollup_is_not_cleared_by_it():
    SessionFactory(provider=SchoolFactory(), ends_at=shanghai(2023, 5, 1))
    real = services.compute_all

    def meanwhile(*args, **kwargs):
        RollupRequest.objects.create(year=2023)  # a change committed while the run counts
        return real(*args, **kwargs)

    with mock.patch.object(services, "compute_all", side_effect=meanwhile):
        services.rollup(2023)
    assert RollupRequest.objects.filter(year=2023).count() == 1


def test_a_save_waits_at_most_half_a_second_on_a_frozen_broker(
    with_a_broker, settings, django_capture_on_commit_callbacks
):
    settings.KPI_PUBLISH_WAIT = 0.5
    school = SchoolFactory()

    def frozen(*args, **kwargs):
        time.sleep(3)

    with mock.patch.object(rollup_kpis, "apply_async", side_effect=frozen) as publish:
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            SessionFactory(provider=school, ends_at=shanghai(2023, 5, 1))
        first = time.monotonic() - started
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            SessionFactory(provider=school, ends_at=shanghai(2022, 5, 1))
        second = time.monotonic() - started
    assert first < 1.0
    assert second < 0.3  # the broker failed moments ago: the fast path is skipped
    assert publish.call_count == 1
    assert sorted(RollupRequest.objects.values_list("year", flat=True)) == [2022, 2023]


def test_the_sweep_is_on_the_beat_schedule(settings):
    entries = {e["task"]: e for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert entries["dashboards.tasks.sweep_rollup_requests"]["schedule"] <= 60


def test_no_task_can_outlive_the_visibility_timeout(settings):
    assert settings.CELERY_TASK_TIME_LIMIT < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
