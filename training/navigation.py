from django.utils.translation import gettext_lazy as _

from consortium import registry

MENU = [
    {
        "label": _("培训与师资"),
        "items": [
            {"label": _("培训"), "url": "training:session_list"},
            {"label": _("订单班"), "url": "training:orderclass_list"},
            {"label": _("教师与双师型"), "url": "training:teacher_list"},
            {"label": _("走访交流"), "url": "training:visit_list"},
            {"label": _("疑似重复教师"), "url": "training:teacher_duplicates", "roles": ("staff", "admin")},
            {"label": _("新增培训"), "url": "training:session_add", "roles": ("staff", "admin", "member")},
        ],
    },
]

for menu in MENU:
    registry.menus.register(menu, module=__name__)
