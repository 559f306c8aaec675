"""The dashboard pages, exports and API: snapshot reads, role scopes, targets, close and reopen."""

import io
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from dashboards import services
from dashboards.figures import SHANGHAI, status_of
from dashboards.models import MetricActual, Target, YearClose, YearCloseEvent
from tests.factories import OrganizationFactory, SchoolFactory

from .factories import DualTrainingFactory, ProjectFactory, SessionFactory, add_trainees

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("dashboards:overview") + "?year=2025"


def overview_queries(client):
    from django.core.cache import cache

    cache.clear()  # measure the page as built, not its cached fragment
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(OVERVIEW)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_overview_makes_the_same_number_of_queries_with_few_and_many_sessions(client_for, org):
    SessionFactory(provider=org, declared_headcount=5)
    services.rollup(2025)
    leader = client_for("leadership")
    overview_queries(leader)  # the first request of a session also renews its expiry
    few = overview_queries(leader)
    providers = [SchoolFactory() for _ in range(12)]
    SessionFactory.create_batch(150, provider=factory_cycle(providers))
    ProjectFactory.create_batch(5)
    services.rollup(2025)
    assert overview_queries(leader) == few
    assert few <= 20


def factory_cycle(items):
    import factory

    return factory.Iterator(items)


def test_the_overview_shows_actual_target_percentage_time_and_year_over_year(client_for, org):
    SessionFactory(provider=org, declared_headcount=2500)
    SessionFactory(provider=org, declared_headcount=2000, ends_at=datetime(2024, 5, 1, tzinfo=SHANGHAI))
    Target.objects.create(year=2025, metric="training_person_times", minimum=10000)
    services.rollup(2025)
    services.rollup(2024)
    html = client_for("leadership").get(OVERVIEW).content.decode()
    assert "2,500" in html or "2500" in html
    assert "25.0%" in html and "数据更新于" in html
    assert "+500" in html and "+25.0%" in html
    assert "kpi-chart-data" in html and '<h2 class="h5">按单位类型</h2>' in html and "按产业链" in html


def test_a_member_sees_the_totals_and_only_its_own_organisations_contribution(client_for, org, other_org):
    SessionFactory(provider=org, declared_headcount=12)
    SessionFactory(provider=other_org, declared_headcount=30)
    services.rollup(2025)
    member_html = client_for("member").get(OVERVIEW).content.decode()
    assert "42" in member_html  # the consortium total
    assert org.name in member_html
    assert other_org.name not in member_html
    assert '<h2 class="h5">按单位类型</h2>' not in member_html
    leader_html = client_for("leadership").get(OVERVIEW).content.decode()
    assert other_org.name in leader_html and org.name in leader_html


def test_the_drill_down_lists_the_records_behind_a_figure_within_the_users_sight(client_for, org, other_org):
    mine = SessionFactory(provider=org, title="本单位化工安全培训")
    theirs = SessionFactory(provider=other_org, title="兰石集团焊工培训")
    SessionFactory(provider=other_org, title="已取消的培训", status="cancelled")
    url = reverse("dashboards:records", args=["training_person_times"]) + "?year=2025"
    staff_html = client_for("staff").get(url).content.decode()
    assert mine.title in staff_html and theirs.title in staff_html and "已取消的培训" not in staff_html
    member_html = client_for("member").get(url).content.decode()
    assert mine.title in member_html and theirs.title not in member_html
    assert client_for("member").get(url + f"&organization={other_org.pk}").status_code == 403
    filtered = client_for("leadership").get(url + f"&organization={other_org.pk}").content.decode()
    assert theirs.title in filtered and mine.title not in filtered


def test_the_drill_down_of_a_figure_has_as_many_records_as_the_figure(client_for, org):
    ProjectFactory.create_batch(3, lead_organization=org)
    ProjectFactory(status="rejected", approved_on=None, completed_on=None, lead_organization=org)
    services.rollup(2025)
    url = reverse("dashboards:records", args=["projects_completed"]) + "?year=2025"
    response = client_for("leadership").get(url)
    assert response.context["paginator"].count == MetricActual.objects.get(year=2025, metric="projects_completed").value


def test_the_excel_export_neutralises_formulas_in_organisation_names(client_for):
    evil = OrganizationFactory(name='=HYPERLINK("http://x","点我")')
    SessionFactory(provider=evil, declared_headcount=3)
    services.rollup(2025)
    response = client_for("leadership").get(reverse("dashboards:export") + "?year=2025")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    cells = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert '\'=HYPERLINK("http://x","点我")' in cells
    assert not any(isinstance(v, str) and v.startswith("=") for v in cells)
    assert 3 in cells or 3.0 in cells


