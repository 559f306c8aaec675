"""Pagination and filter backends of the API (kept apart from consortium.api: DRF imports them while
loading). Each refuses a bad query parameter with a 400 rather than quietly ignoring it, so the API
does what its schema says."""

from django.utils.translation import gettext as _
from django_filters import BooleanFilter
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer

BOOLEAN_VALUES = {"true", "false", "True", "False", "1", "0"}


def _whole_number(request, name, minimum, maximum=None):
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < minimum or (maximum is not None and value > maximum):
        limit = f"{minimum}–{maximum}" if maximum is not None else f"≥ {minimum}"
        raise ValidationError({name: [_("应为整数（%(limit)s）。") % {"limit": limit}]})
    return value


class PortalPagination(PageNumberPagination):
    """Pages of 50 by default; ``page_size`` up to 200."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        _whole_number(request, self.page_query_param, 1)
        _whole_number(request, self.page_size_query_param, 1, self.max_page_size)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters


class PortalOrderingFilter(OrderingFilter):
    """``ordering``: one of the view's ordering fields, ``-`` for descending; anything else is a 400."""

    def _choices(self, view):
        fields = list(getattr(view, "ordering_fields", None) or [])
        return [f"{prefix}{name}" for name in fields for prefix in ("", "-")]

    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param)
        if raw is not None:
            allowed = set(self._choices(view))
            wanted = [term.strip() for term in raw.split(",")]
            if not all(term in allowed for term in wanted):
                raise ValidationError({self.ordering_param: [_("不支持的排序字段。")]})
        return super().get_ordering(request, queryset, view)

    def get_schema_operation_parameters(self, view):
        choices = self._choices(view)
        if not choices:
            return []
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "Sort by this field; a leading '-' sorts descending.",
                "schema": {"type": "string", "enum": choices},
            }
        ]


class PortalFilterBackend(DjangoFilterBackend):
    """django-filter's backend; a yes/no filter given anything but true/false is a 400 (django-filter's
    own widget would read it as "not filtered")."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            for name, field in filterset.filters.items():
                raw = request.query_params.get(name)
                if isinstance(field, BooleanFilter) and raw not in (None, "") and raw not in BOOLEAN_VALUES:
                    raise ValidationError({name: [_("应为 true 或 false。")]})
        return filterset


class FileRenderer(JSONRenderer):
    """For a download endpoint: accepts any media type the client asks for (the file answers in its own
    type); an error is still rendered as JSON."""

    media_type = "*/*"
    format = "file"
