import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects import attachments
from projects.models import Agreement, AgreementAttachment

from .factories import JPEG_BYTES, PDF_BYTES, PNG_BYTES, AgreementFactory
from .helpers import snapshot

pytestmark = pytest.mark.django_db


def upload(name, content, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    "content,ctype", [(PDF_BYTES, "application/pdf"), (JPEG_BYTES, "image/jpeg"), (PNG_BYTES, "image/png")]
)
def test_pdf_jpeg_and_png_are_recognised_by_their_bytes(content, ctype):
    checked = attachments.check_upload(upload("whatever.bin", content, "text/plain"))
    assert checked.content_type == ctype


def test_a_file_that_claims_to_be_a_pdf_but_is_not_is_refused():
    fake = upload("合同.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")
    with pytest.raises(ValidationError) as exc:
        attachments.check_upload(fake)
    assert "只接受 PDF、JPEG 或 PNG 文件" in str(exc.value)


def test_a_file_over_the_limit_is_refused(settings):
    settings.UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as exc:
        attachments.check_upload(upload("大文件.pdf", PDF_BYTES + b"0" * 2000))
    assert "文件过大" in str(exc.value) and "上限为 1 KB" in str(exc.value)


@pytest.mark.parametrize(
    "hostile",
    [
        "../../etc/passwd.pdf",
        "..\\..\\windows\\win.ini.pdf",
        "a" * 5000 + ".pdf",
        "合同\x00\r\n\x1b[31m.pdf",
        "/absolute/path.pdf",
        "....pdf",
        "合同\u202eexe.pdf",
    ],
)
def test_hostile_names_never_reach_the_file_system(hostile, org, other_org):
    agreement = AgreementFactory(organization=org, parties=[other_org])
    checked = attachments.check_upload(upload(hostile, PDF_BYTES))
    agreement.scan.save(checked.file.name, checked.file, save=True)
    stored = Path(agreement.scan.path).resolve()
    root = Path(settings.MEDIA_ROOT).resolve()
    assert root in stored.parents
    assert stored.name.endswith(".pdf") and len(stored.name) == 36  # uuid4 hex + ".pdf"
    name = checked.display_name
    assert "/" not in name and "\\" not in name and ".." not in name.rsplit(".", 1)[0]
    assert not any(ord(ch) < 32 for ch in name) and len(name) <= 100 and name.endswith(".pdf")


def test_the_stored_file_is_outside_static_and_under_media_root(org, other_org):
    agreement = AgreementFactory(organization=org, parties=[other_org], with_scan=True)
    path = Path(agreement.scan.path).resolve()
    assert Path(settings.MEDIA_ROOT).resolve() in path.parents
    assert Path(settings.BASE_DIR, "static").resolve() not in path.parents


def test_the_form_refuses_a_fake_pdf_and_changes_nothing(client_for, org, other_org):
    client = client_for("member")
    before = snapshot()
    response = client.post(
        reverse("projects:agreement_add"),
        {
            "kind": "rnd",
            "title": "技术研发合作协议",
            "parties": [org.pk, other_org.pk],
            "signed_on": "2025-04-01",
            "start_date": "2025-04-01",
            "end_date": "2027-03-31",
            "scan": upload("合同.pdf", b"MZ\x90\x00 not a pdf"),
        },
    )
    assert response.status_code == 200
    assert "只接受 PDF、JPEG 或 PNG 文件" in response.content.decode()
    assert snapshot() == before
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.*"))


def test_the_form_refuses_a_file_over_the_limit_and_changes_nothing(client_for, org, other_org, settings):
    settings.UPLOAD_MAX_BYTES = 100
    agreement = AgreementFactory(organization=org, parties=[other_org])
    client = client_for("member")
    before = snapshot()
    response = client.post(
        reverse("projects:agreement_attachment_add", args=[agreement.pk]),
        {"file": upload("补充协议.pdf", PDF_BYTES + b" " * 200)},
    )
    assert response.status_code == 200
    assert "文件过大" in response.content.decode()
    assert snapshot() == before


