"""Bad input on forms and the API gets a Chinese message and changes nothing; the counting rules."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.factories import OrganizationFactory, SchoolFactory
from training.models import (
    ExchangeVisit,
    GuestProfessor,
    OrderClass,
    SessionStatus,
    Teacher,
    TrainingSession,
)

from .factories import (
    SHANGHAI,
    EnterprisePracticeFactory,
    GuestProfessorFactory,
    OrderClassFactory,
    TeacherFactory,
    TraineeFactory,
    TrainingSessionFactory,
)


def fingerprint():
    return [
        list(m.objects.order_by("pk").values_list())
        for m in (OrderClass, GuestProfessor, TrainingSession, Teacher, ExchangeVisit)
    ]


def class_form(org, other_org, **over):
    data = {
        "name": "兰石订单班",
        "enterprise": other_org.pk,
        "school": org.pk,
        "major": "机械制造及自动化",
        "intake_year": 2024,
        "mode": "order",
        "planned": 40,
        "enrolled": 38,
        "graduated": 30,
        "employed": 20,
    }
    data.update(over)
    return data


def session_form(org, **over):
    data = {
        "title": "化工总控工培训",
        "kind": "vocational_skill",
        "provider": org.pk,
        "starts_at": "2025-06-01T09:00",
        "ends_at": "2025-06-03T17:00",
        "hours": "24",
        "declared_headcount": 30,
        "status": "planned",
    }
    data.update(over)
    return data


def assert_form_refused(client, url, data, field, message):
    before = fingerprint()
    response = client.post(url, data)
    assert response.status_code == 200, "the form comes back with its errors"
    errors = response.context["form"].errors
    assert message in errors.get(field, []) + errors.get("__all__", []), errors
    assert fingerprint() == before


# -- order classes ------------------------------------------------------------


@pytest.mark.parametrize(
    "over,field,message",
    [
        ({"graduated": 39}, "graduated", "毕业人数不能多于实际招收人数。"),
        ({"employed": 31}, "employed", "订单企业录用人数不能多于毕业人数。"),
        ({"enrolled": -1}, "enrolled", "确保该值大于或等于0。"),
    ],
)
def test_an_order_class_funnel_that_does_not_add_up_is_refused(client_for, org, other_org, over, field, message):
    assert_form_refused(
        client_for("member"), reverse("training:orderclass_add"), class_form(org, other_org, **over), field, message
    )


def test_an_order_class_needs_an_enterprise_as_sponsor(client_for, org):
    school = SchoolFactory()
    assert_form_refused(
        client_for("staff"),
        reverse("training:orderclass_add"),
        class_form(org, school),
        "enterprise",
        "选择一个有效的选项： 该选择不在可用的选项中。",
    )


def test_the_api_refuses_more_graduates_than_enrolled(api_for, org, other_org):
    before = fingerprint()
    response = api_for("staff").post(
        reverse("orderclass-list"), class_form(org, other_org, graduated=50), format="json"
    )
    assert response.status_code == 400
    assert response.json()["graduated"] == ["毕业人数不能多于实际招收人数。"]
    assert fingerprint() == before


def test_the_database_itself_refuses_more_employed_than_graduated(org, other_org):
    c = OrderClassFactory(school=org, enterprise=other_org)
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderClass.objects.filter(pk=c.pk).update(employed=c.graduated + 1)


def test_the_order_employment_rate_is_employed_over_graduated(org, other_org):
    c = OrderClassFactory(school=org, enterprise=other_org, enrolled=45, graduated=40, employed=18)
    assert c.employment_rate == Decimal("0.45") and c.employment_rate_percent == Decimal("45.0")
    assert (
        OrderClassFactory(school=org, enterprise=other_org, enrolled=45, graduated=0, employed=0).employment_rate
        is None
    )


def test_a_guest_professor_from_a_school_is_refused(client_for, org, other_org):
    c = OrderClassFactory(school=org, enterprise=other_org)
    assert_form_refused(
        client_for("member"),
        reverse("training:guestprofessor_add", args=[c.pk]),
        {"name": "邹斌", "enterprise": org.pk, "title": "全国技术能手", "appointed_on": "2025-03-01"},
        "enterprise",
        "客座教授必须来自企业类成员单位。",
    )


def test_the_api_refuses_a_guest_professor_from_a_school(api_for, org, other_org):
    c = OrderClassFactory(school=org, enterprise=other_org)
    before = fingerprint()
    response = api_for("member").post(
        reverse("guestprofessor-list"),
        {
            "order_class": c.pk,
            "name": "邹斌",
            "enterprise": org.pk,
            "appointed_on": "2025-03-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["enterprise"] == ["客座教授必须来自企业类成员单位。"]
    assert fingerprint() == before


def test_only_the_sponsoring_enterprise_adds_professors_to_a_class_it_does_not_run(client_for, org, other_org):
    # Both sides of a class keep its guest professors (tests/training/test_order_class_sides.py);
    # an enterprise that does not sponsor the class cannot.
    c = OrderClassFactory(school=org, enterprise=OrganizationFactory())
    before = fingerprint()
    response = client_for("other_member").post(
        reverse("training:guestprofessor_add", args=[c.pk]),
        {"name": "邹斌", "enterprise": other_org.pk, "appointed_on": "2025-03-01"},
    )
    assert response.status_code == 404
    assert fingerprint() == before


# -- sessions -----------------------------------------------------------------


@pytest.mark.parametrize(
    "over,field,message",
    [
        ({"ends_at": "2025-05-31T09:00"}, "ends_at", "结束时间不能早于开始时间。"),
        ({"hours": "-2"}, "hours", "学时不能为负数。"),
        ({"declared_headcount": -5}, "declared_headcount", "确保该值大于或等于0。"),
    ],
)
def test_a_session_with_bad_times_or_numbers_is_refused(client_for, org, over, field, message):
    assert_form_refused(
        client_for("member"), reverse("training:session_add"), session_form(org, **over), field, message
    )


def test_the_api_refuses_a_session_that_ends_before_it_starts(api_for, org):
    before = fingerprint()
    response = api_for("staff").post(
        reverse("trainingsession-list"),
        {
            **session_form(org),
            "starts_at": "2025-06-03T09:00:00+08:00",
            "ends_at": "2025-06-01T09:00:00+08:00",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["ends_at"] == ["结束时间不能早于开始时间。"]
    assert fingerprint() == before


def test_a_member_cannot_register_a_session_provided_by_another_organisation(client_for, org, other_org):
    before = fingerprint()
    response = client_for("member").post(reverse("training:session_add"), session_form(org, provider=other_org.pk))
    assert response.status_code == 200
    assert "provider" in response.context["form"].errors
    assert fingerprint() == before


def test_person_times_come_from_the_trainee_list_else_the_declared_headcount(org):
    listed = TrainingSessionFactory(provider=org, declared_headcount=50)
    TraineeFactory.create_batch(3, session=listed)
    listed.trainee_count = 3
    listed.save(update_fields=["trainee_count"])
    declared = TrainingSessionFactory(provider=org, declared_headcount=50)
    assert listed.person_times == 3 and declared.person_times == 50
    annotated = dict(TrainingSession.objects.with_person_times().values_list("pk", "person_times_value"))
    assert annotated == {listed.pk: 3, declared.pk: 50}


def test_cancelled_sessions_do_not_count(org):
    TrainingSessionFactory(provider=org, status=SessionStatus.CANCELLED)
    kept = TrainingSessionFactory(provider=org)
    assert list(TrainingSession.objects.counted()) == [kept]


# -- teachers -----------------------------------------------------------------


def test_a_teacher_must_belong_to_a_school(client_for, other_org):
    assert_form_refused(
        client_for("staff"),
        reverse("training:teacher_add"),
        {"school": other_org.pk, "name": "李老师"},
        "school",
        "选择一个有效的选项： 该选择不在可用的选项中。",
    )


def test_enterprise_practice_dates_and_enterprise_are_checked(client_for, org):
    teacher = TeacherFactory(school=org)
    url = reverse("training:practice_add", args=[teacher.pk])
    assert_form_refused(
        client_for("member"),
        url,
        {"enterprise": OrganizationFactory().pk, "start_date": "2025-07-10", "end_date": "2025-07-01"},
        "end_date",
        "结束日期不能早于开始日期。",
    )
    assert_form_refused(
        client_for("member"),
        url,
        {"enterprise": SchoolFactory().pk, "start_date": "2025-07-01"},
        "enterprise",
        "实践单位必须是企业类成员单位。",
    )


def test_a_member_school_sees_only_its_own_teachers(member_user, other_member_user, org):
    mine = TeacherFactory(school=org)
    TeacherFactory(school=SchoolFactory())
    assert list(Teacher.objects.for_user(member_user)) == [mine]
    assert list(Teacher.objects.for_user(other_member_user)) == []
    EnterprisePracticeFactory(teacher=mine)
    from training.models import EnterprisePractice

    assert EnterprisePractice.objects.for_user(member_user).count() == 1
    assert EnterprisePractice.objects.for_user(other_member_user).count() == 0


def test_order_classes_are_seen_by_school_and_sponsor_but_changed_by_the_school(
    member_user, other_member_user, leader_user, org, other_org
):
    from consortium.access import CHANGE

    c = OrderClassFactory(school=org, enterprise=other_org)
    GuestProfessorFactory(order_class=c)
    OrderClassFactory()
    assert list(OrderClass.objects.for_user(member_user)) == [c]
    assert list(OrderClass.objects.for_user(other_member_user)) == [c]
    assert list(OrderClass.objects.for_user(member_user, CHANGE)) == [c]
    assert list(OrderClass.objects.for_user(other_member_user, CHANGE)) == []
    assert OrderClass.objects.for_user(leader_user).count() == 2
    assert OrderClass.objects.for_user(leader_user, CHANGE).count() == 0


def test_session_times_are_aware_and_in_shanghai(org):
    s = TrainingSessionFactory(provider=org, ends_at=datetime(2025, 12, 31, 23, 30, tzinfo=SHANGHAI))
    assert TrainingSession.objects.filter(ends_at__year=2025, pk=s.pk).exists()
    assert s.ends_at.date() == date(2025, 12, 31)


def test_the_api_names_why_a_school_cannot_sponsor_an_order_class(api_for, org):
    before = fingerprint()
    response = api_for("staff").post(reverse("orderclass-list"), class_form(org, SchoolFactory()), format="json")
    assert response.status_code == 400
    assert response.json()["enterprise"] == ["订单企业必须是企业类成员单位。"]
    assert fingerprint() == before
