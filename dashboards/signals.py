"""Roll the KPIs up after records change: durable requests, and one run per transaction and year.

Each save or delete of a counted model (the ``depends_on`` of the registry) notes the
year(s) it touches and writes a RollupRequest row for each of them in the change's own
transaction (no savepoint: it commits with the change or not at all, and a change that cannot
write its request does not commit either). A year already requested earlier in the same
transaction is not written again while that row is still there; the row is looked up, never
assumed, since a rolled-back savepoint takes it away. A request stays until a roll-up of that
year has succeeded (``services.rollup`` clears it), so no broker outage, lost message or killed
worker can forget a change; the sweep (``tasks.sweep_rollup_requests``, every 30 seconds)
recomputes whatever year is requested.

Every noted change also registers ``_flush`` with ``transaction.on_commit``; the first to run
after the commit takes everything noted and the others find nothing, so a burst of saves makes
one flush. It flags the years dirty (``services.mark_dirty``) and enqueues one roll-up per year
not already waiting, a few seconds later so that a burst of commits is counted by one run: that
is the fast path. Publishing waits at most ``KPI_PUBLISH_WAIT`` seconds for the broker (a frozen
Redis would otherwise hold the save for the socket timeout), and after it hung the fast path
is skipped for a few seconds. A broker failure never fails a save. ``KPI_ROLLUP_ON_CHANGE =
False`` switches this off.

Bulk writes (``bulk_create``, ``QuerySet.update``) send no signals: code that makes
them calls ``request_rollup(years)`` itself.
"""

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import date, datetime

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models.signals import post_delete, post_save, pre_save

from .metrics import METRICS, SHANGHAI
from .models import RollupRequest

logger = logging.getLogger("consortium.dashboards")

ROLLUP_COUNTDOWN = 5  # seconds: commits within this window share one run
BROKER_BACKOFF = 10  # seconds without the fast path after the broker hung


def tracked_models():
    """{model: {date paths that place its records in a year}} from the registry."""
    tracked = {}
    for metric in METRICS:
        for model, path in metric.depends_on:
            tracked.setdefault(model, set()).add(path)
    return tracked


def _year_of(value):
    if isinstance(value, datetime):
        return value.astimezone(SHANGHAI).year if value.tzinfo else value.year
    if isinstance(value, date):
        return value.year
    if isinstance(value, int):
        return value
    return None


def _resolve(instance, path):
    """The value at a path like "session__ends_at", following only relations already loaded."""
    obj = instance
    parts = path.split("__")
    for part in parts[:-1]:
        field = obj._meta.get_field(part)
        if not field.is_cached(obj):
            return _Unresolved(type(instance), instance.pk, path)
        obj = getattr(obj, part)
        if obj is None:
            return None
    return getattr(obj, parts[-1], None)


class _Unresolved:
    """A year to look up at commit time with one query (the related row was not loaded)."""

    def __init__(self, model, pk, path):
        self.key = (model, path)
        self.pk = pk


# What this thread's connection noted since its last flush (Django's connections are per thread).
_local = threading.local()


def _pending() -> dict:
    """{"years": years noted, "lookups": {(model, path): pks} to resolve at commit,
    "requested": {year: id of the RollupRequest row written for it}}."""
    pending = getattr(_local, "pending", None)
    if pending is None:
        pending = _local.pending = {"years": set(), "lookups": {}, "requested": {}}
    return pending


def forget_pending() -> None:
    """Drop what was noted (a test's transaction is rolled back, never committed)."""
    _local.pending = None


def _resolve_now(key, pk):
    model, path = key
    values = model._base_manager.filter(pk=pk).values_list(path, flat=True).distinct()
    return {y for y in map(_year_of, values) if y}


def _request_durably(pending, years):
    """Write a RollupRequest for each year that has no row of this transaction yet, in the
    transaction (so it commits with the change), and have _flush run after the commit."""
    if connection.in_atomic_block and transaction.get_rollback():
        return  # this block is being rolled back: the change will not commit
    requested = pending["requested"]
    earlier = {requested[y]: y for y in years if y in requested}
    alive = set()
    if earlier:
        # A row written by a savepoint that was rolled back since is gone: look, never assume.
        alive = {
            year
            for pk, year in RollupRequest.objects.filter(pk__in=list(earlier)).values_list("pk", "year")
            if earlier.get(pk) == year
        }
    new = sorted({int(y) for y in years if y} - alive)
    if new:
        try:
            from . import services

            rows = services.request_years(new)
        except DatabaseError:
            if connection.in_atomic_block:
                raise  # the change must not commit without its request
            # Autocommit: the change is already stored; _flush writes the request again.
            logger.exception("KPI recompute request could not be written for %s", new)
        else:
            requested.update({row.year: row.pk for row in rows})
    # In autocommit mode this runs _flush at once; in a transaction, after it commits.
    transaction.on_commit(_flush)


