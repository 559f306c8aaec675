"""Celery tasks of the dashboards: the KPI roll-up (idempotent, see services.rollup)."""

from celery import shared_task

from . import services


@shared_task(name="dashboards.tasks.rollup_kpis")
def rollup_kpis(year=None):
    """Recompute the KPI snapshot of a year (None: the current year in Shanghai time)."""
    year = int(year) if year else services.current_year()
    state = services.rollup(year)
    return {"year": year, "run": state.run if state else None, "closed": state is None}


@shared_task(name="dashboards.tasks.rollup_current_year")
def rollup_current_year():
    """The quarter-hourly run: the current year's snapshot.

    Why it must run even when nothing changed: a record counts once it is done (a session once
    it has ended), and "now" moves without any save to signal it. This run is what moves an ended
    session from the pipeline into the actual. In the first run of a new year, last year is
    counted once more if its last run came before midnight on 31 December.
    """
    year = services.current_year()
    if services.needs_final_rollup(year - 1):
        rollup_kpis(year - 1)
    return rollup_kpis(year)


@shared_task(name="dashboards.tasks.sweep_rollup_requests")
def sweep_rollup_requests():
    """Recompute every year that has a durable request (any year, not only the current one).

    The fast path (a roll-up enqueued when a change commits) can be lost to a broker outage, a
    frozen Redis or a worker killed whole; the request row is not, and this run answers it.
    """
    return services.sweep()
