"""The roll-up: snapshot rows equal the counts, idempotent, serialised, frozen once a year is closed."""

import threading
from datetime import date
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from dashboards import services, signals
from dashboards.metrics import METRICS, REGISTRY
from dashboards.models import MetricActual, MetricContribution, MetricMonthly, RollupState, YearClose, YearCloseEvent
from dashboards.tasks import rollup_current_year, rollup_kpis
from tests.factories import SchoolFactory
from training.models import Trainee

from .factories import (
    AgreementFactory,
    DualTrainingFactory,
    PlatformFactory,
    ProjectFactory,
    SessionFactory,
    TeacherFactory,
    add_trainees,
    shanghai,
)


def snapshot(year=2025):
    return {
        "actual": dict(MetricActual.objects.filter(year=year).values_list("metric", "value")),
        "monthly": sorted(MetricMonthly.objects.filter(year=year).values_list("metric", "month", "value")),
        "orgs": sorted(MetricContribution.objects.filter(year=year).values_list("metric", "organization_id", "value")),
    }


def build_records():
    school, other = SchoolFactory(), SchoolFactory()
    add_trainees(SessionFactory(provider=school, ends_at=shanghai(2025, 12, 31, 23, 30)), ["k1", "k2"])
    SessionFactory(provider=other, declared_headcount=15, ends_at=shanghai(2025, 2, 1, 0, 0))
    SessionFactory(provider=other, declared_headcount=99, status="cancelled")
    SessionFactory(provider=other, declared_headcount=5, ends_at=shanghai(2026, 1, 1, 0, 30))
    teacher = TeacherFactory(school=school)
    DualTrainingFactory(teacher=teacher, completed_on=date(2025, 1, 5))
    DualTrainingFactory(teacher=teacher, completed_on=date(2025, 6, 5))
    ProjectFactory(lead_organization=other)
    ProjectFactory(lead_organization=other, status="rejected", approved_on=None, completed_on=None)
    PlatformFactory(lead_organization=school)
    AgreementFactory(organization=school)
    AgreementFactory(organization=school, status="submitted", verified_at=None)
    return school, other


@pytest.mark.django_db
def test_the_snapshot_equals_independent_counts_of_the_same_records():
    school, other = build_records()
    state = services.rollup(2025)
    snap = snapshot()
    assert state.run == 1 and state.computed_at is not None
    assert snap["actual"]["training_person_times"] == 2 + 15
    assert snap["actual"]["training_persons"] == 2
    assert snap["actual"]["dual_teachers_trained"] == 1
    assert snap["actual"]["projects_completed"] == 1
    assert snap["actual"]["key_labs"] == 1
    assert snap["actual"]["agreements_verified"] == 1
    for metric in METRICS:
        assert snap["actual"][metric.code] == metric.actual(2025), metric.code
        actual, months, by_org = metric.compute(2025)
        assert (actual, months) == (metric.actual(2025), metric.monthly(2025)), metric.code
        assert by_org == {k: v for k, v in metric.by_organization(2025).items() if v}, metric.code
    monthly = {(m, month): v for m, month, v in snap["monthly"]}
    assert monthly[("training_person_times", 1)] == 0
    assert monthly[("training_person_times", 2)] == 15
    assert monthly[("training_person_times", 11)] == 15
    assert monthly[("training_person_times", 12)] == 17
    orgs = {(m, org): v for m, org, v in snap["orgs"]}
    assert orgs[("training_person_times", school.pk)] == 2
    assert orgs[("training_person_times", other.pk)] == 15
    assert orgs[("dual_teachers_trained", school.pk)] == 1
    assert ("projects_completed", school.pk) not in orgs


@pytest.mark.django_db
def test_running_the_roll_up_twice_leaves_one_identical_set_of_rows():
    build_records()
    services.rollup(2025)
    first = snapshot()
    counts = (MetricActual.objects.count(), MetricMonthly.objects.count(), MetricContribution.objects.count())
    state = services.rollup(2025)
    assert state.run == 2
    assert snapshot() == first
    assert (MetricActual.objects.count(), MetricMonthly.objects.count(), MetricContribution.objects.count()) == counts
    assert not MetricContribution.objects.exclude(run=2).exists()