def test_the_member_export_leaves_out_other_organisations(client_for, org, other_org):
    SessionFactory(provider=other_org, declared_headcount=30)
    services.rollup(2025)
    response = client_for("member").get(reverse("dashboards:export") + "?year=2025")
    ws = load_workbook(io.BytesIO(response.content)).active
    cells = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert other_org.name not in cells and "本单位贡献" in cells


def test_the_print_page_is_a4_with_chinese_fonts_and_no_external_resources(client_for):
    services.rollup(2025)
    html = client_for("leadership").get(reverse("dashboards:print") + "?year=2025").content.decode()
    assert "size: A4" in html and "Noto Sans CJK SC" in html
    assert "http://" not in html and "https://" not in html


def test_charts_use_the_vendored_echarts_with_the_chinese_locale_and_json_script(client_for):
    html = client_for("leadership").get(OVERVIEW).content.decode()
    assert "/static/vendor/echarts/echarts.min.js" in html
    assert '<script id="kpi-chart-data" type="application/json">' in html
    assert "cdn" not in html.lower()
    script = Path(settings.BASE_DIR, "dashboards/static/dashboards/kpi-charts.js").read_text()
    assert 'locale: "ZH"' in script


def test_staff_set_targets_and_a_stretch_below_the_minimum_is_refused_in_chinese(client_for):
    staff = client_for("staff")
    url = reverse("dashboards:targets") + "?year=2025"
    response = staff.post(
        url,
        {"year": "2025", "practice_centers__minimum": "1", "practice_centers__stretch": "2", "key_labs__minimum": "3"},
    )
    assert response.status_code == 302
    assert Target.objects.get(year=2025, metric="practice_centers").stretch == 2
    before = list(Target.objects.values_list("metric", "minimum", "stretch"))
    response = staff.post(url, {"year": "2025", "practice_centers__minimum": "3", "practice_centers__stretch": "2"})
    assert response.status_code == 200
    assert "挑战值不能小于目标值。" in response.content.decode()
    response = staff.post(url, {"year": "2025", "key_labs__minimum": "-1"})
    assert "目标值不能为负数。" in response.content.decode()
    assert list(Target.objects.values_list("metric", "minimum", "stretch")) == before


def test_the_recompute_button_refreshes_the_snapshot_and_falls_back_in_process_without_a_broker(client_for):
    services.rollup(2025)
    SessionFactory(declared_headcount=7)
    with mock.patch("dashboards.tasks.rollup_kpis.apply_async", side_effect=ConnectionError("Redis down")):
        response = client_for("staff").post(reverse("dashboards:recompute"), {"year": "2025"})
    assert response.status_code == 302
    assert MetricActual.objects.get(year=2025, metric="training_person_times").value == 7


def test_the_recompute_button_with_a_worker_says_the_run_is_queued(client_for):
    """With Redis the task goes to the worker and there is no result backend to ask."""
    from celery.result import AsyncResult

    from consortium.celery import app

    queued = AsyncResult("queued-rollup", app=app)
    with mock.patch("dashboards.tasks.rollup_kpis.apply_async", return_value=queued):
        response = client_for("staff").post(reverse("dashboards:recompute"), {"year": "2025"}, follow=True)
    assert response.status_code == 200
    assert "已提交重新计算，稍后刷新即可看到最新数据。" in response.content.decode()


def test_a_closed_year_says_so_and_reopening_needs_a_reason(client_for, users):
    SessionFactory(declared_headcount=7)
    staff = client_for("staff")
    assert staff.post(reverse("dashboards:year_close", args=[2025])).status_code == 302
    assert YearClose.objects.get(year=2025).is_closed
    assert "2025 年度已关账，数据已冻结" in staff.get(OVERVIEW).content.decode()
    SessionFactory(declared_headcount=100)
    staff.post(reverse("dashboards:recompute"), {"year": "2025"})
    assert MetricActual.objects.get(year=2025, metric="training_person_times").value == 7

    response = staff.post(reverse("dashboards:year_reopen", args=[2025]), {"reason": ""})
    assert response.status_code == 200 and "重新开放年度必须填写原因。" in response.content.decode()
    assert YearClose.objects.get(year=2025).is_closed
    staff.post(reverse("dashboards:year_reopen", args=[2025]), {"reason": "补录12月培训"})
    assert not YearClose.objects.get(year=2025).is_closed
    assert YearCloseEvent.objects.filter(
        year=2025, action="reopen", actor=users["staff"], reason="补录12月培训"
    ).exists()


