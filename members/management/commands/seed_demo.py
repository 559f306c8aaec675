from django.core.management.base import BaseCommand
from django.utils import timezone

from consortium import registry
from members.demo import DEMO_PASSWORD


class Command(BaseCommand):
    help = (
        "Create the demo member organisations, users and records (safe to run again): this year up to "
        "today and the full year before, dated relative to today."
    )

    def handle(self, *args, **options):
        # One day for every app, so that records of different apps agree about "today".
        today = timezone.localdate()
        self.stdout.write(f"演示数据日期：{today:%Y-%m-%d}（{today.year} 年至今与 {today.year - 1} 全年）")
        # Each app registers its seed(today) -> counts in its demo.py, seeded in INSTALLED_APPS order.
        for app, seed in registry.demo_seeds.items():
            result = seed(today=today) or {}
            counts = ", ".join(f"{k}={v}" for k, v in result.items() if isinstance(v, int))
            self.stdout.write(f"{app}: {counts or 'ok'}")
        self.stdout.write(self.style.SUCCESS(f"演示账号（密码均为 {DEMO_PASSWORD}）："))
        from members.demo import USERS

        for username, role, org, _display in USERS:
            self.stdout.write(f"  {username:<12} {role.label}{' · ' + org if org else ''}")
