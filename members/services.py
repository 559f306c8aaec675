"""Membership workflow: each step is a named, dated transition taken by staff."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.access import CHANGE, is_writer

from .mail import queue_mail
from .models import MembershipEvent, MembershipStatus, Organization, UserEvent

S = MembershipStatus
A = MembershipEvent.Action
UserAction = UserEvent.Action


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


# -- Membership applications (入会申请) ------------------------------------------------------------


def submit_application(application, documents):
    """Store a public application with its checked documents and tell staff it arrived."""
    from .models import ApplicationDocument, Role, User

    with transaction.atomic():
        application.save()
        for checked in documents:
            ApplicationDocument.objects.create(
                application=application,
                file=checked.file,
                original_name=checked.display_name,
                content_type=checked.content_type,
                size=checked.size,
            )
        staff = User.objects.filter(role__in=(Role.STAFF, Role.ADMIN), is_active=True)
        notify(
            list(staff),
            _("新的入会申请：%(name)s") % {"name": application.name},
            body=_("%(name)s 提交了入会申请，请审核。") % {"name": application.name},
            url=application.get_absolute_url(),
        )
    return application


def _pending_application(application_id):
    from .models import ApplicationStatus, MembershipApplication

    application = MembershipApplication.objects.select_for_update().get(pk=application_id)
    if application.status != ApplicationStatus.PENDING:
        raise ValidationError(
            _("该申请已处理（%(status)s），不能再次审核。") % {"status": application.get_status_display()}
        )
    return application


def admit_application(application_id, *, by, username, link_for):
    """Admit an applicant: the organisation (applied → admitted), its first user, the invitation e-mail.

    ``link_for(user)`` gives the absolute invitation link of the new user (the view knows the host).
    """
    from .models import ApplicationStatus, Role, User

    if not is_writer(by):
        raise PermissionDenied(_("只有联合体工作人员可以审核入会申请。"))
    username = (username or "").strip()
    with transaction.atomic():
        application = _pending_application(application_id)
        if Organization.objects.filter(credit_code=application.credit_code).exists():
            raise ValidationError(_("已有成员单位使用该统一社会信用代码，不能重复入会。"))
        if Organization.objects.filter(name=application.name).exists():
            raise ValidationError(_("已有同名的成员单位。"))
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": _("该用户名已被使用。")})
        applied_on = timezone.localtime(application.created_at).date()
        org = Organization.objects.create(
            name=application.name,
            credit_code=application.credit_code,
            kind=application.kind,
            industry_chain=application.industry_chain,
            contact_name=application.contact_name,
            contact_phone=application.contact_phone,
            contact_email=application.contact_email,
            description=application.description,
            status=S.APPLIED,
            status_changed_on=applied_on,
        )
        record_application(org, date=applied_on, reason=_("在线提交入会申请"))
        change_membership(org.pk, A.ADMIT, by=by, reason=_("入会申请审核通过"))
        user = User(
            username=username,
            email=application.contact_email,
            first_name=application.contact_name,
            role=Role.MEMBER,
            organization=org,
            is_org_admin=True,
        )
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        record_user_event(user, UserAction.INVITE, by=by, detail=_("入会申请批准后创建的本单位管理员"))
        application.status = ApplicationStatus.ADMITTED
        application.organization = org
        application.decided_by = by
        application.decided_at = timezone.now()
        application.save(update_fields=["status", "organization", "decided_by", "decided_at"])
        send_invitation(user, link_for(user), organization=org)
    return application


def decline_application(application_id, *, by, reason):
    """Decline an application with a reason, which the applicant is told by e-mail."""
    from .models import ApplicationStatus

    if not is_writer(by):
        raise PermissionDenied(_("只有联合体工作人员可以审核入会申请。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("不予批准必须填写原因。")})
    with transaction.atomic():
        application = _pending_application(application_id)
        application.status = ApplicationStatus.DECLINED
        application.reason = reason
        application.decided_by = by
        application.decided_at = timezone.now()
        application.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        queue_mail(
            [application.contact_email],
            _("兰州新区产教联合体：入会申请审核结果"),
            _(
                "%(contact)s：\n\n您代表“%(name)s”提交的入会申请未予批准。\n原因：%(reason)s\n\n"
                "如有疑问，请联系联合体秘书处。"
            )
            % {"contact": application.contact_name, "name": application.name, "reason": reason},
        )
    return application


# -- Users in the portal ---------------------------------------------------------------------------


def record_user_event(user, action, *, by=None, detail=""):
    from .models import UserEvent

    return UserEvent.objects.create(user=user, action=action, actor=by, detail=str(detail)[:300])


def send_invitation(user, link, *, organization=None, reset=False):
    """E-mail the link that lets ``user`` set a password (an invitation, or a reset)."""
    if reset:
        subject = _("兰州新区产教联合体门户：重设密码")
        body = _(
            "%(name)s：\n\n请打开下面的链接重设您在产教联合体门户的密码（用户名：%(username)s）：\n%(link)s\n\n"
            "链接只能使用一次，%(days)s 天内有效。如非本人操作，请忽略本邮件。"
        )
    else:
        subject = _("兰州新区产教联合体门户：账号邀请")
        body = _(
            "%(name)s：\n\n您已受邀使用兰州新区产教联合体门户（用户名：%(username)s）。"
            "请打开下面的链接设置密码并登录：\n%(link)s\n\n链接只能使用一次，%(days)s 天内有效。"
        )
    days = max(1, int(settings.PASSWORD_RESET_TIMEOUT) // 86400)
    values = {"name": user.get_full_name() or user.username, "username": user.username, "link": link, "days": days}
    return queue_mail([user.email], subject, body % values)


def _is_above_staff(user) -> bool:
    from .models import Role

    return user.is_superuser or user.role == Role.ADMIN


def check_can_manage(actor, target, *, new_role=None, new_org_id=None):
    """Whether ``actor`` may change the account ``target`` (and give it ``new_role``); raises PermissionDenied."""
    from .models import Role, User

    if not User.objects.for_user(actor, CHANGE).filter(pk=target.pk).exists():
        raise PermissionDenied(_("您没有权限管理该用户。"))
    if actor.can_edit_all:
        if actor.effective_role != Role.ADMIN and (_is_above_staff(target) or new_role == Role.ADMIN):
            raise PermissionDenied(_("只有系统管理员可以创建或变更系统管理员账号。"))
        return
    # An organisation's administrator: their own organisation's members, and nothing above a member.
    if (new_role not in (None, Role.MEMBER)) or (new_org_id not in (None, actor.organization_id)):
        raise PermissionDenied(_("本单位管理员只能管理本单位的成员单位用户。"))


def check_can_invite(actor, *, role, organization_id):
    """Whether ``actor`` may create an account with this role in this organisation."""
    from .models import Role, User

    if not User.user_can_create(actor):
        raise PermissionDenied(_("您没有权限邀请用户。"))
    if actor.can_edit_all:
        if actor.effective_role != Role.ADMIN and role == Role.ADMIN:
            raise PermissionDenied(_("只有系统管理员可以创建或变更系统管理员账号。"))
        return
    if role != Role.MEMBER or organization_id != actor.organization_id:
        raise PermissionDenied(_("本单位管理员只能邀请本单位的成员单位用户。"))


def set_active(user_id, active, *, by):
    """Deactivate or reactivate an account; nobody deactivates themselves."""
    from .models import User

    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        check_can_manage(by, user)
        if user.pk == by.pk:
            raise ValidationError(_("不能停用或启用自己的账号。"))
        if user.is_active == active:
            raise ValidationError(_("该用户已经是启用状态。") if active else _("该用户已经是停用状态。"))
        user.is_active = active
        user.save(update_fields=["is_active"])
        record_user_event(user, UserAction.REACTIVATE if active else UserAction.DEACTIVATE, by=by)
    return user


def change_role(user_id, *, by, role, organization, is_org_admin):
    """Give an account another role, organisation or organisation-administrator flag."""
    from .models import Role, User

    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        org_id = organization.pk if organization else None
        check_can_manage(by, user, new_role=role, new_org_id=org_id)
        if user.pk == by.pk:
            raise ValidationError(_("不能变更自己的角色。"))
        if role == Role.MEMBER and organization is None:
            raise ValidationError({"organization": _("成员单位用户必须属于一个成员单位。")})
        before = f"{user.get_role_display()} {user.organization or ''}{' *' if user.is_org_admin else ''}".strip()
        user.role = role
        user.organization = organization if role == Role.MEMBER else None
        user.is_org_admin = bool(is_org_admin and role == Role.MEMBER)
        user.save(update_fields=["role", "organization", "is_org_admin"])
        after = f"{user.get_role_display()} {user.organization or ''}{' *' if user.is_org_admin else ''}".strip()
        record_user_event(user, UserAction.ROLE, by=by, detail=f"{before} → {after}")
    return user


def send_password_reset(user_id, *, by, link_for):
    """E-mail the account a link to set a new password."""
    from .models import User

    with transaction.atomic():
        user = User.objects.get(pk=user_id)
        check_can_manage(by, user)
        if not user.is_active:
            raise ValidationError(_("该用户已停用，请先重新启用。"))
        if not user.email:
            raise ValidationError(_("该用户没有邮箱地址，无法发送链接。"))
        record_user_event(user, UserAction.RESET, by=by)
        send_invitation(user, link_for(user), reset=True)
    return user


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
