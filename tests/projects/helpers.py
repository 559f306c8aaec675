"""Small helpers for the projects tests: a database snapshot to show that nothing changed."""

from django.apps import apps


def snapshot():
    """Every row of the projects and members tables, to compare before and after a refused write."""
    rows = {}
    for label in ("projects", "members"):
        for model in apps.get_app_config(label).get_models():
            rows[model._meta.label] = list(model._base_manager.order_by("pk").values_list())
    return rows
