from members.demo import synthetic_credit_code
from tests.matrix import Case, page, staff_write

org = lambda w: [w.org.pk]  # noqa: E731 - the member user's own organisation
other = lambda w: [w.other_org.pk]  # noqa: E731


def new_org(w):
    return {
        "name": "兰州新区新成员有限公司",
        "credit_code": synthetic_credit_code("新成员", "enterprise"),
        "kind": "enterprise",
        "council_role": "member",
    }


def step(w):
    return {"date": "2025-06-01", "reason": "连续两年未参加活动"}


CASES = [
    page("members:organization_list"),
    page("members:organization_list", query="?export=csv", id="export-csv:organization_list"),
    page("members:organization_list", query="?export=xlsx", id="export-xlsx:organization_list"),
    page("members:organization_detail", args=org, other_member=404),
    page("members:organization_detail", args=other, member=404, other_member=200, id="get:organization_detail(other)"),
    page("members:organization_add", member=403, leadership=403),
    staff_write("members:organization_add", data=new_org),
    page("members:organization_edit", args=org, member=403, other_member=404, leadership=403),
    staff_write(
        "members:organization_edit",
        args=other,
        member=404,
        other_member=403,
        data=lambda w: {**new_org(w), "name": "改名"},
        ok=302,
        id="post:organization_edit(other)",
    ),
    page("members:organization_suspend", args=org, member=403, other_member=404, leadership=403),
    staff_write("members:organization_suspend", args=org, data=step, member=403, other_member=404),
    staff_write("members:organization_exit", args=other, data=step, member=404, other_member=403),
    staff_write("members:organization_expel", args=other, data=step, member=404, other_member=403),
    Case(
        "members:organization_admit",
        args=org,
        method="post",
        data=step,
        expect={"staff": 200, "leadership": 403, "member": 403, "anonymous": 302},
    ),
    Case(
        "members:organization_reinstate",
        args=org,
        method="post",
        data=step,
        expect={"staff": 200, "leadership": 403, "member": 403, "anonymous": 302},
    ),
    page("members:notification_list", expert=200),
    Case(
        "members:notification_read_all",
        method="post",
        expect={"anonymous": 302, "staff": 302, "leadership": 302, "member": 302, "expert": 302},
    ),
    # API
    Case(
        "organization-list",
        api=True,
        expect={"anonymous": 401, "admin": 200, "staff": 200, "leadership": 200, "member": 200},
    ),
    Case(
        "organization-detail",
        api=True,
        args=other,
        expect={"anonymous": 401, "staff": 200, "leadership": 200, "member": 404, "other_member": 200},
    ),
    Case(
        "organization-list",
        api=True,
        method="post",
        format="json",
        data=new_org,
        id="api-post:organization-list",
        expect={"anonymous": 401, "staff": 201, "leadership": 403, "member": 403},
    ),
    Case(
        "organization-detail",
        api=True,
        method="patch",
        format="json",
        args=other,
        id="api-patch:organization-detail",
        data=lambda w: {"short_name": "改"},
        # Its own organisation the other member may read, not change: 403, as on its other writes.
        expect={"anonymous": 401, "staff": 200, "leadership": 403, "member": 404, "other_member": 403},
    ),
    Case(
        "organization-detail",
        api=True,
        method="delete",
        args=other,
        id="api-delete:organization-detail",
        expect={"anonymous": 401, "leadership": 403, "member": 404, "other_member": 403},
    ),
]
