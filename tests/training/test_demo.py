"""seed_demo's training part: the reported classes, two years of sessions, teachers, the visit."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db.models import Sum

from members import demo as members_demo
from training import demo
from training.models import (
    DualTeacherTraining,
    ExchangeVisit,
    OrderClass,
    SessionStatus,
    Teacher,
    Trainee,
    TraineeImport,
    TrainingSession,
)

TODAY = date(2026, 12, 1)  # the demo's dates follow the day it is built
NOW = datetime.combine(TODAY, time(0, 0), tzinfo=ZoneInfo("Asia/Shanghai"))


def test_the_demo_data_holds_the_reported_classes_and_a_year_of_training(db):
    members_demo.seed(today=TODAY)
    counts = demo.seed(today=TODAY)
    assert counts["order_classes_created"] == 4 and counts["sessions_created"] >= 120

    lanshi = OrderClass.objects.get(name="兰石订单班")
    assert (lanshi.enterprise.name, lanshi.school.name) == ("兰石集团", "兰州现代职业学院")
    professors = list(lanshi.guest_professors.values_list("name", "title"))
    assert len(professors) == 10 and ("邹斌", "全国技术能手、车工首席操作师") in professors
    qingmiao = OrderClass.objects.get(name="青苗计划")
    assert (qingmiao.enterprise.name, qingmiao.school.name) == ("爱玛科技集团", "甘肃交通职业技术学院")

    # A full previous year of skill training lands near the 10,000 person-times target.
    year = TrainingSession.objects.counted().skill_training().filter(ends_at__year=2025).with_person_times()
    person_times = year.aggregate(total=Sum("person_times_value"))["total"]
    assert 7000 <= person_times <= 13000
    # This year: sessions ended up to today, a few scheduled in the coming weeks, none further ahead.
    this_year = TrainingSession.objects.filter(starts_at__year=2026)
    assert this_year.counted().filter(ends_at__lt=NOW).count() >= 50
    scheduled = this_year.filter(status=SessionStatus.PLANNED)
    assert 1 <= scheduled.count() <= 10 and not scheduled.filter(starts_at__lt=NOW).exists()
    assert not this_year.filter(status=SessionStatus.HELD, starts_at__gte=NOW).exists()
    assert TraineeImport.objects.count() >= 3
    assert Trainee.objects.values("person_key").distinct().count() < Trainee.objects.count(), "some people came twice"
    for s in TrainingSession.objects.filter(trainee_count__gt=0):
        assert s.trainee_count == s.trainees.count()

    assert set(Teacher.objects.values_list("school__name", flat=True)) == {
        "兰州石化职业技术大学",
        "甘肃交通职业技术学院",
        "兰州现代职业学院",
    }
    assert DualTeacherTraining.objects.filter(completed_on__year=2025).values("teacher").distinct().count() >= 30
    assert DualTeacherTraining.objects.filter(completed_on__year=2026).values("teacher").distinct().count() >= 30
    assert not DualTeacherTraining.objects.filter(completed_on__gt=TODAY).exists()
    assert not DualTeacherTraining.objects.filter(session__ends_at__gt=NOW).exists()
    visit = ExchangeVisit.objects.get(visiting_organization__name="兰州石化职业技术大学", participants__gte=300)
    assert visit.participants >= 300 and visit.visited.count() >= 10


def test_seeding_twice_creates_nothing_more(db):
    members_demo.seed(today=TODAY)
    demo.seed(today=TODAY)
    before = [m.objects.count() for m in (OrderClass, TrainingSession, Trainee, Teacher, ExchangeVisit)]
    again = demo.seed(today=TODAY)
    assert not any(again.values())
    assert [m.objects.count() for m in (OrderClass, TrainingSession, Trainee, Teacher, ExchangeVisit)] == before
