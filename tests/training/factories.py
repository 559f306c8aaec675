"""Factories for order classes, sessions, trainees, teachers and visits, with Chinese data."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory
from factory.django import DjangoModelFactory

from members.validators import id_number_check_char
from tests.factories import OrganizationFactory, SchoolFactory
from training import imports
from training.models import (
    DualTeacherRecognition,
    DualTeacherTraining,
    EnterprisePractice,
    ExchangeVisit,
    GuestProfessor,
    OrderClass,
    RecognitionLevel,
    SessionStatus,
    Teacher,
    Trainee,
    TrainingKind,
    TrainingSession,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def valid_id_number(n, region="620102", birth="19900101"):
    """A 身份证号 with a valid check digit (GB 11643), distinct for each n < 1000."""
    first17 = f"{region}{birth}{n % 1000:03d}"
    return first17 + id_number_check_char(first17)


class OrderClassFactory(DjangoModelFactory):
    class Meta:
        model = OrderClass

    name = factory.Sequence(lambda n: f"兰石订单班{n}期")
    enterprise = factory.SubFactory(OrganizationFactory)
    school = factory.SubFactory(SchoolFactory)
    major = "机械制造及自动化"
    intake_year = 2023
    planned = 50
    enrolled = 45
    graduated = 40
    employed = 30


class GuestProfessorFactory(DjangoModelFactory):
    class Meta:
        model = GuestProfessor

    order_class = factory.SubFactory(OrderClassFactory)
    name = factory.Faker("name", locale="zh_CN")
    enterprise = factory.LazyAttribute(lambda o: o.order_class.enterprise)
    title = "高级技师"
    appointed_on = date(2025, 3, 1)


class TrainingSessionFactory(DjangoModelFactory):
    class Meta:
        model = TrainingSession
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"化工总控工职业技能培训（第{n}期）")
    kind = TrainingKind.VOCATIONAL_SKILL
    provider = factory.SubFactory(SchoolFactory)
    starts_at = datetime(2025, 6, 2, 9, 0, tzinfo=SHANGHAI)
    ends_at = datetime(2025, 6, 6, 17, 0, tzinfo=SHANGHAI)
    hours = Decimal("32")
    declared_headcount = 40
    status = SessionStatus.HELD

    @factory.post_generation
    def beneficiaries(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.beneficiaries.add(*extracted)


class TraineeFactory(DjangoModelFactory):
    class Meta:
        model = Trainee

    session = factory.SubFactory(TrainingSessionFactory)
    name = factory.Faker("name", locale="zh_CN")
    id_number_hash = factory.Sequence(lambda n: imports.hash_id_number(valid_id_number(n)))
    id_number_masked = factory.Sequence(lambda n: valid_id_number(n)[:6] + "********" + valid_id_number(n)[-4:])
    person_key = factory.LazyAttribute(lambda o: imports.person_key_for(o.id_number_hash, "", ""))
    employer = "兰石集团"


class TeacherFactory(DjangoModelFactory):
    class Meta:
        model = Teacher

    school = factory.SubFactory(SchoolFactory)
    name = factory.Faker("name", locale="zh_CN")
    subject_area = "化工技术"
    title = "副教授"
    employee_no = factory.Sequence(lambda n: f"T{n:05d}")


class DualTeacherTrainingFactory(DjangoModelFactory):
    class Meta:
        model = DualTeacherTraining

    teacher = factory.SubFactory(TeacherFactory)
    completed_on = date(2025, 7, 15)
    hours = Decimal("40")


class EnterprisePracticeFactory(DjangoModelFactory):
    class Meta:
        model = EnterprisePractice

    teacher = factory.SubFactory(TeacherFactory)
    enterprise = factory.SubFactory(OrganizationFactory)
    start_date = date(2025, 7, 1)
    end_date = date(2025, 8, 31)
    position = "工艺技术员"


class DualTeacherRecognitionFactory(DjangoModelFactory):
    class Meta:
        model = DualTeacherRecognition

    teacher = factory.SubFactory(TeacherFactory)
    level = RecognitionLevel.INTERMEDIATE
    recognized_on = date(2025, 9, 10)
    body = "甘肃省教育厅"


class ExchangeVisitFactory(DjangoModelFactory):
    class Meta:
        model = ExchangeVisit
        skip_postgeneration_save = True

    date = date(2025, 4, 20)
    visiting_organization = factory.SubFactory(SchoolFactory)
    participants = 30
    purpose = "走访企业，了解岗位需求"

    @factory.post_generation
    def visited(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.visited.add(*extracted)
