"""seed_demo's training part: the reported classes, a year of sessions, teachers, the visit."""

from django.db.models import Sum

from members import demo as members_demo
from training import demo
from training.models import (
    DualTeacherTraining,
    ExchangeVisit,
    OrderClass,
    Teacher,
    Trainee,
    TraineeImport,
    TrainingSession,
)


def test_the_demo_data_holds_the_reported_classes_and_a_year_of_training(db):
    members_demo.seed()
    counts = demo.seed()
    assert counts["order_classes_created"] == 3 and counts["sessions_created"] >= 60

    lanshi = OrderClass.objects.get(name="兰石订单班")
    assert (lanshi.enterprise.name, lanshi.school.name) == ("兰石集团", "兰州现代职业学院")
    professors = list(lanshi.guest_professors.values_list("name", "title"))
    assert len(professors) == 10 and ("邹斌", "全国技术能手、车工首席操作师") in professors
    qingmiao = OrderClass.objects.get(name="青苗计划")
    assert (qingmiao.enterprise.name, qingmiao.school.name) == ("爱玛科技集团", "甘肃交通职业技术学院")

    year = TrainingSession.objects.counted().filter(ends_at__year=2025).with_person_times()
    person_times = year.aggregate(total=Sum("person_times_value"))["total"]
    assert 2000 <= person_times <= 9000
    assert TraineeImport.objects.count() >= 3
    assert Trainee.objects.values("person_key").distinct().count() < Trainee.objects.count(), "some people came twice"
    for s in TrainingSession.objects.filter(trainee_count__gt=0):
        assert s.trainee_count == s.trainees.count()

    assert set(Teacher.objects.values_list("school__name", flat=True)) == {
        "兰州石化职业技术大学", "甘肃交通职业技术学院", "兰州现代职业学院"}
    assert DualTeacherTraining.objects.filter(completed_on__year=2025).values("teacher").distinct().count() >= 30
    visit = ExchangeVisit.objects.get(visiting_organization__name="兰州石化职业技术大学")
    assert visit.participants >= 300 and visit.visited.count() >= 10


def test_seeding_twice_creates_nothing_more(db):
    members_demo.seed()
    demo.seed()
    before = [m.objects.count() for m in (OrderClass, TrainingSession, Trainee, Teacher, ExchangeVisit)]
    again = demo.seed()
    assert not any(again.values())
    assert [m.objects.count() for m in (OrderClass, TrainingSession, Trainee, Teacher, ExchangeVisit)] == before
