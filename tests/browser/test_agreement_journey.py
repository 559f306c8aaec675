"""Agreements in a real browser (Debian's Chromium): register with a scan, submit, verify, download."""

import pytest

from projects.models import Agreement, AgreementStatus
from tests.projects.factories import PDF_BYTES

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_member_registers_submits_and_staff_verify_an_agreement(
    guarded_page,
    live_server,
    sign_in,
    users,
    org,
    other_org,
):
    page, guard = guarded_page
    sign_in(page, "member")
    page.goto(f"{live_server.url}/projects/agreements/add/")
    page.select_option("#id_kind", "internship_base")
    page.fill("#id_title", "学生实习实训基地共建协议")
    page.select_option("#id_parties", [str(org.pk), str(other_org.pk)])
    page.fill("#id_signed_on", "2025-04-01")
    page.fill("#id_start_date", "2025-04-01")
    page.fill("#id_end_date", "2024-03-31")  # before the start: the page explains in Chinese
    page.set_input_files("#id_scan", files=[{"name": "签署版.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}])
    page.click("main button[type=submit]")
    assert page.locator("text=到期日期不能早于生效日期。").count() >= 1
    assert not Agreement.objects.exists()

    page.fill("#id_end_date", "2028-03-31")
    page.set_input_files("#id_scan", files=[{"name": "签署版.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}])
    page.click("main button[type=submit]")
    page.wait_for_selector("text=协议已登记为草稿")
    page.click("a:has-text('提交核验')")
    page.click("button:has-text('确认')")
    page.wait_for_selector("text=操作已完成")
    agreement = Agreement.objects.get()
    assert agreement.status == AgreementStatus.SUBMITTED and agreement.scan_name == "签署版.pdf"

    with page.expect_download() as download:
        page.click("a:has-text('签署版.pdf')")
    assert download.value.suggested_filename == "签署版.pdf"

    page.context.clear_cookies()
    sign_in(page, "staff")
    page.goto(f"{live_server.url}{agreement.get_absolute_url()}")
    page.click("a:has-text('核验通过')")
    page.click("button:has-text('确认')")
    page.wait_for_selector("text=操作已完成")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.VERIFIED
    assert page.locator("td:has-text('核验通过')").count() == 1
