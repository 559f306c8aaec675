"""Celery tasks of the members app: e-mail of notices and queued mail (see members/mail.py).

Each takes ids and is idempotent: a message is claimed and marked sent in one transaction, so a
task delivered twice, or running beside the sweep, sends nothing twice.
"""

import logging

from celery import shared_task

from . import mail

logger = logging.getLogger(__name__)

MAX_RETRIES = 5


def _backoff(retries: int) -> int:
    """Seconds before the next try: 30 s, 1, 2, 4, 8 minutes."""
    return min(30 * 2**retries, 30 * 60)


def _send_all(task, deliver, ids: list[int]) -> int:
    """Deliver each id; on the first failure retry the rest later (the server is likely down)."""
    sent = 0
    for index, pk in enumerate(ids):
        result = deliver(pk)
        if result is False:
            remaining = list(ids[index:])
            if task.request.is_eager:
                # No worker to retry in: the sweep sends them once a worker and beat run.
                return sent
            if task.request.retries >= MAX_RETRIES:
                logger.error(
                    "%s gave up on %s after %s retries; the sweep takes over", task.name, remaining, MAX_RETRIES
                )
                return sent
            raise task.retry(args=[remaining], countdown=_backoff(task.request.retries))
        sent += bool(result)
    return sent


@shared_task(bind=True, name="members.tasks.send_notification_emails", max_retries=MAX_RETRIES)
def send_notification_emails(self, ids):
    """E-mail these notices to users who want each notice by e-mail."""
    return _send_all(self, mail.deliver_notification, ids)


@shared_task(bind=True, name="members.tasks.send_outgoing_mail", max_retries=MAX_RETRIES)
def send_outgoing_mail(self, ids):
    """Send these queued messages (members.mail.queue_mail)."""
    return _send_all(self, mail.deliver_outgoing, ids)


@shared_task(bind=True, name="members.tasks.send_daily_digests", max_retries=MAX_RETRIES)
def send_daily_digests(self, user_ids=None):
    """Once a day: one e-mail per user with the daily digest, listing their unsent notices."""
    user_ids = user_ids if user_ids is not None else mail.digest_recipients()
    return _send_all(self, mail.deliver_digest, user_ids)


@shared_task(name="members.tasks.sweep_mail")
def sweep_mail():
    """Send every notice and queued message still unsent after MAIL_SWEEP_AFTER seconds.

    The queued task is the fast path and can be lost (broker down, worker killed); the rows are
    not, and this run sends them. A failure is counted; after MAIL_MAX_ATTEMPTS it is left alone.
    """
    counts = {"notifications": 0, "outgoing": 0, "failed": 0}
    for key, deliver, ids in (
        ("notifications", mail.deliver_notification, mail.due_notifications()),
        ("outgoing", mail.deliver_outgoing, mail.due_outgoing()),
    ):
        for pk in ids:
            result = deliver(pk)
            if result is False:
                counts["failed"] += 1
                # The server is refusing: try the rest on the next run rather than time out on each.
                break
            counts[key] += bool(result)
    return counts
