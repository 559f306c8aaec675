from django.apps import AppConfig


class ConsortiumConfig(AppConfig):
    name = "consortium"
    verbose_name = "兰州新区产教联合体"

    def ready(self):
        from . import security  # noqa: F401 - connects the security event receivers
