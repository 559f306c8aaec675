"""factory_boy factories with Chinese data, shared by every app's tests."""

import factory
from factory.django import DjangoModelFactory

from members.demo import synthetic_credit_code
from members.models import MembershipStatus, Organization, OrganizationKind, Role, User


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"兰州新区测试单位{n:04d}有限公司")
    kind = OrganizationKind.ENTERPRISE
    credit_code = factory.LazyAttribute(lambda o: synthetic_credit_code(o.name, o.kind))
    status = MembershipStatus.ADMITTED
    contact_name = factory.Faker("name", locale="zh_CN")
    contact_phone = factory.Faker("phone_number", locale="zh_CN")


class SchoolFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"兰州新区测试职业学院{n:04d}")
    kind = OrganizationKind.HIGHER_VOCATIONAL


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("name", locale="zh_CN")
    role = Role.STAFF
    password = factory.PostGenerationMethodCall("set_password", "pw-Test-2025")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()
