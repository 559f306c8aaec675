"""Demo data: the year's targets from the work points (《2025年工作要点》), set for this year and the
year before, and a first roll-up of both years."""

from decimal import Decimal

from django.db import transaction

from consortium import registry
from members.demo import demo_calendar

from . import services
from .models import Target

# metric, minimum, stretch, basis — DOMAIN.md "The 2025 targets", kept for each year of the demo
WORK_POINT_TARGETS = [
    ("projects_completed", 10, None, "校企合作项目结项验收 10 项"),
    ("training_person_times", 10000, None, "职业技能培训 10000 人次以上"),
    ("dual_teachers_trained", 150, None, "培训双师型教师不少于 150 名"),
    ("key_labs", 3, None, "共建重点实验室 3 个"),
    ("resource_libraries", 5, None, "共建专业教学资源库不少于 5 个"),
    ("practice_centers", 1, 2, "建设区域产教融合实践中心 1–2 个"),
]


@registry.demo_seeds.register
def seed(today=None):
    cal = demo_calendar(today)
    years = (cal.previous, cal.year)
    created = 0
    with transaction.atomic():
        for year in years:
            for code, minimum, stretch, note in WORK_POINT_TARGETS:
                _target, was_created = Target.objects.get_or_create(
                    year=year,
                    metric=code,
                    defaults={
                        "minimum": Decimal(minimum),
                        "stretch": Decimal(stretch) if stretch else None,
                        "note": note,
                    },
                )
                created += was_created
    rolled = sum(1 for year in years if services.rollup(year) is not None)
    return {"targets_created": created, "years_rolled_up": rolled}
