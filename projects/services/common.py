"""What the workflow steps of agreements and projects share: a step and its checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from consortium.access import is_writer

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Step:
    name: str
    label: StrOrPromise
    sources: tuple
    target: str
    staff_only: bool = True
    reason_required: bool = False


def require_staff(user, message=None):
    if not is_writer(user):
        raise PermissionDenied(message or _("只有联合体工作人员可以执行此操作。"))


def clean_reason(step, reason):
    reason = (reason or "").strip()
    if step.reason_required and not reason:
        raise ValidationError({"reason": _("“%(step)s”必须填写原因。") % {"step": step.label}})
    return reason
