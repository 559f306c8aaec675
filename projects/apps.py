from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "合作项目与协议"

    def ready(self):
        from . import signals  # noqa: F401 - connects the file clean-up receivers