@pytest.mark.django_db
def test_rows_no_longer_produced_are_removed_and_other_years_are_left_alone():
    school = SchoolFactory()
    session = SessionFactory(provider=school, declared_headcount=8)
    SessionFactory(provider=school, declared_headcount=3, ends_at=shanghai(2024, 5, 1))
    services.rollup(2025)
    services.rollup(2024)
    session.delete()
    services.rollup(2025)
    assert not MetricContribution.objects.filter(year=2025, metric="training_person_times").exists()
    assert MetricActual.objects.get(year=2025, metric="training_person_times").value == 0
    assert MetricContribution.objects.get(year=2024, metric="training_person_times").value == 3


@pytest.mark.django_db
def test_a_closed_year_is_frozen_until_it_is_reopened_with_a_reason(staff_user):
    SessionFactory(declared_headcount=10)
    services.close_year(2025, by=staff_user)
    SessionFactory(declared_headcount=5)
    assert services.rollup(2025) is None
    rollup_kpis(2025)
    assert MetricActual.objects.get(year=2025, metric="training_person_times").value == 10
    assert YearCloseEvent.objects.filter(year=2025, action="close", actor=staff_user).exists()

    with pytest.raises(Exception, match="必须填写原因"):
        services.reopen_year(2025, by=staff_user, reason="  ")
    assert YearClose.objects.get(year=2025).is_closed

    services.reopen_year(2025, by=staff_user, reason="补录兰石集团12月培训")
    event = YearCloseEvent.objects.get(year=2025, action="reopen")
    assert (event.actor, event.reason) == (staff_user, "补录兰石集团12月培训")
    services.rollup(2025)
    assert MetricActual.objects.get(year=2025, metric="training_person_times").value == 15


@pytest.mark.django_db
def test_only_staff_may_close_a_year_and_a_future_year_cannot_be_closed(leader_user, staff_user):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        services.close_year(2025, by=leader_user)
    with pytest.raises(ValidationError, match="尚未开始"):
        services.close_year(services.current_year() + 1, by=staff_user)
    assert not YearClose.objects.exists() and not MetricActual.objects.exists()


@pytest.mark.django_db
def test_the_management_command_and_the_tasks_roll_up_a_year():
    SessionFactory(declared_headcount=4)
    out = StringIO()
    call_command("rollup_kpis", "--year", "2025", stdout=out)
    assert "2025" in out.getvalue()
    assert MetricActual.objects.get(year=2025, metric="training_person_times").value == 4
    assert rollup_kpis(2025)["run"] == 2
    assert rollup_current_year()["year"] == services.current_year()


@pytest.mark.django_db(transaction=True)
def test_two_roll_ups_at_once_leave_one_correct_set_of_rows():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises whole-database writes; concurrent runs are tested on PostgreSQL")
    build_records()
    before = services.rollup(2025).run
    expected = snapshot()
    errors = []

    def run():
        try:
            services.rollup(2025)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert snapshot() == expected
    assert RollupState.objects.get(year=2025).run == before + 4
    assert MetricActual.objects.filter(year=2025).count() == len(METRICS)


# --- after records change ---------------------------------------------------


@pytest.mark.django_db
def test_a_transaction_with_many_changes_enqueues_one_roll_up_per_year(django_capture_on_commit_callbacks):
    school = SchoolFactory()
    with mock.patch("dashboards.tasks.rollup_kpis.apply_async") as enqueue:
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                for i in range(30):
                    SessionFactory(provider=school, declared_headcount=i)
                SessionFactory(provider=school, ends_at=shanghai(2024, 12, 31, 23, 59))
        years = sorted(call.kwargs["kwargs"]["year"] for call in enqueue.call_args_list)
    assert years == [2024, 2025]


@pytest.mark.django_db
def test_a_burst_of_commits_makes_one_run_until_that_run_starts(django_capture_on_commit_callbacks):
    with mock.patch("dashboards.tasks.rollup_kpis.apply_async") as enqueue:
        for _i in range(3):
            with django_capture_on_commit_callbacks(execute=True):
                SessionFactory()
        assert enqueue.call_count == 1
        services.rollup(2025)  # the queued run starts and clears the flag
        with django_capture_on_commit_callbacks(execute=True):
            SessionFactory()
        assert enqueue.call_count == 2


