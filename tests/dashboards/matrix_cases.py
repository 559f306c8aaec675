from dashboards.models import MetricActual, MetricContribution, YearClose
from tests.matrix import Case, page, staff_write

YEAR = "?year=2025"


def setup(world):
    # Runs for every case of the whole matrix: snapshot rows are written directly (a roll-up is slower).
    MetricActual.objects.create(year=2025, metric="training_person_times", value=42, run=1)
    MetricContribution.objects.bulk_create(
        [
            MetricContribution(year=2025, metric="training_person_times", organization=world.org, value=12, run=1),
            MetricContribution(
                year=2025, metric="training_person_times", organization=world.other_org, value=30, run=1
            ),
        ]
    )
    YearClose.objects.create(year=2024, is_closed=True)


org = lambda w: [w.org.pk]  # noqa: E731 - the member user's own organisation
other = lambda w: [w.other_org.pk]  # noqa: E731
session_metric = lambda w: ["training_person_times"]  # noqa: E731


CASES = [
    page("dashboards:overview", query=YEAR),
    page("dashboards:print", query=YEAR),
    page("dashboards:export", query=YEAR),
    page("dashboards:organization", args=org, query=YEAR, other_member=404),
    page(
        "dashboards:organization",
        args=other,
        query=YEAR,
        member=404,
        other_member=200,
        id="get:dashboards:organization(other)",
    ),
    page("dashboards:records", args=session_metric, query=YEAR),
    page(
        "dashboards:records", args=session_metric, query=YEAR + "&scheduled=1", id="get:dashboards:records(scheduled)"
    ),
    page(
        "dashboards:records",
        args=session_metric,
        query=YEAR + "&organization=999999",
        ok=404,
        member=403,
        id="get:dashboards:records(another organisation)",
    ),
    page(
        "dashboards:records",
        args=lambda w: ["no_such_metric"],
        query=YEAR,
        ok=404,
        id="get:dashboards:records(unknown metric)",
    ),
    page("dashboards:targets", query=YEAR, member=403, leadership=403),
    staff_write("dashboards:targets", data=lambda w: {"year": "2025", "projects_completed__minimum": "12"}),
    staff_write("dashboards:recompute", data=lambda w: {"year": "2025"}),
    page("dashboards:year_close", args=lambda w: [2025], member=403, leadership=403),
    staff_write("dashboards:year_close", args=lambda w: [2025], data=lambda w: {}),
    page("dashboards:year_reopen", args=lambda w: [2024], member=403, leadership=403),
    staff_write("dashboards:year_reopen", args=lambda w: [2024], data=lambda w: {"reason": "补录12月培训记录"}),
    Case(
        "kpi-list",
        api=True,
        query=YEAR,
        expect={"anonymous": 401, "admin": 200, "staff": 200, "leadership": 200, "member": 200, "other_member": 200},
    ),
]
