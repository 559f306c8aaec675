"""API permission class (kept apart from consortium.api: DRF imports it while loading)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from .access import user_can_create


class RolePermission(permissions.BasePermission):
    """Signed-in users only; writes only for roles that may write something.

    Which rows a user may read or change is decided by for_user() in the viewset's
    queryset, so lists, detail views and custom actions are all filtered.
    """

    message = _("您没有权限执行此操作。")

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if getattr(user, "is_expert", False) and not getattr(view, "open_to_experts", False):
            # Experts use their review pages only (consortium.middleware.ExpertScopeMiddleware).
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        if user.is_leadership:
            return False
        if view.action == "create":
            model = view.get_queryset().model
            return user_can_create(model, user)
        return True
