"""Membership workflow: each step is a named, dated transition taken by staff."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.access import is_writer

from .models import MembershipEvent, MembershipStatus, Organization

S = MembershipStatus
A = MembershipEvent.Action


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple
    target: str
    reason_required: bool = False


TRANSITIONS = {
    A.ADMIT: Transition(A.ADMIT, (S.APPLIED,), S.ADMITTED),
    A.SUSPEND: Transition(A.SUSPEND, (S.ADMITTED,), S.SUSPENDED, reason_required=True),
    A.REINSTATE: Transition(A.REINSTATE, (S.SUSPENDED,), S.ADMITTED),
    A.EXIT: Transition(A.EXIT, (S.ADMITTED, S.SUSPENDED), S.EXITED, reason_required=True),
    A.EXPEL: Transition(A.EXPEL, (S.ADMITTED, S.SUSPENDED), S.EXPELLED, reason_required=True),
}


def allowed_actions(org):
    """The membership steps open from the organisation's current status."""
    return [t.action for t in TRANSITIONS.values() if org.status in t.sources]


def record_application(org, *, by=None, date=None, reason=""):
    """Record the application step of a newly created organisation."""
    return MembershipEvent.objects.create(
        organization=org,
        action=A.APPLY,
        from_status="",
        to_status=S.APPLIED,
        date=date or timezone.localdate(),
        reason=reason,
        actor=by,
    )


def change_membership(org_id, action, *, by, date=None, reason=""):
    """Take one membership step; raises ValidationError (nothing changed) when not allowed."""
    if not is_writer(by):
        raise PermissionDenied(_("只有联合体工作人员可以变更成员状态。"))
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError(_("未知的操作。"))
    reason = (reason or "").strip()
    date = date or timezone.localdate()
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=org_id)
        if org.status not in transition.sources:
            raise ValidationError(
                _("“%(org)s”当前状态为“%(status)s”，不能执行“%(action)s”。")
                % {"org": org.name, "status": org.get_status_display(), "action": A(action).label}
            )
        if transition.reason_required and not reason:
            raise ValidationError({"reason": _("“%(action)s”必须填写原因。") % {"action": A(action).label}})
        last = org.membership_events.order_by("-date", "-id").first()
        if last and date < last.date:
            raise ValidationError({"date": _("日期不能早于上一步（%(date)s）。") % {"date": last.date}})
        if date > timezone.localdate():
            raise ValidationError({"date": _("日期不能晚于今天。")})
        event = MembershipEvent.objects.create(
            organization=org,
            action=action,
            from_status=org.status,
            to_status=transition.target,
            date=date,
            reason=reason,
            actor=by,
        )
        org.status = transition.target
        org.status_changed_on = date
        org.save(update_fields=["status", "status_changed_on", "updated_at"])
    return event


def notify(users, title, *, body="", url="", email=True):
    """Raise a notice in the portal for each active user; return how many were raised.

    Users who want each notice by e-mail get it from a Celery task queued when the transaction
    commits (members/mail.py), so the save never waits on the mail server; ``email=False`` raises
    notices that are never mailed.
    """
    from .mail import queue_notification_emails
    from .models import EmailNotice, Notification, notifications_changed

    users = [u for u in users if u is not None and u.is_active]
    now = timezone.now()
    notifications = Notification.objects.bulk_create(
        [Notification(user=u, title=title, body=body, url=url, emailed_at=None if email else now) for u in users]
    )
    notifications_changed.send(sender=Notification)
    if email:
        queue_notification_emails(
            [n.pk for n in notifications if n.user.email and n.user.email_notice == EmailNotice.EACH]
        )
    return len(users)
