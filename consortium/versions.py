"""The version of a stored record: what an edit was made from, so a stale edit is refused, not saved.

A version is computed from the record's stored values (every concrete field and many-to-many
link, except the automatic timestamps), so every model has one without a migration. The API
sends it as the ETag and honours If-Match (consortium.api); the web edit form carries a signed
snapshot of the values it was made from (consortium.views.PortalUpdateView) and, when the record
changed meanwhile, says which fields changed and what they hold now.
"""

import hashlib
import json

from django.core import signing
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext as _

FORM_FIELD = "_version"
_SALT = "consortium.versions"


def _skipped(field) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def snapshot(obj: models.Model) -> dict:
    """The record's stored values, JSON-ready, by field name."""
    values: dict = {}
    opts = obj._meta
    for field in opts.concrete_fields:
        if field.primary_key or _skipped(field):
            continue
        value = getattr(obj, field.attname)
        if isinstance(field, models.FileField):
            value = value.name if value else ""
        values[field.name] = value
    for field in opts.many_to_many:
        prefetched = getattr(obj, "_prefetched_objects_cache", {}).get(field.name)
        related = prefetched if prefetched is not None else getattr(obj, field.name).all()
        values[field.name] = sorted(r.pk for r in related)
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


def etag(obj: models.Model) -> str:
    """The record's version as a strong ETag (quoted)."""
    digest = hashlib.sha256(json.dumps(snapshot(obj), sort_keys=True).encode()).hexdigest()[:32]
    return f'"{digest}"'


def matches(obj: models.Model, if_match: str) -> bool:
    """Whether an If-Match header names the record's current version (``*`` matches any)."""
    current = etag(obj)
    tags = [t.strip().removeprefix("W/") for t in if_match.split(",")]
    return "*" in tags or current in tags


def sign(obj: models.Model) -> str:
    """The form's hidden version: the values the form was made from, signed so nobody forges them."""
    return signing.dumps(snapshot(obj), salt=_SALT, compress=True)


def changed_fields(obj: models.Model, signed: str) -> list | None:
    """The fields whose stored values differ from the signed snapshot, or None if it is unreadable."""
    try:
        then = signing.loads(signed, salt=_SALT)
    except signing.BadSignature:
        return None
    now = snapshot(obj)
    names = [name for name in now if then.get(name) != now[name]]
    return [obj._meta.get_field(name) for name in names]


def shown_value(obj: models.Model, field) -> str:
    """A field's current value as a reader would see it on the record's page."""
    if field.many_to_many:
        return "、".join(str(r) for r in getattr(obj, field.name).all()) or "—"
    if getattr(field, "choices", None):
        return str(getattr(obj, f"get_{field.name}_display")()) or "—"
    value = getattr(obj, field.name)
    if isinstance(field, models.FileField):
        return value.name.rsplit("/", 1)[-1] if value else "—"
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return str(value)
