"""The counting rules as the training models' QuerySets define them (one definition, used by the metrics)."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from training.models import (
    SKILL_TRAINING_KINDS,
    DualTeacherTraining,
    OrderClass,
    SessionStatus,
    TrainingKind,
    TrainingSession,
)

from .factories import SHANGHAI, DualTeacherTrainingFactory, OrderClassFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 10, 12, 0, tzinfo=SHANGHAI)


def test_a_session_is_done_once_ended_and_not_cancelled_and_pipeline_before():
    ended = TrainingSessionFactory(ends_at=datetime(2025, 6, 6, 17, 0, tzinfo=SHANGHAI))
    later = TrainingSessionFactory(ends_at=datetime(2025, 6, 20, 17, 0, tzinfo=SHANGHAI), status=SessionStatus.PLANNED)
    TrainingSessionFactory(status=SessionStatus.CANCELLED)
    TrainingSessionFactory(ends_at=datetime(2025, 6, 20, 17, 0, tzinfo=SHANGHAI), status=SessionStatus.CANCELLED)
    assert list(TrainingSession.objects.ended(NOW)) == [ended]
    assert list(TrainingSession.objects.scheduled(NOW)) == [later]


def test_skill_training_is_vocational_skill_and_employee_job_training():
    assert set(SKILL_TRAINING_KINDS) == {TrainingKind.VOCATIONAL_SKILL, TrainingKind.EMPLOYEE_JOB}
    kept = {TrainingSessionFactory(kind=kind).pk for kind in SKILL_TRAINING_KINDS}
    for kind in (TrainingKind.TEACHER, TrainingKind.DUAL_TEACHER, TrainingKind.STUDENT_PRACTICE):
        TrainingSessionFactory(kind=kind)
    assert set(TrainingSession.objects.skill_training().values_list("pk", flat=True)) == kept


def test_a_dual_training_is_completed_only_after_its_session_ended_uncancelled_or_by_its_date():
    ended = TrainingSessionFactory(kind=TrainingKind.DUAL_TEACHER)
    future = TrainingSessionFactory(
        kind=TrainingKind.DUAL_TEACHER,
        status=SessionStatus.PLANNED,
        starts_at=datetime(2025, 7, 1, 9, 0, tzinfo=SHANGHAI),
        ends_at=datetime(2025, 7, 3, 17, 0, tzinfo=SHANGHAI),
    )
    cancelled = TrainingSessionFactory(kind=TrainingKind.DUAL_TEACHER, status=SessionStatus.CANCELLED)
    done = [
        DualTeacherTrainingFactory(session=ended, completed_on=date(2025, 6, 6)),
        DualTeacherTrainingFactory(session=None, completed_on=date(2025, 6, 10)),
    ]
    DualTeacherTrainingFactory(session=future, completed_on=date(2025, 6, 1))
    DualTeacherTrainingFactory(session=cancelled, completed_on=date(2025, 6, 6))
    DualTeacherTrainingFactory(session=None, completed_on=date(2025, 6, 11))
    assert set(DualTeacherTraining.objects.completed(NOW)) == set(done)


def test_an_order_class_runs_from_intake_to_graduation_and_is_new_in_its_intake_year():
    running = OrderClassFactory(intake_year=2023, graduation_year=2026)
    OrderClassFactory(intake_year=2021)  # three years: 2021-2024
    assert list(OrderClass.objects.running_in(2025)) == [running]
    assert not OrderClass.objects.new_in(2025).exists()
    assert list(OrderClass.objects.new_in(2023)) == [running]


def test_the_employment_rate_is_the_sum_of_employed_over_the_sum_of_graduated():
    OrderClassFactory(graduated=11, enrolled=11, employed=5)
    OrderClassFactory(graduated=22, enrolled=30, employed=10)
    OrderClassFactory(graduated=0, employed=0)
    assert OrderClass.objects.employment_rate() == Decimal("45.45")
    assert OrderClass.objects.filter(graduated=0).employment_rate() is None


def test_the_list_page_footer_covers_every_filtered_class_not_only_the_page(client_for, org, other_org):
    for _ in range(26):  # more than one page of 25
        OrderClassFactory(school=org, enterprise=other_org, enrolled=10, graduated=10, employed=3)
    OrderClassFactory(school=org, enterprise=other_org, enrolled=40, graduated=40, employed=40, intake_year=2020)
    text = client_for("staff").get(reverse("training:orderclass_list")).content.decode()
    assert OrderClass.objects.employment_rate() == Decimal("39.33")  # (26 × 3 + 40) / (26 × 10 + 40)
    assert "39.33%" in text
