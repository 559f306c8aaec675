"""The demo lives in today: a fresh seed_demo shows this year in progress and the full year before."""

from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from dashboards.models import MetricActual, Target
from dashboards.services import current_year
from members.models import User
from projects.models import Project
from training.models import DualTeacherTraining, SessionStatus, Teacher, TrainingSession

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("dashboards:overview")


def actuals(year):
    return {row.metric: row.value for row in MetricActual.objects.filter(year=year)}


def test_after_seed_demo_the_overview_opens_on_this_year_with_actuals_and_last_year_is_there(client, settings):
    settings.DASHBOARD_PAGE_CACHE_SECONDS = 0
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    year = current_year()

    this_year, last_year = actuals(year), actuals(year - 1)
    # The demo's year runs at a realistic pace: its first session ends in the second week of January.
    early_january = timezone.localdate() < date(year, 1, 15)
    assert early_january or this_year["training_person_times"] > 0
    assert last_year["training_person_times"] > 0 and last_year["projects_completed"] == 10
    assert last_year["dual_teachers_trained"] > 0 and last_year["key_labs"] > 0
    for y in (year, year - 1):
        assert Target.objects.filter(year=y).count() == 6
    assert TrainingSession.objects.filter(status=SessionStatus.PLANNED, starts_at__gt=timezone.now()).exists()

    client.force_login(User.objects.get(username="leader"))
    response = client.get(OVERVIEW)
    assert response.status_code == 200 and response.context["year"] == year
    page = response.content.decode()
    assert f"{year} 年度目标看板" in page and "尚未设定" not in page
    cards = {c.metric.code: c for c in response.context["overview"].cards}
    assert (early_january or cards["training_person_times"].actual > 0) and cards["training_person_times"].previous > 0

    # Seeding again changes nothing.
    counts = [m.objects.count() for m in (Project, TrainingSession, Teacher, DualTeacherTraining, Target)]
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert [m.objects.count() for m in (Project, TrainingSession, Teacher, DualTeacherTraining, Target)] == counts


def test_a_year_without_targets_says_so_with_the_link_to_set_them_only_for_staff(client_for, settings):
    settings.DASHBOARD_PAGE_CACHE_SECONDS = 0
    year = current_year() + 1
    targets_url = reverse("dashboards:targets") + f"?year={year}"
    staff_page = client_for("staff").get(OVERVIEW + f"?year={year}").content.decode()
    assert f"尚未设定 {year} 年度目标" in staff_page and targets_url in staff_page
    for role in ("leadership", "member"):
        page = client_for(role).get(OVERVIEW + f"?year={year}").content.decode()
        assert f"尚未设定 {year} 年度目标" in page and targets_url not in page

    Target.objects.create(year=year, metric="projects_completed", minimum=10)
    assert "尚未设定" not in client_for("staff").get(OVERVIEW + f"?year={year}").content.decode()
