"""A few seconds' cache of the whole overview page, per user, year, page and language.

The overview is the page leadership keeps open and reloads; its figures change only with a
roll-up, a target or a close. Each worker process keeps the rendered page for
DASHBOARD_PAGE_CACHE_SECONDS (5 s by default; 0 turns it off) in its local cache, so a reload
skips building the page: the request then costs the session, the user and a cache read.

- Per user: the page carries the user's navigation, organisation scope and unread count.
- The CSRF token of the page's forms is rendered as a placeholder and replaced on every
  response with the requesting session's own token.
- A page with a flash message waiting is never served from or stored in the cache.
- In this process, any change that shows on the page (a roll-up run, targets, a close, a
  notification, a user) drops every cached page at once (a new generation); other worker
  processes see it within the cache time.
"""

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

CSRF_PLACEHOLDER = "overview-page-csrf-placeholder"
_generation = 0


def seconds():
    return getattr(settings, "DASHBOARD_PAGE_CACHE_SECONDS", 5)


def invalidate(*args, **kwargs):
    """Drop every cached page of this process (signal receiver, or called directly)."""
    global _generation
    _generation += 1


def _messages_waiting(request):
    if request.COOKIES.get(getattr(settings, "MESSAGE_COOKIE_NAME", "messages")):
        return True
    session = getattr(request, "session", None)
    return bool(session is not None and session.get("_messages"))


def key_for(request, year):
    """The cache key of this request's page, or None when it must be rendered afresh."""
    if seconds() <= 0 or request.method != "GET" or _messages_waiting(request):
        return None
    return f"dashboards-page:{_generation}:{request.user.pk}:{year}:{get_language()}:{request.path}"


def serve(request, key):
    """The cached page with this session's CSRF token, or None."""
    cached = cache.get(key) if key else None
    if cached is None:
        return None
    content, content_type = cached
    return HttpResponse(content.replace(CSRF_PLACEHOLDER, get_token(request)), content_type=content_type)


def store(request, key, response):
    """Keep a rendered page (rendered with the placeholder token) and return it with the real token."""
    content = response.content.decode(response.charset)
    if key and response.status_code == 200:
        cache.set(key, (content, response["Content-Type"]), seconds())
    response.content = content.replace(CSRF_PLACEHOLDER, get_token(request))
    return response


def connect():
    """Drop the cached pages when something they show changes (called from AppConfig.ready)."""
    from members.models import Notification, User, notifications_changed

    from .models import RollupState, Target, YearClose, YearCloseEvent

    for model in (RollupState, Target, YearClose, YearCloseEvent, Notification, User):
        post_save.connect(invalidate, sender=model, dispatch_uid=f"pagecache-save-{model._meta.label}")
        post_delete.connect(invalidate, sender=model, dispatch_uid=f"pagecache-delete-{model._meta.label}")
    notifications_changed.connect(invalidate, dispatch_uid="pagecache-notifications")
