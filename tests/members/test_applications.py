import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members.demo import synthetic_credit_code
from members.models import (
    ApplicationDocument,
    ApplicationStatus,
    MembershipApplication,
    MembershipStatus,
    Notification,
    Organization,
    Role,
    User,
    UserEvent,
)
from tests.conftest import login

# Mail goes through Celery: the tasks run in the test (on PostgreSQL+Redis too), so mail.outbox sees it.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager")]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CODE = synthetic_credit_code("兰州新区申请测试", "enterprise")


def pdf(name="营业执照.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def form_data(**overrides):
    data = {
        "name": "兰州新区绿色氢能有限公司",
        "credit_code": CODE,
        "kind": "enterprise",
        "industry_chain": "new_energy",
        "contact_name": "张经理",
        "contact_phone": "0931-5550100",
        "contact_email": "zhang@h2.example.com",
        "description": "希望共建氢能实训基地。",
        "documents": [pdf()],
    }
    data.update(overrides)
    return data


def apply(client, **overrides):
    return client.post(reverse("members:application_apply"), form_data(**overrides))


def counts():
    return (
        MembershipApplication.objects.count(),
        ApplicationDocument.objects.count(),
        Organization.objects.count(),
        User.objects.count(),
    )


def make_application(**overrides):
    values = dict(
        name="兰州新区绿色氢能有限公司",
        credit_code=CODE,
        kind="enterprise",
        contact_name="张经理",
        contact_phone="0931-5550100",
        contact_email="zhang@h2.example.com",
    )
    values.update(overrides)
    return MembershipApplication.objects.create(**values)


def test_an_outsider_applies_without_signing_in_and_staff_are_told(client, users):
    response = client.get(reverse("members:application_apply"))
    assert response.status_code == 200
    response = apply(client, documents=[pdf(), pdf("申请书.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20)])
    assert response.status_code == 302 and response["Location"] == reverse("members:application_apply_done")
    application = MembershipApplication.objects.get()
    assert application.status == ApplicationStatus.PENDING and application.credit_code == CODE
    names = sorted(application.documents.values_list("original_name", flat=True))
    assert names == ["申请书.png", "营业执照.pdf"]
    stored = application.documents.get(original_name="营业执照.pdf").file.name
    assert stored.startswith("applications/") and "营业执照" not in stored
    notified = set(
        Notification.objects.filter(title__contains="兰州新区绿色氢能").values_list("user__username", flat=True)
    )
    assert notified == {"admin", "staff"}


def test_the_login_page_links_to_the_application():
    from django.test import Client

    assert reverse("members:application_apply") in Client().get(reverse("login")).content.decode()


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"credit_code": "91620100MA74AB01"}, "统一社会信用代码应为18位"),
        ({"credit_code": CODE[:17] + ("0" if CODE[17] != "0" else "1")}, "统一社会信用代码校验位错误"),
        ({"name": ""}, "该字段是必填项"),
        ({"contact_email": "不是邮箱"}, "请输入合法的邮件地址"),
        ({"documents": []}, "请上传至少一份申请材料"),
        ({"documents": [SimpleUploadedFile("a.pdf", b"MZ\x90\x00 not a pdf")]}, "只接受 PDF、JPEG 或 PNG 文件"),
        ({"documents": [pdf() for _ in range(6)]}, "最多上传 5 份材料"),
        ({"kind": "spaceship"}, "选择一个有效的选项"),
    ],
)
def test_a_bad_application_gets_a_chinese_error_and_stores_nothing(client, overrides, message):
    before = counts()
    response = apply(client, **overrides)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert counts() == before


def test_a_too_large_document_is_refused(client, settings):
    settings.UPLOAD_MAX_BYTES = 100
    response = apply(client, documents=[pdf(content=PDF + b"0" * 200)])
    assert "文件过大" in response.content.decode()
    assert not MembershipApplication.objects.exists()


def test_a_member_or_a_pending_application_with_the_credit_code_is_refused(client, org):
    before = counts()
    response = apply(client, credit_code=org.credit_code)
    assert "已是联合体成员单位" in response.content.decode()
    make_application()
    before = counts()
    response = apply(client, name="另一家公司")
    assert "已有一份待审核的入会申请" in response.content.decode()
    assert counts() == before


