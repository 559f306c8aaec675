from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsortiumConfig(AppConfig):
    name = "consortium"
    verbose_name = _("兰州新区产教联合体")

    def ready(self):
        from . import security  # noqa: F401 - connects the security event receivers
