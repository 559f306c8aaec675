"""An outsider applies on the public page, staff admit, and the invitation signs the new user in."""

import re

import pytest
from django.core import mail
from django.core.cache import cache

from members.demo import synthetic_credit_code
from members.models import ApplicationStatus, MembershipApplication, User
from tests.mailserver import eager  # noqa: F401 - fixture

# The invitation goes out through Celery: its tasks run in the test process, so mail.outbox sees it.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("eager")]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NAME = "兰州新区浏览器氢能有限公司"


def test_an_outsider_applies_is_admitted_and_signs_in_from_the_invitation(guarded_page, live_server, sign_in, users):
    cache.clear()  # the application throttle counts per address in the cache, which outlives a test
    page, guard = guarded_page
    # The outsider finds the application from the sign-in page.
    page.goto(f"{live_server.url}/accounts/login/")
    page.click("text=在线申请入会")
    page.fill("#id_name", NAME)
    page.fill("#id_credit_code", "91620100MA74AB01")  # too short: explained in Chinese, nothing stored
    page.select_option("#id_kind", "enterprise")
    page.select_option("#id_industry_chain", "new_energy")
    page.fill("#id_contact_name", "陈经理")
    page.fill("#id_contact_phone", "0931-5550100")
    page.fill("#id_contact_email", "chen@h2.example.com")
    page.fill("#id_description", "希望共建氢能实训基地。")
    page.set_input_files(
        "#id_documents", files=[{"name": "营业执照.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.click("main button[type=submit]")
    page.wait_for_selector("text=统一社会信用代码应为18位")
    assert not MembershipApplication.objects.exists()
    page.fill("#id_credit_code", synthetic_credit_code("浏览器氢能", "enterprise"))
    page.set_input_files(
        "#id_documents", files=[{"name": "营业执照.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.click("main button[type=submit]")
    page.wait_for_selector("text=入会申请已提交")
    application = MembershipApplication.objects.get()
    assert application.documents.count() == 1

    # Staff admit it from the list of applications.
    sign_in(page, "staff")
    page.goto(f"{live_server.url}/members/applications/")
    page.click(f"a:has-text('{NAME}')")
    page.click("a:has-text('批准入会')")
    assert page.input_value("#id_username") == "chen@h2.example.com"
    page.fill("#id_username", "chen")
    page.click("button:has-text('确认')")
    page.wait_for_selector("text=已批准入会")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ADMITTED

    # The invitation link, from the e-mail sent to the applicant's contact.
    message = next(m for m in mail.outbox if m.to == ["chen@h2.example.com"])
    path = re.search(r"https?://[^/\s]+(/members/invitation/\S+/)", message.body).group(1)
    page.context.clear_cookies()
    page.goto(f"{live_server.url}{path}")
    page.wait_for_selector("text=设置门户密码")
    page.fill("#id_new_password1", "Lz-Hydrogen-2025")
    page.fill("#id_new_password2", "Lz-Hydrogen-2025")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    user = User.objects.get(username="chen")
    assert user.is_org_admin and user.check_password("Lz-Hydrogen-2025")
    page.goto(f"{live_server.url}/members/organizations/{user.organization_id}/")
    page.wait_for_selector(f"h1:has-text('{NAME}')")
    assert page.locator("td:has-text('批准入会')").count() == 1

    # The link works once.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}{path}")
    page.wait_for_selector("text=该链接无效")
    # And the new user signs in with the password they chose.
    sign_in(page, "chen", "Lz-Hydrogen-2025")
