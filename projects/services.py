"""Workflow steps of agreements and projects, expert review, and expiry notices.

Each step is a named function: it checks that the user may take it and that the
record's current status allows it, changes the record and records who and when,
all in one transaction. A refused step raises ValidationError (in Chinese) or
PermissionDenied and changes nothing.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consortium.access import CHANGE, is_writer

from .models import (
    Agreement,
    AgreementAttachment,
    AgreementEvent,
    AgreementExpiryNotice,
    AgreementStatus,
    CriterionScore,
    EvaluationCriterion,
    Expert,
    ExpertReview,
    Project,
    ProjectEvent,
    ProjectStatus,
    ReviewPolicy,
)

AS = AgreementStatus
AA = AgreementEvent.Action
PS = ProjectStatus


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    sources: tuple
    target: str
    staff_only: bool = True
    reason_required: bool = False


def _require_staff(user, message=None):
    if not is_writer(user):
        raise PermissionDenied(message or _("只有联合体工作人员可以执行此操作。"))


def _clean_reason(step, reason):
    reason = (reason or "").strip()
    if step.reason_required and not reason:
        raise ValidationError({"reason": _("“%(step)s”必须填写原因。") % {"step": step.label}})
    return reason


# ---------------------------------------------------------------------------
# Agreements
# ---------------------------------------------------------------------------

AGREEMENT_STEPS = {
    "submit": Step("submit", gettext_lazy("提交核验"), (AS.DRAFT, AS.RETURNED), AS.SUBMITTED, staff_only=False),
    "verify": Step("verify", gettext_lazy("核验通过"), (AS.SUBMITTED,), AS.VERIFIED),
    "return": Step("return", gettext_lazy("退回修改"), (AS.SUBMITTED,), AS.RETURNED, reason_required=True),
    "terminate": Step("terminate", gettext_lazy("终止协议"), (AS.SUBMITTED, AS.VERIFIED), AS.TERMINATED, reason_required=True),
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
        agreement=agreement, action=AA.CREATE, to_status=agreement.status, actor=by,
    )


def record_agreement_edited(agreement, *, by):
    return AgreementEvent.objects.create(
        agreement=agreement, action=AA.EDIT, from_status=agreement.status, to_status=agreement.status, actor=by,
    )


def change_agreement(agreement_id, step_name, *, by, reason=""):
    """Take one workflow step on an agreement (submit, verify, return, terminate)."""
    step = AGREEMENT_STEPS.get(step_name)
    if step is None:
        raise ValidationError(_("未知的操作。"))
    if step.staff_only:
        _require_staff(by, _("只有联合体工作人员可以%(step)s。") % {"step": step.label})
    reason = _clean_reason(step, reason)
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
            agreement=agreement, action=step_name, from_status=agreement.status, to_status=step.target,
            reason=reason, actor=by, at=now,
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
            agreement=agreement, original_name=checked.display_name, content_type=checked.content_type,
            size=checked.size, description=description, uploaded_by=by,
        )
        attachment.file.save(checked.file.name, checked.file, save=False)
        attachment.save()
        AgreementEvent.objects.create(
            agreement=agreement, action=AA.ATTACH, from_status=agreement.status, to_status=agreement.status,
            reason=checked.display_name, actor=by,
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
        AgreementExpiryNotice.objects.filter(agreement__in=[a.pk for a in agreements])
        .values_list("agreement_id", "days", "end_date")
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
                    agreement=agreement, days=days, end_date=agreement.end_date,
                )
                if not created:
                    continue
                if days_left:
                    title = _("协议“%(title)s”将在 %(days)s 天后到期") % {"title": agreement.title, "days": days_left}
                else:
                    title = _("协议“%(title)s”今天到期") % {"title": agreement.title}
                body = _("到期日期：%(end)s。登记单位：%(org)s。如需续签，请及时办理并在门户登记。") % {
                    "end": agreement.end_date, "org": agreement.organization.name,
                }
                count = notify(expiry_recipients(agreement), title, body=body, url=agreement.get_absolute_url())
                notice.recipients = count
                notice.save(update_fields=["recipients"])
                sent += 1
        except IntegrityError:
            # Another worker recorded the same notice first: it has been sent.
            continue
    return sent


# ---------------------------------------------------------------------------
# Projects
# ---------------------------------------------------------------------------

PROJECT_STEPS = {
    "start_review": Step("start_review", gettext_lazy("提交专家评审"), (PS.PROPOSED,), PS.UNDER_REVIEW),
    "approve": Step("approve", gettext_lazy("批准立项"), (PS.UNDER_REVIEW,), PS.APPROVED),
    "reject": Step("reject", gettext_lazy("不予立项"), (PS.PROPOSED, PS.UNDER_REVIEW), PS.REJECTED, reason_required=True),
    "start": Step("start", gettext_lazy("开始实施"), (PS.APPROVED,), PS.IN_PROGRESS),
    "complete": Step("complete", gettext_lazy("结项验收"), (PS.IN_PROGRESS,), PS.COMPLETED),
    "apply": Step("apply", gettext_lazy("登记成果应用"), (PS.COMPLETED,), PS.APPLIED),
    "terminate": Step("terminate", gettext_lazy("终止项目"), (PS.APPROVED, PS.IN_PROGRESS), PS.TERMINATED, reason_required=True),
}


def project_steps_for(project, user):
    if not is_writer(user):
        return []
    return [s for s in PROJECT_STEPS.values() if project.status in s.sources]


def review_summary(project):
    """(completed reviews, their average weighted score) computed in SQL."""
    agg = project.reviews.filter(score__isnull=False).aggregate(n=Count("pk"), avg=Avg("score"))
    avg = agg["avg"]
    if avg is not None:
        avg = Decimal(avg).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return agg["n"], avg


def approval_blocker(project, policy=None):
    """Why the project cannot be approved now (a Chinese sentence), or None."""
    policy = policy or ReviewPolicy.current()
    done, avg = review_summary(project)
    if done < policy.min_reviews:
        return _("专家评审不足：已完成 %(done)s 份，至少需要 %(min)s 份，不能立项。") % {
            "done": done, "min": policy.min_reviews,
        }
    if avg < policy.pass_score:
        return _("专家评审平均分 %(avg)s 低于立项分数线 %(pass)s，不能立项。") % {
            "avg": avg, "pass": policy.pass_score,
        }
    return None


def change_project(project_id, step_name, *, by, date=None, reason=""):
    """Take one lifecycle step on a project; refuses (nothing changed) when not allowed."""
    step = PROJECT_STEPS.get(step_name)
    if step is None:
        raise ValidationError(_("未知的操作。"))
    _require_staff(by, _("只有联合体工作人员可以变更项目状态。"))
    reason = _clean_reason(step, reason)
    date = date or timezone.localdate()
    if date > timezone.localdate():
        raise ValidationError({"date": _("日期不能晚于今天。")})
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project_id)
        if project.status not in step.sources:
            allowed_from = "、".join(str(PS(s).label) for s in step.sources)
            raise ValidationError(
                _("项目当前状态为“%(status)s”，不能%(step)s（只能从“%(from)s”状态%(step)s）。")
                % {"status": project.get_status_display(), "step": step.label, "from": allowed_from}
            )
        last = project.events.order_by("-date", "-id").first()
        if last and date < last.date:
            raise ValidationError({"date": _("日期不能早于上一步（%(date)s）。") % {"date": last.date}})
        fields = ["status", "updated_at"]
        if step_name == "approve":
            blocker = approval_blocker(project)
            if blocker:
                raise ValidationError(blocker)
            project.approved_on = date
            fields.append("approved_on")
        elif step_name == "start":
            project.started_on = date
            fields.append("started_on")
        elif step_name == "complete":
            project.completed_on = date
            fields.append("completed_on")
        elif step_name == "apply":
            if not project.results.exists():
                raise ValidationError(_("请先登记项目成果及其应用情况，再标记为成果已应用。"))
            project.applied_on = date
            fields.append("applied_on")
        elif step.reason_required:
            project.reason = reason
            fields.append("reason")
        event = ProjectEvent.objects.create(
            project=project, action=step_name, from_status=project.status, to_status=step.target,
            date=date, reason=reason, actor=by,
        )
        project.status = step.target
        project._change_reason = reason or step.label
        project.save(update_fields=fields)
    return event


def record_project_proposed(project, *, by):
    return ProjectEvent.objects.create(
        project=project, action="propose", from_status="", to_status=project.status,
        date=timezone.localdate(), actor=by,
    )


def conflict_message(expert, project):
    return _("专家“%(expert)s”来自“%(org)s”，该单位是本项目的牵头或合作单位，不能评审本项目。") % {
        "expert": expert.name, "org": expert.organization.name if expert.organization_id else "",
    }


def has_conflict(expert, project):
    """Whether the expert's organisation leads or partners the project."""
    if not expert.organization_id:
        return False
    return (
        expert.organization_id == project.lead_organization_id
        or project.partners.filter(pk=expert.organization_id).exists()
    )


