"""The 500 handler: a database outage answers 503 with a Chinese page, never a traceback.

During a PostgreSQL restart new connections are refused wherever the request is (view,
session or authentication middleware); Django then calls this handler inside its except
block, so the exception is still at hand. The next request, once the server is back,
succeeds: CONN_HEALTH_CHECKS drops dead persistent connections before reuse.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, HttpResponseServerError
from django.template.loader import render_to_string

log = logging.getLogger("consortium")


def server_error(request):
    exc = sys.exc_info()[1]
    if isinstance(exc, (OperationalError, InterfaceError)):
        log.error("database unavailable: %s %s: %s", request.method, request.path, exc.__class__.__name__)
        for conn in connections.all(initialized_only=True):
            conn.close_if_unusable_or_obsolete()
        response = HttpResponse(render_to_string("503.html"), status=503, content_type="text/html; charset=utf-8")
        response["Retry-After"] = "5"
        return response
    return HttpResponseServerError(render_to_string("500.html"), content_type="text/html; charset=utf-8")
