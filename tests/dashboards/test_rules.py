"""The finer counting rules (DOMAIN.md, 口径): done not planned, which training counts, completed
dual-qualified training, running and new order classes, shared records, one employment rate, fresh pages."""

from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse

from dashboards import services
from dashboards.figures import build
from dashboards.metrics import REGISTRY
from dashboards.models import MetricActual, MetricContribution, RollupState, YearClose
from dashboards.tasks import rollup_current_year
from tests.factories import OrganizationFactory, SchoolFactory
from training.models import OrderClass, TrainingKind

from .factories import (
    AgreementFactory,
    DualTrainingFactory,
    OrderClassFactory,
    PlatformFactory,
    ProjectFactory,
    SessionFactory,
    TeacherFactory,
    add_trainees,
    shanghai,
)

pytestmark = pytest.mark.django_db

JUNE_1 = shanghai(2025, 6, 1, 9)  # "now" in the middle of 2025


def at(moment):
    """Run with django.utils.timezone.now() fixed at ``moment``."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


# -- done, not planned -----------------------------------------------------------


def test_a_session_ending_tomorrow_is_pipeline_not_actual_and_a_cancelled_one_counts_nowhere():
    SessionFactory(ends_at=shanghai(2025, 5, 31, 17), declared_headcount=20)
    SessionFactory(ends_at=shanghai(2025, 6, 2, 17), declared_headcount=30)
    SessionFactory(ends_at=shanghai(2025, 11, 20, 17), declared_headcount=40, status="planned")
    SessionFactory(ends_at=shanghai(2025, 5, 10, 17), declared_headcount=99, status="cancelled")
    SessionFactory(ends_at=shanghai(2025, 9, 10, 17), declared_headcount=77, status="cancelled")
    metric = REGISTRY["training_person_times"]
    assert metric.actual(2025, now=JUNE_1) == 20
    assert metric.pipeline(2025, now=JUNE_1) == 30 + 40
    assert metric.monthly(2025, now=JUNE_1)[-1] == 20
    assert sum(metric.by_organization(2025, now=JUNE_1).values()) == 20
    assert metric.records(2025, now=JUNE_1).count() == 1
    # Once the year is over, everything not cancelled is actual and nothing is scheduled.
    assert metric.actual(2025, now=shanghai(2026, 1, 2)) == 90
    assert metric.pipeline(2025, now=shanghai(2026, 1, 2)) == 0


def test_the_scheduled_roll_up_moves_an_ended_session_from_pipeline_into_actual(client_for):
    SessionFactory(ends_at=shanghai(2025, 6, 2, 17), declared_headcount=30)
    with at(JUNE_1):
        services.rollup(2025)
    row = MetricActual.objects.get(year=2025, metric="training_person_times")
    assert (row.value, row.pipeline) == (0, 30)
    page = client_for("leadership").get(reverse("dashboards:overview") + "?year=2025").content.decode()
    assert "计划中（至年底，未计入完成值）" in page
    with at(shanghai(2025, 6, 3, 9)):  # no record changed: only time passed
        rollup_current_year()
    row.refresh_from_db()
    assert (row.value, row.pipeline) == (30, 0)


def test_the_drill_down_shows_the_pipeline_beside_the_actual_and_lists_it_apart(client_for):
    SessionFactory(ends_at=shanghai(2025, 5, 31, 17), title="已结束的化工总控工培训", declared_headcount=20)
    SessionFactory(ends_at=shanghai(2025, 6, 2, 17), title="下周的化工总控工培训", declared_headcount=30)
    url = reverse("dashboards:records", args=["training_person_times"]) + "?year=2025"
    leader = client_for("leadership")
    with at(JUNE_1):
        services.rollup(2025)
        done = leader.get(url).content.decode()
        scheduled = leader.get(url + "&scheduled=1").content.decode()
    assert "已结束的化工总控工培训" in done and "下周的化工总控工培训" not in done
    assert "计划中（至年底，未计入完成值）：30 人次" in done
    assert "下周的化工总控工培训" in scheduled and "已结束的化工总控工培训" not in scheduled


def test_projects_platforms_and_agreements_count_once_their_date_has_come():
    ProjectFactory(completed_on=date(2025, 5, 20))
    ProjectFactory(completed_on=date(2025, 6, 1))  # today counts
    ProjectFactory(completed_on=date(2025, 6, 2))
    PlatformFactory(established_on=date(2025, 4, 1))
    PlatformFactory(established_on=date(2025, 10, 1))
    AgreementFactory(verified_at=shanghai(2025, 5, 1))
    AgreementFactory(verified_at=shanghai(2025, 7, 1))
    assert REGISTRY["projects_completed"].actual(2025, now=JUNE_1) == 2
    assert REGISTRY["key_labs"].actual(2025, now=JUNE_1) == 1
    assert REGISTRY["key_labs"].pipeline(2025, now=JUNE_1) == 1
    assert REGISTRY["agreements_verified"].actual(2025, now=JUNE_1) == 1


# -- which training counts --------------------------------------------------------


def test_only_vocational_skill_and_employee_job_training_count_toward_training_person_times():
    provider = SchoolFactory()
    for kind, headcount in (
        (TrainingKind.VOCATIONAL_SKILL, 10),
        (TrainingKind.EMPLOYEE_JOB, 20),
        (TrainingKind.TEACHER, 400),
        (TrainingKind.DUAL_TEACHER, 800),
        (TrainingKind.STUDENT_PRACTICE, 50),
    ):
        SessionFactory(provider=provider, kind=kind, declared_headcount=headcount)
    assert REGISTRY["training_person_times"].actual(2025) == 30
    assert REGISTRY["training_person_times"].by_organization(2025) == {provider.pk: 30}
    assert REGISTRY["student_practice_person_times"].actual(2025) == 50
    assert not REGISTRY["student_practice_person_times"].has_target


def test_distinct_persons_follow_the_same_kinds():
    add_trainees(SessionFactory(kind=TrainingKind.VOCATIONAL_SKILL, ends_at=shanghai(2025, 5, 1)), ["p1", "p2"])
    add_trainees(SessionFactory(kind=TrainingKind.TEACHER), ["p3", "p4"])
    add_trainees(SessionFactory(kind=TrainingKind.STUDENT_PRACTICE), ["p5"])
    add_trainees(SessionFactory(kind=TrainingKind.EMPLOYEE_JOB, ends_at=shanghai(2025, 6, 2)), ["p6"])
    assert REGISTRY["training_persons"].actual(2025) == 3
    assert REGISTRY["training_persons"].actual(2025, now=JUNE_1) == 2


def test_the_drill_down_names_the_counted_kinds_with_the_definition(client_for):
    page = (
        client_for("leadership")
        .get(reverse("dashboards:records", args=["training_person_times"]) + "?year=2025")
        .content.decode()
    )
    assert "计入的培训类型：职业技能培训、企业职工岗位培训" in page
    assert "教师培训计入双师型指标" in page


# -- dual-qualified training --------------------------------------------------------


def test_a_dual_training_counts_only_once_completed():
    school = SchoolFactory()
    ended = SessionFactory(kind=TrainingKind.DUAL_TEACHER, ends_at=shanghai(2025, 5, 20))
    future = SessionFactory(kind=TrainingKind.DUAL_TEACHER, ends_at=shanghai(2025, 6, 20), status="planned")
    cancelled = SessionFactory(kind=TrainingKind.DUAL_TEACHER, ends_at=shanghai(2025, 5, 10), status="cancelled")
    counted = [TeacherFactory(school=school) for _ in range(2)]
    DualTrainingFactory(teacher=counted[0], session=ended, completed_on=date(2025, 5, 20))
    DualTrainingFactory(teacher=counted[1], session=None, completed_on=date(2025, 5, 30))
    DualTrainingFactory(teacher=TeacherFactory(school=school), session=future, completed_on=date(2025, 5, 30))
    DualTrainingFactory(teacher=TeacherFactory(school=school), session=cancelled, completed_on=date(2025, 5, 10))
    DualTrainingFactory(teacher=TeacherFactory(school=school), session=None, completed_on=date(2025, 6, 15))
    metric = REGISTRY["dual_teachers_trained"]
    assert metric.actual(2025, now=JUNE_1) == 2
    assert metric.by_organization(2025, now=JUNE_1) == {school.pk: 2}
    assert {r.teacher_id for r in metric.records(2025, now=JUNE_1)} == {t.pk for t in counted}
    # Later the future session has ended and the undated training is done; the cancelled one never counts.
    assert metric.actual(2025, now=shanghai(2025, 7, 1)) == 4


# -- order classes --------------------------------------------------------------------


def test_an_order_class_from_2023_graduating_2026_runs_in_2025_but_is_not_new():
    OrderClassFactory(intake_year=2023, graduation_year=2026)
    OrderClassFactory(intake_year=2025)
    OrderClassFactory(intake_year=2021)  # graduated 2024 (three years)
    assert REGISTRY["order_classes_running"].actual(2025) == 2
    assert REGISTRY["order_classes_new"].actual(2025) == 1
    assert REGISTRY["order_classes_running"].actual(2025) == OrderClass.objects.running_in(2025).count()
    assert REGISTRY["order_classes_new"].actual(2023) == 1


def test_year_over_year_compares_running_classes_with_running_classes(leader_user):
    OrderClassFactory(intake_year=2023, graduation_year=2026)
    OrderClassFactory(intake_year=2024, graduation_year=2027)
    services.rollup(2024)
    services.rollup(2025)
    cards = {c.metric.code: c for c in build(2025, leader_user).cards}
    assert (cards["order_classes_running"].actual, cards["order_classes_running"].previous) == (2, 2)
    assert cards["order_classes_running"].change == 0  # not a decline
    assert (cards["order_classes_new"].actual, cards["order_classes_new"].previous) == (0, 1)


# -- shared records -----------------------------------------------------------------


def test_shared_records_credit_every_party_once():
    school, enterprise, third = SchoolFactory(), OrganizationFactory(), OrganizationFactory()
    agreement = AgreementFactory(organization=school)
    agreement.parties.set([school, enterprise])  # the registrant is also a party: counted once
    project = ProjectFactory(lead_organization=school)
    project.partners.set([enterprise, third])
    platform = PlatformFactory(lead_organization=enterprise)
    platform.organizations.set([school])
    OrderClassFactory(school=school, enterprise=enterprise, intake_year=2025, graduated=10, employed=4)
    assert REGISTRY["agreements_verified"].by_organization(2025) == {school.pk: 1, enterprise.pk: 1}
    assert REGISTRY["agreements_verified"].actual(2025) == 1
    assert REGISTRY["projects_completed"].by_organization(2025) == {school.pk: 1, enterprise.pk: 1, third.pk: 1}
    assert REGISTRY["key_labs"].by_organization(2025) == {school.pk: 1, enterprise.pk: 1}
    assert REGISTRY["order_classes_new"].by_organization(2025) == {school.pk: 1, enterprise.pk: 1}
    assert REGISTRY["order_employment_rate"].by_organization(2025) == {
        school.pk: Decimal("40.00"),
        enterprise.pk: Decimal("40.00"),
    }
    for code in ("agreements_verified", "projects_completed", "key_labs"):  # compute() agrees
        assert REGISTRY[code].compute(2025)[2] == REGISTRY[code].by_organization(2025), code


def test_the_partner_sees_the_shared_record_in_its_contribution_and_drill_down(client_for, org, other_org):
    project = ProjectFactory(lead_organization=org, title="兰石集团联合研发项目")
    project.partners.set([other_org])
    services.rollup(2025)
    assert MetricContribution.objects.get(year=2025, metric="projects_completed", organization=other_org).value == 1
    partner = client_for("other_member")
    url = reverse("dashboards:records", args=["projects_completed"]) + f"?year=2025&organization={other_org.pk}"
    assert "兰石集团联合研发项目" in partner.get(url).content.decode()
    page = partner.get(reverse("dashboards:organization", args=[other_org.pk]) + "?year=2025").content.decode()
    assert "同一记录也计入其他参与单位" in page


def test_the_breakdowns_say_a_record_may_count_under_several_organisations(client_for):
    services.rollup(2025)
    page = client_for("leadership").get(reverse("dashboards:overview") + "?year=2025").content.decode()
    assert "分类合计可大于联合体总数" in page


def test_the_partner_enterprises_page_lists_the_agreement_as_partner_and_the_lead_as_lead(client_for, org, other_org):
    agreement = AgreementFactory(organization=org, title="兰石集团校企战略合作协议")
    agreement.parties.set([org, other_org])
    partner_page = client_for("other_member").get(reverse("members:organization_detail", args=[other_org.pk]))
    text = partner_page.content.decode()
    assert agreement.get_absolute_url() in text
    row = text[text.index("兰石集团校企战略合作协议") :][:400]
    assert "参与" in row and "牵头" not in row
    lead_text = client_for("member").get(reverse("members:organization_detail", args=[org.pk])).content.decode()
    assert "牵头" in lead_text[lead_text.index("兰石集团校企战略合作协议") :][:400]


def test_a_member_does_not_see_another_members_records_on_a_partners_page(client_for, org, other_org):
    third = OrganizationFactory()
    private = AgreementFactory(organization=third, title="第三方单独协议")
    private.parties.set([third, other_org])
    # The member (org) may see other_org's page but not an agreement it is no party to.
    response = client_for("member").get(reverse("members:organization_detail", args=[other_org.pk]))
    assert response.status_code in (200, 404)
    assert "第三方单独协议" not in response.content.decode()


# -- one employment rate --------------------------------------------------------------


def test_the_list_page_and_the_dashboard_show_the_same_employment_rate(client_for, org, other_org):
    OrderClassFactory(school=org, enterprise=other_org, intake_year=2021, enrolled=11, graduated=11, employed=5)
    OrderClassFactory(school=org, enterprise=other_org, intake_year=2022, enrolled=30, graduated=22, employed=10)
    OrderClassFactory(school=org, enterprise=other_org, intake_year=2025)  # no graduates yet
    services.rollup(2025)
    expected = Decimal("45.45")  # (5 + 10) / (11 + 22), not the mean of 45.5 % and 45.5 % per class
    assert MetricActual.objects.get(year=2025, metric="order_employment_rate").value == expected
    assert OrderClass.objects.filter(intake_year__lte=2025).employment_rate() == expected
    staff = client_for("staff")
    dashboard = staff.get(reverse("dashboards:overview") + "?year=2025").content.decode()
    listing = staff.get(reverse("training:orderclass_list") + "?intake_until=2025").content.decode()
    assert ">45.45<" in dashboard
    assert "45.45%" in listing and "Σ录用 ÷ Σ毕业" in listing


# -- fresh pages ----------------------------------------------------------------------------


def test_the_previous_year_figure_updates_right_after_that_years_roll_up(client_for):
    SessionFactory(ends_at=shanghai(2025, 3, 1), declared_headcount=10)
    SessionFactory(ends_at=shanghai(2024, 3, 1), declared_headcount=1234)
    services.rollup(2024)
    services.rollup(2025)
    leader = client_for("leadership")
    url = reverse("dashboards:overview") + "?year=2025"
    assert "上年 1234" in leader.get(url).content.decode()
    SessionFactory(ends_at=shanghai(2024, 4, 1), declared_headcount=4321)
    services.rollup(2024)
    page = leader.get(url).content.decode()
    assert "上年 5555" in page


def test_reopening_a_closed_year_queues_its_recompute(staff_user, django_capture_on_commit_callbacks):
    YearClose.objects.create(year=2024, is_closed=True)
    with mock.patch("dashboards.tasks.rollup_kpis.apply_async") as enqueue:
        with django_capture_on_commit_callbacks(execute=True):
            services.reopen_year(2024, by=staff_user, reason="补录12月培训")
    enqueue.assert_called_once()
    assert enqueue.call_args.kwargs["kwargs"] == {"year": 2024}


def test_the_first_run_of_a_new_year_counts_last_year_once_more():
    SessionFactory(ends_at=shanghai(2025, 12, 31, 23, 50), declared_headcount=12)
    with at(shanghai(2025, 12, 31, 23, 45)):
        rollup_current_year()
    assert MetricActual.objects.get(year=2025, metric="training_person_times").pipeline == 12
    with at(shanghai(2026, 1, 1, 0, 0)):
        rollup_current_year()
    row = MetricActual.objects.get(year=2025, metric="training_person_times")
    assert (row.value, row.pipeline) == (12, 0)
    runs = RollupState.objects.get(year=2025).run
    with at(shanghai(2026, 1, 1, 0, 15)):
        rollup_current_year()
    assert RollupState.objects.get(year=2025).run == runs  # counted once, not every quarter-hour
