"""Files follow the transaction they were written in: a failed save leaves no file, a full disk
leaves no partial file and says so in Chinese, and orphans are found and removed."""

import errno
import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db.models.signals import post_save
from django.test import Client
from django.urls import reverse

from consortium.storage import TransactionalFileSystemStorage
from projects.models import Agreement
from tests.projects.factories import PDF_BYTES, AgreementFactory

pytestmark = pytest.mark.django_db


def media_files():
    root = Path(settings.MEDIA_ROOT)
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) if root.exists() else []


def agreement_form(org, other_org):
    return {
        "kind": "rnd",
        "title": "技术研发合作协议",
        "parties": [org.pk, other_org.pk],
        "signed_on": "2025-04-01",
        "start_date": "2025-04-01",
        "end_date": "2027-03-31",
        "scan": SimpleUploadedFile("合同.pdf", PDF_BYTES, content_type="application/pdf"),
    }


@pytest.fixture
def database_lost_after_the_row():
    """The save fails right after the agreement's row (and so its scan) was written. (A real
    OperationalError would make the 503 handler close the test's own connection.)"""

    def fail(sender, instance, **kwargs):
        raise RuntimeError("the database went away mid-save")

    post_save.connect(fail, sender=Agreement, dispatch_uid="test-db-lost")
    yield
    post_save.disconnect(sender=Agreement, dispatch_uid="test-db-lost")


def test_a_web_upload_whose_transaction_fails_leaves_no_file(database_lost_after_the_row, member_user, org, other_org):
    client = Client(raise_request_exception=False)
    client.force_login(member_user)
    response = client.post(reverse("projects:agreement_add"), agreement_form(org, other_org))
    assert response.status_code == 500
    assert not Agreement.objects.exists()
    assert media_files() == []


def test_an_api_upload_whose_transaction_fails_leaves_no_file(database_lost_after_the_row, member_user, org, other_org):
    client = Client(raise_request_exception=False)
    client.force_login(member_user)
    response = client.post(reverse("agreement-list"), agreement_form(org, other_org))
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert not Agreement.objects.exists()
    assert media_files() == []


def test_the_check_can_fail_a_plain_storage_keeps_the_file(
    database_lost_after_the_row, member_user, org, other_org, monkeypatch
):
    """Without the footing's clean-up the failed save leaves its scan behind (what the test guards)."""
    from django.db import transaction

    import consortium.views

    monkeypatch.setattr(consortium.views, "files_follow_transaction", transaction.atomic)
    client = Client(raise_request_exception=False)
    client.force_login(member_user)
    client.post(reverse("projects:agreement_add"), agreement_form(org, other_org))
    assert len(media_files()) == 1


def test_a_successful_upload_keeps_its_file(client_for, org, other_org):
    response = client_for("member").post(reverse("projects:agreement_add"), agreement_form(org, other_org))
    assert response.status_code == 302
    assert media_files() == [Agreement.objects.get().scan.name]


@pytest.fixture
def disk_full(monkeypatch):
    def write_half_then_fail(self, fh, content):
        fh.write(PDF_BYTES[:10])
        fh.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(TransactionalFileSystemStorage, "_write", write_half_then_fail)


def test_a_full_disk_gets_a_chinese_error_and_no_partial_file(disk_full, client_for, org, other_org):
    response = client_for("member").post(reverse("projects:agreement_add"), agreement_form(org, other_org))
    assert response.status_code == 200
    assert "服务器存储空间不足" in response.content.decode()
    assert not Agreement.objects.exists()
    assert media_files() == []


def test_a_full_disk_is_a_507_on_the_api(disk_full, api_for, org, other_org):
    response = api_for("member").post(reverse("agreement-list"), agreement_form(org, other_org), format="multipart")
    assert response.status_code == 507
    assert "服务器存储空间不足" in response.json()["detail"]
    assert not Agreement.objects.exists()
    assert media_files() == []


def test_orphans_older_than_a_day_are_listed_and_removed(org, other_org, capsys):
    kept = AgreementFactory(organization=org, parties=[other_org], with_scan=True)
    root = Path(settings.MEDIA_ROOT)
    old_orphan = root / "agreements" / "2025" / "orphan.pdf"
    new_orphan = root / "agreements" / "2025" / "fresh.pdf"
    leftover = root / "agreements" / "2025" / ".upload-x.part"
    working = root / "imports" / "preview.csv"
    for path in (old_orphan, new_orphan, leftover, working):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    two_days_ago = time.time() - 2 * 86400
    for path in (old_orphan, leftover, working, Path(kept.scan.path)):
        os.utime(path, (two_days_ago, two_days_ago))

    call_command("clean_orphan_files", "--dry-run")
    assert "2 orphan files" in capsys.readouterr().out
    assert old_orphan.exists()

    call_command("clean_orphan_files")
    assert not old_orphan.exists() and not leftover.exists()
    assert new_orphan.exists() and working.exists() and Path(kept.scan.path).exists()
