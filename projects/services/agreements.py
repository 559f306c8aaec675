"""Agreement workflow steps, further attachments and the 30/7/0-day expiry notices."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consortium.access import CHANGE, is_writer

from ..models import Agreement, AgreementAttachment, AgreementEvent, AgreementExpiryNotice, AgreementStatus
from .common import Step, clean_reason, require_staff

AS = AgreementStatus
AA = AgreementEvent.Action

AGREEMENT_STEPS = {
    "submit": Step("submit", gettext_lazy("提交核验"), (AS.DRAFT, AS.RETURNED), AS.SUBMITTED, staff_only=False),
    "verify": Step("verify", gettext_lazy("核验通过"), (AS.SUBMITTED,), AS.VERIFIED),
    "return": Step("return", gettext_lazy("退回修改"), (AS.SUBMITTED,), AS.RETURNED, reason_required=True),
    "terminate": Step(
        "terminate", gettext_lazy("终止协议"), (AS.SUBMITTED, AS.VERIFIED), AS.TERMINATED, reason_required=True
    ),
}


def agreement_steps_for(agreement, user, can_change):
    """The workflow steps this user may take on the agreement now (for the buttons)."""
    steps = []
    for step in AGREEMENT_STEPS.values():
        if agreement.status not in step.sources:
            continue
        if step.staff_only and not is_writer(user):
            continue
        if not step.staff_only and not (is_writer(user) or can_change):
            continue
        steps.append(step)
    return steps


def record_agreement_created(agreement, *, by):
    return AgreementEvent.objects.create(
        agreement=agreement,
        action=AA.CREATE,
        to_status=agreement.status,
        actor=by,
    )


def record_agreement_edited(agreement, *, by):
    return AgreementEvent.objects.create(
        agreement=agreement,
        action=AA.EDIT,
        from_status=agreement.status,
        to_status=agreement.status,
        actor=by,
    )


def change_agreement(agreement_id, step_name, *, by, reason=""):
    """Take one workflow step on an agreement (submit, verify, return, terminate)."""
    step = AGREEMENT_STEPS.get(step_name)
    if step is None:
        raise ValidationError(_("未知的操作。"))
    if step.staff_only:
        require_staff(by, _("只有联合体工作人员可以%(step)s。") % {"step": step.label})
    reason = clean_reason(step, reason)
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().get(pk=agreement_id)
        if not step.staff_only and not Agreement.objects.for_user(by, CHANGE).filter(pk=agreement.pk).exists():
            raise PermissionDenied(_("只有登记单位可以提交本协议。"))
        if agreement.status not in step.sources:
            raise ValidationError(
                _("协议当前状态为“%(status)s”，不能%(step)s。")
                % {"status": agreement.get_status_display(), "step": step.label}
            )
        if step_name == "submit" and not agreement.scan:
            raise ValidationError(_("提交核验前请先上传协议签署扫描件。"))
        now = timezone.now()
        event = AgreementEvent.objects.create(
            agreement=agreement,
            action=step_name,
            from_status=agreement.status,
            to_status=step.target,
            reason=reason,
            actor=by,
            at=now,
        )
        agreement.status = step.target
        fields = ["status", "updated_at"]
        if step_name == "submit":
            agreement.submitted_at = now
            fields.append("submitted_at")
        elif step_name == "verify":
            agreement.verified_at, agreement.verified_by = now, by
            agreement.return_reason = ""
            fields += ["verified_at", "verified_by", "return_reason"]
        elif step_name == "return":
            agreement.return_reason = reason
            fields.append("return_reason")
        agreement._change_reason = reason or step.label
        agreement.save(update_fields=fields)
        _notify_agreement_step(agreement, step, reason)
    return event


def _notify_agreement_step(agreement, step, reason):
    """Tell the other side: staff when a member submits, the registering member when staff decide."""
    from members.models import Role, User
    from members.services import notify

    if step.name == "submit":
        users = User.objects.filter(role=Role.STAFF, is_active=True)
        title = _("新的协议待核验：%(title)s") % {"title": agreement.title}
    else:
        users = User.objects.filter(role=Role.MEMBER, is_active=True, organization_id=agreement.organization_id)
        title = _("协议“%(title)s”：%(step)s") % {"title": agreement.title, "step": step.label}
    notify(list(users), title, body=reason, url=agreement.get_absolute_url())


def add_agreement_attachment(agreement, checked, *, by, description=""):
    """Store a further file on an agreement and record the step."""
    with transaction.atomic():
        attachment = AgreementAttachment(
            agreement=agreement,
            original_name=checked.display_name,
            content_type=checked.content_type,
            size=checked.size,
            description=description,
            uploaded_by=by,
        )
        attachment.file.save(checked.file.name, checked.file, save=False)
        attachment.save()
        AgreementEvent.objects.create(
            agreement=agreement,
            action=AA.ATTACH,
            from_status=agreement.status,
            to_status=agreement.status,
            reason=checked.display_name,
            actor=by,
        )
    return attachment


NOTICE_DAYS = (30, 7, 0)


def expiry_recipients(agreement):
    """Active users of the parties' organisations, and the staff."""
    from members.models import Role, User

    party_ids = set(agreement.parties.values_list("pk", flat=True)) | {agreement.organization_id}
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(role=Role.MEMBER, organization_id__in=party_ids) | Q(role=Role.STAFF))
        .order_by("pk")
    )


