"""Project lifecycle steps and expert review (assignment, weighted scores, conflicts of interest)."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Avg, Count, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consortium.access import is_writer

from ..models import (
    CriterionScore,
    EvaluationCriterion,
    Expert,
    ExpertReview,
    Project,
    ProjectEvent,
    ProjectStatus,
    ReviewPolicy,
    RiskLevel,
)
from .common import Step, clean_reason, require_staff
from .proposals import notify_project_step

PS = ProjectStatus

PROJECT_STEPS = {
    "start_review": Step("start_review", gettext_lazy("提交专家评审"), (PS.PROPOSED,), PS.UNDER_REVIEW),
    "return": Step("return", gettext_lazy("退回修改"), (PS.PROPOSED,), PS.RETURNED, reason_required=True),
    "approve": Step("approve", gettext_lazy("批准立项"), (PS.UNDER_REVIEW,), PS.APPROVED),
    "reject": Step(
        "reject", gettext_lazy("不予立项"), (PS.PROPOSED, PS.UNDER_REVIEW), PS.REJECTED, reason_required=True
    ),
    "start": Step("start", gettext_lazy("开始实施"), (PS.APPROVED,), PS.IN_PROGRESS),
    "complete": Step("complete", gettext_lazy("结项验收"), (PS.IN_PROGRESS,), PS.COMPLETED),
    "apply": Step("apply", gettext_lazy("登记成果应用"), (PS.COMPLETED,), PS.APPLIED),
    "terminate": Step(
        "terminate", gettext_lazy("终止项目"), (PS.APPROVED, PS.IN_PROGRESS), PS.TERMINATED, reason_required=True
    ),
}


def project_steps_for(project, user):
    if not is_writer(user):
        return []
    return [s for s in PROJECT_STEPS.values() if project.status in s.sources]


def review_summary(project):
    """(completed reviews, their average weighted score) computed in SQL; a withdrawn review counts nowhere."""
    agg = project.reviews.done().aggregate(n=Count("pk"), avg=Avg("score"))
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
            "done": done,
            "min": policy.min_reviews,
        }
    if avg < policy.pass_score:
        return _("专家评审平均分 %(avg)s 低于立项分数线 %(pass)s，不能立项。") % {
            "avg": avg,
            "pass": policy.pass_score,
        }
    return None


def change_project(project_id, step_name, *, by, date=None, reason=""):
    """Take one lifecycle step on a project; refuses (nothing changed) when not allowed."""
    step = PROJECT_STEPS.get(step_name)
    if step is None:
        raise ValidationError(_("未知的操作。"))
    require_staff(by, _("只有联合体工作人员可以变更项目状态。"))
    reason = clean_reason(step, reason)
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
        elif step_name == "return":
            # The proposing organisation reads it, edits the proposal and submits it again.
            project.return_reason = reason
            fields.append("return_reason")
        elif step.reason_required:
            project.reason = reason
            fields.append("reason")
        event = ProjectEvent.objects.create(
            project=project,
            action=step_name,
            from_status=project.status,
            to_status=step.target,
            date=date,
            reason=reason,
            actor=by,
        )
        project.status = step.target
        project._change_reason = reason or step.label
        project.save(update_fields=fields)
        notify_project_step(project, step, reason)
    return event


def record_project_proposed(project, *, by):
    return ProjectEvent.objects.create(
        project=project,
        action="propose",
        from_status="",
        to_status=project.status,
        date=timezone.localdate(),
        actor=by,
    )


def conflict_message(expert, project):
    return _("专家“%(expert)s”来自“%(org)s”，该单位是本项目的牵头或合作单位，不能评审本项目。") % {
        "expert": expert.name,
        "org": expert.organization.name if expert.organization_id else "",
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


def assign_expert(project_id, expert_id, *, by, due_on=None):
    """Assign an expert from the pool to review a project (optionally by a due date)."""
    require_staff(by, _("只有联合体工作人员可以指派评审专家。"))
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
        if due_on is not None and due_on < timezone.localdate():
            raise ValidationError({"due_on": _("评审截止日期不能早于今天。")})
        review = ExpertReview.objects.create(project=project, expert=expert, assigned_by=by, due_on=due_on)
    if expert.user_id:
        from members.services import notify

        notify(
            [expert.user],
            _("新的评审任务：%(project)s") % {"project": project.title},
            body=_("请在截止日期前完成评审：%(due)s") % {"due": due_on or "—"},
            url=review.get_expert_url(),
        )
    return review


def may_record_review(user, review):
    """Staff record any review; an expert with a portal account records only their own."""
    if is_writer(user):
        return True
    return bool(user and user.is_authenticated and user.is_active and review.expert.user_id == user.pk)


def record_review(review_id, *, by, scores, risk, opinion="", date=None):
    """Record an expert's scores (criterion id -> 0..100) and risk rating; stores the weighted score.

    Staff record it for any expert (one without a portal account sends it on paper); an expert
    signed in records their own, and may revise it until the project leaves expert review.
    """
    date = date or timezone.localdate()
    with transaction.atomic():
        review = ExpertReview.objects.select_for_update().select_related("project", "expert").get(pk=review_id)
        if not may_record_review(by, review):
            raise PermissionDenied(_("只有联合体工作人员或受邀专家本人可以录入该评审。"))
        if date > timezone.localdate():
            raise ValidationError({"date": _("评审日期不能晚于今天。")})
        project = review.project
        if review.is_withdrawn:
            raise ValidationError(_("该专家已声明利益冲突并退出本项目评审，不能再录入评审。"))
        if project.status != PS.UNDER_REVIEW:
            raise ValidationError(
                _("项目当前状态为“%(status)s”，不在专家评审阶段，不能录入评审。")
                % {"status": project.get_status_display()}
            )
        if has_conflict(review.expert, project):
            raise ValidationError(conflict_message(review.expert, project))
        if risk not in RiskLevel.values:
            raise ValidationError({"risk": _("请给出风险评估。")})
        criteria = list(EvaluationCriterion.objects.filter(is_active=True))
        if not criteria:
            raise ValidationError(_("尚未设置评价指标，请先在评审设置中添加。"))
        missing = [c.name for c in criteria if scores.get(c.pk) is None]
        if missing:
            raise ValidationError(_("以下评价指标未打分：%(names)s。") % {"names": "、".join(missing)})
        for c in criteria:
            try:
                value = Decimal(scores[c.pk])
            except (ArithmeticError, TypeError, ValueError):
                raise ValidationError(_("“%(name)s”的得分应为 0 到 100 之间的数字。") % {"name": c.name}) from None
            if not value.is_finite() or not (0 <= value <= 100):
                raise ValidationError(_("“%(name)s”的得分应在 0 到 100 之间。") % {"name": c.name})
        review.scores.all().delete()
        CriterionScore.objects.bulk_create(
            [CriterionScore(review=review, criterion=c, weight=c.weight, score=Decimal(scores[c.pk])) for c in criteria]
        )
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