def test_a_declined_applicant_may_apply_again(client, staff_user):
    make_application(status=ApplicationStatus.DECLINED)
    assert apply(client).status_code == 302
    assert MembershipApplication.objects.filter(status=ApplicationStatus.PENDING).count() == 1


def test_the_honeypot_pretends_to_succeed_and_stores_nothing(client):
    before = counts()
    response = apply(client, homepage="http://spam.example.com")
    assert response.status_code == 302
    assert counts() == before


def test_applications_are_throttled_per_address_with_a_chinese_429(client, settings):
    settings.MEMBERSHIP_APPLY_PER_HOUR = 2
    assert apply(client, name="").status_code == 200
    assert apply(client).status_code == 302
    before = counts()
    response = apply(client, name="第三次", credit_code=synthetic_credit_code("第三次", "enterprise"))
    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode()
    assert counts() == before
    # Another address is not held back.
    other = client.post(
        reverse("members:application_apply"),
        form_data(name="另一地址", credit_code=synthetic_credit_code("另一地址", "enterprise")),
        REMOTE_ADDR="10.0.0.9",
    )
    assert other.status_code == 302


def test_staff_admit_an_application_the_organisation_and_its_first_user_are_created(
    client_for, staff_user, django_capture_on_commit_callbacks
):
    application = make_application(industry_chain="new_energy")
    client = client_for("staff")
    assert client.get(reverse("members:application_admit", args=[application.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:application_admit", args=[application.pk]), {"username": "zhang.h2"})
    assert response.status_code == 302
    application.refresh_from_db()
    org = application.organization
    assert application.status == ApplicationStatus.ADMITTED and application.decided_by == staff_user
    assert org.status == MembershipStatus.ADMITTED and org.credit_code == CODE and org.industry_chain == "new_energy"
    assert list(org.membership_events.values_list("action", flat=True)) == ["apply", "admit"]
    user = User.objects.get(username="zhang.h2")
    assert (user.role, user.organization, user.is_org_admin, user.email) == (
        Role.MEMBER,
        org,
        True,
        "zhang@h2.example.com",
    )
    assert not user.has_usable_password()
    assert UserEvent.objects.filter(user=user, action="invite", actor=staff_user).exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["zhang@h2.example.com"]
    assert "/members/invitation/" in mail.outbox[0].body


def invitation_path(body):
    return re.search(r"https?://[^/\s]+(/members/invitation/\S+/)", body).group(1)


def test_the_invitation_link_sets_a_password_signs_in_and_works_once(
    client_for, staff_user, django_capture_on_commit_callbacks
):
    from django.test import Client

    application = make_application()
    with django_capture_on_commit_callbacks(execute=True):
        client_for("staff").post(reverse("members:application_admit", args=[application.pk]), {"username": "zhang"})
    path = invitation_path(mail.outbox[0].body)
    invited = Client()
    page = invited.get(path, follow=True)
    assert "设置门户密码" in page.content.decode() and "用户名：zhang" in page.content.decode()
    set_url = page.redirect_chain[-1][0]
    # A weak password is refused in Chinese and sets nothing.
    weak = invited.post(set_url, {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 200 and "密码" in weak.content.decode()
    assert not User.objects.get(username="zhang").has_usable_password()
    done = invited.post(set_url, {"new_password1": "Lz-Hydrogen-2025", "new_password2": "Lz-Hydrogen-2025"})
    assert done.status_code == 302
    user = User.objects.get(username="zhang")
    assert user.check_password("Lz-Hydrogen-2025")
    assert invited.get(reverse("members:organization_detail", args=[user.organization_id])).status_code == 200
    # Used once: the same link is now refused.
    again = Client().get(path, follow=True).content.decode()
    assert "该链接无效" in again


def test_a_forged_or_foreign_token_is_refused(users):
    from django.contrib.auth.tokens import default_token_generator
    from django.test import Client
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    member = users["member"]
    other = users["other_member"]
    uid = urlsafe_base64_encode(force_bytes(member.pk))
    # another user's valid token on this user's id
    foreign = default_token_generator.make_token(other)
    for token in (foreign, "abc-123", "x"):
        page = Client().get(reverse("members:invitation", args=[uid, token]), follow=True).content.decode()
        assert "该链接无效" in page
    # A deactivated account cannot use even its own link.
    member.is_active = False
    member.save()
    token = default_token_generator.make_token(member)
    page = Client().get(reverse("members:invitation", args=[uid, token]), follow=True).content.decode()
    assert "该链接无效" in page


def test_an_expired_link_is_refused(users, settings):
    from django.contrib.auth.tokens import default_token_generator
    from django.test import Client
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    member = users["member"]
    token = default_token_generator.make_token(member)
    settings.PASSWORD_RESET_TIMEOUT = -1
    uid = urlsafe_base64_encode(force_bytes(member.pk))
    page = Client().get(reverse("members:invitation", args=[uid, token]), follow=True).content.decode()
    assert "该链接无效" in page


def test_staff_decline_with_a_reason_the_applicant_is_told(client_for, staff_user, django_capture_on_commit_callbacks):
    application = make_application()
    url = reverse("members:application_decline", args=[application.pk])
    client = client_for("staff")
    before = counts()
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200 and "不予批准必须填写原因" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING and counts() == before
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"reason": "不属于新区产业链范围"}).status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DECLINED and application.reason == "不属于新区产业链范围"
    assert mail.outbox[0].to == ["zhang@h2.example.com"] and "不属于新区产业链范围" in mail.outbox[0].body
    # A decided application cannot be decided again.
    response = client.post(reverse("members:application_admit", args=[application.pk]), {"username": "late"})
    assert "该申请已处理" in response.content.decode()
    assert not User.objects.filter(username="late").exists()


def test_admit_refuses_a_taken_username_and_stores_nothing(client_for, staff_user):
    application = make_application()
    before = counts()
    response = client_for("staff").post(
        reverse("members:application_admit", args=[application.pk]), {"username": "member"}
    )
    assert response.status_code == 200 and "该用户名已被使用" in response.content.decode()
    assert counts() == before
    response = client_for("staff").post(
        reverse("members:application_admit", args=[application.pk]), {"username": "a b/c"}
    )
    assert response.status_code == 200 and counts() == before


def test_admit_refuses_a_credit_code_that_became_a_member_meanwhile(client_for, staff_user):
    from tests.factories import OrganizationFactory

    application = make_application()
    OrganizationFactory(credit_code=CODE)
    before = counts()
    response = client_for("staff").post(reverse("members:application_admit", args=[application.pk]), {"username": "z"})
    assert "已有成员单位使用该统一社会信用代码" in response.content.decode()
    assert counts() == before


def test_documents_are_served_only_to_staff_and_leadership(client_for, users):
    from django.core.files.base import ContentFile

    application = make_application()
    doc = ApplicationDocument(
        application=application, original_name="营业执照.pdf", content_type="application/pdf", size=len(PDF)
    )
    doc.file.save("x.pdf", ContentFile(PDF), save=True)
    url = reverse("members:application_document", args=[doc.pk])
    response = client_for("leadership").get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert client_for("member").get(url).status_code == 403
    assert (
        client_for("leadership")
        .post(reverse("members:application_admit", args=[application.pk]), {"username": "x"})
        .status_code
        == 403
    )


def test_the_work_queue_lists_pending_applications_for_staff_only(users, django_assert_max_num_queries):
    from members.workqueue import applications_to_decide

    for i in range(5):
        make_application(name=f"申请单位{i}", credit_code=synthetic_credit_code(f"申请{i}", "enterprise"))
    make_application(name="已拒绝", credit_code=synthetic_credit_code("已拒绝", "enterprise"), status="declined")
    with django_assert_max_num_queries(1):
        items = applications_to_decide(users["staff"])
    assert [item.title for item in items] == [f"申请单位{i}" for i in reversed(range(5))]
    assert applications_to_decide(users["member"]) == []
    assert applications_to_decide(users["leadership"]) == []
    assert "申请单位4" in login(users["staff"]).get(reverse("home")).content.decode()
