from django.utils.translation import gettext_lazy as _

from consortium import registry

from .models import Notification

MENU = [
    {
        "label": _("成员单位"),
        "items": [
            {"label": _("成员单位列表"), "url": "members:organization_list"},
            {"label": _("新增成员单位"), "url": "members:organization_add", "roles": ("staff", "admin")},
            {
                "label": _("成员名录"),
                "url": "members:directory_list",
                "roles": ("staff", "admin", "leadership", "member"),
            },
            {"label": _("入会申请"), "url": "members:application_list", "roles": ("staff", "admin", "leadership")},
            # An organisation's own administrator reaches the users page from their organisation's page.
            {"label": _("用户管理"), "url": "members:user_list", "roles": ("staff", "admin")},
        ],
    },
]

for menu in MENU:
    registry.menus.register(menu, module=__name__)


@registry.nav_context.register
def unread_notifications(user) -> dict:
    """The badge on the notifications link."""
    return {"unread_notifications": Notification.objects.for_user(user).unread().count()}
