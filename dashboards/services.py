"""The KPI roll-up and the close of a year.

``rollup(year)`` counts every metric of the registry and writes the snapshot rows
in one transaction: upserts keyed by the unique constraints, then removal of the
rows the run did not produce (they carry an older ``run`` number). Runs for the
same year are serialised (an advisory lock on PostgreSQL, a row lock on the
year's state row elsewhere), so running it twice, or two at once, leaves one
correct set of rows. A closed year is never overwritten.

Done, not planned: the roll-up counts what is done at the instant it starts (a session that
has ended, a project accepted …) and stores what the year still has scheduled after that
instant as the metric's pipeline. "Now" moves without any record changing, so nothing signals
that a session has just ended: the scheduled roll-up (every 15 minutes, CELERY_BEAT_SCHEDULE)
is what moves an ended session from the pipeline into the actual.
"""

import logging
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.access import is_writer

from .metrics import METRICS, SHANGHAI
from .models import (
    MetricActual,
    MetricContribution,
    MetricMonthly,
    RollupRequest,
    RollupState,
    YearClose,
    YearCloseEvent,
)

logger = logging.getLogger("consortium.dashboards")

LOCK_NAMESPACE = zlib.crc32(b"dashboards.rollup")


def current_year():
    return timezone.now().astimezone(SHANGHAI).year


def _lock_year(year):
    """Serialise roll-ups of one year until the end of the transaction; returns the state row."""
    state, _created = RollupState.objects.get_or_create(year=year)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, year])
            # Sorting and hashing a million keys spills to disk at the default work_mem; compiling
            # the aggregates (JIT) costs more than it saves on these one-off queries.
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL jit = off")
        return RollupState.objects.get(pk=state.pk)
    return RollupState.objects.select_for_update().get(pk=state.pk)


def is_closed(year):
    return YearClose.objects.filter(year=year, is_closed=True).exists()


