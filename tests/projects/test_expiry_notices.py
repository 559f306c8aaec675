from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from members.models import Notification, Role
from projects import services
from projects.models import AgreementExpiryNotice, AgreementStatus
from projects.tasks import notify_expiring_agreements
from tests.factories import UserFactory

from .factories import AgreementFactory

pytestmark = pytest.mark.django_db


def ending_in(org, party, days, status=AgreementStatus.VERIFIED):
    today = timezone.localdate()
    return AgreementFactory(
        organization=org,
        parties=[party],
        status=status,
        verified_at=timezone.now(),
        start_date=today - timedelta(days=700),
        end_date=today + timedelta(days=days),
    )


@pytest.fixture
def people(users, org, other_org):
    users["member"].email = "school@example.cn"
    users["member"].save()
    users["staff"].email = "staff@example.cn"
    users["staff"].save()
    outsider_org = type(org).objects.create(name="兰州知豆", credit_code="91620100MA74XYZ12K", kind="enterprise")
    return {
        **users,
        "outsider": UserFactory(role=Role.MEMBER, organization=outsider_org, email="x@example.cn"),
        "inactive": UserFactory(role=Role.MEMBER, organization=org, is_active=False, email="gone@example.cn"),
    }


def test_the_task_is_registered_under_the_scheduled_name():
    assert notify_expiring_agreements.name == "projects.tasks.notify_expiring_agreements"


def test_running_the_task_twice_sends_each_notice_once(
    people, org, other_org, monkeypatch, django_capture_on_commit_callbacks
):
    # The e-mails go from a task queued when the notices commit (members.mail): run it here.
    monkeypatch.setattr(notify_expiring_agreements.app.conf, "task_always_eager", True)
    agreement = ending_in(org, other_org, 30)
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_expiring_agreements.apply().get() == 1
        assert notify_expiring_agreements.apply().get() == 0
    notes = Notification.objects.filter(title__contains=agreement.title)
    # The parties' active member users and the staff; not leadership, outsiders or inactive users.
    assert sorted(notes.values_list("user__username", flat=True)) == ["member", "other", "staff"]
    assert "30 天后到期" in notes.first().title
    assert sorted(m.to[0] for m in mail.outbox) == ["school@example.cn", "staff@example.cn"]
    assert AgreementExpiryNotice.objects.get().recipients == 3


@pytest.mark.parametrize("days,title", [(30, "30 天后到期"), (7, "7 天后到期"), (0, "今天到期")])
def test_notices_go_out_at_30_7_and_0_days(people, org, other_org, days, title):
    ending_in(org, other_org, days)
    services.send_expiry_notices()
    assert Notification.objects.filter(title__contains=title).count() == 3


def test_no_notice_outside_the_window_or_for_drafts_terminated_and_expired_agreements(people, org, other_org):
    ending_in(org, other_org, 31)
    ending_in(org, other_org, 30, status=AgreementStatus.DRAFT)
    ending_in(org, other_org, 7, status=AgreementStatus.TERMINATED)
    ending_in(org, other_org, -1)
    assert services.send_expiry_notices() == 0
    assert not Notification.objects.exists()


def test_a_day_the_scheduler_missed_is_caught_up_once_with_the_real_days_left(people, org, other_org):
    agreement = ending_in(org, other_org, 29)
    assert services.send_expiry_notices() == 1
    assert services.send_expiry_notices() == 0
    assert Notification.objects.filter(title__contains="29 天后到期").count() == 3
    assert list(agreement.expiry_notices.values_list("days", flat=True)) == [30]


def test_each_window_sends_once_over_the_whole_countdown(people, org, other_org):
    agreement = ending_in(org, other_org, 35)
    today = timezone.localdate()
    for offset in range(0, 40):
        services.send_expiry_notices(today=today + timedelta(days=offset))
        services.send_expiry_notices(today=today + timedelta(days=offset))
    assert sorted(agreement.expiry_notices.values_list("days", flat=True)) == [0, 7, 30]
    titles = sorted(Notification.objects.filter(user__username="member").values_list("title", flat=True))
    assert len(titles) == 3 and any("今天到期" in t for t in titles)


@pytest.mark.parametrize("days_left,threshold", [(31, None), (30, 30), (8, 30), (7, 7), (1, 7), (0, 0), (-1, None)])
def test_notice_thresholds(days_left, threshold):
    assert services.notice_threshold(days_left) == threshold


def test_a_notice_already_recorded_is_not_sent_again(people, org, other_org):
    agreement = ending_in(org, other_org, 30)
    AgreementExpiryNotice.objects.create(agreement=agreement, days=30, end_date=agreement.end_date)
    assert services.send_expiry_notices() == 0
    assert not Notification.objects.exists() and not mail.outbox


def test_a_renewed_term_gets_its_own_notices(people, org, other_org):
    agreement = ending_in(org, other_org, 30)
    services.send_expiry_notices()
    agreement.end_date = agreement.end_date + timedelta(days=365)
    agreement.save()
    later = timezone.localdate() + timedelta(days=365)
    assert services.send_expiry_notices(today=later) == 1


def test_notifications_show_in_the_navigation(people, org, other_org, client_for):
    ending_in(org, other_org, 7)
    services.send_expiry_notices()
    page = client_for("member").get("/").content.decode()
    assert 'badge text-bg-warning">1<' in page
