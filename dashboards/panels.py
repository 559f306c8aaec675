"""The organisation page's panel: the organisation's KPI contributions this year (from the snapshot)."""

from consortium import registry

from .metrics import METRICS
from .models import MetricContribution
from .services import current_year


@registry.panels.register
def organization_panels(request, org):
    year = current_year()
    values = dict(
        MetricContribution.objects.for_user(request.user)
        .filter(year=year, organization=org)
        .values_list("metric", "value")
    )
    rows = [(m, values[m.code]) for m in METRICS if m.code in values]
    return [{"template": "dashboards/panel.html", "year": year, "organization": org, "rows": rows}]
