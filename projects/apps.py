from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("合作项目与协议")

    def ready(self):
        from . import signals  # noqa: F401 - connects the file clean-up receivers
