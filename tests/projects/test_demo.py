from datetime import date

from members import demo as members_demo
from projects import demo
from projects.models import Agreement, Platform, PlatformKind, Project, ProjectStatus

TODAY = date(2026, 12, 1)  # the demo's dates follow the day it is built


def test_seed_creates_the_reported_agreements_projects_and_platforms_and_is_idempotent(db):
    members_demo.seed(today=TODAY)
    first = demo.seed(today=TODAY)
    assert first["agreements_created"] == 31 + len(demo.OTHER_AGREEMENTS)
    lzpc = Agreement.objects.filter(organization__name="兰州石化职业技术大学")
    assert lzpc.count() == 31
    assert lzpc.filter(kind="rnd").count() == 12
    assert lzpc.filter(kind="talent_platform").count() == 8
    assert lzpc.filter(verified_at__year=2025).exists() and lzpc.filter(status="draft").exists()
    assert Agreement.objects.expiring().exists() and Agreement.objects.expired().exists()
    statuses = set(Project.objects.values_list("status", flat=True))
    assert statuses == set(ProjectStatus.values)
    assert Project.objects.completed_in(2025).count() == 10
    assert Platform.objects.filter(kind=PlatformKind.KEY_LAB, established_on__year=2025).count() == 2
    again = demo.seed(today=TODAY)
    assert again["agreements_created"] == again["projects_created"] == again["platforms_created"] == 0
    assert Agreement.objects.count() == 31 + len(demo.OTHER_AGREEMENTS)


def test_this_years_projects_are_accepted_up_to_today_and_the_rest_are_in_progress(db):
    today = date(2027, 5, 10)
    members_demo.seed(today=today)
    demo.seed(today=today)
    this_year = Project.objects.filter(title__in=[p[0] for p in demo.THIS_YEAR_PROJECTS])
    assert Project.objects.completed_in(2027).count() == 3  # accepted in February, March and April
    assert Project.objects.completed_in(2026).count() == 10  # the year before in full
    assert not Project.objects.filter(completed_on__gt=today).exists()
    ahead = this_year.filter(status=ProjectStatus.IN_PROGRESS)
    assert ahead.count() == len(demo.THIS_YEAR_PROJECTS) - 3
    assert all(p.planned_end.year == 2027 and p.planned_end > today for p in ahead)
    assert not Platform.objects.filter(established_on__gt=today).exists()
    assert Platform.objects.filter(kind=PlatformKind.KEY_LAB, established_on__year=2027).count() == 1
