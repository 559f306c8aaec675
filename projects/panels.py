"""The organisation page's panels: its agreements, projects and platforms (as the user may see them).

A shared record is listed on the page of each party, marked 牵头 (the lead: the registering
organisation of an agreement, the lead of a project or platform) or 参与 (a partner).
"""

from django.db.models import BooleanField, Case, Q, Value, When

from consortium import registry

from .models import Agreement, Platform, Project

PANEL_ROWS = 10


def is_lead(**lookup):
    return Case(When(Q(**lookup), then=Value(True)), default=Value(False), output_field=BooleanField())


@registry.panels.register
def organization_panels(request, org):
    user = request.user
    agreements = (
        Agreement.objects.for_user(user)
        .filter(pk__in=Agreement.objects.filter(Q(organization=org) | Q(parties=org)).values("pk"))
        .select_related("organization")
        .annotate(is_lead=is_lead(organization=org))
    )
    projects = (
        Project.objects.for_user(user)
        .filter(pk__in=Project.objects.filter(Q(lead_organization=org) | Q(partners=org)).values("pk"))
        .select_related("lead_organization")
        .annotate(is_lead=is_lead(lead_organization=org))
    )
    platforms = (
        Platform.objects.for_user(user)
        .filter(pk__in=Platform.objects.filter(Q(lead_organization=org) | Q(organizations=org)).values("pk"))
        .select_related("lead_organization")
        .annotate(is_lead=is_lead(lead_organization=org))
    )
    return [
        {
            "template": "projects/panel_agreements.html",
            "org": org,
            "rows": agreements[:PANEL_ROWS],
            "total": agreements.count(),
        },
        {
            "template": "projects/panel_projects.html",
            "org": org,
            "rows": projects[:PANEL_ROWS],
            "total": projects.count(),
        },
        {
            "template": "projects/panel_platforms.html",
            "org": org,
            "rows": platforms[:PANEL_ROWS],
            "total": platforms.count(),
        },
    ]
