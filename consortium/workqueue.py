"""The work queue: what waits for a user, gathered from every app (the home page of every role).

Each app's ``workqueue.py`` registers providers in ``registry.work_queue``: ``fn(user)`` returns
the WorkItems that wait for that user — agreements to verify, returned drafts, reviews due — each
with the URL of the page that settles it. A provider returns nothing for a role it does not serve
and builds its items with a bounded number of queries (never one per item).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils import timezone

from . import registry
from .access import is_reader, is_writer

# A provider shows at most this many items; the queue links to the full list for the rest.
PER_PROVIDER = 20


@dataclass(frozen=True)
class WorkItem:
    kind: str  # what sort of work, shown as the item's label ("待核验协议")
    title: str  # the record it is about
    url: str  # the page that settles it
    when: datetime.datetime | datetime.date  # newest first
    detail: str = ""  # e.g. the reason of a return, the due date
    level: str = "secondary"  # a Bootstrap colour: "danger" for overdue or at risk
    count: int = 1  # an item may stand for several records (e.g. "3 imports failed")
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def sort_key(self) -> datetime.datetime:
        when = self.when
        if isinstance(when, datetime.datetime):
            return when if when.tzinfo else when.replace(tzinfo=datetime.UTC)
        return datetime.datetime.combine(when, datetime.time.max, tzinfo=datetime.UTC)


# Without a previous visit, "what changed since the last visit" looks back this far.
FIRST_VISIT_LOOKBACK = datetime.timedelta(days=7)


def leadership_since(user) -> datetime.datetime | None:
    """For a leadership user, the moment "what changed since your last visit" counts from (their
    previous visit of the home page); None for every other role, which is not shown that news."""
    if not (is_reader(user) and not is_writer(user)):
        return None
    return getattr(user, "last_home_visit", None) or timezone.now() - FIRST_VISIT_LOOKBACK


def items_for(user) -> list[WorkItem]:
    """Every item that waits for the user, newest first."""
    if not (user and user.is_authenticated and user.is_active):
        return []
    items: list[WorkItem] = []
    for provider in registry.work_queue:
        items.extend(list(provider(user))[:PER_PROVIDER])
    return sorted(items, key=lambda item: item.sort_key, reverse=True)


# The navigation shows the queue's size on every page; it is kept for a short while per user and
# dropped when that user changes something (a POST), so their own work shows at once.
COUNT_TTL = 30


def _count_key(user) -> str:
    return f"workqueue:count:{user.pk}"


def count_for(user) -> int:
    if not (user and user.is_authenticated):
        return 0
    cached = cache.get(_count_key(user))
    if cached is None:
        cached = sum(item.count for item in items_for(user))
        cache.set(_count_key(user), cached, COUNT_TTL)
    return cached


def remember_count(user, count: int) -> None:
    cache.set(_count_key(user), count, COUNT_TTL)


def forget_count(user) -> None:
    if user and user.is_authenticated:
        cache.delete(_count_key(user))
