from django.utils.translation import gettext_lazy as _

from consortium import registry

MENU = [
    {
        "label": _("目标与看板"),
        "items": [
            {"label": _("年度目标看板"), "url": "dashboards:overview"},
            {"label": _("年度目标设置"), "url": "dashboards:targets", "roles": ("staff", "admin")},
        ],
    },
]

for menu in MENU:
    registry.menus.register(menu, module=__name__)
