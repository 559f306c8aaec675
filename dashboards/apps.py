from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("目标与看板")

    def ready(self):
        from . import pagecache, signals

        signals.connect()
        pagecache.connect()
