from django.utils.translation import gettext_lazy as _

MENU = [
    {
        "label": _("成员单位"),
        "items": [
            {"label": _("成员单位列表"), "url": "members:organization_list"},
            {"label": _("新增成员单位"), "url": "members:organization_add", "roles": ("staff", "admin")},
        ],
    },
]
