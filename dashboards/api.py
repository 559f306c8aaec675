"""/api/v1/kpis/?year=2025: the dashboard figures, with the same rules as the pages.

Leadership and staff get every organisation's contributions (the leading ones per
metric) and the breakdowns; a member user gets the consortium totals and its own
organisation's contribution only.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from consortium import registry

from . import figures, services


def _num(value):
    return float(value) if value is not None else None


class KpiViewSet(viewsets.ViewSet):
    """The KPI snapshot of one year."""

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description=_("年度（默认当年）"))],
        responses={200: OpenApiTypes.OBJECT},
    )
    def list(self, request):
        raw = request.query_params.get("year")
        try:
            year = int(raw) if raw is not None else services.current_year()
        except ValueError:
            raise ValidationError({"year": _("年度无效。")}) from None
        if not 2000 <= year <= 2100:
            raise ValidationError({"year": _("年度无效。")})
        overview = figures.build(year, request.user)
        own = overview.scope_org
        data = {
            "year": year,
            "computed_at": overview.computed_at,
            "closed": overview.is_closed,
            "organization": {"id": own.pk, "name": own.name} if own else None,
            "metrics": [],
        }
        for card in overview.cards:
            item = {
                "code": card.metric.code,
                "label": str(card.metric.label),
                "unit": str(card.metric.unit),
                "actual": _num(card.actual),
                "target": _num(card.minimum),
                "stretch": _num(card.stretch),
                "percent": _num(card.percent),
                "status": card.status,
                "previous_year": _num(card.previous),
                "pipeline": _num(card.pipeline),
                "monthly": [_num(v) for v in card.monthly],
            }
            if own is not None:
                item["own_contribution"] = _num(card.own)
            if overview.full:
                item["top_organizations"] = [
                    {"id": row["organization_id"], "name": row["organization__name"], "value": _num(row["value"])}
                    for row in card.top
                ]
            data["metrics"].append(item)
        if overview.full:
            codes = [m.code for m in overview.additive]
            for key, table in (("by_organization_kind", overview.kinds), ("by_industry_chain", overview.chains)):
                data[key] = {
                    str(label): {c: _num(v) for c, v in zip(codes, values, strict=True) if v is not None}
                    for label, values in table
                }
        return Response(data)


@registry.api_routes.register
def register(router):
    router.register("kpis", KpiViewSet, basename="kpi")
