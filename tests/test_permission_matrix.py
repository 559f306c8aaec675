"""Walks every URL of the portal and the API for every role (see tests/matrix.py)."""

import hashlib
from importlib import import_module
from importlib.util import find_spec
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .conftest import api_login, login

MATRIX_APPS = ("members", "projects", "training", "dashboards", "core")
PROJECT_APPS = ("members", "projects", "training", "dashboards")

# URL names that are not pages of the portal (framework plumbing), checked elsewhere or not at all.
NOT_IN_MATRIX = {"set_language", "api-root", "password_change_done"}


def _modules():
    for app in MATRIX_APPS:
        name = f"tests.{app}.matrix_cases"
        if find_spec(name) is not None:
            yield import_module(name)


MODULES = list(_modules())
CASES = [(m, c) for m in MODULES for c in m.CASES]


def fingerprint():
    """A digest of every row of the portal's own tables."""
    digest = hashlib.sha256()
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            digest.update(model._meta.label.encode())
            for row in model._base_manager.order_by("pk").values_list():
                digest.update(repr(row).encode())
    return digest.hexdigest()


def build_world(users, org, other_org):
    world = SimpleNamespace(users=users, org=org, other_org=other_org)
    for module in MODULES:
        setup = getattr(module, "setup", None)
        if setup:
            setup(world)
    return world


def check_role(case, role, expected, world):
    """One request of the case as one role; returns a description of what went wrong, or None."""
    users = world.users
    url = reverse(case.url_name, args=case.args(world)) + case.query
    user = users[role]
    client = api_login(user) if case.api else login(user)
    kwargs = {}
    if case.data is not None:
        kwargs["data"] = case.data(world)
    if case.api and case.format:
        kwargs["format"] = case.format
    refused = expected in (400, 401, 403, 404, 405) or role == "anonymous"
    before = fingerprint() if case.method != "get" and refused else None
    response = getattr(client, case.method)(url, **kwargs)
    if getattr(response, "streaming", False):
        # Reading to the end closes the file (the test client's wrapper does it without
        # closing the test's database connection, which response.close() would).
        body = b"".join(response.streaming_content)[:300]
    else:
        body = response.content[:300]
    where = f"{role} {case.method.upper()} {url}"
    if response.status_code != expected:
        return f"{where}: expected {expected}, got {response.status_code} {body!r}"
    if role == "anonymous" and expected == 302 and "/accounts/login/" not in response["Location"]:
        return f"{where}: redirected to {response['Location']}, not to the login page"
    if before is not None and fingerprint() != before:
        return f"{where} was refused but changed the database"
    return None


@pytest.mark.parametrize("case", [pytest.param(case, id=case.id) for _module, case in CASES])
def test_permission_matrix(case, users, org, other_org):
    """Every role of the case in turn, each in a savepoint rolled back afterwards, so that one
    role's successful write never changes what the next role sees."""
    world = build_world(users, org, other_org)
    problems = []
    for role, expected in case.expect.items():
        with transaction.atomic():
            problem = check_role(case, role, expected, world)
            transaction.set_rollback(True)
        if problem:
            problems.append(problem)
    assert not problems, "\n".join(problems)


def _url_names(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            if p.namespace == "admin":
                continue
            yield from _url_names(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield prefix + p.name


def test_every_url_is_in_the_permission_matrix():
    covered = {case.url_name for _module, case in CASES}
    names = set(_url_names(get_resolver().url_patterns)) - NOT_IN_MATRIX
    missing = sorted(names - covered)
    assert not missing, f"URLs without a permission matrix case: {missing}"