REVIEWABLE = (PS.PROPOSED, PS.UNDER_REVIEW)


def assign_expert(project_id, expert_id, *, by):
    """Assign an expert from the pool to review a project."""
    _require_staff(by, _("只有联合体工作人员可以指派评审专家。"))
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project_id)
        expert = Expert.objects.get(pk=expert_id)
        if project.status not in REVIEWABLE:
            raise ValidationError(
                _("项目当前状态为“%(status)s”，不能再指派评审专家。") % {"status": project.get_status_display()}
            )
        if not expert.is_active:
            raise ValidationError({"expert": _("该专家已不在专家库中。")})
        if has_conflict(expert, project):
            raise ValidationError({"expert": conflict_message(expert, project)})
        if project.reviews.filter(expert=expert).exists():
            raise ValidationError({"expert": _("该专家已被指派评审本项目。")})
        return ExpertReview.objects.create(project=project, expert=expert, assigned_by=by)


def record_review(review_id, *, by, scores, risk, opinion="", date=None):
    """Record an expert's scores (criterion id -> 0..100) and risk rating; stores the weighted score."""
    _require_staff(by, _("只有联合体工作人员可以录入专家评审。"))
    date = date or timezone.localdate()
    with transaction.atomic():
        review = ExpertReview.objects.select_for_update().select_related("project", "expert").get(pk=review_id)
        project = review.project
        if project.status != PS.UNDER_REVIEW:
            raise ValidationError(
                _("项目当前状态为“%(status)s”，不在专家评审阶段，不能录入评审。")
                % {"status": project.get_status_display()}
            )
        if has_conflict(review.expert, project):
            raise ValidationError(conflict_message(review.expert, project))
        if not risk:
            raise ValidationError({"risk": _("请给出风险评估。")})
        criteria = list(EvaluationCriterion.objects.filter(is_active=True))
        if not criteria:
            raise ValidationError(_("尚未设置评价指标，请先在评审设置中添加。"))
        missing = [c.name for c in criteria if scores.get(c.pk) is None]
        if missing:
            raise ValidationError(_("以下评价指标未打分：%(names)s。") % {"names": "、".join(missing)})
        for c in criteria:
            value = Decimal(scores[c.pk])
            if not (0 <= value <= 100):
                raise ValidationError(_("“%(name)s”的得分应在 0 到 100 之间。") % {"name": c.name})
        review.scores.all().delete()
        CriterionScore.objects.bulk_create([
            CriterionScore(review=review, criterion=c, weight=c.weight, score=Decimal(scores[c.pk])) for c in criteria
        ])
        agg = review.scores.aggregate(total=Sum(F("score") * F("weight")), weights=Sum("weight"))
        review.score = (Decimal(agg["total"]) / Decimal(agg["weights"])).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        review.risk = risk
        review.opinion = opinion
        review.reviewed_on = date
        review.recorded_by = by
        review.save()
    return review


def check_partners_against_reviewers(project, lead_id, partner_ids):
    """A project edit may not make an assigned expert's organisation a party (Chinese error)."""
    if project is None or project.pk is None:
        return
    orgs = set(partner_ids) | {lead_id}
    clash = project.reviews.filter(expert__organization_id__in=orgs).select_related("expert__organization").first()
    if clash:
        raise ValidationError(
            _("专家“%(expert)s”来自“%(org)s”，已被指派评审本项目；该单位不能成为本项目的牵头或合作单位。")
            % {"expert": clash.expert.name, "org": clash.expert.organization.name}
        )
