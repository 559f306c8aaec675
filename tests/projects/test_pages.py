"""Every page of the app renders with the demo data, for staff and for a member school."""

import pytest
from django.urls import reverse

from members import demo as members_demo
from members.models import User
from projects import demo
from projects.models import Agreement, ExpertReview, Platform, Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    members_demo.seed()
    demo.seed()


@pytest.mark.parametrize("username", ["staff", "leader", "school"])
def test_the_demo_pages_render(seeded, client, username):
    user = User.objects.get(username=username)
    client.force_login(user)
    urls = [reverse(f"projects:{name}") for name in ("agreement_list", "project_list", "platform_list")]
    urls += [a.get_absolute_url() for a in Agreement.objects.for_user(user)[:40]]
    urls += [p.get_absolute_url() for p in Project.objects.for_user(user)]
    urls += [p.get_absolute_url() for p in Platform.objects.for_user(user)]
    if user.can_view_all:
        urls += [reverse("projects:expert_list"), reverse("projects:review_settings")]
    if user.organization_id:
        urls.append(user.organization.get_absolute_url())
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url


def test_the_staff_forms_render_with_the_demo_data(seeded, client):
    client.force_login(User.objects.get(username="staff"))
    project = Project.objects.filter(status="under_review").first()
    review = ExpertReview.objects.filter(project=project).first()
    for url in (
        reverse("projects:agreement_add"),
        reverse("projects:project_add"),
        reverse("projects:platform_add"),
        reverse("projects:project_edit", args=[project.pk]),
        reverse("projects:project_assign_expert", args=[project.pk]),
        reverse("projects:project_approve", args=[project.pk]),
        reverse("projects:review_record", args=[review.pk]),
        reverse("projects:agreement_edit", args=[Agreement.objects.first().pk]),
    ):
        assert client.get(url).status_code == 200, url
