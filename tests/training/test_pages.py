"""Pages and API lists: constant query counts, the organisation and teacher pages link everything."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .factories import (
    DualTeacherRecognitionFactory,
    DualTeacherTrainingFactory,
    EnterprisePracticeFactory,
    ExchangeVisitFactory,
    GuestProfessorFactory,
    OrderClassFactory,
    TeacherFactory,
    TraineeFactory,
    TrainingSessionFactory,
)


def make_rows(n, org, other_org):
    """n records of every kind, visible to the member user (org)."""
    for _ in range(n):
        c = OrderClassFactory(school=org, enterprise=other_org)
        GuestProfessorFactory(order_class=c, enterprise=other_org)
        s = TrainingSessionFactory(provider=org, beneficiaries=[other_org, org])
        TraineeFactory(session=s)
        t = TeacherFactory(school=org)
        DualTeacherTrainingFactory(teacher=t, session=s, provider=org)
        EnterprisePracticeFactory(teacher=t, enterprise=other_org)
        DualTeacherRecognitionFactory(teacher=t)
        ExchangeVisitFactory(visiting_organization=org, visited=[other_org, org])


PAGES = [
    ("training:orderclass_list", ""),
    ("training:orderclass_list", "?export=csv"),
    ("training:session_list", ""),
    ("training:session_list", "?export=xlsx"),
    ("training:teacher_list", ""),
    ("training:teacher_list", "?export=csv"),
    ("training:visit_list", ""),
    ("training:visit_list", "?export=csv"),
    ("training:trainee_list", ""),
    ("training:trainee_list", "?export=csv"),
]
API_LISTS = [
    "orderclass-list",
    "guestprofessor-list",
    "trainingsession-list",
    "trainee-list",
    "traineeimport-list",
    "teacher-list",
    "dualteachertraining-list",
    "enterprisepractice-list",
    "dualteacherrecognition-list",
    "exchangevisit-list",
]


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx)


@pytest.mark.parametrize("role", ["staff", "member"])
def test_list_pages_and_api_lists_make_the_same_number_of_queries_for_5_and_50_rows(
    client_for, api_for, org, other_org, role
):
    client, api = client_for(role), api_for(role)
    make_rows(5, org, other_org)
    urls = [reverse(name) + q for name, q in PAGES] + [reverse(name) for name in API_LISTS]
    client.get(urls[0])  # warm whatever the portal caches per user (navigation figures)
    small = {url: count_queries(api if url.startswith("/api/") else client, url) for url in urls}
    make_rows(45, org, other_org)
    large = {url: count_queries(api if url.startswith("/api/") else client, url) for url in urls}
    assert large == small


# The member's pages: session and paging queries, the list, its prefetches; none per row. The order
# class list adds one aggregate: the employment rate of every class the filters select.
MAX_QUERIES = {
    "training:orderclass_list": 12,
    "training:session_list": 12,
    "training:teacher_list": 10,
    "training:visit_list": 12,
    "training:trainee_list": 9,
}


@pytest.mark.parametrize("n", [5, 50])
def test_list_pages_are_pinned_at_a_constant_query_count(
    client_for, api_for, org, other_org, n, django_assert_max_num_queries
):
    make_rows(n, org, other_org)
    client, api = client_for("member"), api_for("member")
    # The navigation's work-queue count is counted on the first page and kept (consortium.workqueue).
    client.get(reverse("members:notification_list"))
    for name, limit in MAX_QUERIES.items():
        with django_assert_max_num_queries(limit):
            assert client.get(reverse(name)).status_code == 200
    for name in API_LISTS:
        with django_assert_max_num_queries(3):
            assert api.get(reverse(name)).status_code == 200


def test_the_organisation_page_shows_its_classes_sessions_teachers_and_visits(client_for, org, other_org):
    c = OrderClassFactory(school=org, enterprise=other_org, name="兰石订单班")
    s = TrainingSessionFactory(provider=org, title="化工总控工培训")
    t = TeacherFactory(school=org, name="马老师")
    v = ExchangeVisitFactory(visiting_organization=org, visited=[other_org], purpose="走访兰石集团")
    text = client_for("member").get(reverse("members:organization_detail", args=[org.pk])).content.decode()
    for obj in (c, s, t, v):
        assert obj.get_absolute_url() in text


def test_the_enterprise_page_shows_the_class_it_sponsors_but_not_the_schools_teachers(client_for, org, other_org):
    c = OrderClassFactory(school=org, enterprise=other_org)
    t = TeacherFactory(school=org)
    text = client_for("other_member").get(reverse("members:organization_detail", args=[other_org.pk])).content.decode()
    assert c.get_absolute_url() in text and t.get_absolute_url() not in text


def test_the_teacher_page_shows_every_record(client_for, org, other_org):
    t = TeacherFactory(school=org)
    s = TrainingSessionFactory(provider=org, title="双师型教师能力提升培训")
    DualTeacherTrainingFactory(teacher=t, session=s, provider=org)
    EnterprisePracticeFactory(teacher=t, enterprise=other_org, position="设备工程师")
    DualTeacherRecognitionFactory(teacher=t, body="甘肃省教育厅", level="senior")
    text = client_for("member").get(t.get_absolute_url()).content.decode()
    for expected in ("双师型教师能力提升培训", other_org.name, "设备工程师", "甘肃省教育厅", "高级"):
        assert expected in text


def test_the_session_page_records_who_imported_what(client_for, org, staff_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from training import services

    from .test_import import csv_bytes, rows

    s = TrainingSessionFactory(provider=org)
    imp = services.stage_import(s, SimpleUploadedFile("六月签到表.csv", csv_bytes(rows(3))), by=staff_user)
    services.confirm_import(imp.pk, by=staff_user)
    text = client_for("member").get(s.get_absolute_url()).content.decode()
    assert "六月签到表.csv" in text and "已导入" in text and str(staff_user) in text


def test_trainee_pages_exports_and_api_show_only_the_masked_id_number(client_for, api_for, org, staff_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from training import services

    from .factories import valid_id_number
    from .test_import import csv_bytes, rows

    s = TrainingSessionFactory(provider=org)
    services.confirm_import(
        services.stage_import(s, SimpleUploadedFile("a.csv", csv_bytes(rows(2))), by=staff_user).pk, by=staff_user
    )
    full = valid_id_number(0, birth="19850505")
    masked = full[:6] + "********" + full[-4:]
    page, api = client_for("member"), api_for("member")
    for client, url in (
        (page, f"{reverse('training:trainee_list')}?session={s.pk}&export=csv"),
        (page, s.get_absolute_url()),
        (api, reverse("trainee-list")),
    ):
        content = client.get(url).content.decode("utf-8-sig")
        assert full not in content and masked in content, url


def test_the_upload_confirm_flow_through_the_pages(client_for, org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .test_import import csv_bytes, rows

    s = TrainingSessionFactory(provider=org)
    client = client_for("member")
    response = client.post(
        reverse("training:trainee_import", args=[s.pk]), {"file": SimpleUploadedFile("a.csv", csv_bytes(rows(4)))}
    )
    assert response.status_code == 302
    preview = client.get(response["Location"]).content.decode()
    assert "全部 4 行校验通过" in preview
    import_id = int(response["Location"].rstrip("/").split("/")[-1])
    response = client.post(reverse("training:trainee_import_confirm", args=[import_id]))
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.trainee_count == 4


def test_a_non_spreadsheet_upload_shows_the_message_on_the_page(client_for, org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    s = TrainingSessionFactory(provider=org)
    response = client_for("member").post(
        reverse("training:trainee_import", args=[s.pk]),
        {"file": SimpleUploadedFile("a.xlsx", b"%PDF-1.4" + bytes(range(256)))},
    )
    assert response.status_code == 200
    assert (
        "文件不是可导入的表格。请上传 Excel（.xlsx 或 .xls）、WPS 或 OpenDocument（.ods）表格，或 CSV 文件。"
        in response.content.decode()
    )


def test_a_year_out_of_range_is_a_filter_error_not_a_server_error(client_for, api_for, org):
    for name in ("trainingsession-list", "dualteachertraining-list", "exchangevisit-list"):
        assert api_for("staff").get(reverse(name), {"year": "0"}).status_code == 400
    assert client_for("staff").get(reverse("training:session_list"), {"year": "0"}).status_code == 200
