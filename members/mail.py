"""E-mail of the portal: the notices users asked for, and messages to addresses that are not users.

Nothing is sent inside the save that asks for a message. The save stores what must go out (a
``Notification``, an ``OutgoingMail`` row) in its own transaction; once that commits, a Celery task
is queued (waiting at most ``MAIL_PUBLISH_WAIT`` for the broker) which sends it and retries with
backoff. A task lost to a broker outage or a killed worker costs nothing: beat's sweep
(``members.tasks.sweep_mail``) sends whatever is still unsent ``MAIL_SWEEP_AFTER`` seconds later,
up to ``MAIL_MAX_ATTEMPTS`` failures. Each message is claimed before it is sent, with a row lock
taken with ``skip_locked`` and held until it is marked sent, so two workers never send it twice.
"""

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import EmailNotice, Notification, OutgoingMail, User

logger = logging.getLogger(__name__)

# The digest lists the unsent notices of this window: a day and some slack for a late beat (the
# notices it sends are marked, so none is listed twice).
DIGEST_WINDOW = timedelta(days=2)
# The sweep leaves notices older than this alone: a user who turns e-mail on is not sent a backlog.
SWEEP_WINDOW = timedelta(days=7)
SWEEP_BATCH = 500


def absolute_url(url: str) -> str:
    """The link as a reader of the e-mail reaches it (PORTAL_BASE_URL + the portal's path)."""
    if not url or "://" in url:
        return url
    return settings.PORTAL_BASE_URL.rstrip("/") + "/" + url.lstrip("/")


def _footer() -> str:
    return "\n\n-- \n" + _("兰州新区产教联合体门户。邮件通知可在“账户设置”中更改：%(url)s") % {
        "url": absolute_url(reverse("members:account_settings"))
    }


def notice_message(notification: Notification) -> EmailMessage:
    """The e-mail of one notice: its title, its text and the link to the record."""
    parts = [notification.body or notification.title]
    if notification.url:
        parts.append(_("查看详情：%(url)s") % {"url": absolute_url(notification.url)})
    return EmailMessage(notification.title, "\n\n".join(parts) + _footer(), None, [notification.user.email])


def digest_message(user: User, notifications: list[Notification]) -> EmailMessage:
    """One e-mail listing a user's notices of the day."""
    subject = _("兰州新区产教联合体门户：%(count)s 条新通知") % {"count": len(notifications)}
    lines = []
    for n in notifications:
        when = timezone.localtime(n.created_at).strftime("%Y-%m-%d %H:%M")
        lines.append(f"· {when} {n.title}")
        if n.body:
            lines.append(f"  {n.body}")
        if n.url:
            lines.append(f"  {absolute_url(n.url)}")
    return EmailMessage(subject, "\n".join(lines) + _footer(), None, [user.email])


def _wants_each(user: User) -> bool:
    return user.is_active and bool(user.email) and user.email_notice == EmailNotice.EACH


def deliver_notification(pk: int) -> bool | None:
    """Send the e-mail of one notice if it is still due.

    True when sent, False when the send failed (logged, counted; the caller retries), None when
    there is nothing to send (sent already, claimed by another worker, or its user wants no mail).
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True).filter(pk=pk, emailed_at__isnull=True).first()
        )
        if notification is None or not _wants_each(notification.user):
            return None
        try:
            notice_message(notification).send()
        except Exception as exc:
            Notification.objects.filter(pk=pk).update(email_attempts=F("email_attempts") + 1)
            logger.warning(
                "E-mail of notification %s to user %s failed (attempt %s): %s",
                pk,
                notification.user_id,
                notification.email_attempts + 1,
                exc,
            )
            return False
        # update(): no save signals, so the navigation's caches are not dropped for a mail.
        Notification.objects.filter(pk=pk).update(emailed_at=timezone.now())
    return True


def deliver_digest(user_id: int, now=None) -> bool | None:
    """Send one user's daily digest of unsent notices (True sent, False failed, None nothing due)."""
    now = now or timezone.now()
    with transaction.atomic():
        user = User.objects.filter(pk=user_id).first()
        if user is None or not user.is_active or not user.email or user.email_notice != EmailNotice.DAILY:
            return None
        notifications = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(user_id=user_id, emailed_at__isnull=True, created_at__gte=now - DIGEST_WINDOW)
            .order_by("created_at", "id")
        )
        if not notifications:
            return None
        ids = [n.pk for n in notifications]
        try:
            digest_message(user, notifications).send()
        except Exception as exc:
            Notification.objects.filter(pk__in=ids).update(email_attempts=F("email_attempts") + 1)
            logger.warning("Daily digest to user %s (notifications %s) failed: %s", user_id, ids, exc)
            return False
        Notification.objects.filter(pk__in=ids).update(emailed_at=timezone.now())
    return True


