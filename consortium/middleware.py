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
