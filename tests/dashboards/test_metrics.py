"""The counting rules (口径): each figure equals an independent count over the same records."""

from datetime import date
from decimal import Decimal

import pytest

from dashboards import metrics
from dashboards.metrics import REGISTRY
from members.models import MembershipEvent, MembershipStatus
from tests.factories import OrganizationFactory, SchoolFactory

from .factories import (
    AgreementFactory,
    DualTrainingFactory,
    GuestProfessorFactory,
    OrderClassFactory,
    PlatformFactory,
    ProjectFactory,
    RecognitionFactory,
    SessionFactory,
    TeacherFactory,
    add_trainees,
    shanghai,
)

pytestmark = pytest.mark.django_db


def figure(code, year=2025):
    return REGISTRY[code].actual(year)


def test_every_metric_has_a_code_label_unit_and_counts_an_empty_year_as_zero():
    for metric in metrics.METRICS:
        assert metric.code and str(metric.label) and str(metric.unit)
        assert metric.actual(2025) == 0
        assert all(v == 0 for v in (metric.monthly(2025) or []))
        assert metric.by_organization(2025) == {}


def test_a_session_ending_at_2330_on_new_years_eve_counts_in_2025_and_one_at_0030_in_2026():
    SessionFactory(ends_at=shanghai(2025, 12, 31, 23, 30), declared_headcount=7)
    SessionFactory(ends_at=shanghai(2026, 1, 1, 0, 30), declared_headcount=11)
    assert figure("training_person_times", 2025) == 7
    assert figure("training_person_times", 2026) == 11
    assert REGISTRY["training_person_times"].monthly(2025)[11] == 7
    assert REGISTRY["training_person_times"].monthly(2026)[0] == 11


def test_person_times_use_the_trainee_list_where_there_is_one_and_the_declared_headcount_otherwise():
    listed = add_trainees(SessionFactory(declared_headcount=50), ["a" * 64, "b" * 64, "c" * 64])
    SessionFactory(declared_headcount=20)
    assert listed.trainee_count == 3
    assert figure("training_person_times") == 3 + 20


def test_a_cancelled_session_counts_nowhere():
    school = SchoolFactory()
    cancelled = add_trainees(SessionFactory(provider=school, status="cancelled", declared_headcount=40), ["d" * 64])
    assert cancelled.trainee_count == 1
    for code in ("training_person_times", "training_persons"):
        metric = REGISTRY[code]
        assert metric.actual(2025) == 0
        assert metric.monthly(2025)[-1] == 0
        assert metric.by_organization(2025) == {}
        assert not metric.records(2025).exists()


def test_distinct_persons_count_a_person_trained_twice_once_and_first_in_the_month_they_first_appear():
    first = add_trainees(SessionFactory(ends_at=shanghai(2025, 3, 5)), ["p1", "p2"])
    add_trainees(SessionFactory(ends_at=shanghai(2025, 8, 5), provider=first.provider), ["p2", "p3"])
    metric = REGISTRY["training_persons"]
    assert metric.actual(2025) == 3
    monthly = metric.monthly(2025)
    assert monthly[1] == 0 and monthly[2] == 2 and monthly[6] == 2 and monthly[7] == 3 and monthly[11] == 3
    assert metric.by_organization(2025) == {first.provider_id: 3}


def test_a_teacher_trained_twice_in_the_year_counts_once_and_recognitions_are_counted_apart():
    teacher = TeacherFactory()
    DualTrainingFactory(teacher=teacher, completed_on=date(2025, 3, 1))
    DualTrainingFactory(teacher=teacher, completed_on=date(2025, 10, 1))
    DualTrainingFactory(completed_on=date(2025, 11, 30))
    DualTrainingFactory(teacher=teacher, completed_on=date(2024, 12, 31))
    RecognitionFactory(teacher=teacher)
    assert figure("dual_teachers_trained") == 2
    assert figure("dual_teachers_trained", 2024) == 1
    assert REGISTRY["dual_teachers_trained"].monthly(2025)[2] == 1
    assert REGISTRY["dual_teachers_trained"].by_organization(2025)[teacher.school_id] == 1
    assert figure("dual_teacher_recognitions") == 1