def deliver_outgoing(pk: int) -> bool | None:
    """Send one queued ``OutgoingMail`` if it is still unsent (True, False or None as above)."""
    with transaction.atomic():
        message = OutgoingMail.objects.select_for_update(skip_locked=True).filter(pk=pk, sent_at__isnull=True).first()
        if message is None:
            return None
        try:
            EmailMessage(message.subject, message.body, None, [message.to]).send()
        except Exception as exc:
            OutgoingMail.objects.filter(pk=pk).update(attempts=F("attempts") + 1, last_error=str(exc)[:500])
            logger.warning("Outgoing mail %s to %s failed (attempt %s): %s", pk, message.to, message.attempts + 1, exc)
            return False
        OutgoingMail.objects.filter(pk=pk).update(sent_at=timezone.now(), last_error="")
    return True


def due_notifications(now=None) -> list[int]:
    """Notices the sweep sends: unsent, queued long enough ago, wanted one by one, not given up."""
    now = now or timezone.now()
    return list(
        Notification.objects.filter(
            emailed_at__isnull=True,
            created_at__lte=now - timedelta(seconds=settings.MAIL_SWEEP_AFTER),
            created_at__gte=now - SWEEP_WINDOW,
            email_attempts__lt=settings.MAIL_MAX_ATTEMPTS,
            user__is_active=True,
            user__email_notice=EmailNotice.EACH,
        )
        .exclude(user__email="")
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


def due_outgoing(now=None) -> list[int]:
    now = now or timezone.now()
    return list(
        OutgoingMail.objects.unsent()
        .filter(
            created_at__lte=now - timedelta(seconds=settings.MAIL_SWEEP_AFTER),
            attempts__lt=settings.MAIL_MAX_ATTEMPTS,
        )
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


def digest_recipients(now=None) -> list[int]:
    """Users who chose the daily digest and have unsent notices in its window."""
    now = now or timezone.now()
    return list(
        User.objects.filter(
            is_active=True,
            email_notice=EmailNotice.DAILY,
            notifications__emailed_at__isnull=True,
            notifications__created_at__gte=now - DIGEST_WINDOW,
        )
        .exclude(email="")
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )


# -- queueing -----------------------------------------------------------------------------------

_publisher = None
_publisher_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _publisher
    with _publisher_lock:
        if _publisher is None:
            _publisher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mail-publish")
        return _publisher


def publish(task, ids: list[int]) -> bool:
    """Queue ``task(ids)``, waiting at most MAIL_PUBLISH_WAIT for the broker; never raises.

    Without a broker (eager mode) the task runs here; a send that fails there is left to the sweep.
    """
    if not ids:
        return False
    try:
        if task.app.conf.task_always_eager:
            task.apply_async(args=[ids])
        else:
            _executor().submit(task.apply_async, args=[ids]).result(timeout=settings.MAIL_PUBLISH_WAIT)
        return True
    except FutureTimeout:
        logger.warning("Mail task %s %s left to the sweep: the broker did not answer in time", task.name, ids)
    except Exception:
        logger.exception("Mail task %s %s could not be queued; the sweep will send it", task.name, ids)
    return False


def queue_notification_emails(ids: list[int]) -> None:
    """Send the e-mails of these notices once the current transaction commits."""
    from .tasks import send_notification_emails

    if ids:
        transaction.on_commit(lambda: publish(send_notification_emails, ids))


def queue_mail(recipients, subject, body):
    """Send ``subject``/``body`` to each address once the current transaction commits.

    The message is stored in the caller's transaction (one ``OutgoingMail`` per address), so it
    goes exactly when the caller's change is kept, and is not lost when the mail server is down.
    """
    recipients = sorted({address.strip() for address in recipients if address and address.strip()})
    if not recipients:
        return 0
    from .tasks import send_outgoing_mail

    rows = [
        OutgoingMail.objects.create(to=address, subject=str(subject)[:300], body=str(body)) for address in recipients
    ]
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: publish(send_outgoing_mail, ids))
    return len(recipients)
