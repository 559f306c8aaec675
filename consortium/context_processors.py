from importlib import import_module

from django.urls import NoReverseMatch, reverse

NAV_APPS = ("members", "projects", "training", "dashboards")


def _menus():
    for app in NAV_APPS:
        try:
            module = import_module(f"{app}.navigation")
        except ModuleNotFoundError:
            continue
        yield from module.MENU


def navigation(request):
    """Navigation entries the signed-in user's role may use (pages enforce it again)."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {"nav_menus": []}
    role = user.effective_role
    menus = []
    for menu in _menus():
        items = []
        for item in menu["items"]:
            if item.get("roles") and role not in item["roles"]:
                continue
            try:
                items.append({"label": item["label"], "url": reverse(item["url"])})
            except NoReverseMatch:
                continue
        if items:
            menus.append({"label": menu["label"], "items": items})
    from members.models import Notification

    unread = Notification.objects.for_user(user).unread().count()
    return {"nav_menus": menus, "unread_notifications": unread}
