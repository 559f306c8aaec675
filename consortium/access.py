"""The one place that decides who may see and change what.

Every model's QuerySet derives from RestrictedQuerySet and answers
``for_user(user, action)``. List pages, detail pages, edit views, exports, the API
and the dashboard breakdowns all go through it, so a rule is written once.

Roles (DOMAIN.md):
- admin and staff see and change everything;
- leadership sees everything and changes nothing;
- a member user sees, and where the model allows changes, the records of their
  own organisation only.
"""

from django.db import models

VIEW = "view"
CHANGE = "change"
# Choosing a record as the target of a relation (a picker, an id field): what a user may link to.
USE = "use"


def is_writer(user) -> bool:
    """Staff and admins may change every record."""
    return bool(user and user.is_authenticated and user.is_active and user.can_edit_all)


def is_reader(user) -> bool:
    """Staff, admins and leadership may read every record."""
    return bool(user and user.is_authenticated and user.is_active and user.can_view_all)


def member_org_id(user):
    """The organisation of a member user, or None for other roles."""
    if user and user.is_authenticated and user.is_active and user.is_member_user:
        return user.organization_id
    return None


class RestrictedQuerySet(models.QuerySet):
    """A QuerySet with the portal's access rule.

    Subclasses override ``member_q(org_id, action)`` to return the Q object that
    selects what a member organisation's user may see (action=VIEW) or change
    (action=CHANGE), or None when members may not do that at all.
    """

    def member_q(self, org_id, action):
        return None

    def use_q(self, org_id):
        """What a member organisation's user may link a record to: by default what they may see."""
        return self.member_q(org_id, VIEW)

    def for_user(self, user, action=VIEW):
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        if user.can_edit_all:
            return self
        if user.can_view_all:
            return self if action == VIEW else self.none()
        org_id = member_org_id(user)
        if org_id is None:
            return self.none()
        q = self.use_q(org_id) if action == USE else self.member_q(org_id, action)
        if q is None:
            return self.none()
        # A subquery keeps the rows unique when q follows a many-to-many relation.
        return self.filter(pk__in=self.model._base_manager.filter(q).values("pk"))


def user_can_create(model, user) -> bool:
    """Whether the user may create a record of this model (the model may widen it)."""
    hook = getattr(model, "user_can_create", None)
    if hook is not None:
        return hook(user)
    return is_writer(user)


def usable_by(queryset, user):
    """Narrow the choices of a relation to the records ``user`` may link to (for_user(USE)).

    Every picker of a form and every id field of the API goes through this (consortium.forms,
    consortium.api), so a forbidden id is refused exactly like an id that does not exist. A model
    without the access rule offers nothing to anyone but staff and admins.
    """
    if is_writer(user):
        return queryset
    model = queryset.model
    if not isinstance(model._default_manager.all(), RestrictedQuerySet):
        return queryset.none()
    allowed = model._default_manager.all().for_user(user, USE)
    return queryset.filter(pk__in=allowed.values("pk"))