def _on_own_connection(fn, year):
    """fn(year) on this thread's own database connection, closed afterwards."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET work_mem = '256MB'")
            cursor.execute("SET jit = off")
        return fn(year)
    finally:
        connection.close()


def compute_all(metrics, year, now=None):
    """[(actual, monthly or None, by organisation)] of each metric, in order, as done at ``now``.

    On PostgreSQL the first-appearance query of each distinct count (the costliest queries of the
    roll-up) runs on a second connection while this one counts everything else: the two cores
    work at once. Under READ COMMITTED every statement has its own snapshot either way, so the
    figures are the same as counted one after the other. KPI_ROLLUP_THREADS = False turns it off
    (the tests' uncommitted records are invisible to a second connection).
    """
    now = now or timezone.now()
    if connection.vendor != "postgresql" or not getattr(settings, "KPI_ROLLUP_THREADS", True):
        return [metric.compute(year, now) for metric in metrics]
    with ThreadPoolExecutor(max_workers=1) as pool:
        firsts = {
            m.code: pool.submit(_on_own_connection, partial(m.monthly, now=now), year)
            for m in metrics
            if m.value == "distinct"
        }
        by_org = {m.code: m.by_organization(year, now) for m in metrics if m.code in firsts}
        results = [None if m.code in firsts else m.compute(year, now) for m in metrics]
        for i, metric in enumerate(metrics):
            if metric.code in firsts:
                months = firsts[metric.code].result()
                results[i] = (months[-1], months, by_org[metric.code])
    return results


def rollup(year, *, metrics=None):
    """Recompute the snapshot of one year; returns the state row, or None for a closed year."""
    metrics = metrics or METRICS
    started = time.monotonic()
    now = timezone.now()  # one instant for the actual and the pipeline of every metric
    # A change committed from now on needs a new run: clear the marker before counting. The durable
    # requests committed so far are answered by this run and cleared once it has succeeded.
    RollupState.objects.filter(year=year).exclude(dirty_since=None).update(dirty_since=None)
    answered = RollupRequest.objects.filter(year=year).order_by("-id").values_list("id", flat=True).first()
    with transaction.atomic():
        state = _lock_year(year)
        if is_closed(year):
            logger.info("KPI roll-up of %s skipped: the year is closed", year)
            _clear_requests(year, answered)  # a closed year is not recomputed; reopening asks again
            return None
        run = state.run + 1
        actuals, monthly, contributions = [], [], []
        for metric, (actual, months, by_org) in zip(metrics, compute_all(metrics, year, now), strict=True):
            actuals.append(
                MetricActual(year=year, metric=metric.code, value=actual, run=run, pipeline=metric.pipeline(year, now))
            )
            if months is not None:
                monthly.extend(
                    MetricMonthly(year=year, metric=metric.code, month=m, value=v, run=run)
                    for m, v in enumerate(months, start=1)
                )
            contributions.extend(
                MetricContribution(year=year, metric=metric.code, organization_id=org_id, value=value, run=run)
                for org_id, value in by_org.items()
                if value
            )
        _upsert(MetricActual, actuals, ["year", "metric"], ["value", "pipeline", "run"])
        _upsert(MetricMonthly, monthly, ["year", "metric", "month"])
        _upsert(MetricContribution, contributions, ["year", "metric", "organization"])
        for model in (MetricActual, MetricMonthly, MetricContribution):
            model.objects.filter(year=year, run__lt=run).delete()
        state.run = run
        state.computed_at = timezone.now()
        state.duration_ms = int((time.monotonic() - started) * 1000)
        state.save(update_fields=["run", "computed_at", "duration_ms"])
        _clear_requests(year, answered)
    logger.info("KPI roll-up of %s: run %s in %s ms", year, run, state.duration_ms)
    return state


def _clear_requests(year, answered):
    if answered is not None:
        RollupRequest.objects.filter(year=year, id__lte=answered).delete()


def request_years(years):
    """Write a durable recompute request per year, in the caller's transaction; returns the rows."""
    years = sorted({int(y) for y in years if y})
    return RollupRequest.objects.bulk_create([RollupRequest(year=y) for y in years]) if years else []


def requested_years():
    return sorted(RollupRequest.objects.values_list("year", flat=True).distinct())


def sweep():
    """Recompute every year with a request, whatever year it is; a failed year keeps its requests."""
    done, failed = [], []
    for year in requested_years():
        try:
            rollup(year)
            done.append(year)
        except Exception:
            logger.exception("KPI roll-up of %s failed in the sweep; its requests stay", year)
            failed.append(year)
    return {"done": done, "failed": failed}


def _upsert(model, rows, unique_fields, update_fields=("value", "run")):
    if rows:
        model.objects.bulk_create(
            rows, batch_size=500, update_conflicts=True, unique_fields=unique_fields, update_fields=list(update_fields)
        )


def needs_final_rollup(year):
    """Whether a past, open year was last counted before it ended (a session that ended in its last
    minutes is still in its pipeline): the scheduled run then counts that year once more."""
    end = datetime(year + 1, 1, 1, tzinfo=SHANGHAI)
    return (
        timezone.now() >= end
        and not is_closed(year)
        and RollupState.objects.filter(year=year, computed_at__lt=end).exists()
    )


def mark_dirty(years):
    """Flag years whose records changed; returns the years not already waiting for a run.

    A year already flagged (a run is queued) is not flagged again, so that a burst of
    commits makes one run. A flag older than ten minutes is taken as lost and renewed.
    """
    now = timezone.now()
    stale = now - timezone.timedelta(minutes=10)
    fresh = []
    for year in sorted(set(years)):
        RollupState.objects.get_or_create(year=year)
        updated = (
            RollupState.objects.filter(year=year)
            .filter(Q(dirty_since__isnull=True) | Q(dirty_since__lt=stale))
            .update(dirty_since=now)
        )
        if updated:
            fresh.append(year)
    return fresh


def clear_dirty(years):
    RollupState.objects.filter(year__in=list(years)).update(dirty_since=None)


def _check_staff(user):
    if not is_writer(user):
        raise PermissionDenied(_("只有联合体工作人员可以关账或重新开放年度。"))


def close_year(year, *, by):
    """Close a year: compute its figures one last time and freeze them."""
    _check_staff(by)
    with transaction.atomic():
        if is_closed(year):
            raise ValidationError(_("%(year)s 年度已关账。") % {"year": year})
        if year > current_year():
            raise ValidationError(_("不能关闭尚未开始的年度。"))
        rollup(year)
        YearClose.objects.update_or_create(
            year=year, defaults={"is_closed": True, "closed_at": timezone.now(), "closed_by": by}
        )
        YearCloseEvent.objects.create(year=year, action=YearCloseEvent.Action.CLOSE, actor=by)


def reopen_year(year, *, by, reason):
    """Reopen a closed year; the reason is recorded with who and when."""
    _check_staff(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("重新开放年度必须填写原因。")})
    with transaction.atomic():
        closing = YearClose.objects.select_for_update().filter(year=year, is_closed=True).first()
        if closing is None:
            raise ValidationError(_("%(year)s 年度未关账，无需重新开放。") % {"year": year})
        closing.is_closed = False
        closing.save(update_fields=["is_closed"])
        YearCloseEvent.objects.create(year=year, action=YearCloseEvent.Action.REOPEN, actor=by, reason=reason)
        # The frozen figures may be stale (records corrected while closed): recount once committed,
        # rather than waiting for a change or, for a past year, for ever.
        transaction.on_commit(partial(_request_rollup, year))


def _request_rollup(year):
    from .signals import request_rollup

    request_rollup([year])


def set_targets(year, values, *, by):
    """Replace the targets of a year: {metric code: (minimum, stretch or None)}; missing metrics lose theirs."""
    from .models import Target

    if not is_writer(by):
        raise PermissionDenied(_("只有联合体工作人员可以设置年度目标。"))
    with transaction.atomic():
        Target.objects.filter(year=year).exclude(metric__in=list(values)).delete()
        for code, (minimum, stretch) in values.items():
            target = Target.objects.filter(year=year, metric=code).first() or Target(year=year, metric=code)
            target.minimum, target.stretch = minimum, stretch
            target.full_clean(validate_unique=False)
            target.save()
