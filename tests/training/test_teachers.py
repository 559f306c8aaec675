"""One person, one teacher: the 身份证号 (kept hashed), duplicates refused, staff merge duplicates."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from dashboards.models import MetricActual
from dashboards.services import current_year, rollup
from tests.factories import SchoolFactory
from tests.training.factories import (
    DualTeacherRecognitionFactory,
    DualTeacherTrainingFactory,
    EnterprisePracticeFactory,
    TeacherFactory,
    valid_id_number,
)
from training import imports, services
from training.models import DualTeacherRecognition, DualTeacherTraining, EnterprisePractice, Teacher

ID = valid_id_number(42, birth="19800808")


def teacher_form(org, **extra):
    return {"school": org.pk, "name": "李红梅", "subject_area": "化工技术", "title": "讲师", "employee_no": "", **extra}


def registered(school, name="李红梅", employee_no="LZPC-101", id_number=ID):
    teacher = TeacherFactory(school=school, name=name, employee_no=employee_no)
    teacher.set_id_number(id_number)
    teacher.save()
    return teacher


def errors_of(response):
    return str(response.context["form"].errors)


# Entering a teacher ----------------------------------------------------------


def test_the_id_number_is_kept_only_as_its_hash_and_masked_form(client_for, org):
    response = client_for("member").post(reverse("training:teacher_add"), teacher_form(org, id_number=ID.lower()))
    assert response.status_code == 302
    teacher = Teacher.objects.get(name="李红梅")
    assert teacher.id_number_hash == imports.keyed_hash(ID)
    assert teacher.id_number_masked == ID[:6] + "********" + ID[-4:]
    assert ID not in repr(list(Teacher.objects.values_list()))
    page = client_for("member").get(teacher.get_absolute_url()).content.decode()
    assert teacher.id_number_masked in page and ID not in page


def test_an_id_number_with_a_wrong_check_digit_is_refused_in_chinese(client_for, org):
    bad = ID[:17] + ("0" if ID[17] != "0" else "1")
    response = client_for("member").post(reverse("training:teacher_add"), teacher_form(org, id_number=bad))
    assert response.status_code == 200
    assert "身份证号校验位错误" in errors_of(response)
    assert not Teacher.objects.exists()


def test_a_second_teacher_with_the_same_id_number_is_refused_on_the_form_naming_the_first(client_for, org):
    first = registered(org)
    response = client_for("member").post(
        reverse("training:teacher_add"), teacher_form(org, name="李红梅", employee_no="LZPC-999", id_number=ID)
    )
    assert response.status_code == 200
    message = errors_of(response)
    assert "该教师已登记" in message and f"#{first.pk}" in message and "LZPC-101" in message
    assert Teacher.objects.count() == 1


def test_editing_a_teacher_without_typing_the_id_number_keeps_it(client_for, org):
    teacher = registered(org)
    response = client_for("member").post(
        reverse("training:teacher_edit", args=[teacher.pk]), teacher_form(org, title="副教授", employee_no="LZPC-101")
    )
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.title == "副教授" and teacher.id_number_hash == imports.keyed_hash(ID)


def test_a_second_teacher_with_the_same_id_number_is_refused_by_the_api(api_for, org):
    first = registered(org)
    payload = {"school": org.pk, "name": "李红梅", "employee_no": "LZPC-777", "id_number": ID}
    response = api_for("member").post("/api/v1/teachers/", payload, format="json")
    assert response.status_code == 400
    assert "该教师已登记" in str(response.data["id_number"]) and f"#{first.pk}" in str(response.data["id_number"])
    assert Teacher.objects.count() == 1


def test_the_api_takes_the_id_number_write_only_and_returns_only_the_mask(api_for, org):
    response = api_for("member").post(
        "/api/v1/teachers/", {"school": org.pk, "name": "王强", "id_number": ID}, format="json"
    )
    assert response.status_code == 201, response.data
    assert "id_number" not in response.data and response.data["id_number_masked"].endswith(ID[-4:])
    assert ID not in response.content.decode()
    bad = api_for("member").post(
        "/api/v1/teachers/", {"school": org.pk, "name": "王芳", "id_number": "62010219800808"}, format="json"
    )
    assert bad.status_code == 400 and "身份证号应为18位" in str(bad.data["id_number"])


def test_the_same_school_and_employee_number_is_refused_on_the_form_and_the_api(client_for, api_for, org):
    first = TeacherFactory(school=org, name="张伟", employee_no="LZPC-201")
    response = client_for("member").post(
        reverse("training:teacher_add"), teacher_form(org, name="张伟", employee_no="LZPC-201")
    )
    assert response.status_code == 200
    assert f"#{first.pk}" in errors_of(response) and "该教师已登记" in errors_of(response)
    api = api_for("member").post(
        "/api/v1/teachers/", {"school": org.pk, "name": "张伟", "employee_no": "LZPC-201"}, format="json"
    )
    assert api.status_code == 400 and f"#{first.pk}" in str(api.data["employee_no"])
    assert Teacher.objects.count() == 1


def test_a_member_of_another_school_learns_only_that_the_teacher_is_registered(client_for, api_for, org):
    elsewhere = SchoolFactory(name="甘肃交通职业技术学院")
    hidden = registered(elsewhere, name="赵敏", employee_no="GJT-001")
    response = client_for("member").post(reverse("training:teacher_add"), teacher_form(org, name="赵敏", id_number=ID))
    assert response.status_code == 200
    body = response.content.decode()
    assert "该教师已登记。" in errors_of(response)
    for detail in ("甘肃交通职业技术学院", "GJT-001", f"#{hidden.pk}"):
        assert detail not in body
    api = api_for("member").post(
        "/api/v1/teachers/", {"school": org.pk, "name": "赵敏", "id_number": ID}, format="json"
    )
    assert api.status_code == 400
    assert "GJT-001" not in api.content.decode() and "甘肃交通职业技术学院" not in api.content.decode()
    assert Teacher.objects.count() == 1


def test_the_database_refuses_two_teachers_with_the_same_id_hash(org):
    registered(org)
    twin = TeacherFactory.build(school=org, name="李红梅", employee_no="")
    twin.set_id_number(ID)
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    TeacherFactory(school=org, employee_no="")
    TeacherFactory(school=org, employee_no="")  # without a number, blank hashes never collide


# Finding duplicates ------------------------------------------------------------


def test_duplicate_groups_are_conservative_and_say_why(org):
    # (Two records of one 身份证号 cannot be stored: the database refuses the second.)
    hashed = [registered(org, name="李红梅", employee_no=""), TeacherFactory(school=org, name="李红梅", employee_no="")]
    written_apart = [
        TeacherFactory(school=org, name="王强", employee_no="LZPC-007"),
        TeacherFactory(school=org, name="王强", employee_no="lzpc 007"),
    ]
    one_blank = [
        TeacherFactory(school=org, name="张伟", employee_no="LZPC-201"),
        TeacherFactory(school=org, name="张伟", employee_no=""),
    ]
    # Two different numbers at one school are two people of the same name: no group.
    TeacherFactory(school=org, name="刘洋", employee_no="LZPC-301")
    TeacherFactory(school=org, name="刘洋", employee_no="LZPC-302")
    TeacherFactory(school=org, name="刘洋", employee_no="")
    # Two different 身份证号 are two people, whatever their names.
    for n in (1, 2):
        registered(org, name="陈静", employee_no="", id_number=valid_id_number(n))

    groups = {frozenset(t.pk for t in g.teachers): str(g.reason) for g in Teacher.objects.duplicate_groups()}
    assert groups == {
        frozenset(t.pk for t in hashed): "同一学校、同名，其中 2 条没有工号",
        frozenset(t.pk for t in written_apart): "同一学校、同名，工号一致（LZPC-007、lzpc 007）",
        frozenset(t.pk for t in one_blank): "同一学校、同名，其中 1 条没有工号",
    }


def test_staff_see_the_duplicate_groups_with_a_merge_link(client_for, org):
    keep = TeacherFactory(school=org, name="张伟", employee_no="LZPC-201")
    dup = TeacherFactory(school=org, name="张伟", employee_no="")
    page = client_for("staff").get(reverse("training:teacher_duplicates")).content.decode()
    assert "其中 1 条没有工号" in page
    assert f"{reverse('training:teacher_merge', args=[keep.pk])}?duplicates={dup.pk}" in page


# Merging -----------------------------------------------------------------------


def dual_count(year):
    rollup(year)
    row = MetricActual.objects.filter(year=year, metric="dual_teachers_trained").first()
    return int(row.value) if row else 0


def test_staff_merge_moves_the_records_fills_blanks_and_keeps_history(client_for, users, org, other_org):
    year = current_year() - 1
    keep = TeacherFactory(school=org, name="张伟", employee_no="LZPC-201", title="")
    dup = TeacherFactory(school=org, name="张伟", employee_no="", title="副教授")
    dup.set_id_number(ID)
    dup.save()
    DualTeacherTrainingFactory(teacher=keep, completed_on=date(year, 4, 1))
    moved_training = DualTeacherTrainingFactory(teacher=dup, completed_on=date(year, 9, 1))
    moved_practice = EnterprisePracticeFactory(teacher=dup, enterprise=other_org)
    moved_recognition = DualTeacherRecognitionFactory(teacher=dup)
    before = dual_count(year)
    assert before == 2  # the one person counted twice

    form = client_for("staff").get(reverse("training:teacher_merge", args=[keep.pk]) + f"?duplicates={dup.pk}")
    assert form.status_code == 200 and form.context["form"].initial["duplicates"] == [str(dup.pk)]
    response = client_for("staff").post(reverse("training:teacher_merge", args=[keep.pk]), {"duplicates": [dup.pk]})
    assert response.status_code == 302 and response["Location"] == keep.get_absolute_url()

    assert not Teacher.objects.filter(pk=dup.pk).exists()
    keep.refresh_from_db()
    assert (keep.title, keep.employee_no, keep.id_number_hash) == ("副教授", "LZPC-201", imports.keyed_hash(ID))
    for record in (moved_training, moved_practice, moved_recognition):
        record.refresh_from_db()
        assert record.teacher_id == keep.pk
    reason = f"合并教师 #{dup.pk} → #{keep.pk}"
    deleted = Teacher.history.get(id=dup.pk, history_type="-")
    assert deleted.history_change_reason == reason and deleted.history_user == users["staff"]
    assert DualTeacherTraining.history.filter(id=moved_training.pk, history_change_reason=reason).exists()
    assert EnterprisePractice.history.filter(id=moved_practice.pk, history_change_reason=reason).exists()
    assert DualTeacherRecognition.history.filter(id=moved_recognition.pk, history_change_reason=reason).exists()
    assert Teacher.history.filter(id=keep.pk, history_change_reason=reason).exists()

    after = dual_count(year)
    assert after == 1 and after <= before  # never counted twice


@pytest.mark.parametrize("role, status", [("leadership", 403), ("member", 403), ("other_member", 404)])
def test_leadership_and_members_cannot_merge_and_nothing_changes(client_for, org, role, status):
    keep = TeacherFactory(school=org, name="张伟", employee_no="LZPC-201")
    dup = TeacherFactory(school=org, name="张伟", employee_no="")
    training = DualTeacherTrainingFactory(teacher=dup)
    response = client_for(role).post(reverse("training:teacher_merge", args=[keep.pk]), {"duplicates": [dup.pk]})
    assert response.status_code == status
    assert Teacher.objects.filter(pk=dup.pk).exists()
    training.refresh_from_db()
    assert training.teacher_id == dup.pk
    assert client_for(role).get(reverse("training:teacher_duplicates")).status_code == 403


def test_the_merge_service_refuses_members_and_two_different_id_numbers(users, org):
    keep = registered(org, name="张伟", employee_no="LZPC-201")
    dup = TeacherFactory(school=org, name="张伟", employee_no="")
    with pytest.raises(services.PermissionDenied):
        services.merge_teachers(keep, [dup], by=users["member"])
    dup.set_id_number(valid_id_number(43, birth="19800808"))
    dup.save()
    with pytest.raises(services.ValidationError, match="身份证号不同"):
        services.merge_teachers(keep, [dup], by=users["staff"])
    assert Teacher.objects.filter(pk=dup.pk).exists()
