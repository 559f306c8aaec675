import datetime

import pytest

from members import demo
from members.models import MembershipApplication, Organization

pytestmark = pytest.mark.django_db


def test_the_demo_has_pending_applications_and_directory_profiles_and_is_idempotent():
    today = datetime.date(2026, 5, 20)
    demo.seed(today)
    demo.seed(today)
    pending = MembershipApplication.objects.pending()
    assert pending.count() == 2
    assert {a.created_at.date() for a in pending} <= {today - datetime.timedelta(days=d) for d in (3, 9)}
    school = Organization.objects.get(name="兰州石化职业技术大学")
    assert school.offers and school.seeks
    assert school.directory_contact.username == "school" and school.directory_contact.listed_in_directory
