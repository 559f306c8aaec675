"""What /api/schema/ says beyond what drf-spectacular infers: the versions (ETag, If-Match, 412), the
error answers of every operation and their body, and request bodies in JSON unless a file is sent.

Kept apart from consortium.api (DRF imports the schema class while loading); a viewset says it keeps
versions with ``versioned = True`` (consortium.api.PortalViewSet).
"""

import inspect

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_doc
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

ERROR = {"$ref": "#/components/schemas/Error"}
VALIDATION_ERROR = {"$ref": "#/components/schemas/ValidationError"}

ERROR_COMPONENTS = {
    "Error": {
        "type": "object",
        "description": "An error: what went wrong, in the user's language.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "ValidationError": {
        "type": "object",
        "description": "A refused request: the messages by field (non_field_errors for the whole record); "
        "some answers add a detail, or the rows of a refused import.",
        "additionalProperties": {},
    },
}

ERROR_ANSWERS = {
    "400": ("The request is invalid (messages by field).", VALIDATION_ERROR),
    "401": ("No token, or a token that is not valid (WWW-Authenticate: Token).", ERROR),
    "403": ("Signed in, but not allowed to do this.", ERROR),
    "404": ("No such record, or not one the user may see.", ERROR),
    "409": ("The record is still referred to by other records; nothing was deleted.", ERROR),
    "412": ("If-Match names an older version of the record: it changed meanwhile; nothing was saved.", ERROR),
}

ETAG_HEADER = {
    "ETag": {
        "description": "The record's version; send it back as If-Match to refuse a stale edit (412).",
        "schema": {"type": "string"},
    }
}

_VERSIONED_ACTIONS = {"update", "partial_update", "destroy"}


def _has_file(serializer) -> bool:
    if isinstance(serializer, type) and issubclass(serializer, serializers.BaseSerializer):
        serializer = serializer()
    if not isinstance(serializer, serializers.BaseSerializer) or not hasattr(serializer, "fields"):
        return False
    return any(isinstance(f, serializers.FileField) and not f.read_only for f in serializer.fields.values())


class PortalAutoSchema(AutoSchema):
    def _versioned(self) -> bool:
        return bool(getattr(self.view, "versioned", False))

    def get_description(self):
        # The action's own docstring, else the view class's own: never the footing's docstrings
        # (PortalViewSet's), which say how the code works, not what the endpoint does.
        action = getattr(self.view, getattr(self.view, "action", None) or self.method.lower(), None)
        own = type(self.view).__dict__.get("__doc__") or ""
        return (get_doc(action) if action is not None else "") or inspect.cleandoc(own)

    def _get_format_parameters(self):
        # ?format= picks a renderer (a download's file or its JSON error): not part of the contract.
        return []

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self._versioned() and getattr(self.view, "action", None) in _VERSIONED_ACTIONS:
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    description="The ETag of the version this change was made from; another version is a 412.",
                )
            )
        return parameters

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        self._one_request_type(operation)
        self._error_answers(operation)
        action = getattr(self.view, "action", None)
        if self._versioned() and action in ("retrieve", "update", "partial_update", "create"):
            for code in ("200", "201"):
                if code in operation["responses"]:
                    operation["responses"][code].setdefault("headers", {}).update(ETAG_HEADER)
        return operation

    def _one_request_type(self, operation):
        """JSON, or multipart where the body carries a file: one way to send each body."""
        content = operation.get("requestBody", {}).get("content")
        if not content or len(content) < 2:
            return
        keep = "multipart/form-data" if _has_file(self.get_request_serializer()) else "application/json"
        if keep in content:
            operation["requestBody"]["content"] = {keep: content[keep]}

    def _error_answers(self, operation):
        responses = operation["responses"]
        public = operation.get("security") == [] or not operation.get("security")
        codes = ["400", "404"] if public else ["400", "401", "403", "404"]
        if self.method == "DELETE":
            codes.append("409")
        if any(p.get("name") == "If-Match" for p in operation.get("parameters", [])):
            codes.append("412")
        for code in codes:
            if code not in responses:
                description, body = ERROR_ANSWERS[code]
                responses[code] = {"description": description, "content": {"application/json": {"schema": body}}}


def postprocess(result, generator, request, public):
    """Add the error bodies; drop the filter labels' titles (they would name the client's classes in Chinese)."""
    from .api import ModelCleanSerializer, PortalModelSerializer

    components = result.setdefault("components", {}).setdefault("schemas", {})
    footing = {get_doc(ModelCleanSerializer), get_doc(PortalModelSerializer)}
    for component in components.values():
        if component.get("description") in footing:
            del component["description"]
    components.update(ERROR_COMPONENTS)
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("in") == "path" and schema.get("pattern") == "^[0-9]+$":
                    # PortalViewSet's lookup_value_regex: the id is a whole number (a bigint).
                    parameter["schema"] = schema = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
                schema.pop("title", None)
                if isinstance(schema.get("items"), dict):
                    schema["items"].pop("title", None)
    return result
