from django.urls import NoReverseMatch, reverse

from . import registry, workqueue


def navigation(request):
    """Navigation entries the signed-in user's role may use (pages enforce it again), and the values
    apps show in the navigation bar (the unread notification badge, from members)."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {"nav_menus": []}
    role = user.effective_role
    menus = []
    for menu in registry.menus:
        items = []
        for item in menu["items"]:
            if item.get("roles") and role not in item["roles"]:
                continue
            if role == "expert" and "expert" not in item.get("roles", ()):
                # Experts reach only the pages made for them (consortium.middleware.ExpertScopeMiddleware).
                continue
            try:
                items.append({"label": item["label"], "url": reverse(item["url"])})
            except NoReverseMatch:
                continue
        if items:
            menus.append({"label": menu["label"], "items": items})
    context = {"nav_menus": menus, "work_queue_count": workqueue.count_for(user)}
    for provider in registry.nav_context:
        context.update(provider(user))
    return context
