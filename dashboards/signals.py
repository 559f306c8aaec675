"""Roll the KPIs up after records change: one run per transaction and year, enqueued on commit.

Each save or delete of a counted model (the ``depends_on`` of the registry) notes the
year(s) it touches on the current connection; when the outermost transaction commits,
the years are flagged dirty (``services.mark_dirty``) and one roll-up per year not
already waiting is enqueued, a few seconds later so that a burst of commits is
counted by one run. A 10,000-row import in one transaction therefore makes one
roll-up, not 10,000. If the broker is down the failure is logged and swallowed:
saving a record never fails because of the dashboards (the quarter-hourly beat run
catches up). ``KPI_ROLLUP_ON_CHANGE = False`` switches this off.

Bulk writes (``bulk_create``, ``QuerySet.update``) send no signals: code that makes
them calls ``request_rollup(years)`` itself.
"""

import logging
from datetime import date, datetime

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save, pre_save

from .metrics import METRICS, SHANGHAI

logger = logging.getLogger("consortium.dashboards")

ROLLUP_COUNTDOWN = 5  # seconds: commits within this window share one run


def tracked_models():
    """{model label: {date paths that place its records in a year}} from the registry."""
    tracked = {}
    for metric in METRICS:
        for label, path in metric.depends_on:
            tracked.setdefault(label, set()).add(path)
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


def _pending():
    state = connection.__dict__.setdefault("_kpi_pending", {"years": set(), "lookups": {}, "hook": None})
    return state


def _note(instance, paths):
    pending = _pending()
    added = False
    for path in paths:
        value = _resolve(instance, path)
        if isinstance(value, _Unresolved):
            pks = pending["lookups"].setdefault(value.key, set())
            if value.pk is not None and value.pk not in pks:
                pks.add(value.pk)
                added = True
            continue
        year = _year_of(value)
        if year and year not in pending["years"]:
            pending["years"].add(year)
            added = True
    if added or pending["years"] or pending["lookups"]:
        _hook(pending, added)


def _hook(pending, added):
    """Register _flush for the current transaction: when something new is pending, or when the
    registration was lost (a rolled-back savepoint discards its on-commit callbacks)."""
    index = pending["hook"]
    hooks = connection.run_on_commit
    registered = index is not None and index < len(hooks) and hooks[index][1] is _flush
    if registered and not added:
        return
    # In autocommit mode on_commit runs _flush at once, which clears the pending state.
    pending["hook"] = len(hooks) if connection.in_atomic_block else None
    transaction.on_commit(_flush)


def _flush():
    pending = connection.__dict__.pop("_kpi_pending", None)
    if not pending:
        return
    years = set(pending["years"])
    try:
        for (model, path), pks in pending["lookups"].items():
            values = model._base_manager.filter(pk__in=pks).values_list(path, flat=True).distinct()
            years.update(y for y in map(_year_of, values) if y)
        request_rollup(years)
    except Exception:  # the dashboards never break a save
        logger.exception("KPI roll-up could not be requested for %s", sorted(years))


def request_rollup(years):
    """Enqueue one roll-up per year not already waiting for one; failures are logged, not raised."""
    from . import services
    from .tasks import rollup_kpis

    years = {y for y in years if y}
    if not years:
        return []
    closed = set(services.YearClose.objects.closed_years())
    fresh = services.mark_dirty(years - closed)
    queued = []
    for year in fresh:
        try:
            rollup_kpis.apply_async(kwargs={"year": year}, countdown=ROLLUP_COUNTDOWN)
            queued.append(year)
        except Exception:
            # Broker down: keep saving records; the beat run (or the next change) catches up.
            services.clear_dirty([year])
            logger.exception("KPI roll-up of %s could not be enqueued", year)
    return queued


def _on_pre_save(sender, instance, raw=False, **kwargs):
    # The year the record is moving out of also changes: note it before the save.
    if raw or instance._state.adding or instance.pk is None or not _enabled():
        return
    paths = [p for p in _TRACKED.get(sender._meta.label, ()) if "__" not in p]
    if not paths:
        return
    old = sender._base_manager.filter(pk=instance.pk).values(*paths).first()
    if old:
        pending = _pending()
        pending["years"].update(y for y in map(_year_of, old.values()) if y)


def _on_change(sender, instance, raw=False, **kwargs):
    if raw or not _enabled():
        return
    _note(instance, _TRACKED.get(sender._meta.label, ()))


def _enabled():
    return getattr(settings, "KPI_ROLLUP_ON_CHANGE", True)


_TRACKED = {}


def connect():
    _TRACKED.update(tracked_models())
    for label in _TRACKED:
        model = apps.get_model(label)
        uid = f"dashboards-kpi-{label}"
        pre_save.connect(_on_pre_save, sender=model, dispatch_uid=uid + "-pre")
        post_save.connect(_on_change, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_on_change, sender=model, dispatch_uid=uid + "-delete")
