"""Permission matrix cases for the training app (see tests/matrix.py).

world.org is the member user's school, world.other_org the enterprise 兰石集团 with its
own member user. The records: an order class of org × other_org (org may change it,
other_org only sees it), a session org provides for other_org, org's teacher with
records, a visit of org to other_org, and "foreign" records of a third school that
neither member may see.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import OrganizationFactory, SchoolFactory
from tests.matrix import Case, page
from tests.training.factories import (
    DualTeacherRecognitionFactory,
    DualTeacherTrainingFactory,
    EnterprisePracticeFactory,
    ExchangeVisitFactory,
    GuestProfessorFactory,
    OrderClassFactory,
    TeacherFactory,
    TraineeFactory,
    TrainingSessionFactory,
    valid_id_number,
)
from training import services

ROLES = ("anonymous", "admin", "staff", "leadership", "member", "other_member")


def roles(anonymous=302, admin=200, staff=None, leadership=200, member=200, other_member=200):
    return {
        "anonymous": anonymous,
        "admin": admin,
        "staff": admin if staff is None else staff,
        "leadership": leadership,
        "member": member,
        "other_member": other_member,
    }


def import_csv(n=3, birth="19850505"):
    lines = ["姓名,身份证号,性别,手机号,工作单位"]
    lines += [f"学员{i},{valid_id_number(i, birth=birth)},男,1380000{i:04d},兰石集团" for i in range(n)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def setup(w):
    third_school = SchoolFactory()
    third_ent = OrganizationFactory()
    w.t_class = OrderClassFactory(enterprise=w.other_org, school=w.org)
    w.t_foreign_class = OrderClassFactory(enterprise=third_ent, school=third_school)
    w.t_professor = GuestProfessorFactory(order_class=w.t_class, enterprise=w.other_org)
    w.t_foreign_professor = GuestProfessorFactory(order_class=w.t_foreign_class, enterprise=third_ent)
    w.t_session = TrainingSessionFactory(provider=w.org, beneficiaries=[w.other_org])
    w.t_foreign_session = TrainingSessionFactory(provider=third_school)
    w.t_trainee = TraineeFactory(session=w.t_session)
    w.t_import = services.stage_import(w.t_session, SimpleUploadedFile("签到表.csv", import_csv()), by=w.users["staff"])
    w.t_teacher = TeacherFactory(school=w.org)
    w.t_foreign_teacher = TeacherFactory(school=third_school)
    # The same person entered twice at org (the second time without an employee number): staff merge them.
    w.t_teacher_dup = TeacherFactory(school=w.org, name=w.t_teacher.name, employee_no="")
    w.t_dual = DualTeacherTrainingFactory(teacher=w.t_teacher)
    w.t_practice = EnterprisePracticeFactory(teacher=w.t_teacher, enterprise=w.other_org)
    w.t_recognition = DualTeacherRecognitionFactory(teacher=w.t_teacher)
    w.t_visit = ExchangeVisitFactory(visiting_organization=w.org, visited=[w.other_org])
    w.t_foreign_visit = ExchangeVisitFactory(visiting_organization=third_school, visited=[third_ent])


def pk(attr):
    return lambda w: [getattr(w, attr).pk]


# Form data -----------------------------------------------------------------


def class_data(w):
    return {
        "name": "焊接订单班",
        "enterprise": w.other_org.pk,
        "school": w.org.pk,
        "major": "焊接技术与自动化",
        "intake_year": 2025,
        "mode": "order",
        "planned": 30,
        "enrolled": 30,
        "graduated": 0,
        "employed": 0,
    }


def funnel_data(w):
    return {"planned": 40, "enrolled": 36, "graduated": 0, "employed": 0}


def professor_data(w):
    return {"name": "王工", "enterprise": w.other_org.pk, "title": "首席技师", "appointed_on": "2025-03-01"}


def session_data(w):
    return {
        "title": "电工职业技能培训",
        "kind": "vocational_skill",
        "provider": w.org.pk,
        "beneficiaries": [w.other_org.pk],
        "starts_at": "2025-06-01T09:00",
        "ends_at": "2025-06-02T17:00",
        "hours": "16",
        "declared_headcount": 20,
        "status": "planned",
    }


def teacher_data(w):
    return {"school": w.org.pk, "name": "李老师", "subject_area": "化工技术", "title": "讲师", "employee_no": "N0001"}


def dual_data(w):
    return {"completed_on": "2025-07-01", "hours": "40"}


def practice_data(w):
    return {"enterprise": w.other_org.pk, "start_date": "2025-07-01", "end_date": "2025-08-01"}


def recognition_data(w):
    return {"level": "junior", "recognized_on": "2025-09-01", "body": "甘肃省教育厅"}


def visit_data(w):
    return {
        "date": "2025-04-01",
        "visiting_organization": w.org.pk,
        "visited": [w.other_org.pk],
        "participants": 300,
        "purpose": "走访企业了解用人需求",
    }


def trainee_data(w):
    return {"name": "张三", "id_number": valid_id_number(7, birth="19770707"), "gender": "男"}


def upload_data(w):
    return {"file": SimpleUploadedFile("名单.csv", import_csv(2, birth="19660606"))}


def post(url_name, args, data, expect, id=""):
    return Case(url_name, args=args, method="post", data=data, expect=expect, id=id or f"post:{url_name}")


# Who may do what ----------------------------------------------------------
# own record of org that other_org can see but not change
SEEN_NOT_CHANGED_GET = roles(leadership=403, other_member=403)
SEEN_NOT_CHANGED_POST = roles(admin=302, leadership=403, other_member=403, member=302)
# a record only org can see (teachers)
ORG_ONLY_GET = roles(leadership=403, other_member=404)
ORG_ONLY_POST = roles(admin=302, leadership=403, other_member=404, member=302)
STAFF_DELETE_GET = roles(leadership=403, member=403, other_member=403)
STAFF_DELETE_POST = roles(admin=302, leadership=403, member=403, other_member=403)
STAFF_DELETE_ORG_ONLY_GET = roles(leadership=403, member=403, other_member=404)
STAFF_DELETE_ORG_ONLY_POST = roles(admin=302, leadership=403, member=403, other_member=404)
# the funnel and the guest professors of org × other_org's class: both sides keep them
# (experts are refused everywhere here: these pages are not made for them)
BOTH_SIDES_GET = {**roles(leadership=403), "expert": 403}
BOTH_SIDES_POST = {**roles(admin=302, leadership=403, member=302, other_member=302), "expert": 403}
SCHOOL_CREATE_GET = roles(leadership=403, other_member=403)
SCHOOL_CREATE_POST = roles(admin=302, leadership=403, member=302, other_member=403)

CASES = [
    # Order classes
    page("training:orderclass_list"),
    page("training:orderclass_list", query="?export=csv", id="export-csv:orderclass_list"),
    page("training:orderclass_list", query="?export=xlsx", id="export-xlsx:orderclass_list"),
    page("training:orderclass_detail", args=pk("t_class")),
    page(
        "training:orderclass_detail",
        args=pk("t_foreign_class"),
        member=404,
        other_member=404,
        id="get:orderclass_detail(foreign)",
    ),
    Case("training:orderclass_add", expect=SCHOOL_CREATE_GET),
    post("training:orderclass_add", lambda w: [], class_data, SCHOOL_CREATE_POST),
    Case("training:orderclass_edit", args=pk("t_class"), expect=SEEN_NOT_CHANGED_GET),
    post("training:orderclass_edit", pk("t_class"), class_data, SEEN_NOT_CHANGED_POST),
    Case(
        "training:orderclass_edit",
        args=pk("t_foreign_class"),
        id="get:orderclass_edit(foreign)",
        expect=roles(leadership=403, member=404, other_member=404),
    ),
    Case("training:orderclass_delete", args=pk("t_class"), expect=STAFF_DELETE_GET),
    post("training:orderclass_delete", pk("t_class"), None, STAFF_DELETE_POST),
    # Both sides of a class keep its funnel and its guest professors.
    Case("training:orderclass_funnel", args=pk("t_class"), expect=BOTH_SIDES_GET),
    post("training:orderclass_funnel", pk("t_class"), funnel_data, BOTH_SIDES_POST),
    Case(
        "training:orderclass_funnel",
        args=pk("t_foreign_class"),
        id="get:orderclass_funnel(foreign)",
        expect={**roles(leadership=403, member=404, other_member=404), "expert": 403},
    ),
    post(
        "training:orderclass_funnel",
        pk("t_foreign_class"),
        funnel_data,
        {**roles(admin=302, leadership=403, member=404, other_member=404), "expert": 403},
        id="post:orderclass_funnel(foreign)",
    ),
    Case("training:guestprofessor_add", args=pk("t_class"), expect=BOTH_SIDES_GET),
    post("training:guestprofessor_add", pk("t_class"), professor_data, BOTH_SIDES_POST),
    Case("training:guestprofessor_edit", args=pk("t_professor"), expect=BOTH_SIDES_GET),
    post("training:guestprofessor_edit", pk("t_professor"), professor_data, BOTH_SIDES_POST),
    Case("training:guestprofessor_delete", args=pk("t_professor"), expect=BOTH_SIDES_GET),
    post("training:guestprofessor_delete", pk("t_professor"), None, BOTH_SIDES_POST),
    Case(
        "training:guestprofessor_delete",
        args=pk("t_foreign_professor"),
        id="get:guestprofessor_delete(foreign)",
        expect={**roles(leadership=403, member=404, other_member=404), "expert": 403},
    ),
    # Sessions
    page("training:session_list"),
    page("training:session_list", query="?export=csv", id="export-csv:session_list"),
    page("training:session_list", query="?export=xlsx", id="export-xlsx:session_list"),
    page("training:session_detail", args=pk("t_session")),
    page(
        "training:session_detail",
        args=pk("t_foreign_session"),
        member=404,
        other_member=404,
        id="get:session_detail(foreign)",
    ),
    Case("training:session_add", expect=roles(leadership=403)),
    # other_member may create sessions, but only ones it provides: the form refuses org as provider.
    post("training:session_add", lambda w: [], session_data, roles(admin=302, leadership=403, member=302)),
    Case("training:session_edit", args=pk("t_session"), expect=SEEN_NOT_CHANGED_GET),
    post("training:session_edit", pk("t_session"), session_data, SEEN_NOT_CHANGED_POST),
    Case("training:session_delete", args=pk("t_session"), expect=STAFF_DELETE_GET),
    post("training:session_delete", pk("t_session"), None, STAFF_DELETE_POST),
    page("training:trainee_list"),
    page("training:trainee_list", query="?export=csv", id="export-csv:trainee_list"),
    page("training:trainee_template", args=lambda w: ["xlsx"]),
    page("training:trainee_template", args=lambda w: ["csv"], id="get:trainee_template(csv)"),
    Case("training:trainee_import", args=pk("t_session"), expect=SEEN_NOT_CHANGED_GET),
    post("training:trainee_import", pk("t_session"), upload_data, SEEN_NOT_CHANGED_POST),
    Case(
        "training:trainee_import",
        args=pk("t_foreign_session"),
        id="get:trainee_import(foreign)",
        expect=roles(leadership=403, member=404, other_member=404),
    ),
    page("training:trainee_import_detail", args=pk("t_import")),
    Case("training:trainee_import_confirm", args=pk("t_import"), expect=SEEN_NOT_CHANGED_GET),
    post("training:trainee_import_confirm", pk("t_import"), lambda w: {}, SEEN_NOT_CHANGED_POST),
    post("training:trainee_import_discard", pk("t_import"), lambda w: {}, SEEN_NOT_CHANGED_POST),
    Case("training:trainee_add", args=pk("t_session"), expect=SEEN_NOT_CHANGED_GET),
    post("training:trainee_add", pk("t_session"), trainee_data, SEEN_NOT_CHANGED_POST),
    Case("training:trainee_delete", args=pk("t_trainee"), expect=SEEN_NOT_CHANGED_GET),
    post("training:trainee_delete", pk("t_trainee"), lambda w: {}, SEEN_NOT_CHANGED_POST),
    # Teachers and records
    page("training:teacher_list"),
    page("training:teacher_list", query="?export=xlsx", id="export-xlsx:teacher_list"),
    page("training:teacher_detail", args=pk("t_teacher"), other_member=404),
    page(
        "training:teacher_detail",
        args=pk("t_foreign_teacher"),
        member=404,
        other_member=404,
        id="get:teacher_detail(foreign)",
    ),
    Case("training:teacher_add", expect=SCHOOL_CREATE_GET),
    post("training:teacher_add", lambda w: [], teacher_data, SCHOOL_CREATE_POST),
    Case("training:teacher_edit", args=pk("t_teacher"), expect=ORG_ONLY_GET),
    post("training:teacher_edit", pk("t_teacher"), teacher_data, ORG_ONLY_POST),
    Case("training:teacher_delete", args=pk("t_teacher"), expect=STAFF_DELETE_ORG_ONLY_GET),
    post("training:teacher_delete", pk("t_teacher"), None, STAFF_DELETE_ORG_ONLY_POST),
    # Duplicates of one person: found and merged by staff only
    page("training:teacher_duplicates", leadership=403, member=403, other_member=403),
    Case("training:teacher_merge", args=pk("t_teacher"), expect=STAFF_DELETE_ORG_ONLY_GET),
    post(
        "training:teacher_merge",
        pk("t_teacher"),
        lambda w: {"duplicates": [w.t_teacher_dup.pk]},
        STAFF_DELETE_ORG_ONLY_POST,
    ),
    Case(
        "training:teacher_merge",
        args=pk("t_foreign_teacher"),
        id="get:teacher_merge(foreign)",
        expect=roles(leadership=403, member=404, other_member=404),
    ),
]

for prefix, attr, data in (
    ("dualtraining", "t_dual", dual_data),
    ("practice", "t_practice", practice_data),
    ("recognition", "t_recognition", recognition_data),
):
    CASES += [
        Case(f"training:{prefix}_add", args=pk("t_teacher"), expect=ORG_ONLY_GET),
        post(f"training:{prefix}_add", pk("t_teacher"), data, ORG_ONLY_POST),
        Case(
            f"training:{prefix}_add",
            args=pk("t_foreign_teacher"),
            id=f"get:{prefix}_add(foreign)",
            expect=roles(leadership=403, member=404, other_member=404),
        ),
        Case(f"training:{prefix}_edit", args=pk(attr), expect=ORG_ONLY_GET),
        post(f"training:{prefix}_edit", pk(attr), data, ORG_ONLY_POST),
        Case(f"training:{prefix}_delete", args=pk(attr), expect=STAFF_DELETE_ORG_ONLY_GET),
        post(f"training:{prefix}_delete", pk(attr), None, STAFF_DELETE_ORG_ONLY_POST),
    ]

CASES += [
    # Exchange visits
    page("training:visit_list"),
    page("training:visit_list", query="?export=csv", id="export-csv:visit_list"),
    page("training:visit_detail", args=pk("t_visit")),
    page(
        "training:visit_detail",
        args=pk("t_foreign_visit"),
        member=404,
        other_member=404,
        id="get:visit_detail(foreign)",
    ),
    Case("training:visit_add", expect=roles(leadership=403)),
    post("training:visit_add", lambda w: [], visit_data, roles(admin=302, leadership=403, member=302)),
    Case("training:visit_edit", args=pk("t_visit"), expect=SEEN_NOT_CHANGED_GET),
    post("training:visit_edit", pk("t_visit"), visit_data, SEEN_NOT_CHANGED_POST),
    Case("training:visit_delete", args=pk("t_visit"), expect=STAFF_DELETE_GET),
    post("training:visit_delete", pk("t_visit"), None, STAFF_DELETE_POST),
]

# API ------------------------------------------------------------------------


def api_roles(anonymous=401, admin=200, staff=None, leadership=200, member=200, other_member=200):
    return roles(anonymous, admin, staff, leadership, member, other_member)


def api_class(w):
    return {**class_data(w)}


def api_session(w):
    return {**session_data(w), "starts_at": "2025-06-01T09:00:00+08:00", "ends_at": "2025-06-02T17:00:00+08:00"}


API = [
    # basename, record attribute, payload, who sees the record (both members, or org only)
    ("orderclass", "t_class", api_class, "both"),
    ("trainingsession", "t_session", api_session, "both"),
    ("teacher", "t_teacher", teacher_data, "org"),
    ("dualteachertraining", "t_dual", lambda w: {**dual_data(w), "teacher": w.t_teacher.pk}, "org"),
    ("enterprisepractice", "t_practice", lambda w: {**practice_data(w), "teacher": w.t_teacher.pk}, "org"),
    ("dualteacherrecognition", "t_recognition", lambda w: {**recognition_data(w), "teacher": w.t_teacher.pk}, "org"),
    ("exchangevisit", "t_visit", visit_data, "both"),
]

for basename, attr, payload, seen_by in API:
    other_sees = 200 if seen_by == "both" else 404
    CASES += [
        Case(f"{basename}-list", api=True, expect=api_roles()),
        Case(f"{basename}-detail", api=True, args=pk(attr), expect=api_roles(other_member=other_sees)),
        Case(
            f"{basename}-list",
            api=True,
            method="post",
            format="json",
            data=payload,
            id=f"api-post:{basename}-list",
            expect=api_roles(admin=201, leadership=403, member=201, other_member=403),
        ),
        Case(
            f"{basename}-detail",
            api=True,
            method="patch",
            format="json",
            args=pk(attr),
            data=payload,
            id=f"api-patch:{basename}-detail",
            # The enterprise of the class may PATCH its funnel only (below): the whole record is refused;
            # a record the other member may read but not change is refused (403); one it cannot see, 404.
            expect=api_roles(
                leadership=403, other_member=403 if basename == "orderclass" or other_sees == 200 else 404
            ),
        ),
        Case(
            f"{basename}-detail",
            api=True,
            method="delete",
            args=pk(attr),
            id=f"api-delete:{basename}-detail",
            expect=api_roles(admin=204, leadership=403, member=403, other_member=403 if other_sees == 200 else 404),
        ),
    ]


# Both sides of the class: the funnel (PATCH) and the guest professors (add, edit, remove).
def api_professor(w):
    return {**professor_data(w), "order_class": w.t_class.pk}


CASES += [
    Case(
        "orderclass-detail",
        api=True,
        method="patch",
        format="json",
        args=pk("t_class"),
        data=funnel_data,
        id="api-patch:orderclass-detail(funnel)",
        expect={**api_roles(leadership=403), "expert": 403},
    ),
    Case(
        "orderclass-detail",
        api=True,
        method="patch",
        format="json",
        args=pk("t_foreign_class"),
        data=funnel_data,
        id="api-patch:orderclass-detail(foreign funnel)",
        expect={**api_roles(leadership=403, member=404, other_member=404), "expert": 403},
    ),
    Case("guestprofessor-list", api=True, expect=api_roles()),
    Case("guestprofessor-detail", api=True, args=pk("t_professor"), expect=api_roles()),
    Case(
        "guestprofessor-list",
        api=True,
        method="post",
        format="json",
        data=api_professor,
        id="api-post:guestprofessor-list",
        expect={**api_roles(admin=201, leadership=403, member=201, other_member=201), "expert": 403},
    ),
    Case(
        "guestprofessor-detail",
        api=True,
        method="patch",
        format="json",
        args=pk("t_professor"),
        data=api_professor,
        id="api-patch:guestprofessor-detail",
        expect={**api_roles(leadership=403), "expert": 403},
    ),
    Case(
        "guestprofessor-detail",
        api=True,
        method="delete",
        args=pk("t_professor"),
        id="api-delete:guestprofessor-detail",
        expect={**api_roles(admin=204, leadership=403, member=204, other_member=204), "expert": 403},
    ),
    Case(
        "guestprofessor-detail",
        api=True,
        method="delete",
        args=pk("t_foreign_professor"),
        id="api-delete:guestprofessor-detail(foreign)",
        expect={**api_roles(admin=204, leadership=403, member=404, other_member=404), "expert": 403},
    ),
]

CASES += [
    Case("trainee-list", api=True, expect=api_roles()),
    Case("trainee-detail", api=True, args=pk("t_trainee"), expect=api_roles()),
    Case(
        "trainee-list",
        api=True,
        method="post",
        format="json",
        data=lambda w: {"name": "x"},
        id="api-post:trainee-list",
        expect=api_roles(admin=405, leadership=403, member=403, other_member=403),
    ),
    Case(
        "trainee-detail",
        api=True,
        method="delete",
        args=pk("t_trainee"),
        id="api-delete:trainee-detail",
        expect=api_roles(admin=405, leadership=403, member=405, other_member=405),
    ),
    Case("traineeimport-list", api=True, expect=api_roles()),
    Case("traineeimport-detail", api=True, args=pk("t_import"), expect=api_roles()),
    # Import through the API: only who may change the session (the beneficiary sees it, cannot import).
    Case(
        "trainingsession-trainee-import",
        api=True,
        method="post",
        format="multipart",
        args=pk("t_session"),
        data=upload_data,
        expect=api_roles(admin=201, leadership=403, member=201, other_member=403),
    ),
    Case(
        "traineeimport-confirm",
        api=True,
        method="post",
        args=pk("t_import"),
        expect=api_roles(leadership=403, other_member=403),
    ),
    Case(
        "traineeimport-discard",
        api=True,
        method="post",
        args=pk("t_import"),
        expect=api_roles(leadership=403, other_member=403),
    ),
]
