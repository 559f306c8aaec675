"""What waits for staff in the members app: membership applications to decide."""

from django.utils.translation import gettext as _

from consortium import registry
from consortium.access import is_writer
from consortium.workqueue import PER_PROVIDER, WorkItem

from .models import MembershipApplication


@registry.work_queue.register
def applications_to_decide(user):
    """Pending membership applications, newest first, in one query."""
    if not is_writer(user):
        return []
    pending = MembershipApplication.objects.pending().order_by("-created_at", "-id")[:PER_PROVIDER]
    return [
        WorkItem(
            kind=_("待审核入会申请"),
            title=application.name,
            url=application.get_absolute_url(),
            when=application.created_at,
            detail=application.get_kind_display(),
            level="warning",
        )
        for application in pending
    ]
