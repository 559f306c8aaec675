"""Notices told outside the portal: e-mail through a real SMTP server, sent by Celery after the
save commits, never lost when the server is down, once per notice, daily digests, and mail to
addresses that are not users (queue_mail) on the same durable path."""

import time
from unittest import mock

import pytest
from django.db import transaction

from members import mail, tasks
from members.mail import queue_mail
from members.models import EmailNotice, Notification, OutgoingMail, Role
from members.services import notify
from members.tasks import send_daily_digests, send_notification_emails, sweep_mail
from tests.factories import UserFactory
from tests.mailserver import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(org):
    return UserFactory(role=Role.MEMBER, organization=org, email="teacher@lzpcc.edu.cn")


def raise_notice(user, django_capture_on_commit_callbacks, title="协议“校企合作框架协议”已核验"):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            notify([user], title, body="秘书处已核验该协议。", url="/projects/agreements/7/")
    return Notification.objects.filter(user=user).latest("id")


def test_a_notice_arrives_by_smtp_with_its_chinese_subject_and_link(
    smtp, eager, person, django_capture_on_commit_callbacks
):
    notice = raise_notice(person, django_capture_on_commit_callbacks)
    assert len(smtp.messages) == 1
    rcpt, _ = smtp.messages[0]
    assert rcpt == ["teacher@lzpcc.edu.cn"]
    assert smtp.subject() == "协议“校企合作框架协议”已核验"
    assert "秘书处已核验该协议。" in smtp.body()
    assert "https://portal.example.cn/projects/agreements/7/" in smtp.body()
    assert "https://portal.example.cn/members/account/" in smtp.body()
    notice.refresh_from_db()
    assert notice.emailed_at is not None and notice.email_attempts == 0


