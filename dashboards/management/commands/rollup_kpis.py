from django.core.management.base import BaseCommand, CommandError

from dashboards import services


class Command(BaseCommand):
    help = "Recompute the KPI snapshot of a year now, in this process (default: the current year)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="年度，默认当年（北京时间）")

    def handle(self, *args, year=None, **options):
        year = year or services.current_year()
        if not 2000 <= year <= 2100:
            raise CommandError("年度无效。")
        state = services.rollup(year)
        if state is None:
            self.stdout.write(self.style.WARNING(f"{year} 年度已关账，数据已冻结，未重新计算。"))
            return
        self.stdout.write(
            self.style.SUCCESS(f"{year} 年度指标已计算：第 {state.run} 次，用时 {state.duration_ms} ms。")
        )
