"""The organisation page's panels: its agreements, projects and platforms (as the user may see them)."""

from django.db.models import Q

from .models import Agreement, Platform, Project

PANEL_ROWS = 10


def organization_panels(request, org):
    user = request.user
    agreements = (
        Agreement.objects.for_user(user)
        .filter(pk__in=Agreement.objects.filter(Q(organization=org) | Q(parties=org)).values("pk"))
        .select_related("organization")
    )
    projects = (
        Project.objects.for_user(user)
        .filter(pk__in=Project.objects.filter(Q(lead_organization=org) | Q(partners=org)).values("pk"))
        .select_related("lead_organization")
    )
    platforms = (
        Platform.objects.for_user(user)
        .filter(pk__in=Platform.objects.filter(Q(lead_organization=org) | Q(organizations=org)).values("pk"))
        .select_related("lead_organization")
    )
    return [
        {"template": "projects/panel_agreements.html", "org": org, "rows": agreements[:PANEL_ROWS],
         "total": agreements.count()},
        {"template": "projects/panel_projects.html", "org": org, "rows": projects[:PANEL_ROWS],
         "total": projects.count()},
        {"template": "projects/panel_platforms.html", "org": org, "rows": platforms[:PANEL_ROWS],
         "total": platforms.count()},
    ]
