from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "目标与看板"

    def ready(self):
        from . import signals

        signals.connect()
