"""Demo data: the 2025 targets of the work points (《2025年工作要点》) and a first roll-up."""

from decimal import Decimal

from django.db import transaction

from . import services
from .models import Target

# metric, minimum, stretch, basis — DOMAIN.md "The 2025 targets"
TARGETS_2025 = [
    ("projects_completed", 10, None, "校企合作项目结项验收 10 项"),
    ("training_person_times", 10000, None, "职业技能培训 10000 人次以上"),
    ("dual_teachers_trained", 150, None, "培训双师型教师不少于 150 名"),
    ("key_labs", 3, None, "共建重点实验室 3 个"),
    ("resource_libraries", 5, None, "共建专业教学资源库不少于 5 个"),
    ("practice_centers", 1, 2, "建设区域产教融合实践中心 1–2 个"),
]


def seed():
    created = 0
    with transaction.atomic():
        for code, minimum, stretch, note in TARGETS_2025:
            _target, was_created = Target.objects.get_or_create(
                year=2025, metric=code,
                defaults={"minimum": Decimal(minimum), "stretch": Decimal(stretch) if stretch else None, "note": note},
            )
            created += was_created
    years = sorted({2025, services.current_year()})
    rolled = sum(1 for year in years if services.rollup(year) is not None)
    return {"targets_created": created, "years_rolled_up": rolled}
