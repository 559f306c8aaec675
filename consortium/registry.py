"""What the apps add to the pages every app shares, filled by the apps themselves.

The base layer never names the apps above it. Each app may have these modules, which register
what they add when they are imported:

- ``navigation.py``: menu entries (``menus``) and values shown in the navigation bar, such as the
  unread notification badge (``nav_context``);
- ``panels.py``: panels on the organisation page (``panels``);
- ``api.py``: routes of ``/api/v1/`` (``api_routes``);
- ``demo.py``: demo records for ``manage.py seed_demo`` (``demo_seeds``);
- ``workqueue.py``: what waits for a user, shown on their home page (``work_queue``).

A store imports its module of every installed app (Django's ``autodiscover_modules``, as the
admin does for ``admin.py``) the first time it is read, and yields the entries in the order of
INSTALLED_APPS, whatever the order the modules happened to be imported in.
"""

import threading
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.utils.module_loading import autodiscover_modules


class Store:
    """The entries apps register under one module name, read in INSTALLED_APPS order."""

    def __init__(self, module_name: str) -> None:
        self.module_name = module_name
        self._entries: list[tuple[str, object]] = []  # (registering module, entry)
        self._discovered = False
        self._lock = threading.Lock()

    def register(self, entry: Any, *, module: str | None = None) -> Any:
        """Add an entry; usable as a decorator on a function (its module names the app)."""
        self._entries.append((module or entry.__module__, entry))
        return entry

    def items(self) -> Iterator[tuple[str, Any]]:
        """(app label, entry) of every entry, apps in INSTALLED_APPS order."""
        self._discover()
        order = {config.label: i for i, config in enumerate(apps.get_app_configs())}
        labelled = [(self._label(module), entry) for module, entry in self._entries]
        # sorted() is stable: an app's own entries keep the order it registered them in.
        return iter(sorted(labelled, key=lambda item: order[item[0]]))

    @staticmethod
    def _label(module: str) -> str:
        config = apps.get_containing_app_config(module)
        if config is None:
            raise LookupError(f"{module} is not in an installed app")
        return config.label

    def __iter__(self) -> Iterator[Any]:
        return (entry for _label, entry in self.items())

    def _discover(self) -> None:
        if self._discovered:
            return
        with self._lock:
            if not self._discovered:
                autodiscover_modules(self.module_name)
                self._discovered = True


# Menu entries: {"label": …, "items": [{"label": …, "url": url name, "roles": (…) or absent}]}.
menus = Store("navigation")
# fn(user) -> {context name: value} for the navigation bar (the unread notification badge).
nav_context = Store("navigation")
# fn(request, organization) -> [{"template": …, …}], the panels of the organisation page.
panels = Store("panels")
# fn(router): registers the app's viewsets on the /api/v1/ router.
api_routes = Store("api")
# fn(today) -> {name: count}: the app's demo records, idempotent.
demo_seeds = Store("demo")
# fn(user) -> iterable of consortium.workqueue.WorkItem: what waits for the user (the home page).
work_queue = Store("workqueue")
