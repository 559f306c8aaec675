import time

from django.conf import settings


class SessionIdleMiddleware:
    """Sessions end after SESSION_COOKIE_AGE seconds without a request.

    Each request of a signed-in user pushes the expiry forward, but at most once per
    SESSION_TOUCH_INTERVAL seconds: saving the session on every request (Django's
    SESSION_SAVE_EVERY_REQUEST) would write the session row on every page view.
    Placed after SessionMiddleware, so the session is saved on the way out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated and not session.is_empty():
            now = int(time.time())
            if now - session.get("_seen", 0) >= getattr(settings, "SESSION_TOUCH_INTERVAL", 60):
                session["_seen"] = now
        return response


class ChineseFirstMiddleware:
    """The portal speaks Simplified Chinese unless the user chose another language.

    Without this, LocaleMiddleware would follow the browser's Accept-Language and give an
    English browser the English interface it never asked the portal for. Placed before
    LocaleMiddleware; the language menu sets the cookie that overrides it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


# Pages every signed-in user has, whatever the role (account, language, sign-out).
ACCOUNT_URL_NAMES = frozenset({"login", "logout", "password_change", "password_change_done", "set_language"})


def open_to_experts(view_func) -> bool:
    """Whether a view is one of the few an expert may use (see ExpertScopeMiddleware)."""
    view_class = getattr(view_func, "view_class", None) or getattr(view_func, "cls", None)
    return bool(getattr(view_class, "open_to_experts", False) or getattr(view_func, "open_to_experts", False))


class ExpertScopeMiddleware:
    """Experts reach only the pages made for them: everything else is refused by default.

    A review expert (Role.EXPERT) is not a member of any organisation and sees only the projects
    assigned to them. Rather than relying on every view to remember that, a view opens itself to
    experts with ``open_to_experts = True`` (the home page, notifications, their reviews); every
    other page answers 403. The API holds the same rule in RolePermission (token users are only
    known there). Placed after AuthenticationMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if not (user and user.is_authenticated and getattr(user, "is_expert", False)):
            return None
        match = request.resolver_match
        if match is not None and (match.url_name in ACCOUNT_URL_NAMES or match.namespace == "admin"):
            return None
        if open_to_experts(view_func):
            return None
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied


class WorkQueueCountMiddleware:
    """After a user changes something (a POST), their queue's size in the navigation is counted again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "POST":
            from .workqueue import forget_count

            forget_count(getattr(request, "user", None))
        return response
