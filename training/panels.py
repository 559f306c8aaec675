"""The organisation page's training panels: sessions, order classes, teachers, visits (as the user may see them).

Each session, class and visit is marked 牵头 (provider, the class's school, the visiting
organisation) or 参与 (beneficiary, the sponsoring enterprise, an organisation visited).
"""

from django.db.models import Count, Q

from consortium import registry
from projects.panels import is_lead

from .models import ExchangeVisit, OrderClass, Teacher, TrainingSession

PANEL_ROWS = 10


@registry.panels.register
def organization_panels(request, org):
    user = request.user
    sessions = (
        TrainingSession.objects.for_user(user)
        .filter(pk__in=TrainingSession.objects.filter(Q(provider=org) | Q(beneficiaries=org)).values("pk"))
        .select_related("provider")
        .annotate(is_lead=is_lead(provider=org))
    )
    classes = (
        OrderClass.objects.for_user(user)
        .filter(Q(school=org) | Q(enterprise=org))
        .select_related("enterprise", "school")
        .annotate(is_lead=is_lead(school=org))
    )
    teachers = (
        Teacher.objects.for_user(user)
        .filter(school=org)
        .annotate(training_count=Count("dual_trainings"))
        .order_by("name", "id")
    )
    visits = (
        ExchangeVisit.objects.for_user(user)
        .filter(pk__in=ExchangeVisit.objects.filter(Q(visiting_organization=org) | Q(visited=org)).values("pk"))
        .select_related("visiting_organization")
        .annotate(is_lead=is_lead(visiting_organization=org))
    )
    return [
        {
            "template": "training/panel_training.html",
            "org": org,
            "sessions": sessions[:PANEL_ROWS],
            "session_total": sessions.count(),
            "classes": classes[:PANEL_ROWS],
            "class_total": classes.count(),
            "show_teachers": org.is_school,
            "teachers": teachers[:PANEL_ROWS],
            "teacher_total": teachers.count(),
            "visits": visits[:PANEL_ROWS],
            "visit_total": visits.count(),
        }
    ]
