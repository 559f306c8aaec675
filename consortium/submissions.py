"""Each create submitted once: the web form's one-time key and the API's Idempotency-Key.

A double click, a retried request or a proxy's replay sends the same create twice. The first
submission writes a SubmissionKey row in the transaction of the record it creates, before the
record; a second one finds the row (or, when the two run at the same moment, waits on its unique
index until the first commits) and is answered with what the first one made.
"""

import hashlib
import json
import re
import uuid

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from .models import SubmissionChannel, SubmissionKey

FORM_FIELD = "_submission_key"
API_HEADER = "Idempotency-Key"
KEY_RE = re.compile(r"^[A-Za-z0-9_.:\-]{8,100}$")


def new_key() -> str:
    return uuid.uuid4().hex


def valid_key(key: str | None) -> bool:
    return key is not None and KEY_RE.match(key) is not None


def find(user, channel: str, key: str) -> SubmissionKey | None:
    return SubmissionKey.objects.filter(user=user, channel=channel, key=key).first()


def claim(user, channel: str, key: str, fingerprint: str = "") -> SubmissionKey | None:
    """Write the key row in the caller's transaction; None when another submission holds it."""
    try:
        with transaction.atomic():
            return SubmissionKey.objects.create(user=user, channel=channel, key=key, fingerprint=fingerprint)
    except IntegrityError:
        return None


def attach(row: SubmissionKey, record=None, *, status: int | None = None, body=None) -> None:
    if record is not None:
        row.content_type = ContentType.objects.get_for_model(record)
        row.object_id = record.pk
    row.response_status = status
    row.response_body = body
    row.save(update_fields=["content_type", "object_id", "response_status", "response_body"])


def _value(value):
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return {"file": digest.hexdigest()}
    return value


def fingerprint(request) -> str:
    """The hash of the method, path and body as parsed (so multipart boundaries do not matter)."""
    data = request.data
    if hasattr(data, "lists"):
        body = {key: [_value(v) for v in values] for key, values in data.lists()}
    else:
        body = data
    text = json.dumps([request.method, request.path, body], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


__all__ = [
    "API_HEADER",
    "FORM_FIELD",
    "SubmissionChannel",
    "attach",
    "claim",
    "find",
    "fingerprint",
    "new_key",
    "valid_key",
]
