"""The permission matrix: every URL of the portal and the API, for every role.

Each app lists its cases in tests/<app>/matrix_cases.py as ``CASES``, a list of
Case. ``setup(world)`` (optional, in the same module) creates the records its
cases need and stores them on ``world``; ``args`` and ``data`` are functions of
``world``, evaluated when the case runs. tests/test_permission_matrix.py runs
them all and checks that every named URL has at least one case.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Case:
    url_name: str
    expect: dict  # role -> status code; roles missing here are not checked
    args: Callable = lambda w: []
    method: str = "get"
    data: Callable | None = None
    query: str = ""
    api: bool = False
    format: str | None = None  # "json" or "multipart" for API writes
    id: str = field(default="")

    def __post_init__(self):
        if not self.id:
            self.id = f"{self.method}:{self.url_name}"


def page(
    url_name,
    ok=200,
    *,
    member=None,
    other_member=None,
    leadership=None,
    expert=403,
    args=lambda w: [],
    query="",
    id="",
):
    """A GET of a page: anonymous is sent to the login page; others get ``ok`` unless said; an
    expert reaches only the pages made for experts (403 elsewhere)."""
    return Case(
        url_name=url_name,
        args=args,
        query=query,
        id=id or f"get:{url_name}{query}",
        expect={
            "anonymous": 302,
            "admin": ok,
            "staff": ok,
            "leadership": ok if leadership is None else leadership,
            "member": ok if member is None else member,
            "other_member": (ok if member is None else member) if other_member is None else other_member,
            "expert": expert,
        },
    )


def staff_write(
    url_name,
    *,
    args=lambda w: [],
    data=None,
    ok=302,
    member=403,
    other_member=None,
    leadership=403,
    expert=403,
    id="",
    api=False,
):
    """A POST only staff and admins may make; everyone else is refused and nothing changes."""
    return Case(
        url_name=url_name,
        args=args,
        method="post",
        data=data,
        api=api,
        id=id or f"post:{url_name}",
        expect={
            # The API answers a request without a token 401 (WWW-Authenticate: Token); a page sends it to log in.
            "anonymous": 401 if api else 302,
            "admin": ok,
            "staff": ok,
            "leadership": leadership,
            "member": member,
            "other_member": member if other_member is None else other_member,
            "expert": expert,
        },
    )
