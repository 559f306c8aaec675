"""Default project evaluation standard and review policy (staff may change them in the portal)."""

from django.db import migrations

CRITERIA = [
    ("立项依据与必要性", "是否对接产业链需求、有无明确的合作基础", 20),
    ("技术方案可行性", "目标、技术路线与进度安排是否可行", 25),
    ("团队与平台条件", "校企双方人员、设备与平台是否足以支撑", 20),
    ("预期成果与应用前景", "成果是否可转化、可在企业或教学中应用", 25),
    ("经费预算合理性", "预算与专项扶持资金的用途是否合理", 10),
]


def seed(apps, schema_editor):
    Criterion = apps.get_model("projects", "EvaluationCriterion")
    Policy = apps.get_model("projects", "ReviewPolicy")
    for position, (name, description, weight) in enumerate(CRITERIA, start=1):
        Criterion.objects.get_or_create(
            name=name, defaults={"description": description, "weight": weight, "position": position},
        )
    if not Policy.objects.exists():
        Policy.objects.create(min_reviews=3, pass_score=60)


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