def test_a_project_counts_once_accepted_in_the_year_and_a_rejected_one_counts_nowhere():
    lead = SchoolFactory()
    ProjectFactory(lead_organization=lead, completed_on=date(2025, 1, 1))
    ProjectFactory(lead_organization=lead, status="applied", completed_on=date(2025, 12, 31))
    ProjectFactory(status="rejected", approved_on=None, completed_on=None)
    ProjectFactory(status="in_progress", completed_on=None)
    ProjectFactory(completed_on=date(2024, 12, 31))
    metric = REGISTRY["projects_completed"]
    assert metric.actual(2025) == 2
    assert metric.by_organization(2025) == {lead.pk: 2}
    assert [p.title for p in metric.records(2025)] and metric.records(2025).count() == 2


def test_an_agreement_counts_only_once_verified_and_in_the_year_it_was_verified():
    AgreementFactory(status="submitted", verified_at=None)
    AgreementFactory(status="draft", verified_at=None)
    AgreementFactory(verified_at=shanghai(2025, 12, 31, 23, 59))
    AgreementFactory(verified_at=shanghai(2026, 1, 1, 0, 1))
    assert figure("agreements_verified") == 1
    assert figure("agreements_verified", 2026) == 1


def test_platforms_count_by_kind_in_the_year_they_were_established():
    PlatformFactory()
    PlatformFactory(kind="resource_library")
    PlatformFactory(kind="resource_library", established_on=date(2024, 12, 31))
    PlatformFactory(kind="practice_center", established_on=date(2025, 12, 31))
    PlatformFactory(kind="virtual_base")
    assert (figure("key_labs"), figure("resource_libraries"), figure("practice_centers")) == (1, 1, 1)


def test_a_deleted_record_counts_nowhere():
    session = SessionFactory(declared_headcount=9)
    project = ProjectFactory()
    platform = PlatformFactory()
    assert figure("training_person_times") == 9 and figure("projects_completed") == 1 and figure("key_labs") == 1
    session.delete()
    project.delete()
    platform.delete()
    assert figure("training_person_times") == 0 and figure("projects_completed") == 0 and figure("key_labs") == 0


def test_order_classes_their_employment_rate_and_guest_professors():
    school = SchoolFactory()
    OrderClassFactory(school=school, intake_year=2025)
    OrderClassFactory(school=school, intake_year=2022, enrolled=40, graduated=30, employed=12)
    OrderClassFactory(intake_year=2021, enrolled=40, graduated=10, employed=8)
    OrderClassFactory(intake_year=2026, enrolled=40, graduated=10, employed=10)
    GuestProfessorFactory(appointed_on=date(2025, 9, 10), order_class__intake_year=2019)
    GuestProfessorFactory(appointed_on=date(2024, 9, 10), order_class__intake_year=2019)
    assert figure("order_classes_new") == 1
    assert figure("order_classes_running") == 2  # the 2025 intake and the 2022 one (graduating 2025)
    # (12 + 8) / (30 + 10): the 2026 intake is not part of 2025
    assert figure("order_employment_rate") == Decimal("50.00")
    assert REGISTRY["order_employment_rate"].by_organization(2025)[school.pk] == Decimal("40.00")
    assert REGISTRY["order_employment_rate"].monthly(2025) is None
    assert figure("guest_professors") == 1


def test_active_members_follow_the_dated_membership_steps():
    joined = OrganizationFactory(status=MembershipStatus.ADMITTED)
    left = OrganizationFactory(status=MembershipStatus.EXITED)
    MembershipEvent.objects.create(organization=left, action="admit", to_status="admitted", date=date(2024, 9, 6))
    MembershipEvent.objects.create(
        organization=left, action="exit", from_status="admitted", to_status="exited", date=date(2025, 6, 30)
    )
    late = OrganizationFactory(status=MembershipStatus.ADMITTED, status_changed_on=date(2025, 3, 1))
    metric = REGISTRY["active_members"]
    assert metric.actual(2024) == 2  # joined (no steps, admitted) and left (still in)
    assert metric.actual(2025) == 2  # joined and late
    monthly = metric.monthly(2025)
    assert monthly[0] == 2 and monthly[2] == 3 and monthly[5] == 2
    assert set(metric.by_organization(2025)) == {joined.pk, late.pk}
