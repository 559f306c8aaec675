from members import demo as members_demo
from projects import demo
from projects.models import Agreement, Platform, PlatformKind, Project, ProjectStatus


def test_seed_creates_the_reported_agreements_projects_and_platforms_and_is_idempotent(db):
    members_demo.seed()
    first = demo.seed()
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
    again = demo.seed()
    assert again["agreements_created"] == again["projects_created"] == again["platforms_created"] == 0
    assert Agreement.objects.count() == 31 + len(demo.OTHER_AGREEMENTS)