@pytest.mark.django_db
def test_moving_a_record_to_another_year_rolls_up_both_years(django_capture_on_commit_callbacks):
    project = ProjectFactory(completed_on=date(2025, 3, 1))
    with mock.patch("dashboards.tasks.rollup_kpis.apply_async") as enqueue:
        with django_capture_on_commit_callbacks(execute=True):
            project.completed_on = date(2024, 3, 1)
            project.save()
        assert sorted(c.kwargs["kwargs"]["year"] for c in enqueue.call_args_list) == [2024, 2025]


@pytest.mark.django_db
def test_with_the_broker_down_saving_still_works_and_the_failure_is_logged(django_capture_on_commit_callbacks, caplog):
    with mock.patch("dashboards.tasks.rollup_kpis.apply_async", side_effect=ConnectionError("Redis down")):
        with django_capture_on_commit_callbacks(execute=True):
            session = SessionFactory(declared_headcount=3)
    assert session.pk and type(session).objects.filter(pk=session.pk).exists()
    assert "could not be enqueued" in caplog.text
    # The flag is cleared, so the next change tries again.
    assert RollupState.objects.get(year=2025).dirty_since is None


@pytest.mark.django_db
def test_without_a_broker_the_roll_up_runs_in_process_after_commit(django_capture_on_commit_callbacks, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from consortium.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            SessionFactory(declared_headcount=12)
    finally:
        app.conf.task_always_eager = before  # not the overridden setting: later tests need the real mode
    assert MetricActual.objects.get(year=2025, metric="training_person_times").value == 12


@pytest.mark.django_db
def test_changes_inside_a_rolled_back_transaction_do_not_block_later_roll_ups(django_capture_on_commit_callbacks):
    with mock.patch("dashboards.tasks.rollup_kpis.apply_async") as enqueue:
        with django_capture_on_commit_callbacks(execute=True):
            try:
                with transaction.atomic():
                    SessionFactory()
                    raise RuntimeError("导入失败")
            except RuntimeError:
                pass
            SessionFactory(ends_at=shanghai(2024, 6, 1))
        assert 2024 in [c.kwargs["kwargs"]["year"] for c in enqueue.call_args_list]


@pytest.mark.django_db
def test_the_on_change_roll_up_can_be_switched_off(django_capture_on_commit_callbacks, settings):
    settings.KPI_ROLLUP_ON_CHANGE = False
    with mock.patch("dashboards.tasks.rollup_kpis.apply_async") as enqueue:
        with django_capture_on_commit_callbacks(execute=True):
            SessionFactory()
    assert enqueue.call_count == 0


def test_every_counted_model_is_watched():
    watched = signals.tracked_models()
    for metric in METRICS:
        assert metric.model in watched, metric.code
    assert Trainee in watched and REGISTRY


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the second connection is the PostgreSQL path")
@pytest.mark.django_db(transaction=True)
def test_counting_distinct_people_on_a_second_connection_gives_the_same_snapshot(settings):
    """Committed records (a second connection sees only those), counted both ways."""
    first = add_trainees(SessionFactory(ends_at=shanghai(2025, 3, 5)), ["p1", "p2"])
    second = add_trainees(SessionFactory(ends_at=shanghai(2025, 8, 5)), ["p2", "p3", "p4"])
    add_trainees(SessionFactory(ends_at=shanghai(2025, 9, 5), provider=first.provider, status="cancelled"), ["p5"])
    teacher = TeacherFactory()
    DualTrainingFactory(teacher=teacher, completed_on=date(2025, 3, 1))
    DualTrainingFactory(teacher=teacher, completed_on=date(2025, 10, 1))

    settings.KPI_ROLLUP_THREADS = False
    one_by_one = services.compute_all(METRICS, 2025)
    settings.KPI_ROLLUP_THREADS = True
    with mock.patch.object(services, "_on_own_connection", wraps=services._on_own_connection) as side:
        alongside = services.compute_all(METRICS, 2025)
    assert side.call_count == len([m for m in METRICS if m.value == "distinct"]) >= 2
    assert alongside == one_by_one
    persons = dict(zip([m.code for m in METRICS], alongside, strict=True))["training_persons"]
    assert persons[0] == 4 and persons[1][2] == 2 and persons[1][7] == 4
    assert persons[2] == {first.provider_id: 2, second.provider_id: 3}

    services.rollup(2025)
    assert MetricActual.objects.get(year=2025, metric="training_persons").value == 4
