"""Order classes kept by both sides: the school and the sponsoring enterprise update the funnel and
the guest professors, the other side is told and sees the change; the class's other fields stay
the school's."""

import socket
import time
from unittest import mock

import pytest
from django.urls import reverse

from members.models import Notification, Role
from members.tasks import send_notification_emails
from tests.conftest import api_login, login
from tests.factories import OrganizationFactory, UserFactory
from training.models import GuestProfessor, OrderClass

from .factories import GuestProfessorFactory, OrderClassFactory

pytestmark = pytest.mark.django_db

FUNNEL = {"planned": 40, "enrolled": 38, "graduated": 35, "employed": 30}


@pytest.fixture
def lanshi_class(org, other_org):
    """兰石订单班: 兰石集团 (other_org, the enterprise) × the member user's school (org)."""
    return OrderClassFactory(
        name="兰石订单班", enterprise=other_org, school=org, planned=40, enrolled=36, graduated=30, employed=20
    )


def funnel_url(order_class):
    return reverse("training:orderclass_funnel", args=[order_class.pk])


def notices(user):
    return list(Notification.objects.filter(user=user).values_list("title", "body", "url"))


def test_the_enterprise_updates_the_funnel_and_the_school_is_told(users, lanshi_class):
    response = login(users["other_member"]).post(funnel_url(lanshi_class), FUNNEL)
    assert response.status_code == 302
    lanshi_class.refresh_from_db()
    assert (lanshi_class.enrolled, lanshi_class.graduated, lanshi_class.employed) == (38, 35, 30)
    record = lanshi_class.history.latest()
    assert record.history_user == users["other_member"]
    [(title, body, url)] = notices(users["member"])
    assert title == "兰石集团更新了订单班“兰石订单班”的培养漏斗数据"
    assert "实际招收：36 → 38" in body and "订单企业录用：20 → 30" in body
    assert url == lanshi_class.get_absolute_url()
    assert not notices(users["other_member"])  # the side that acted is not told


def test_the_school_updates_the_funnel_and_the_enterprise_is_told(users, lanshi_class):
    assert login(users["member"]).post(funnel_url(lanshi_class), FUNNEL).status_code == 302
    [(title, _body, _url)] = notices(users["other_member"])
    assert "兰石订单班" in title and not notices(users["member"])


def test_the_class_page_shows_who_changed_the_funnel_and_when(users, lanshi_class):
    login(users["other_member"]).post(funnel_url(lanshi_class), FUNNEL)
    page = login(users["member"]).get(lanshi_class.get_absolute_url()).content.decode()
    assert "<td>other</td>" in page  # the enterprise user in the history, with the change
    assert "订单企业录用" in page and "20 → 30" in page.replace("</strong>：", "")


@pytest.mark.parametrize(
    "figures,field,message",
    [
        (
            {"planned": 40, "enrolled": 30, "graduated": 31, "employed": 0},
            "graduated",
            "毕业人数不能多于实际招收人数。",
        ),
        (
            {"planned": 40, "enrolled": 30, "graduated": 20, "employed": 21},
            "employed",
            "订单企业录用人数不能多于毕业人数。",
        ),
        ({"planned": -1, "enrolled": 30, "graduated": 20, "employed": 10}, "planned", "0"),
    ],
)
def test_a_funnel_that_breaks_the_rules_is_refused_in_chinese_and_nothing_is_stored(
    users, lanshi_class, figures, field, message
):
    before = OrderClass.objects.values().get(pk=lanshi_class.pk)
    response = login(users["other_member"]).post(funnel_url(lanshi_class), figures)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert OrderClass.objects.values().get(pk=lanshi_class.pk) == before
    assert not Notification.objects.exists()


def test_the_enterprise_cannot_edit_the_rest_of_the_class(users, lanshi_class, org):
    before = OrderClass.objects.values().get(pk=lanshi_class.pk)
    client = login(users["other_member"])
    edit = reverse("training:orderclass_edit", args=[lanshi_class.pk])
    assert client.get(edit).status_code == 403
    data = {
        "name": "改名",
        "enterprise": lanshi_class.enterprise_id,
        "school": org.pk,
        "major": "x",
        "intake_year": 2023,
    }
    assert client.post(edit, {**data, "mode": "order", **FUNNEL}).status_code == 403
    assert OrderClass.objects.values().get(pk=lanshi_class.pk) == before


def test_another_enterprise_cannot_touch_the_class(lanshi_class):
    outsider = UserFactory(role=Role.MEMBER, organization=OrganizationFactory(name="兰州知豆"))
    assert login(outsider).get(funnel_url(lanshi_class)).status_code == 404
    assert login(outsider).post(funnel_url(lanshi_class), FUNNEL).status_code == 404
    add = reverse("training:guestprofessor_add", args=[lanshi_class.pk])
    assert login(outsider).post(add, {"name": "王工", "appointed_on": "2025-03-01"}).status_code == 404
    api = api_login(outsider)
    assert api.patch(f"/api/v1/order-classes/{lanshi_class.pk}/", FUNNEL, format="json").status_code == 404
    lanshi_class.refresh_from_db()
    assert lanshi_class.employed == 20


def test_leadership_reads_the_class_and_changes_nothing(users, lanshi_class):
    assert login(users["leadership"]).post(funnel_url(lanshi_class), FUNNEL).status_code == 403
    lanshi_class.refresh_from_db()
    assert lanshi_class.employed == 20


