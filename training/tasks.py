"""Celery tasks of the training app: idempotent, safe to run as often as the scheduler likes."""

from celery import shared_task

from . import services


@shared_task(name="training.tasks.discard_stale_trainee_previews")
def discard_stale_trainee_previews():
    """Drop import previews nobody confirmed within TRAINEE_IMPORT_PREVIEW_HOURS, with their kept files."""
    return services.discard_stale_previews()
