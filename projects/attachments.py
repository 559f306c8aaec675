"""Uploaded files of agreements (signed scans, attachments): the checks live in consortium.uploads.

Agreements store their files under ``agreements/<year>/<uuid>.<ext>``; everything else — the
content sniffing, the size limit, the display name and the download response — is the footing's
(``consortium/uploads.py``), shared with the membership application's documents.
"""

from consortium.uploads import (  # noqa: F401 - re-exported for projects' forms, views, API and tests
    DISPLAY_NAME_MAX,
    EXTENSIONS,
    SIGNATURES,
    CheckedUpload,
    check_upload,
    display_name,
    download_response,
    generated_path,
    max_bytes,
    sniff,
)


def agreement_scan_path(instance, filename):
    return generated_path("agreements", filename)


def agreement_attachment_path(instance, filename):
    return generated_path("agreements/attachments", filename)
