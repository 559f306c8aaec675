"""Factories for agreements, projects, platforms and the expert pool, with Chinese data."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from factory.django import DjangoModelFactory

from projects.models import (
    Agreement,
    AgreementKind,
    AgreementStatus,
    Expert,
    ExpertReview,
    Platform,
    PlatformKind,
    PlatformLevel,
    Project,
    ProjectKind,
    ProjectStatus,
)
from tests.factories import OrganizationFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 32


class AgreementFactory(DjangoModelFactory):
    class Meta:
        model = Agreement
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    kind = AgreementKind.STRATEGIC
    title = factory.Sequence(lambda n: f"校企战略合作协议（第{n}号）")
    summary = "双方在人才培养、技术研发和实习实训方面开展合作。"
    signed_on = date(2025, 3, 1)
    start_date = date(2025, 3, 1)
    end_date = date(2028, 2, 28)
    status = AgreementStatus.DRAFT

    @factory.post_generation
    def parties(obj, create, extracted, **kwargs):
        if not create:
            return
        others = list(extracted) if extracted else [OrganizationFactory()]
        obj.parties.add(obj.organization, *others)

    @factory.post_generation
    def with_scan(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.scan.save("scan.pdf", ContentFile(PDF_BYTES), save=False)
            obj.scan_name, obj.scan_content_type = "签署版.pdf", "application/pdf"
            obj.save()


class VerifiedAgreementFactory(AgreementFactory):
    status = AgreementStatus.VERIFIED
    verified_at = factory.LazyFunction(timezone.now)


class ProjectFactory(DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"化工过程智能控制技术研发项目{n}")
    kind = ProjectKind.RND
    lead_organization = factory.SubFactory(OrganizationFactory)
    budget = Decimal("120.00")
    support_fund = Decimal("30.00")
    planned_start = date(2025, 1, 1)
    planned_end = date(2025, 12, 31)
    status = ProjectStatus.PROPOSED

    @factory.post_generation
    def partners(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.partners.add(*extracted)


class ExpertFactory(DjangoModelFactory):
    class Meta:
        model = Expert

    name = factory.Faker("name", locale="zh_CN")
    organization = None
    affiliation = "兰州大学化学化工学院"
    field = "化学工程"
    title = "教授"


class ExpertReviewFactory(DjangoModelFactory):
    class Meta:
        model = ExpertReview

    project = factory.SubFactory(ProjectFactory)
    expert = factory.SubFactory(ExpertFactory)


class PlatformFactory(DjangoModelFactory):
    class Meta:
        model = Platform
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"绿色化工重点实验室{n}")
    kind = PlatformKind.KEY_LAB
    level = PlatformLevel.PROVINCIAL
    lead_organization = factory.SubFactory(OrganizationFactory)
    established_on = date(2025, 6, 1)

    @factory.post_generation
    def organizations(obj, create, extracted, **kwargs):
        if create:
            obj.organizations.add(obj.lead_organization, *(extracted or []))


def days_from_today(n):
    return timezone.localdate() + timedelta(days=n)
