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
    """The quarter-hourly run: the current year's snapshot."""
    return rollup_kpis(None)
