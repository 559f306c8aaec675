"""Records the dashboards count, built with the projects and training models (Chinese data)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory
from factory.django import DjangoModelFactory

from projects.models import Agreement, AgreementKind, Platform, PlatformKind, PlatformLevel, Project, ProjectKind
from tests.factories import OrganizationFactory, SchoolFactory
from training import imports
from training.models import (
    DualTeacherRecognition,
    DualTeacherTraining,
    GuestProfessor,
    OrderClass,
    RecognitionLevel,
    Teacher,
    Trainee,
    TrainingKind,
    TrainingSession,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(year, month, day, hour=12, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


class SessionFactory(DjangoModelFactory):
    class Meta:
        model = TrainingSession
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"化工总控工职业技能培训第{n}期")
    kind = TrainingKind.VOCATIONAL_SKILL
    provider = factory.SubFactory(SchoolFactory)
    ends_at = factory.LazyFunction(lambda: shanghai(2025, 6, 15, 17))
    starts_at = factory.LazyAttribute(lambda o: o.ends_at - timedelta(days=2))
    hours = Decimal("16")
    declared_headcount = 30
    status = "held"


class TraineeFactory(DjangoModelFactory):
    class Meta:
        model = Trainee

    session = factory.SubFactory(SessionFactory)
    name = factory.Faker("name", locale="zh_CN")
    person_key = factory.Sequence(lambda n: n)


def add_trainees(session, keys):
    """Trainee rows for a session, keeping trainee_count equal to the list like the import does.
    Keys are names of people ("p1"): the same name is the same person."""
    for key in keys:
        TraineeFactory(session=session, person_key=imports.person_key_for("", key, ""))
    session.trainee_count = session.trainees.count()
    session.save(update_fields=["trainee_count"])
    return session


class TeacherFactory(DjangoModelFactory):
    class Meta:
        model = Teacher

    school = factory.SubFactory(SchoolFactory)
    name = factory.Faker("name", locale="zh_CN")
    subject_area = "化工技术"


class DualTrainingFactory(DjangoModelFactory):
    class Meta:
        model = DualTeacherTraining

    teacher = factory.SubFactory(TeacherFactory)
    completed_on = date(2025, 7, 10)
    hours = Decimal("40")


class RecognitionFactory(DjangoModelFactory):
    class Meta:
        model = DualTeacherRecognition

    teacher = factory.SubFactory(TeacherFactory)
    level = RecognitionLevel.INTERMEDIATE
    recognized_on = date(2025, 9, 1)
    body = "甘肃省教育厅"


class ProjectFactory(DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"绿色化工工艺优化校企合作项目{n}")
    kind = ProjectKind.RND
    lead_organization = factory.SubFactory(SchoolFactory)
    planned_start = date(2024, 3, 1)
    planned_end = date(2025, 12, 31)
    status = "completed"
    approved_on = date(2024, 3, 1)
    completed_on = date(2025, 5, 20)


class PlatformFactory(DjangoModelFactory):
    class Meta:
        model = Platform
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"新能源材料重点实验室{n}")
    kind = PlatformKind.KEY_LAB
    level = PlatformLevel.PROVINCIAL
    lead_organization = factory.SubFactory(SchoolFactory)
    established_on = date(2025, 4, 1)


class AgreementFactory(DjangoModelFactory):
    class Meta:
        model = Agreement
        skip_postgeneration_save = True

    organization = factory.SubFactory(SchoolFactory)
    kind = AgreementKind.STRATEGIC
    title = factory.Sequence(lambda n: f"校企战略合作协议{n}")
    signed_on = date(2025, 3, 1)
    start_date = date(2025, 3, 1)
    end_date = date(2028, 2, 28)
    status = "verified"
    verified_at = factory.LazyFunction(lambda: shanghai(2025, 3, 10, 10))


class OrderClassFactory(DjangoModelFactory):
    class Meta:
        model = OrderClass

    name = factory.Sequence(lambda n: f"兰石订单班{n}")
    enterprise = factory.SubFactory(OrganizationFactory)
    school = factory.SubFactory(SchoolFactory)
    major = "化工装备技术"
    intake_year = 2025
    planned = 40
    enrolled = 40
    graduated = 0
    employed = 0


class GuestProfessorFactory(DjangoModelFactory):
    class Meta:
        model = GuestProfessor

    order_class = factory.SubFactory(OrderClassFactory)
    name = factory.Faker("name", locale="zh_CN")
    enterprise = factory.SelfAttribute("order_class.enterprise")
    title = "高级工程师"
    appointed_on = date(2025, 9, 10)
