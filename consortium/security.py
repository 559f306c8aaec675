"""Security events — failed logins, lockouts, denied accesses — logged with user, address, path and time.

The log record carries the time; the message carries the rest in key=value form so that a
log shipper can parse it.
"""

import logging

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.views.defaults import permission_denied as default_permission_denied
from rest_framework.views import exception_handler

log = logging.getLogger("consortium.security")


def client_address(request):
    if request is None:
        return "-"
    request = getattr(request, "_request", request)
    return request.META.get("REMOTE_ADDR", "-")


def log_event(event, request, username=None):
    user = getattr(request, "user", None) if request is not None else None
    if username is None:
        username = user.get_username() if user is not None and user.is_authenticated else "anonymous"
    path = getattr(request, "path", "-") if request is not None else "-"
    method = getattr(request, "method", "-") if request is not None else "-"
    log.warning("event=%s user=%s address=%s method=%s path=%s", event, username, client_address(request), method, path)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    log_event("login_failed", request, username=(credentials or {}).get("username", "-"))


@receiver(user_locked_out)
def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    log_event("locked_out", request, username=username or "-")


def permission_denied(request, exception=None):
    """handler403: log the denial, then Django's own 403 page (templates/403.html)."""
    log_event("access_denied", request)
    return default_permission_denied(request, exception)


def api_exception_handler(exc, context):
    response = exception_handler(exc, context)
    if response is not None and response.status_code in (401, 403):
        log_event("access_denied", context.get("request"))
    return response
