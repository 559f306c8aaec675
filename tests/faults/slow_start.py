"""Loaded into a Celery worker by the fault tests (``--include``): the first task the worker
starts writes its process id to $SLOW_MARKER and sleeps, so the test can kill that process
mid-task; the redelivered task finds the marker and runs at once."""

import os
import time

from celery.signals import task_prerun


@task_prerun.connect
def _pause_first_run(**kwargs):
    marker = os.environ.get("SLOW_MARKER")
    if not marker or os.path.exists(marker):
        return
    with open(marker, "w") as fh:
        fh.write(str(os.getpid()))
    time.sleep(60)
