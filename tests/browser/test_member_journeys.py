import pytest

from members.models import MembershipStatus, Organization

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_creates_an_organization_and_admits_it(guarded_page, live_server, sign_in, users):
    page, guard = guarded_page
    sign_in(page, "staff")
    page.goto(f"{live_server.url}/members/organizations/add/")
    page.fill("#id_name", "兰州新区浏览器测试材料有限公司")
    page.fill("#id_credit_code", "91620100MA74AB01")  # too short: the page explains in Chinese
    page.select_option("#id_kind", "enterprise")
    page.click("main button[type=submit]")
    assert page.locator("text=统一社会信用代码应为18位").count() == 1
    assert not Organization.objects.filter(name="兰州新区浏览器测试材料有限公司").exists()

    from members.demo import synthetic_credit_code

    page.fill("#id_credit_code", synthetic_credit_code("浏览器测试", "enterprise"))
    page.click("main button[type=submit]")
    page.wait_for_selector("text=状态为“已申请”")
    page.click("a:has-text('批准入会')")
    page.click("button:has-text('确认')")
    page.wait_for_selector("text=操作已完成")
    org = Organization.objects.get(name="兰州新区浏览器测试材料有限公司")
    assert org.status == MembershipStatus.ADMITTED
    assert page.locator("td:has-text('批准入会')").count() == 1
