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
    # The signed-in user's own settings: every role, experts too, changes only their own user.
    page("members:account_settings", expert=200),
    Case(
        "members:account_settings",
        method="post",
        data=lambda w: {"email": "me@example.cn", "email_notice": "daily", "listed_in_directory": "on"},
        expect={"anonymous": 302, "admin": 302, "staff": 302, "leadership": 302, "member": 302, "expert": 302},
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


# -- Membership applications, the directory and users in the portal ---------------------------------


def setup(world):
    """A pending application with a document, and a colleague of the member user, who is made the
    administrator of their organisation (is_org_admin) so the matrix covers what an org admin may do."""
    from django.core.cache import cache
    from django.core.files.base import ContentFile

    from members.models import ApplicationDocument, MembershipApplication
    from tests.factories import UserFactory

    application = MembershipApplication.objects.create(
        name="兰州新区矩阵测试申请有限公司",
        credit_code=synthetic_credit_code("矩阵测试申请", "enterprise"),
        kind="enterprise",
        contact_name="申请联系人",
        contact_phone="0931-1234567",
        contact_email="apply@example.com",
    )
    document = ApplicationDocument(
        application=application, original_name="营业执照.pdf", content_type="application/pdf", size=9
    )
    document.file.save("x.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    # The application throttle counts per address in the cache, which outlives a test.
    cache.delete("members:apply:127.0.0.1")
    world.application = application
    world.document = document
    member = world.users["member"]
    member.is_org_admin = True
    member.save(update_fields=["is_org_admin"])
    world.colleague = UserFactory(username="colleague", role="member", organization=world.org, email="c@example.com")


application = lambda w: [w.application.pk]  # noqa: E731
colleague = lambda w: [w.colleague.pk]  # noqa: E731
ALL_200 = {r: 200 for r in ("anonymous", "admin", "staff", "leadership", "member", "other_member", "expert")}


def bad_application(w):
    return {"name": "", "credit_code": "123", "kind": "enterprise"}


def invite(w):
    return {
        "username": "invited",
        "first_name": "新用户",
        "email": "new@example.com",
        "role": "member",
        "organization": w.org.pk,
    }


CASES += [
    # Public pages: everyone, signed in or not.
    Case("members:application_apply", expect=ALL_200),
    # A bad application is shown its errors (the throttle counts it, nothing is stored).
    Case(
        "members:application_apply",
        method="post",
        data=bad_application,
        expect=ALL_200,
        id="post:application_apply(bad)",
    ),
    Case("members:application_apply_done", expect=ALL_200),
    Case("members:invitation", args=lambda w: ["MQ", "bad-token"], expect=ALL_200),
    # Staff's pages.
    page("members:application_list", member=403),
    page("members:application_list", query="?export=csv", member=403, id="export-csv:application_list"),
    page("members:application_detail", args=application, member=403),
    page("members:application_document", args=lambda w: [w.document.pk], member=403),
    page("members:application_admit", args=application, member=404, leadership=403),
    staff_write("members:application_admit", args=application, data=lambda w: {"username": "first-user"}, member=404),
    page("members:application_decline", args=application, member=404, leadership=403),
    staff_write("members:application_decline", args=application, data=lambda w: {"reason": "材料不全"}, member=404),
    # The directory: every signed-in role but experts.
    page("members:directory_list"),
    page("members:directory_detail", args=other),
    page("members:directory_edit", args=org, leadership=403, other_member=403),
    page(
        "members:directory_edit",
        args=other,
        leadership=403,
        member=403,
        other_member=403,
        id="get:directory_edit(other)",
    ),
    staff_write(
        "members:directory_edit",
        args=org,
        data=lambda w: {"offers": "实训基地", "seeks": "订单班"},
        member=302,
        other_member=403,
    ),
    # Users: staff and admins; the member user is their organisation's administrator, other_member is not.
    page("members:user_list", other_member=403, leadership=403),
    page("members:user_detail", args=colleague, leadership=403, other_member=403),
    page("members:user_add", leadership=403, other_member=403),
    staff_write("members:user_add", data=invite, member=302, other_member=403),
    staff_write(
        "members:user_add",
        data=lambda w: {**invite(w), "organization": w.other_org.pk},
        member=302,
        other_member=403,
        id="post:user_add(member forced to own org)",
    ),
    page("members:user_deactivate", args=colleague, leadership=403, other_member=403),
    staff_write("members:user_deactivate", args=colleague, member=302, other_member=403),
    staff_write(
        "members:user_deactivate",
        args=lambda w: [w.users["other_member"].pk],
        member=404,
        other_member=403,
        id="post:user_deactivate(other org)",
    ),
    page("members:user_reactivate", args=colleague, leadership=403, other_member=403),
    staff_write("members:user_reactivate", args=colleague, ok=200, member=200, other_member=403),
    page("members:user_reset_password", args=colleague, leadership=403, other_member=403),
    staff_write("members:user_reset_password", args=colleague, member=302, other_member=403),
    page("members:user_role", args=colleague, leadership=403, other_member=403),
    staff_write(
        "members:user_role",
        args=colleague,
        data=lambda w: {"role": "member", "organization": w.org.pk, "is_org_admin": "on"},
        member=302,
        other_member=403,
    ),
]
