from django.utils.translation import gettext_lazy as _

from consortium import registry

STAFF = ("staff", "admin")
READERS = ("staff", "admin", "leadership")

MENU = [
    {
        "label": _("协议与项目"),
        "items": [
            {"label": _("合作协议"), "url": "projects:agreement_list"},
            {"label": _("登记合作协议"), "url": "projects:agreement_add", "roles": ("staff", "admin", "member")},
            {"label": _("校企合作项目"), "url": "projects:project_list"},
            {"label": _("新建合作项目"), "url": "projects:project_add", "roles": STAFF},
            # A member school or enterprise proposes (申报) its own project; the page checks the kind.
            {"label": _("申报项目"), "url": "projects:project_add", "roles": ("member",)},
            {"label": _("共建平台"), "url": "projects:platform_list"},
            {"label": _("登记共建平台"), "url": "projects:platform_add", "roles": ("staff", "admin", "member")},
            {"label": _("专家库"), "url": "projects:expert_list", "roles": READERS},
            {"label": _("评审标准与规则"), "url": "projects:review_settings", "roles": READERS},
            # Experts see only this entry (consortium.context_processors).
            {"label": _("我的评审"), "url": "projects:my_review_list", "roles": ("expert",)},
        ],
    },
]

for menu in MENU:
    registry.menus.register(menu, module=__name__)
