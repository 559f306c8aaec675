"""Records the dashboards count: the app factories, with the dates and figures these tests assume.

The factories are those of tests/training/factories.py and tests/projects/factories.py; the
subclasses here only move the defaults into 2025's counting windows (a session that ended, a
project accepted, a verified agreement) and lead them from a school. Records are made with no
partners, parties or co-builders unless a test passes them.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory

from tests.factories import SchoolFactory
from tests.projects import factories as project_factories
from tests.training import factories as training_factories
from tests.training.factories import TeacherFactory
from training import imports

__all__ = [
    "SHANGHAI",
    "AgreementFactory",
    "DualTrainingFactory",
    "GuestProfessorFactory",
    "OrderClassFactory",
    "PlatformFactory",
    "ProjectFactory",
    "RecognitionFactory",
    "SessionFactory",
    "TeacherFactory",
    "TraineeFactory",
    "add_trainees",
    "shanghai",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(year, month, day, hour=12, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


class SessionFactory(training_factories.TrainingSessionFactory):
    """A vocational skill session held in June 2025; pass ``ends_at`` to move it (it lasts two days)."""

    ends_at = factory.LazyFunction(lambda: shanghai(2025, 6, 15, 17))
    starts_at = factory.LazyAttribute(lambda o: o.ends_at - timedelta(days=2))
    hours = Decimal("16")
    declared_headcount = 30


class TraineeFactory(training_factories.TraineeFactory):
    """A trainee known by its person key alone (no 身份证号)."""

    session = factory.SubFactory(SessionFactory)
    id_number_hash = ""
    id_number_masked = ""
    person_key = factory.Sequence(lambda n: n)


def add_trainees(session, keys):
    """Trainee rows for a session, keeping trainee_count equal to the list like the import does.
    Keys are names of people ("p1"): the same name is the same person."""
    for key in keys:
        TraineeFactory(session=session, person_key=imports.person_key_for("", key, ""))
    session.trainee_count = session.trainees.count()
    session.save(update_fields=["trainee_count"])
    return session


class DualTrainingFactory(training_factories.DualTeacherTrainingFactory):
    completed_on = date(2025, 7, 10)


class RecognitionFactory(training_factories.DualTeacherRecognitionFactory):
    recognized_on = date(2025, 9, 1)


class ProjectFactory(project_factories.ProjectFactory):
    """A school's project approved in March 2024 and accepted (结项) in May 2025."""

    lead_organization = factory.SubFactory(SchoolFactory)
    planned_start = date(2024, 3, 1)
    planned_end = date(2025, 12, 31)
    status = "completed"
    approved_on = date(2024, 3, 1)
    completed_on = date(2025, 5, 20)


class PlatformFactory(project_factories.PlatformFactory):
    """A school's provincial key lab established in April 2025, with no co-builders unless given."""

    lead_organization = factory.SubFactory(SchoolFactory)
    established_on = date(2025, 4, 1)

    @factory.post_generation
    def organizations(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.organizations.add(*extracted)


class AgreementFactory(project_factories.AgreementFactory):
    """A school's agreement verified in March 2025, with no parties unless given."""

    organization = factory.SubFactory(SchoolFactory)
    status = "verified"
    verified_at = factory.LazyFunction(lambda: shanghai(2025, 3, 10, 10))

    @factory.post_generation
    def parties(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.parties.add(*extracted)


class OrderClassFactory(training_factories.OrderClassFactory):
    """A 2025 intake with every place filled and no graduates yet."""

    intake_year = 2025
    planned = 40
    enrolled = 40
    graduated = 0
    employed = 0


class GuestProfessorFactory(training_factories.GuestProfessorFactory):
    order_class = factory.SubFactory(OrderClassFactory)
    appointed_on = date(2025, 9, 10)