def test_the_api_serves_totals_to_everyone_and_other_organisations_only_to_readers(api_for, org, other_org):
    SessionFactory(provider=org, declared_headcount=12)
    SessionFactory(provider=other_org, declared_headcount=30)
    Target.objects.create(year=2025, metric="training_person_times", minimum=100)
    services.rollup(2025)
    url = reverse("kpi-list") + "?year=2025"
    member = api_for("member").get(url).json()
    person_times = next(m for m in member["metrics"] if m["code"] == "training_person_times")
    assert person_times["actual"] == 42 and person_times["own_contribution"] == 12 and person_times["target"] == 100
    assert "top_organizations" not in person_times and "by_organization_kind" not in member
    leader = api_for("leadership").get(url).json()
    top = next(m for m in leader["metrics"] if m["code"] == "training_person_times")["top_organizations"]
    assert [(t["name"], t["value"]) for t in top] == [(other_org.name, 30), (org.name, 12)]
    assert api_for("leadership").get(reverse("kpi-list") + "?year=abc").status_code == 400


def test_the_overview_still_serves_the_last_snapshot_with_its_time_when_the_worker_is_down(client_for):
    services.rollup(2025)
    with mock.patch("dashboards.tasks.rollup_kpis.apply_async", side_effect=ConnectionError("Redis down")):
        SessionFactory(declared_headcount=3)  # saving works
        response = client_for("leadership").get(OVERVIEW)
    assert response.status_code == 200 and "数据更新于" in response.content.decode()


@pytest.mark.parametrize(
    "now,actual,expected",
    [
        (datetime(2025, 7, 2, tzinfo=SHANGHAI), 60, "on_track"),
        (datetime(2025, 7, 2, tzinfo=SHANGHAI), 45, "at_risk"),
        (datetime(2025, 7, 2, tzinfo=SHANGHAI), 20, "behind"),
        (datetime(2025, 7, 2, tzinfo=SHANGHAI), 100, "met"),
        (datetime(2026, 1, 5, tzinfo=SHANGHAI), 99, "missed"),
        (datetime(2026, 1, 5, tzinfo=SHANGHAI), 150, "stretch_met"),
        (datetime(2024, 12, 31, tzinfo=SHANGHAI), 0, "not_started"),
    ],
)
def test_the_status_compares_progress_with_the_time_elapsed(now, actual, expected):
    assert status_of(Decimal(actual), Decimal(100), Decimal(150), 2025, now=now) == expected


def test_a_closed_year_is_judged_met_or_missed():
    assert (
        status_of(Decimal(5), Decimal(10), None, 2025, closed=True, now=datetime(2025, 6, 1, tzinfo=SHANGHAI))
        == "missed"
    )


def test_the_cached_overview_changes_with_each_roll_up_and_target(client_for, org):
    SessionFactory(provider=org, declared_headcount=1234)
    services.rollup(2025)
    leader = client_for("leadership")
    assert ">1234<" in leader.get(OVERVIEW).content.decode().replace(",", "")
    SessionFactory(provider=org, declared_headcount=1000)
    assert ">1234<" in leader.get(OVERVIEW).content.decode().replace(",", "")  # the snapshot until the next run
    services.rollup(2025)
    assert ">2234<" in leader.get(OVERVIEW).content.decode().replace(",", "")
    Target.objects.create(year=2025, metric="training_person_times", minimum=4468)
    assert "50.0%" in leader.get(OVERVIEW).content.decode()


@pytest.mark.parametrize(
    "code,make",
    [
        ("training_person_times", lambda n, org: SessionFactory.create_batch(n, provider=org)),
        ("training_persons", lambda n, org: [add_trainees(SessionFactory(provider=org), [f"p{i}" for i in range(n)])]),
        ("dual_teachers_trained", lambda n, org: DualTrainingFactory.create_batch(n, teacher__school=org)),
        ("projects_completed", lambda n, org: ProjectFactory.create_batch(n, lead_organization=org)),
    ],
)
def test_the_drill_down_makes_as_many_queries_for_50_records_as_for_5(client_for, org, code, make):
    url = reverse("dashboards:records", args=[code]) + "?year=2025"
    member = client_for("member")

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert member.get(url).status_code == 200
        return len(ctx.captured_queries)

    make(5, org)
    queries()  # the first request of a session also renews its expiry
    few = queries()
    make(45, org)
    assert queries() == few
