"""Experts in the portal: their accounts, conflict-of-interest declarations, and the review's spread."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Max, Min, Q, StdDev
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from ..models import Expert, ExpertReview, Project, ProjectStatus, ReviewPolicy
from .common import require_staff
from .projects import REVIEWABLE

TWO_PLACES = Decimal("0.01")


def _two(value):
    return None if value is None else Decimal(value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ReviewSpread:
    """The aggregate of a project's completed reviews and how far they disagree."""

    assigned: int  # every expert assigned, withdrawn ones included
    done: int  # scored and not withdrawn
    withdrawn: int  # declared a conflict of interest
    average: Decimal | None  # mean of the completed reviews' weighted scores
    minimum: Decimal | None
    maximum: Decimal | None
    stddev: Decimal | None  # population standard deviation of those scores

    @property
    def pending(self) -> int:
        return self.assigned - self.done - self.withdrawn


def review_spread(project) -> ReviewSpread:
    """One SQL aggregate over the project's reviews; a withdrawn review counts in ``withdrawn`` only."""
    done = Q(conflict_declared_at__isnull=True, score__isnull=False)
    agg = project.reviews.aggregate(
        assigned=Count("pk"),
        done=Count("pk", filter=done),
        withdrawn=Count("pk", filter=Q(conflict_declared_at__isnull=False)),
        average=Avg("score", filter=done),
        minimum=Min("score", filter=done),
        maximum=Max("score", filter=done),
        stddev=StdDev("score", filter=done, sample=False),
    )
    return ReviewSpread(
        assigned=agg["assigned"],
        done=agg["done"],
        withdrawn=agg["withdrawn"],
        average=_two(agg["average"]),
        minimum=_two(agg["minimum"]),
        maximum=_two(agg["maximum"]),
        stddev=_two(agg["stddev"]),
    )


def review_is_open(review) -> bool:
    """An expert scores (and revises) while the project is under review, never after."""
    return review.project.status == ProjectStatus.UNDER_REVIEW and not review.is_withdrawn


def others_visible_to_expert(project) -> bool:
    """Other experts' scores stay hidden from experts until the review closes."""
    return project.status not in REVIEWABLE


def declare_conflict(review_id, *, by, reason):
    """The expert withdraws from a review for a conflict of interest (利益冲突声明).

    The review stays on record with the reason and time but no longer counts toward the minimum
    number of reviews or the average, and cannot be scored; a score already entered is dropped.
    Staff are told to assign another expert.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请说明利益冲突的情况。")})
    with transaction.atomic():
        review = ExpertReview.objects.select_for_update().select_related("project", "expert").get(pk=review_id)
        if not (by and by.is_authenticated and review.expert.user_id == by.pk):
            raise PermissionDenied(_("只有受邀专家本人可以声明利益冲突。"))
        if review.is_withdrawn:
            raise ValidationError(_("您已声明利益冲突，无需重复声明。"))
        project = review.project
        if project.status not in REVIEWABLE:
            raise ValidationError(
                _("项目当前状态为“%(status)s”，评审已结束，不能再声明利益冲突。")
                % {"status": project.get_status_display()}
            )
        review.scores.all().delete()
        review.score = None
        review.risk = ""
        review.reviewed_on = None
        review.conflict_declared_at = timezone.now()
        review.conflict_reason = reason
        review._change_reason = _("利益冲突声明")
        review.save()
        transaction.on_commit(lambda: _tell_staff_of_conflict(review))
    return review


def _tell_staff_of_conflict(review):
    from members.models import Role
    from members.services import notify

    staff = get_user_model().objects.filter(role=Role.STAFF, is_active=True)
    notify(
        list(staff),
        _("专家声明利益冲突：%(project)s") % {"project": review.project.title},
        body=_("专家“%(expert)s”已退出本项目评审（%(reason)s），请另行指派专家。")
        % {"expert": review.expert.name, "reason": review.conflict_reason},
        url=review.project.get_absolute_url(),
    )


def conflicts_to_replace(limit):
    """Withdrawn reviews of projects still in review whose panel is short of the minimum (staff's queue).

    Once staff assign another expert the panel is full again and the item leaves the queue.
    """
    short = (
        Project.objects.filter(status__in=REVIEWABLE)
        .annotate(panel=Count("reviews", filter=Q(reviews__conflict_declared_at__isnull=True)))
        .filter(panel__lt=ReviewPolicy.current().min_reviews)
        .values("pk")
    )
    return (
        ExpertReview.objects.filter(conflict_declared_at__isnull=False, project__in=short)
        .select_related("project", "expert")
        .order_by("-conflict_declared_at")[:limit]
    )


def invitation_url(user, *, base_url: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return base_url.rstrip("/") + reverse("projects:expert_invitation", args=[uid, token])


def invite_expert(expert_id, *, by, username, email, base_url):
    """Give a pool expert a portal account (role expert, no password yet) and e-mail the link to set one.

    Inviting an expert who already has an account sends the link again (until they set a password
    the token stays valid; setting one ends it).
    """
    from members.mail import queue_mail
    from members.models import Role

    require_staff(by, _("只有联合体工作人员可以邀请专家。"))
    User = get_user_model()
    email = (email or "").strip()
    if not email:
        raise ValidationError({"email": _("请填写专家的电子邮箱。")})
    with transaction.atomic():
        expert = Expert.objects.select_for_update(of=("self",)).select_related("user").get(pk=expert_id)
        user = expert.user
        if user is None:
            username = (username or "").strip()
            if not username:
                raise ValidationError({"username": _("请填写登录用户名。")})
            if User.objects.filter(username__iexact=username).exists():
                raise ValidationError({"username": _("该用户名已被使用。")})
            user = User(username=username, email=email, first_name=expert.name, role=Role.EXPERT)
            user.set_unusable_password()
            user.save()
            expert.user = user
            expert._change_reason = _("开通门户账号")
            expert.save(update_fields=["user"])
        elif user.email != email:
            user.email = email
            user.save(update_fields=["email"])
        link = invitation_url(user, base_url=base_url)
        queue_mail(
            [email],
            _("兰州新区产教联合体：专家评审账号邀请"),
            _(
                "%(name)s 专家您好：\n\n联合体已为您开通评审专家账号（用户名：%(username)s）。请打开下面的链接设置密码：\n%(link)s\n"
            )
            % {"name": expert.name, "username": user.username, "link": link},
        )
    return user
