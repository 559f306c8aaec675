from django.apps import AppConfig


class ConsortiumConfig(AppConfig):
    name = "consortium"
    verbose_name = "兰州新区产教联合体"
