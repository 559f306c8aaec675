"""Celery tasks of the projects app: idempotent, safe to run as often as the scheduler likes."""

from celery import shared_task

from . import services


@shared_task(name="projects.tasks.notify_expiring_agreements")
def notify_expiring_agreements():
    """Send the 30/7/0-day expiry notices that are due today; each is sent once."""
    return services.send_expiry_notices()