def test_the_api_refuses_a_fake_pdf(api_for, org, other_org):
    api = api_for("member")
    before = snapshot()
    response = api.post(
        reverse("agreement-list"),
        {
            "kind": "rnd",
            "title": "技术研发合作协议",
            "parties": [org.pk, other_org.pk],
            "signed_on": "2025-04-01",
            "start_date": "2025-04-01",
            "end_date": "2027-03-31",
            "scan": upload("合同.pdf", b"GIF89a not allowed"),
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert "只接受 PDF、JPEG 或 PNG 文件" in str(response.json()["scan"])
    assert snapshot() == before


def test_the_api_stores_a_real_scan(api_for, org, other_org):
    response = api_for("member").post(
        reverse("agreement-list"),
        {
            "kind": "rnd",
            "title": "技术研发合作协议",
            "parties": [org.pk, other_org.pk],
            "signed_on": "2025-04-01",
            "start_date": "2025-04-01",
            "end_date": "2027-03-31",
            "scan": upload("../签署版.png", PNG_BYTES, "image/png"),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    agreement = Agreement.objects.get()
    assert agreement.scan_content_type == "image/png" and agreement.scan_name == "签署版.png"
    assert response.json()["has_scan"] is True


def test_the_download_is_an_attachment_with_the_sniffed_type_and_nosniff(client_for, org, other_org):
    agreement = AgreementFactory(organization=org, parties=[other_org], with_scan=True)
    response = client_for("member").get(reverse("projects:agreement_scan", args=[agreement.pk]))
    body = b"".join(response.streaming_content)  # consuming it closes the file, as a server would
    assert response.status_code == 200 and body == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E7%AD%BE%E7%BD%B2%E7%89%88.pdf" in response["Content-Disposition"]


def test_the_download_follows_the_agreement_access_rule(client_for, org, other_org, third_org):
    agreement = AgreementFactory(organization=org, parties=[third_org], with_scan=True)
    url = reverse("projects:agreement_scan", args=[agreement.pk])
    assert client_for("other_member").get(url).status_code == 404
    assert client_for("anonymous").get(url).status_code == 302
    response = client_for("leadership").get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF_BYTES


def test_a_later_attachment_is_uploaded_recorded_and_downloaded(client_for, org, other_org):
    agreement = AgreementFactory(organization=org, parties=[other_org])
    client = client_for("member")
    response = client.post(
        reverse("projects:agreement_attachment_add", args=[agreement.pk]),
        {"file": upload("补充\x07协议.jpg", JPEG_BYTES, "image/jpeg"), "description": "补充条款"},
    )
    assert response.status_code == 302
    item = AgreementAttachment.objects.get()
    assert item.original_name == "补充协议.jpg" and item.content_type == "image/jpeg"
    assert agreement.events.filter(action="attach").exists()
    download = client.get(reverse("projects:agreement_attachment", args=[item.pk]))
    assert b"".join(download.streaming_content) == JPEG_BYTES
    assert client_for("other_member").get(reverse("projects:agreement_attachment", args=[item.pk])).status_code == 200


def test_display_name_keeps_the_real_type_extension():
    assert attachments.display_name("report.exe", "application/pdf") == "report.exe.pdf"
    assert attachments.display_name("photo.JPEG", "image/jpeg") == "photo.JPEG"
    assert attachments.display_name("", "image/png") == "附件.png"


def test_sniff_leaves_the_file_position_alone():
    f = io.BytesIO(PDF_BYTES)
    f.seek(3)
    assert attachments.sniff(f) == "application/pdf" and f.tell() == 3


def test_deleting_an_agreement_removes_its_files(client_for, org, other_org, django_capture_on_commit_callbacks):
    agreement = AgreementFactory(organization=org, parties=[other_org], with_scan=True)
    path = Path(agreement.scan.path)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("staff").post(reverse("projects:agreement_delete", args=[agreement.pk]))
    assert response.status_code == 302
    assert not path.exists() and not Agreement.objects.exists()


def test_replacing_the_scan_removes_the_old_file(client_for, org, other_org, django_capture_on_commit_callbacks):
    agreement = AgreementFactory(organization=org, parties=[other_org], with_scan=True)
    old = Path(agreement.scan.path)
    data = {
        "kind": agreement.kind,
        "title": agreement.title,
        "parties": [org.pk, other_org.pk],
        "signed_on": "2025-03-01",
        "start_date": "2025-03-01",
        "end_date": "2028-02-28",
        "scan": upload("新扫描件.png", PNG_BYTES, "image/png"),
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("member").post(reverse("projects:agreement_edit", args=[agreement.pk]), data)
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert not old.exists() and Path(agreement.scan.path).exists()
    assert agreement.scan_name == "新扫描件.png" and agreement.scan_content_type == "image/png"
