"""Uploaded files, for every app: checked by content, stored under generated names.

- Only PDF, JPEG and PNG are accepted, recognised by their first bytes (magic
  numbers), never by the file name or the content type the browser claims.
- Files larger than settings.UPLOAD_MAX_BYTES are refused.
- The stored name is generated (``<prefix>/2025/<uuid>.pdf`` under MEDIA_ROOT);
  the client's file name is sanitised and kept only as the download name, so a
  hostile name (``../``, control characters, thousands of characters) never
  reaches the file system.
- Files are served only by views that check for_user() (MEDIA_URL is None).
"""

import os
import unicodedata
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

# content type -> (magic prefix, stored extension)
SIGNATURES = {
    "application/pdf": (b"%PDF-", ".pdf"),
    "image/jpeg": (b"\xff\xd8\xff", ".jpg"),
    "image/png": (b"\x89PNG\r\n\x1a\n", ".png"),
}
EXTENSIONS = {ctype: ext for ctype, (_magic, ext) in SIGNATURES.items()}
DISPLAY_NAME_MAX = 100


@dataclass(frozen=True)
class CheckedUpload:
    file: object
    content_type: str
    display_name: str
    size: int


def sniff(fileobj):
    """The content type recognised from the file's first bytes, or None."""
    pos = fileobj.tell() if hasattr(fileobj, "tell") else 0
    fileobj.seek(0)
    head = fileobj.read(16)
    fileobj.seek(pos)
    for ctype, (magic, _ext) in SIGNATURES.items():
        if head.startswith(magic):
            return ctype
    return None


def max_bytes():
    return int(getattr(settings, "UPLOAD_MAX_BYTES", 20 * 1024 * 1024))


def _human(n):
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def display_name(name, content_type=None):
    """A harmless name to show and to offer as the download name; never used as a path."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.replace('"', "").strip().lstrip(".").strip()
    stem, ext = os.path.splitext(name)
    if content_type in EXTENSIONS:
        expected = EXTENSIONS[content_type]
        if ext.lower() not in (expected, ".jpeg") or (content_type != "image/jpeg" and ext.lower() == ".jpeg"):
            stem, ext = name, expected
    ext = ext[:10]
    stem = stem[: DISPLAY_NAME_MAX - len(ext)].strip() or _("附件")
    return stem + ext


def check_upload(uploaded):
    """Validate an uploaded file; raises ValidationError in Chinese, returns a CheckedUpload."""
    limit = max_bytes()
    size = getattr(uploaded, "size", None)
    if size is None:
        uploaded.seek(0, os.SEEK_END)
        size = uploaded.tell()
        uploaded.seek(0)
    if size > limit:
        raise ValidationError(
            _("文件过大（%(size)s），上限为 %(limit)s。") % {"size": _human(size), "limit": _human(limit)},
            code="too_large",
        )
    if size == 0:
        raise ValidationError(_("文件是空的。"), code="empty")
    ctype = sniff(uploaded)
    if ctype is None:
        raise ValidationError(_("只接受 PDF、JPEG 或 PNG 文件（按文件内容识别，不看扩展名）。"), code="bad_type")
    original = display_name(getattr(uploaded, "name", ""), ctype)
    # The file object carries the generated name from here on; the original is only displayed.
    uploaded.name = uuid.uuid4().hex + EXTENSIONS[ctype]
    return CheckedUpload(file=uploaded, content_type=ctype, display_name=original, size=size)


def generated_path(prefix, filename):
    """A generated stored name under ``prefix``; the client's name gives at most a known extension."""
    ext = os.path.splitext(filename)[1].lower()
    if ext not in EXTENSIONS.values():
        ext = ".bin"
    return f"{prefix}/{timezone.localdate():%Y}/{uuid.uuid4().hex}{ext}"


def download_response(fieldfile, name, content_type):
    """The stored file as a download with the sniffed content type and no content sniffing."""
    ctype = content_type if content_type in SIGNATURES else "application/octet-stream"
    response = FileResponse(fieldfile.open("rb"), as_attachment=True, filename=name or _("附件"), content_type=ctype)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