def test_nothing_is_sent_before_the_transaction_commits_or_when_it_rolls_back(
    smtp, eager, person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                notify([person], "不会发出的通知")
                raise RuntimeError("the form failed")
        except RuntimeError:
            pass
    assert not callbacks and not smtp.messages and not Notification.objects.exists()


def test_a_failed_send_is_kept_counted_logged_and_the_sweep_sends_it_exactly_once(
    smtp, eager, person, settings, caplog, django_capture_on_commit_callbacks
):
    smtp.stop()
    notice = raise_notice(person, django_capture_on_commit_callbacks)
    notice.refresh_from_db()
    assert notice.emailed_at is None and notice.email_attempts == 1
    assert f"notification {notice.pk}" in caplog.text

    smtp.start()
    settings.MAIL_SWEEP_AFTER = 0
    assert sweep_mail.apply().get()["notifications"] == 1
    assert sweep_mail.apply().get()["notifications"] == 0
    send_notification_emails.apply(args=[[notice.pk]])  # a late retry of the lost task: nothing more
    assert len(smtp.messages) == 1
    notice.refresh_from_db()
    assert notice.emailed_at is not None and notice.email_attempts == 1


def test_the_sweep_waits_for_the_queued_task_before_sending(smtp, person, settings):
    notify_without_task = mock.patch("members.mail.queue_notification_emails")
    with notify_without_task:
        notify([person], "队列丢失的通知")
    settings.MAIL_SWEEP_AFTER = 300
    assert sweep_mail.apply().get()["notifications"] == 0  # too young: its task may still come
    settings.MAIL_SWEEP_AFTER = 0
    assert sweep_mail.apply().get()["notifications"] == 1
    assert smtp.subject() == "队列丢失的通知"


def test_the_sweep_gives_up_after_the_maximum_number_of_attempts(smtp, person, settings):
    with mock.patch("members.mail.queue_notification_emails"):
        notify([person], "多次失败的通知")
    Notification.objects.update(email_attempts=settings.MAIL_MAX_ATTEMPTS)
    settings.MAIL_SWEEP_AFTER = 0
    assert sweep_mail.apply().get()["notifications"] == 0 and not smtp.messages


def test_the_daily_digest_sends_one_mail_for_two_notices_and_marks_them(
    smtp, eager, person, django_capture_on_commit_callbacks
):
    person.email_notice = EmailNotice.DAILY
    person.save()
    raise_notice(person, django_capture_on_commit_callbacks, title="第一条通知")
    raise_notice(person, django_capture_on_commit_callbacks, title="第二条通知")
    assert not smtp.messages  # not one by one
    assert send_daily_digests.apply().get() == 1
    assert len(smtp.messages) == 1
    assert "2 条新通知" in smtp.subject()
    assert "第一条通知" in smtp.body() and "第二条通知" in smtp.body()
    assert "https://portal.example.cn/projects/agreements/7/" in smtp.body()
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    assert send_daily_digests.apply().get() == 0 and len(smtp.messages) == 1


def test_a_user_who_wants_no_mail_gets_none(smtp, eager, person, settings, django_capture_on_commit_callbacks):
    person.email_notice = EmailNotice.NONE
    person.save()
    raise_notice(person, django_capture_on_commit_callbacks)
    settings.MAIL_SWEEP_AFTER = 0
    sweep_mail.apply()
    send_daily_digests.apply()
    assert not smtp.messages
    assert Notification.objects.filter(user=person).count() == 1  # still told in the portal


def test_a_user_without_an_address_gets_the_notice_in_the_portal_only(
    smtp, eager, org, django_capture_on_commit_callbacks
):
    user = UserFactory(role=Role.MEMBER, organization=org, email="")
    raise_notice(user, django_capture_on_commit_callbacks)
    assert not smtp.messages and Notification.objects.filter(user=user).exists()


def test_queued_mail_is_stored_and_sent_after_commit(smtp, eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            assert (
                queue_mail(["apply@dfxcl.cn", "apply@dfxcl.cn", ""], "入会申请已收到", "我们将在五个工作日内回复。")
                == 1
            )
    assert [rcpt for rcpt, _ in smtp.messages] == [["apply@dfxcl.cn"]]
    assert smtp.subject() == "入会申请已收到"
    assert OutgoingMail.objects.get().sent_at is not None


def test_queued_mail_of_a_rolled_back_transaction_is_never_sent(smtp, eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                queue_mail(["apply@dfxcl.cn"], "入会申请已收到", "正文")
                raise RuntimeError("the application failed")
        except RuntimeError:
            pass
    assert not smtp.messages and not OutgoingMail.objects.exists()


def test_queued_mail_survives_a_mail_server_outage(smtp, eager, settings, caplog, django_capture_on_commit_callbacks):
    smtp.stop()
    with django_capture_on_commit_callbacks(execute=True):
        queue_mail(["apply@dfxcl.cn"], "入会申请已收到", "正文")
    row = OutgoingMail.objects.get()
    assert row.sent_at is None and row.attempts == 1 and row.last_error
    assert f"Outgoing mail {row.pk}" in caplog.text
    smtp.start()
    settings.MAIL_SWEEP_AFTER = 0
    assert sweep_mail.apply().get()["outgoing"] == 1
    sweep_mail.apply()
    assert len(smtp.messages) == 1


def test_a_broker_that_hangs_does_not_hold_up_the_save(
    smtp, person, settings, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(send_notification_emails.app.conf, "task_always_eager", False)
    settings.MAIL_PUBLISH_WAIT = 0.3
    with mock.patch.object(send_notification_emails, "apply_async", side_effect=lambda *a, **k: time.sleep(2)):
        started = time.monotonic()
        notice = raise_notice(person, django_capture_on_commit_callbacks)
        assert time.monotonic() - started < 1.5
    assert "left to the sweep" in caplog.text
    settings.MAIL_SWEEP_AFTER = 0
    monkeypatch.setattr(send_notification_emails.app.conf, "task_always_eager", True)
    sweep_mail.apply()
    assert [rcpt for rcpt, _ in smtp.messages] == [["teacher@lzpcc.edu.cn"]]
    notice.refresh_from_db()
    assert notice.emailed_at is not None


def test_without_a_broker_a_failed_task_is_not_retried_inline(smtp, eager, person, django_capture_on_commit_callbacks):
    smtp.stop()
    started = time.monotonic()
    raise_notice(person, django_capture_on_commit_callbacks)
    assert time.monotonic() - started < 3
    assert Notification.objects.get(user=person).email_attempts == 1


def test_with_a_broker_a_failed_send_is_retried_with_backoff(person, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    with mock.patch("members.mail.queue_notification_emails"):
        notify([person], "需要重试的通知")
    notice = Notification.objects.get(user=person)
    # The task as a worker runs it: not eager, on its third try.
    task = mock.Mock(name="send_notification_emails")
    task.request.is_eager, task.request.retries = False, 2
    task.retry.side_effect = RuntimeError("retry")
    retry = task.retry
    with pytest.raises(RuntimeError):
        tasks._send_all(task, mail.deliver_notification, [notice.pk])
    assert retry.call_args.kwargs == {"args": [[notice.pk]], "countdown": 120}
    notice.refresh_from_db()
    assert notice.email_attempts == 1 and notice.emailed_at is None


def test_the_mail_tasks_and_the_schedule_use_the_same_names(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {sweep_mail.name, send_daily_digests.name} <= tasks


def test_the_absolute_link_uses_the_portal_address(settings):
    settings.PORTAL_BASE_URL = "https://portal.example.cn/"
    assert mail.absolute_url("/training/order-classes/3/") == "https://portal.example.cn/training/order-classes/3/"
    assert mail.absolute_url("https://elsewhere.cn/x") == "https://elsewhere.cn/x"


@pytest.mark.django_db(transaction=True)
def test_a_notice_claimed_by_one_worker_is_not_sent_by_another(smtp, org):
    """PostgreSQL: a worker holding the notice's row lock (sending it) makes the other skip it."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("row locks (select_for_update skip_locked) are a PostgreSQL matter; SQLite has one writer")
    person = UserFactory(role=Role.MEMBER, organization=org, email="teacher@lzpcc.edu.cn")
    with mock.patch("members.mail.queue_notification_emails"):
        notify([person], "只发一次的通知")
    notice = Notification.objects.get(user=person)
    locked, release = threading.Event(), threading.Event()

    def first_worker():
        try:
            with transaction.atomic():
                Notification.objects.select_for_update().get(pk=notice.pk)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    worker = threading.Thread(target=first_worker)
    worker.start()
    assert locked.wait(10)
    try:
        assert mail.deliver_notification(notice.pk) is None  # claimed elsewhere: skipped, not sent
    finally:
        release.set()
        worker.join()
    assert not smtp.messages
    assert mail.deliver_notification(notice.pk) is True
    assert mail.deliver_notification(notice.pk) is None
    assert len(smtp.messages) == 1