def notice_threshold(days_left):
    """The 30/7/0-day notice an agreement with this many days left is due for (None when none)."""
    due = [d for d in NOTICE_DAYS if d >= days_left >= 0]
    return min(due) if due else None


def send_expiry_notices(today=None):
    """Send the due 30/7/0-day expiry notices, each once; returns the number of notices sent.

    An agreement inside a notice window that has not had that window's notice
    gets it now, so a day the scheduler missed is caught up on the next run
    (with the real number of days left). The notice row and the notifications
    are written in one transaction, and the row's unique key (agreement, days,
    end date) means a second run, or a second worker at the same time, sends
    nothing again.
    """
    from members.services import notify

    today = today or timezone.localdate()
    window = (
        Agreement.objects.filter(status__in=[AS.SUBMITTED, AS.VERIFIED])
        .filter(end_date__gte=today, end_date__lte=today + timedelta(days=max(NOTICE_DAYS)))
        .select_related("organization")
        .order_by("end_date", "pk")
    )
    agreements = list(window)
    sent_before = set(
        AgreementExpiryNotice.objects.filter(agreement__in=[a.pk for a in agreements]).values_list(
            "agreement_id", "days", "end_date"
        )
    )
    sent = 0
    for agreement in agreements:
        days_left = (agreement.end_date - today).days
        days = notice_threshold(days_left)
        if days is None or (agreement.pk, days, agreement.end_date) in sent_before:
            continue
        try:
            with transaction.atomic():
                notice, created = AgreementExpiryNotice.objects.get_or_create(
                    agreement=agreement,
                    days=days,
                    end_date=agreement.end_date,
                )
                if not created:
                    continue
                if days_left:
                    title = _("协议“%(title)s”将在 %(days)s 天后到期") % {"title": agreement.title, "days": days_left}
                else:
                    title = _("协议“%(title)s”今天到期") % {"title": agreement.title}
                body = _("到期日期：%(end)s。登记单位：%(org)s。如需续签，请及时办理并在门户登记。") % {
                    "end": agreement.end_date,
                    "org": agreement.organization.name,
                }
                count = notify(expiry_recipients(agreement), title, body=body, url=agreement.get_absolute_url())
                notice.recipients = count
                notice.save(update_fields=["recipients"])
                sent += 1
        except IntegrityError:
            # Another worker recorded the same notice first: it has been sent.
            continue
    return sent