def test_the_enterprise_adds_edits_and_removes_a_guest_professor_and_the_school_is_told(users, lanshi_class, other_org):
    client = login(users["other_member"])
    add = reverse("training:guestprofessor_add", args=[lanshi_class.pk])
    data = {"name": "王建国", "enterprise": other_org.pk, "title": "首席技师", "appointed_on": "2025-03-01"}
    assert client.post(add, data).status_code == 302
    professor = GuestProfessor.objects.get(order_class=lanshi_class)
    edit = reverse("training:guestprofessor_edit", args=[professor.pk])
    assert client.post(edit, {**data, "title": "大国工匠"}).status_code == 302
    delete = reverse("training:guestprofessor_delete", args=[professor.pk])
    assert client.post(delete).status_code == 302
    assert not GuestProfessor.objects.exists()
    titles = [t for t, _b, _u in notices(users["member"])]
    assert titles == ["兰石集团更新了订单班“兰石订单班”的客座教授"] * 3
    bodies = " ".join(b for _t, b, _u in notices(users["member"]))
    assert "已添加" in bodies and "职务/称号：首席技师 → 大国工匠" in bodies and "已移除" in bodies
    page = login(users["member"]).get(lanshi_class.get_absolute_url()).content.decode()
    assert "客座教授变更" in page and "王建国" in page and "大国工匠" in page


def test_the_api_lets_the_enterprise_patch_the_funnel_only(users, lanshi_class):
    api = api_login(users["other_member"])
    url = f"/api/v1/order-classes/{lanshi_class.pk}/"
    response = api.patch(url, {"name": "改名", "employed": 25}, format="json")
    assert response.status_code == 403
    assert "只能更新培养漏斗数据" in response.json()["detail"]
    bad = api.patch(url, {"employed": 31}, format="json")
    assert bad.status_code == 400 and "订单企业录用人数不能多于毕业人数。" in str(bad.json())
    lanshi_class.refresh_from_db()
    assert (lanshi_class.name, lanshi_class.employed) == ("兰石订单班", 20)
    ok = api.patch(url, {"employed": 25}, format="json")
    assert ok.status_code == 200 and ok.json()["employed"] == 25
    assert api.put(url, {**FUNNEL}, format="json").status_code == 403  # the whole record is the school's
    [(title, body, _url)] = notices(users["member"])
    assert "培养漏斗数据" in title and "订单企业录用：20 → 25" in body


def test_the_api_tells_the_enterprise_when_the_school_changes_the_class(users, lanshi_class):
    response = api_login(users["member"]).patch(
        f"/api/v1/order-classes/{lanshi_class.pk}/", {"major": "化工技术", "planned": 45}, format="json"
    )
    assert response.status_code == 200
    [(_title, body, _url)] = notices(users["other_member"])
    assert "专业：机械制造及自动化 → 化工技术" in body and "计划人数：40 → 45" in body


def test_the_api_lets_the_enterprise_keep_the_guest_professors(users, lanshi_class, other_org):
    api = api_login(users["other_member"])
    data = {"order_class": lanshi_class.pk, "name": "李师傅", "enterprise": other_org.pk, "appointed_on": "2025-03-01"}
    created = api.post("/api/v1/guest-professors/", data, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    assert api.patch(f"/api/v1/guest-professors/{pk}/", {"title": "高级技师"}, format="json").status_code == 200
    assert api.delete(f"/api/v1/guest-professors/{pk}/").status_code == 204
    assert len(notices(users["member"])) == 3


def test_a_guest_professor_of_another_class_stays_out_of_reach(users):
    foreign = GuestProfessorFactory()
    api = api_login(users["other_member"])
    assert api.delete(f"/api/v1/guest-professors/{foreign.pk}/").status_code == 404
    assert GuestProfessor.objects.filter(pk=foreign.pk).exists()


def test_a_funnel_update_never_waits_for_the_mail_server(
    users, lanshi_class, settings, monkeypatch, django_capture_on_commit_callbacks
):
    # A mail server that accepts the connection and never answers: a send would hang for EMAIL_TIMEOUT.
    with socket.socket() as blackhole:
        blackhole.bind(("127.0.0.1", 0))
        blackhole.listen(8)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", blackhole.getsockname()[1]
        settings.EMAIL_TIMEOUT = 10
        users["member"].email = "school@lzpcc.edu.cn"
        users["member"].save()
        # As in production: the request queues the mail for a worker instead of sending it.
        monkeypatch.setattr(send_notification_emails.app.conf, "task_always_eager", False)
        with mock.patch.object(send_notification_emails, "apply_async") as queued:
            started = time.monotonic()
            with django_capture_on_commit_callbacks(execute=True):
                response = login(users["other_member"]).post(funnel_url(lanshi_class), FUNNEL)
            elapsed = time.monotonic() - started
    assert response.status_code == 302 and elapsed < 5
    lanshi_class.refresh_from_db()
    assert lanshi_class.employed == 30
    notice = Notification.objects.get(user=users["member"])
    assert queued.call_args.kwargs == {"args": [[notice.pk]]}
    assert notice.emailed_at is None  # the worker (or the sweep) sends it


def test_the_school_gets_the_notice_by_email(users, lanshi_class, smtp, eager, django_capture_on_commit_callbacks):
    users["member"].email = "school@lzpcc.edu.cn"
    users["member"].save()
    with django_capture_on_commit_callbacks(execute=True):
        login(users["other_member"]).post(funnel_url(lanshi_class), FUNNEL)
    assert [rcpt for rcpt, _m in smtp.messages] == [["school@lzpcc.edu.cn"]]
    assert smtp.subject() == "兰石集团更新了订单班“兰石订单班”的培养漏斗数据"
    assert f"https://portal.example.cn/training/order-classes/{lanshi_class.pk}/" in smtp.body()
