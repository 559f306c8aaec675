"""A request id for every request: on the response, in every log line, on the error page.

A user who meets an error quotes the id shown on the page; the log line with the traceback
carries the same id, the path and the user.
"""

import contextvars
import logging
import uuid

from django.db import InterfaceError, OperationalError
from django.utils.functional import empty

_current_request = contextvars.ContextVar("portal_request", default=None)


def current_request():
    return _current_request.get()


def request_id(request=None) -> str:
    request = request or current_request()
    return getattr(request, "request_id", "") if request is not None else ""


class RequestIdMiddleware:
    """First in the chain, so the id is set for everything after it, the 500 handler included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex[:16]
        token = _current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _current_request.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


def _user_label(request, record: logging.LogRecord) -> str:
    user = request.__dict__.get("user")
    if user is not None and getattr(user, "_wrapped", None) is empty:
        # A user the view never looked at is loaded only for an error record, and never when the
        # database is what failed: that would query it again from inside logging.
        exc = record.exc_info[1] if record.exc_info else None
        if record.levelno < logging.ERROR or isinstance(exc, (OperationalError, InterfaceError)):
            return "-"
        try:
            user._setup()
        except Exception:  # noqa: BLE001 - a log line must never fail
            return "-"
    if user is None:
        return "-"
    if not getattr(user, "is_authenticated", False):
        return "anonymous"
    return f"{user.get_username()}#{user.pk}"


class RequestContextFilter(logging.Filter):
    """Adds request_id, user and path to every record (a dash outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None) or current_request()
        if request is None or not hasattr(request, "path"):
            record.request_id, record.user, record.path = "-", "-", "-"
        else:
            record.request_id = request_id(request) or "-"
            record.user = _user_label(request, record)
            record.path = f"{request.method} {request.path}"
        return True
