"""Staff import a trainee sign-in sheet; leadership open the dashboard and see its charts."""

import pytest

from tests.training.factories import TrainingSessionFactory, valid_id_number
from training.models import Trainee

pytestmark = pytest.mark.django_db(transaction=True)


def sheet(rows):
    lines = ["姓名,身份证号,性别,手机号,工作单位"] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def test_staff_import_a_sheet_with_one_bad_row_fix_it_and_import(guarded_page, live_server, sign_in, users, org):
    session = TrainingSessionFactory(provider=org, title="化工总控工技能培训（浏览器）")
    page, guard = guarded_page
    sign_in(page, "staff")
    page.goto(f"{live_server.url}{session.get_absolute_url()}")
    page.click("a:has-text('导入学员')")

    good = [
        ("张伟", valid_id_number(1), "男", "13800000001", "兰石集团"),
        ("李娜", valid_id_number(2), "女", "13800000002", "兰石集团"),
    ]
    bad = (
        "王芳",
        valid_id_number(3)[:17] + ("0" if valid_id_number(3)[17] != "0" else "1"),
        "女",
        "13800000003",
        "兰石集团",
    )
    page.set_input_files(
        "input[type=file]", files=[{"name": "签到表.csv", "mimeType": "text/csv", "buffer": sheet(good + [bad])}]
    )
    page.click("main button[type=submit]")
    page.wait_for_selector("text=错误明细")
    assert page.locator("td:has-text('第4行')").count() >= 1
    assert page.locator("text=校验位").count() >= 1
    assert Trainee.objects.count() == 0

    fixed = ("王芳", valid_id_number(3), "女", "13800000003", "兰石集团")
    page.set_input_files(
        "input[type=file]", files=[{"name": "签到表.csv", "mimeType": "text/csv", "buffer": sheet(good + [fixed])}]
    )
    page.click("main button[type=submit]")
    page.click("button:has-text('确认导入 3 名学员')")
    page.wait_for_url(f"**{session.get_absolute_url()}")
    assert Trainee.objects.filter(session=session).count() == 3
    session.refresh_from_db()
    assert session.trainee_count == 3
    assert page.locator("text=签到表.csv").count() >= 1  # the import is recorded on the session page
    assert page.locator(f"text={valid_id_number(3)}").count() == 0  # ID numbers only masked


def test_leadership_open_the_dashboard_and_see_the_charts_drawn(guarded_page, live_server, sign_in, users, org):
    from datetime import datetime

    from dashboards.demo import seed as seed_targets
    from dashboards.services import current_year, rollup
    from tests.training.factories import SHANGHAI

    year = current_year() - 1  # the demo sets the targets of this year and the year before
    TrainingSessionFactory(
        provider=org,
        declared_headcount=120,
        starts_at=datetime(year, 6, 2, 9, tzinfo=SHANGHAI),
        ends_at=datetime(year, 6, 6, 17, tzinfo=SHANGHAI),
    )
    seed_targets()
    rollup(year)
    page, guard = guarded_page
    sign_in(page, "leader")
    page.goto(f"{live_server.url}/dashboards/?year={year}")
    page.wait_for_selector("text=培训人次")
    # ECharts draws into canvases: at least one chart per metric with a target, each with pixels.
    page.wait_for_function("document.querySelectorAll('canvas').length >= 6")
    drawn = page.evaluate("""() => Array.from(document.querySelectorAll('canvas')).filter(c => {
        const ctx = c.getContext('2d'); if (!ctx || !c.width || !c.height) return false;
        const data = ctx.getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) return true; } return false; }).length""")
    assert drawn >= 6
    assert page.locator("text=120").count() >= 1
