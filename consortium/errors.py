"""The 500 handler: a database outage answers 503, anything else 500; never a traceback.

During a PostgreSQL restart new connections are refused wherever the request is (view,
session or authentication middleware); Django then calls this handler inside its except
block, so the exception is still at hand. The next request, once the server is back,
succeeds: CONN_HEALTH_CHECKS drops dead persistent connections before reuse.

Django has already logged the traceback (django.request, with the request id, path and user:
see LOGGING); the page and the API's JSON show the same request id, so a user can quote it.
The API answers JSON, never the HTML page.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.defaults import page_not_found as default_page_not_found

from .requestid import request_id

log = logging.getLogger("consortium")

MESSAGES = {
    503: "数据库正在维护或重启，请稍后几秒重试。The database is briefly unavailable; please retry in a few seconds.",
    500: "系统遇到问题，请稍后重试。The portal hit a problem; please try again shortly.",
}


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request, exception=None):
    """handler404: JSON for an unknown API path, Django's own 404 page for the rest."""
    if _is_api(request):
        return JsonResponse({"detail": "Not found. 未找到。"}, status=404, json_dumps_params={"ensure_ascii": False})
    return default_page_not_found(request, exception)


def server_error(request):
    exc = sys.exc_info()[1]
    status = 500
    if isinstance(exc, (OperationalError, InterfaceError)):
        status = 503
        log.error("database unavailable: %s %s: %s", request.method, request.path, exc.__class__.__name__)
        for conn in connections.all(initialized_only=True):
            conn.close_if_unusable_or_obsolete()
    rid = request_id(request)
    if _is_api(request):
        response = JsonResponse(
            {"detail": MESSAGES[status], "request_id": rid}, status=status, json_dumps_params={"ensure_ascii": False}
        )
    else:
        body = render_to_string(f"{status}.html", {"request_id": rid})
        response = HttpResponse(body, status=status, content_type="text/html; charset=utf-8")
    if status == 503:
        response["Retry-After"] = "5"
    return response