def _note(instance, paths):
    pending = _pending()
    for path in paths:
        value = _resolve(instance, path)
        if isinstance(value, _Unresolved):
            pks = pending["lookups"].setdefault(value.key, set())
            if value.pk is not None and value.pk not in pks:
                pks.add(value.pk)
                # The durable request needs the year now, inside the transaction.
                pending["years"].update(_resolve_now(value.key, value.pk))
            continue
        year = _year_of(value)
        if year:
            pending["years"].add(year)
    if pending["years"] or pending["lookups"]:
        _request_durably(pending, pending["years"])


def _flush():
    pending = getattr(_local, "pending", None)
    _local.pending = None
    if not pending:
        return  # an earlier callback of the same commit took everything
    years = set(pending["years"])
    try:
        for (model, path), pks in pending["lookups"].items():
            values = model._base_manager.filter(pk__in=pks).values_list(path, flat=True).distinct()
            years.update(y for y in map(_year_of, values) if y)
        request_rollup(years, already_requested=pending["requested"])
    except Exception:  # the dashboards never break a save
        logger.exception("KPI roll-up could not be requested for %s", sorted(years))


def request_rollup(years, already_requested=()):
    """Request a recompute of the years (durably) and enqueue one roll-up per year not already waiting.

    Code that writes in bulk (no signals) calls this itself. Failures are logged, never raised:
    the durable request stays for the sweep.
    """
    from . import services

    years = {y for y in years if y}
    if not years:
        return []
    closed = set(services.YearClose.objects.closed_years())
    years -= closed
    try:
        services.request_years(years - set(already_requested))
    except DatabaseError:
        logger.exception("KPI recompute request could not be written for %s", sorted(years))
    fresh = services.mark_dirty(years)
    queued = []
    for year in fresh:
        if _publish(year):
            queued.append(year)
        else:
            # Not queued now: let the next change try again; the durable request stays for the sweep.
            services.clear_dirty([year])
    return queued


_publisher = None
_publisher_lock = threading.Lock()
_broker_down_until = 0.0


def _executor():
    global _publisher
    with _publisher_lock:
        if _publisher is None:
            _publisher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kpi-publish")
        return _publisher


def _publish(year):
    """Enqueue the roll-up of a year, waiting at most KPI_PUBLISH_WAIT seconds for the broker."""
    global _broker_down_until
    from celery import current_app

    from .tasks import rollup_kpis

    send = lambda: rollup_kpis.apply_async(kwargs={"year": year}, countdown=ROLLUP_COUNTDOWN)  # noqa: E731
    # The embedded default runs the roll-up here, in this thread and on this connection.
    eager = current_app.conf.task_always_eager
    if not eager and time.monotonic() < _broker_down_until:
        logger.warning("KPI roll-up of %s left to the sweep: the broker failed moments ago", year)
        return False
    try:
        if eager:
            send()
        else:
            _executor().submit(send).result(timeout=getattr(settings, "KPI_PUBLISH_WAIT", 0.5))
        return True
    except FutureTimeout:
        # A broker that hangs (a frozen Redis) would cost every save the full wait: skip the fast
        # path for a while. One that refuses at once (Redis stopped) costs nothing to try again.
        logger.warning("KPI roll-up of %s left to the sweep: the broker did not answer in time", year)
        if not eager:
            _broker_down_until = time.monotonic() + BROKER_BACKOFF
    except Exception:
        logger.exception("KPI roll-up of %s could not be enqueued; the sweep will run it", year)
    return False


def _on_pre_save(sender, instance, raw=False, **kwargs):
    # The year the record is moving out of also changes: note it before the save.
    if raw or instance._state.adding or instance.pk is None or not _enabled():
        return
    paths = [p for p in _TRACKED.get(sender, ()) if "__" not in p]
    if not paths:
        return
    old = sender._base_manager.filter(pk=instance.pk).values(*paths).first()
    if old:
        pending = _pending()
        years = {y for y in map(_year_of, old.values()) if y}
        pending["years"].update(years)
        # In autocommit mode the update is committed before post_save, which writes these years.
        if years and connection.in_atomic_block:
            _request_durably(pending, years)


def _on_change(sender, instance, raw=False, **kwargs):
    if raw or not _enabled():
        return
    _note(instance, _TRACKED.get(sender, ()))


def _enabled():
    return getattr(settings, "KPI_ROLLUP_ON_CHANGE", True)


_TRACKED = {}


def connect():
    _TRACKED.update(tracked_models())
    for model in _TRACKED:
        uid = f"dashboards-kpi-{model._meta.label}"
        pre_save.connect(_on_pre_save, sender=model, dispatch_uid=uid + "-pre")
        post_save.connect(_on_change, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_on_change, sender=model, dispatch_uid=uid + "-delete")
