"""Platforms a member registers (共建平台登记): pending until staff confirm or decline them.

Only a confirmed platform is established and counted by the KPIs (``Platform.objects.established()``).
Staff are told of each registration, the registering organisation of the decision.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Platform, PlatformStatus
from .common import Step, clean_reason, require_staff
from .proposals import staff_users

PLS = PlatformStatus

PLATFORM_STEPS = {
    "confirm": Step("confirm", gettext_lazy("确认平台"), (PLS.PENDING,), PLS.CONFIRMED),
    "decline": Step("decline", gettext_lazy("不予确认"), (PLS.PENDING,), PLS.DECLINED, reason_required=True),
}


def record_platform_registered(platform, *, by):
    """A member registered a platform (saved pending, with its registering organisation): tell staff."""
    from members.services import notify

    notify(
        staff_users(),
        _("新的共建平台待确认：%(name)s") % {"name": platform.name},
        body=_("登记单位：%(org)s。") % {"org": platform.registering_organization.name},
        url=platform.get_absolute_url(),
    )


def change_platform(platform_id, step_name, *, by, reason=""):
    """Staff confirm a pending platform (it counts from then on) or decline it with a reason."""
    step = PLATFORM_STEPS.get(step_name)
    if step is None:
        raise ValidationError(_("未知的操作。"))
    require_staff(by, _("只有联合体工作人员可以确认共建平台。"))
    reason = clean_reason(step, reason)
    with transaction.atomic():
        platform = Platform.objects.select_for_update().get(pk=platform_id)
        if platform.status not in step.sources:
            raise ValidationError(
                _("平台当前状态为“%(status)s”，不能%(step)s。")
                % {"status": platform.get_status_display(), "step": step.label}
            )
        platform.status = step.target
        platform.decided_at, platform.decided_by = timezone.now(), by
        platform.decline_reason = reason if step_name == "decline" else ""
        platform._change_reason = reason or step.label
        platform.save(update_fields=["status", "decided_at", "decided_by", "decline_reason", "updated_at"])
        if platform.registering_organization_id:
            from members.models import Role, User
            from members.services import notify

            users = User.objects.filter(
                role=Role.MEMBER, is_active=True, organization_id=platform.registering_organization_id
            )
            notify(
                list(users),
                _("共建平台“%(name)s”：%(step)s") % {"name": platform.name, "step": step.label},
                body=reason,
                url=platform.get_absolute_url(),
            )
    return platform
