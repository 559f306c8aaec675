"""兰石集团 keeps its 兰石订单班 with the school: it updates the funnel and appoints a guest
professor; the school's user sees the change on the class page and the notice."""

import pytest

from tests.training.factories import OrderClassFactory
from training.models import GuestProfessor

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_enterprise_updates_its_class_and_the_school_sees_it(
    guarded_page, live_server, sign_in, users, org, other_org
):
    order_class = OrderClassFactory(
        name="兰石订单班", enterprise=other_org, school=org, planned=40, enrolled=36, graduated=30, employed=20
    )
    page, guard = guarded_page
    sign_in(page, "other")  # 兰石集团's user
    page.goto(f"{live_server.url}{order_class.get_absolute_url()}")
    assert page.locator("a:has-text('编辑')").count() == 0  # the class itself is the school's
    page.click("a:has-text('更新漏斗数据')")
    page.fill("#id_employed", "31")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=订单企业录用人数不能多于毕业人数。")  # refused, nothing stored
    page.fill("#id_employed", "28")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**{order_class.get_absolute_url()}")
    page.wait_for_selector("text=培养漏斗数据已更新")

    page.click("a:has-text('添加')")
    page.fill("#id_name", "王建国")
    page.fill("#id_title", "首席技师")
    page.fill("#id_appointed_on", "2025-03-01")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**{order_class.get_absolute_url()}")
    assert GuestProfessor.objects.filter(order_class=order_class, name="王建国").exists()

    page.goto(f"{live_server.url}/accounts/login/")  # sign out by signing in as the school's user
    page.context.clear_cookies()
    sign_in(page, "member")
    page.click("a.nav-link:has-text('通知')")
    page.wait_for_selector("text=兰石集团更新了订单班“兰石订单班”的培养漏斗数据")
    assert page.locator("text=兰石集团更新了订单班“兰石订单班”的客座教授").count() >= 1
    page.goto(f"{live_server.url}{order_class.get_absolute_url()}")
    page.wait_for_selector("td:has-text('王建国')")
    assert page.locator("text=订单企业录用").count() >= 1
    assert page.locator("td.text-end:has-text('28')").count() == 1  # the funnel as the enterprise left it
    assert page.locator("text=客座教授变更").count() == 1
    assert page.locator("td:has-text('other')").count() >= 2  # who changed the funnel and the professors
