"""Permission matrix cases for agreements, projects, the expert pool, review settings and platforms."""

from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from projects.models import AgreementStatus, EvaluationCriterion, PlatformStatus, ProjectResult, ProjectStatus
from tests.factories import OrganizationFactory
from tests.matrix import Case, page, staff_write

from .factories import (
    PDF_BYTES,
    AgreementFactory,
    ExpertFactory,
    ExpertReviewFactory,
    PlatformFactory,
    ProjectFactory,
)

ALL_READ = {
    "anonymous": 302,
    "admin": 200,
    "staff": 200,
    "leadership": 200,
    "member": 200,
    "other_member": 200,
    "expert": 403,  # the API refuses experts (RolePermission) unless a viewset is made for them
}
# The expert's own pages: only the signed-in expert, everyone else refused.
EXPERT_ONLY = {"anonymous": 302, "admin": 403, "staff": 403, "leadership": 403, "member": 403, "other_member": 403}


def setup(world):
    w = world
    w.third = OrganizationFactory(name="甘肃德福新材料有限公司")
    w.draft = AgreementFactory(organization=w.org, parties=[w.third], with_scan=True)
    w.verified = AgreementFactory(
        organization=w.org,
        parties=[w.third],
        with_scan=True,
        status=AgreementStatus.VERIFIED,
        verified_at=timezone.now(),
    )
    w.submitted = AgreementFactory(
        organization=w.org, parties=[w.third], with_scan=True, status=AgreementStatus.SUBMITTED
    )
    w.others = AgreementFactory(organization=w.other_org, parties=[w.third])
    w.attachment = w.verified.attachments.create(
        file=SimpleUploadedFile("a.pdf", PDF_BYTES),
        original_name="补充协议.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
    )
    w.project = ProjectFactory(lead_organization=w.org, partners=[w.third])
    w.other_project = ProjectFactory(lead_organization=w.other_org)
    w.expert = ExpertFactory(organization=None)
    w.reviewing = ProjectFactory(lead_organization=w.org, status=ProjectStatus.UNDER_REVIEW)
    w.review = ExpertReviewFactory(project=w.reviewing, expert=w.expert)
    w.ready = ProjectFactory(lead_organization=w.org, status=ProjectStatus.UNDER_REVIEW)
    for score in (80, 75, 70):
        ExpertReviewFactory(project=w.ready, score=Decimal(score), risk="low")
    w.approved = ProjectFactory(lead_organization=w.org, status=ProjectStatus.APPROVED, approved_on=date(2025, 2, 1))
    w.running = ProjectFactory(lead_organization=w.org, status=ProjectStatus.IN_PROGRESS, approved_on=date(2025, 2, 1))
    w.completed = ProjectFactory(
        lead_organization=w.org,
        status=ProjectStatus.COMPLETED,
        approved_on=date(2025, 2, 1),
        completed_on=date(2025, 6, 1),
    )
    ProjectResult.objects.create(project=w.completed, title="催化剂再生工艺", applied_at="兰州新区化工热电有限公司")
    w.platform = PlatformFactory(lead_organization=w.org, organizations=[w.third])
    w.other_platform = PlatformFactory(lead_organization=w.other_org)
    w.draft_project = ProjectFactory(lead_organization=w.org, partners=[w.third], status=ProjectStatus.DRAFT)
    w.returned_project = ProjectFactory(
        lead_organization=w.org, status=ProjectStatus.RETURNED, return_reason="请补充预算明细"
    )
    w.pending_platform = PlatformFactory(
        lead_organization=w.org,
        organizations=[w.third],
        status=PlatformStatus.PENDING,
        registering_organization=w.org,
    )
    w.criterion = EvaluationCriterion.objects.order_by("pk").first()
    w.milestone = w.running.milestones.create(title="完成方案设计", due_on=date(2025, 4, 30))
    # The expert user of the fixtures, linked to the pool, with one assignment of their own; w.review
    # is another expert's, which they must not reach.
    w.my_expert = ExpertFactory(organization=None, user=w.users["expert"])
    w.my_review = ExpertReviewFactory(project=w.reviewing, expert=w.my_expert, due_on=timezone.localdate())


def pk(name):
    return lambda w: [getattr(w, name).pk]


def today():
    return timezone.localdate().isoformat()


def agreement_data(w):
    return {
        "organization": w.org.pk,
        "parties": [w.org.pk, w.third.pk],
        "kind": "internship_base",
        "title": "学生实习实训基地共建协议",
        "signed_on": "2025-04-01",
        "start_date": "2025-04-01",
        "end_date": "2028-03-31",
        "summary": "共建实习实训基地",
    }


def project_data(w):
    return {
        "title": "绿色化工课程共建",
        "kind": "curriculum",
        "lead_organization": w.org.pk,
        "partners": [w.third.pk],
        "planned_start": "2025-03-01",
        "planned_end": "2026-02-28",
        "budget": "50",
        "support_fund": "10",
    }


def platform_data(w):
    return {
        "name": "新能源材料虚拟仿真实训基地",
        "kind": "virtual_base",
        "level": "regional",
        "lead_organization": w.org.pk,
        "organizations": [w.third.pk],
        "established_on": "2025-05-20",
    }


def expert_data(w):
    return {"name": "王建国", "affiliation": "兰州理工大学", "field": "机械制造", "title": "教授", "is_active": "on"}


def criterion_data(w):
    return {"name": "社会效益", "description": "对区域产业的带动", "weight": "10", "position": "9", "is_active": "on"}


def review_data(w):
    data = {"risk": "medium", "opinion": "方案可行", "date": today()}
    for c in EvaluationCriterion.objects.filter(is_active=True):
        data[f"score_{c.pk}"] = "78"
    return data


def expert_review_data(w):
    data = {"risk": "low", "opinion": "技术路线清晰"}
    for c in EvaluationCriterion.objects.filter(is_active=True):
        data[f"score_{c.pk}"] = "82"
    return data


def expert_page(url_name, name, ok=200, id=""):
    return Case(url_name, args=pk(name), id=id or f"get:{url_name}", expect={**EXPERT_ONLY, "expert": ok})


def expert_post(url_name, name, data, ok=302, id=""):
    return Case(
        url_name,
        method="post",
        args=pk(name),
        data=data,
        id=id or f"post:{url_name}",
        expect={**EXPERT_ONLY, "expert": ok},
    )


def step(reason=""):
    return lambda w: {"date": today(), "reason": reason}


def upload(w):
    return {"file": SimpleUploadedFile("扫描件.pdf", PDF_BYTES, content_type="application/pdf"), "description": "补充"}


# Writes a member may not make on their own org's record (403) and cannot see on the other (404).
def own_staff_write(url_name, name, data, ok=302, id=""):
    return staff_write(url_name, args=pk(name), data=data, ok=ok, member=403, other_member=404, id=id)


P = "projects:"

CASES = [
    # --- agreements: pages
    page(P + "agreement_list"),
    page(P + "agreement_list", query="?term=expiring&status=verified", id="get:agreement_list?filters"),
    page(P + "agreement_list", query="?export=csv", id="export-csv:agreement_list"),
    page(P + "agreement_list", query="?export=xlsx", id="export-xlsx:agreement_list"),
    page(P + "agreement_detail", args=pk("draft"), other_member=404),
    page(P + "agreement_detail", args=pk("others"), member=404, other_member=200, id="get:agreement_detail(other)"),
    page(P + "agreement_add", leadership=403),
    Case(
        P + "agreement_add",
        method="post",
        data=agreement_data,
        expect={"anonymous": 302, "admin": 302, "staff": 302, "leadership": 403, "member": 302, "other_member": 200},
    ),
    page(P + "agreement_edit", args=pk("draft"), other_member=404, leadership=403),
    page(
        P + "agreement_edit",
        args=pk("verified"),
        member=403,
        other_member=404,
        leadership=403,
        id="get:agreement_edit(verified)",
    ),
    Case(
        P + "agreement_edit",
        method="post",
        args=pk("draft"),
        data=agreement_data,
        expect={"anonymous": 302, "admin": 302, "staff": 302, "leadership": 403, "member": 302, "other_member": 404},
    ),
    own_staff_write(P + "agreement_edit", "verified", agreement_data, id="post:agreement_edit(verified)"),
    page(P + "agreement_delete", args=pk("draft"), member=403, other_member=404, leadership=403),
    own_staff_write(P + "agreement_delete", "draft", None),
    page(P + "agreement_scan", args=pk("verified"), other_member=404),
    page(P + "agreement_attachment", args=pk("attachment"), other_member=404),
    page(P + "agreement_attachment_add", args=pk("draft"), other_member=404, leadership=403),
    page(
        P + "agreement_attachment_add",
        args=pk("verified"),
        member=403,
        other_member=404,
        leadership=403,
        id="get:agreement_attachment_add(verified)",
    ),
    Case(
        P + "agreement_attachment_add",
        method="post",
        args=pk("draft"),
        data=upload,
        expect={"anonymous": 302, "admin": 302, "staff": 302, "leadership": 403, "member": 302, "other_member": 404},
    ),
    Case(
        P + "agreement_submit",
        method="post",
        args=pk("draft"),
        data=step(),
        expect={"anonymous": 302, "admin": 302, "staff": 302, "leadership": 403, "member": 302, "other_member": 404},
    ),
    page(P + "agreement_verify", args=pk("submitted"), member=403, other_member=404, leadership=403),
    own_staff_write(P + "agreement_verify", "submitted", step()),
    own_staff_write(P + "agreement_return", "submitted", step("缺少盖章页")),
    own_staff_write(P + "agreement_terminate", "verified", step("企业经营范围调整，双方协商终止")),
    # --- projects: pages
    page(P + "project_list"),
    page(P + "project_list", query="?export=csv", id="export-csv:project_list"),
    page(P + "project_list", query="?export=xlsx", id="export-xlsx:project_list"),
    page(P + "project_detail", args=pk("project"), other_member=404),
    page(P + "project_detail", args=pk("other_project"), member=404, other_member=200, id="get:project_detail(other)"),
    # A member school or enterprise proposes with its own organisation leading: the other member's
    # post names w.org as the lead and is shown the form's error.
    page(P + "project_add", leadership=403),
    Case(
        P + "project_add",
        method="post",
        data=project_data,
        expect={
            "anonymous": 302,
            "admin": 302,
            "staff": 302,
            "leadership": 403,
            "member": 302,
            "other_member": 200,
            "expert": 403,
        },
    ),
    page(P + "project_edit", args=pk("project"), member=403, other_member=404, leadership=403),
    own_staff_write(P + "project_edit", "project", project_data),
    # A draft is the proposing organisation's alone: staff and leadership see it once submitted.
    Case(
        P + "project_detail",
        args=pk("draft_project"),
        id="get:project_detail(draft)",
        expect={
            "anonymous": 302,
            "admin": 404,
            "staff": 404,
            "leadership": 404,
            "member": 200,
            "other_member": 404,
            "expert": 403,
        },
    ),
    Case(
        P + "project_edit",
        args=pk("draft_project"),
        id="get:project_edit(draft)",
        expect={
            "anonymous": 302,
            "admin": 404,
            "staff": 404,
            "leadership": 404,
            "member": 200,
            "other_member": 404,
            "expert": 403,
        },
    ),
    Case(
        P + "project_edit",
        method="post",
        args=pk("returned_project"),
        data=project_data,
        id="post:project_edit(returned)",
        expect={
            "anonymous": 302,
            "admin": 302,
            "staff": 302,
            "leadership": 403,
            "member": 302,
            "other_member": 404,
            "expert": 403,
        },
    ),
    page(P + "project_delete", args=pk("project"), member=403, other_member=404, leadership=403),
    own_staff_write(P + "project_delete", "project", None),
    Case(
        P + "project_delete",
        method="post",
        args=pk("draft_project"),
        id="post:project_delete(draft)",
        expect={
            "anonymous": 302,
            "admin": 404,
            "staff": 404,
            "leadership": 404,
            "member": 302,
            "other_member": 404,
            "expert": 403,
        },
    ),
    Case(
        P + "project_submit",
        args=pk("draft_project"),
        expect={
            "anonymous": 302,
            "admin": 404,
            "staff": 404,
            "leadership": 404,
            "member": 200,
            "other_member": 404,
            "expert": 403,
        },
    ),
    Case(
        P + "project_submit",
        method="post",
        args=pk("draft_project"),
        expect={
            "anonymous": 302,
            "admin": 404,
            "staff": 404,
            "leadership": 404,
            "member": 302,
            "other_member": 404,
            "expert": 403,
        },
    ),
    Case(
        P + "project_submit",
        method="post",
        args=pk("returned_project"),
        id="post:project_submit(returned)",
        expect={
            "anonymous": 302,
            "admin": 403,
            "staff": 403,
            "leadership": 403,
            "member": 302,
            "other_member": 404,
            "expert": 403,
        },
    ),
    # Submitted already: nobody submits it again (staff route or return it instead).
    Case(
        P + "project_submit",
        method="post",
        args=pk("project"),
        id="post:project_submit(proposed)",
        expect={
            "anonymous": 302,
            "admin": 403,
            "staff": 403,
            "leadership": 403,
            "member": 403,
            "other_member": 404,
            "expert": 403,
        },
    ),
    page(P + "project_assign_expert", args=pk("project"), member=403, other_member=404, leadership=403),
    own_staff_write(P + "project_assign_expert", "project", lambda w: {"expert": w.expert.pk}),
    own_staff_write(
        P + "project_milestone_add", "project", lambda w: {"title": "完成中试", "due_on": "2025-09-30", "note": ""}
    ),
    page(P + "milestone_edit", args=pk("milestone"), member=403, other_member=404, leadership=403),
    own_staff_write(
        P + "milestone_edit",
        "milestone",
        lambda w: {"title": "完成中试", "due_on": "2025-09-30", "done_on": "2025-09-28"},
    ),
    own_staff_write(
        P + "project_result_add",
        "completed",
        lambda w: {"title": "课程标准一套", "kind": "course", "applied_at": "兰州石化职业技术大学"},
    ),
    page(P + "review_record", args=pk("review"), member=403, other_member=404, leadership=403),
    own_staff_write(P + "review_record", "review", review_data),
    own_staff_write(P + "project_start_review", "project", step()),
    page(P + "project_return", args=pk("project"), member=403, other_member=404, leadership=403),
    own_staff_write(P + "project_return", "project", step("请补充预算明细")),
    page(P + "project_approve", args=pk("ready"), member=403, other_member=404, leadership=403),
    own_staff_write(P + "project_approve", "ready", step()),
    own_staff_write(P + "project_reject", "project", step("与现有项目重复")),
    own_staff_write(P + "project_start", "approved", step()),
    own_staff_write(P + "project_complete", "running", step()),
    own_staff_write(P + "project_apply", "completed", step()),
    own_staff_write(P + "project_terminate", "running", step("企业合作方退出")),
    # --- expert pool and review settings
    page(P + "expert_list", member=403),
    page(P + "expert_add", member=403, leadership=403),
    staff_write(P + "expert_add", data=expert_data),
    page(P + "expert_edit", args=pk("expert"), member=404, leadership=403),
    staff_write(P + "expert_edit", args=pk("expert"), data=expert_data, member=404),
    page(P + "review_settings", member=403),
    staff_write(P + "review_settings", data=lambda w: {"min_reviews": "4", "pass_score": "65"}),
    page(P + "criterion_add", member=403, leadership=403),
    staff_write(P + "criterion_add", data=criterion_data),
    page(P + "criterion_edit", args=pk("criterion"), member=404, leadership=403),
    staff_write(P + "criterion_edit", args=pk("criterion"), data=criterion_data, member=404),
    page(P + "expert_invite", args=pk("expert"), member=403, leadership=403),
    staff_write(
        P + "expert_invite",
        args=pk("expert"),
        data=lambda w: {"username": "wangjianguo", "email": "wjg@example.cn"},
    ),
    Case(
        P + "expert_invitation",
        args=lambda w: ["MQ", "bad-token"],
        expect={r: 200 for r in ("anonymous", "admin", "staff", "leadership", "member", "other_member", "expert")},
    ),
    # --- the expert's own reviews (我的评审)
    Case(P + "my_review_list", expect={**EXPERT_ONLY, "expert": 200}),
    expert_page(P + "my_review", "my_review"),
    expert_page(P + "my_review", "review", ok=404, id="get:my_review(other expert)"),
    expert_page(P + "my_review_score", "my_review"),
    expert_post(P + "my_review_score", "my_review", expert_review_data),
    expert_post(P + "my_review_score", "review", expert_review_data, ok=404, id="post:my_review_score(other expert)"),
    expert_page(P + "my_review_conflict", "my_review"),
    expert_post(P + "my_review_conflict", "my_review", lambda w: {"reason": "曾参与该项目方案论证"}),
    expert_post(
        P + "my_review_conflict",
        "review",
        lambda w: {"reason": "曾参与该项目方案论证"},
        ok=404,
        id="post:my_review_conflict(other expert)",
    ),
    # --- platforms
    page(P + "platform_list"),
    page(P + "platform_list", query="?export=csv", id="export-csv:platform_list"),
    page(P + "platform_detail", args=pk("platform"), other_member=404),
    page(
        P + "platform_detail", args=pk("other_platform"), member=404, other_member=200, id="get:platform_detail(other)"
    ),
    # A member registers a platform its organisation co-builds (pending until staff confirm it).
    page(P + "platform_add", leadership=403),
    Case(
        P + "platform_add",
        method="post",
        data=platform_data,
        expect={
            "anonymous": 302,
            "admin": 302,
            "staff": 302,
            "leadership": 403,
            "member": 302,
            "other_member": 302,
            "expert": 403,
        },
    ),
    page(P + "platform_edit", args=pk("platform"), member=403, other_member=404, leadership=403),
    own_staff_write(P + "platform_edit", "platform", platform_data),
    page(
        P + "platform_edit",
        args=pk("pending_platform"),
        other_member=404,
        leadership=403,
        id="get:platform_edit(pending)",
    ),
    Case(
        P + "platform_edit",
        method="post",
        args=pk("pending_platform"),
        data=platform_data,
        id="post:platform_edit(pending)",
        expect={
            "anonymous": 302,
            "admin": 302,
            "staff": 302,
            "leadership": 403,
            "member": 302,
            "other_member": 404,
            "expert": 403,
        },
    ),
    page(P + "platform_confirm", args=pk("pending_platform"), member=403, other_member=404, leadership=403),
    own_staff_write(P + "platform_confirm", "pending_platform", lambda w: {"reason": ""}),
    own_staff_write(P + "platform_decline", "pending_platform", lambda w: {"reason": "建成日期与认定文件不符"}),
    page(P + "platform_delete", args=pk("platform"), member=403, other_member=404, leadership=403),
    own_staff_write(P + "platform_delete", "platform", None),
    # --- API
    Case("agreement-list", api=True, expect={**ALL_READ, "anonymous": 401}),
    # The scan's download takes the API token, for whoever may read the agreement.
    Case(
        "agreement-scan",
        api=True,
        args=pk("verified"),
        expect={"anonymous": 401, "staff": 200, "leadership": 200, "member": 200, "other_member": 404},
    ),
    Case(
        "agreement-detail",
        api=True,
        args=pk("draft"),
        expect={"anonymous": 401, "staff": 200, "leadership": 200, "member": 200, "other_member": 404},
    ),
    Case(
        "agreement-list",
        api=True,
        method="post",
        format="json",
        data=agreement_data,
        id="api-post:agreement-list",
        expect={"anonymous": 401, "admin": 201, "staff": 201, "leadership": 403, "member": 201, "other_member": 400},
    ),
    Case(
        "agreement-detail",
        api=True,
        method="patch",
        format="json",
        args=pk("draft"),
        data=lambda w: {"title": "改名"},
        id="api-patch:agreement-detail",
        expect={"anonymous": 401, "staff": 200, "leadership": 403, "member": 200, "other_member": 404},
    ),
    Case(
        "agreement-detail",
        api=True,
        method="patch",
        format="json",
        args=pk("verified"),
        data=lambda w: {"title": "改名"},
        id="api-patch:agreement-detail(verified)",
        expect={"anonymous": 401, "staff": 200, "leadership": 403, "member": 403, "other_member": 404},
    ),
    Case(
        "agreement-detail",
        api=True,
        method="delete",
        args=pk("draft"),
        id="api-delete:agreement-detail",
        expect={"anonymous": 401, "staff": 204, "leadership": 403, "member": 403, "other_member": 404},
    ),
    Case(
        "agreement-transition",
        api=True,
        method="post",
        format="json",
        args=pk("draft"),
        data=lambda w: {"step": "submit"},
        id="api-post:agreement-transition(submit)",
        expect={"anonymous": 401, "staff": 200, "leadership": 403, "member": 200, "other_member": 404},
    ),
    Case(
        "agreement-transition",
        api=True,
        method="post",
        format="json",
        args=pk("submitted"),
        data=lambda w: {"step": "verify"},
        id="api-post:agreement-transition(verify)",
        expect={"anonymous": 401, "admin": 200, "staff": 200, "leadership": 403, "member": 403, "other_member": 404},
    ),
    Case("project-list", api=True, expect={**ALL_READ, "anonymous": 401}),
    Case(
        "project-transition",
        api=True,
        method="post",
        format="json",
        args=pk("ready"),
        data=lambda w: {"step": "approve"},
        id="api-post:project-transition(approve)",
        expect={"anonymous": 401, "admin": 200, "staff": 200, "leadership": 403, "member": 403, "other_member": 404},
    ),
    Case(
        "project-detail",
        api=True,
        args=pk("project"),
        expect={"anonymous": 401, "staff": 200, "leadership": 200, "member": 200, "other_member": 404},
    ),
    Case(
        "project-list",
        api=True,
        method="post",
        format="json",
        data=project_data,
        id="api-post:project-list",
        # A member proposes (a draft) with its own organisation leading; the other member names w.org.
        expect={"anonymous": 401, "staff": 201, "leadership": 403, "member": 201, "other_member": 400},
    ),
    Case(
        "project-detail",
        api=True,
        method="patch",
        format="json",
        args=pk("draft_project"),
        data=lambda w: {"budget": "99"},
        id="api-patch:project-detail(draft)",
        expect={"anonymous": 401, "staff": 404, "leadership": 403, "member": 200, "other_member": 404},
    ),
    Case(
        "project-detail",
        api=True,
        method="delete",
        args=pk("draft_project"),
        id="api-delete:project-detail(draft)",
        expect={"anonymous": 401, "staff": 404, "leadership": 403, "member": 204, "other_member": 404},
    ),
    Case(
        "project-transition",
        api=True,
        method="post",
        format="json",
        args=pk("draft_project"),
        data=lambda w: {"step": "submit"},
        id="api-post:project-transition(submit)",
        expect={"anonymous": 401, "admin": 404, "staff": 404, "leadership": 403, "member": 200, "other_member": 404},
    ),
    Case(
        "project-transition",
        api=True,
        method="post",
        format="json",
        args=pk("project"),
        data=lambda w: {"step": "return", "reason": "请补充预算明细"},
        id="api-post:project-transition(return)",
        expect={"anonymous": 401, "admin": 200, "staff": 200, "leadership": 403, "member": 403, "other_member": 404},
    ),
    Case(
        "project-detail",
        api=True,
        method="patch",
        format="json",
        args=pk("project"),
        data=lambda w: {"budget": "99"},
        id="api-patch:project-detail",
        expect={"anonymous": 401, "staff": 200, "leadership": 403, "member": 403, "other_member": 404},
    ),
    Case(
        "project-detail",
        api=True,
        method="delete",
        args=pk("project"),
        id="api-delete:project-detail",
        expect={"anonymous": 401, "staff": 204, "leadership": 403, "member": 403},
    ),
    Case("platform-list", api=True, expect={**ALL_READ, "anonymous": 401}),
    Case(
        "platform-detail",
        api=True,
        args=pk("platform"),
        expect={"anonymous": 401, "staff": 200, "leadership": 200, "member": 200, "other_member": 404},
    ),
    Case(
        "platform-list",
        api=True,
        method="post",
        format="json",
        data=platform_data,
        id="api-post:platform-list",
        expect={"anonymous": 401, "staff": 201, "leadership": 403, "member": 201, "other_member": 201},
    ),
    Case(
        "platform-transition",
        api=True,
        method="post",
        format="json",
        args=pk("pending_platform"),
        data=lambda w: {"step": "confirm"},
        id="api-post:platform-transition(confirm)",
        expect={"anonymous": 401, "admin": 200, "staff": 200, "leadership": 403, "member": 403, "other_member": 404},
    ),
    Case(
        "platform-detail",
        api=True,
        method="patch",
        format="json",
        args=pk("pending_platform"),
        data=lambda w: {"level": "national"},
        id="api-patch:platform-detail(pending)",
        expect={"anonymous": 401, "staff": 200, "leadership": 403, "member": 200, "other_member": 404},
    ),
    Case(
        "platform-detail",
        api=True,
        method="patch",
        format="json",
        args=pk("platform"),
        data=lambda w: {"level": "national"},
        id="api-patch:platform-detail",
        expect={"anonymous": 401, "staff": 200, "leadership": 403, "member": 403},
    ),
    Case(
        "platform-detail",
        api=True,
        method="delete",
        args=pk("platform"),
        id="api-delete:platform-detail",
        expect={"anonymous": 401, "staff": 204, "leadership": 403, "member": 403},
    ),
    Case("expert-list", api=True, expect={**ALL_READ, "anonymous": 401}),
    Case(
        "expert-detail",
        api=True,
        args=pk("expert"),
        expect={"anonymous": 401, "staff": 200, "leadership": 200, "member": 404},
    ),
    Case(
        "expert-list",
        api=True,
        method="post",
        format="json",
        data=expert_data,
        id="api-post:expert-list",
        expect={"anonymous": 401, "staff": 201, "leadership": 403, "member": 403},
    ),
    Case(
        "expert-detail",
        api=True,
        method="patch",
        format="json",
        args=pk("expert"),
        data=lambda w: {"field": "材料科学"},
        id="api-patch:expert-detail",
        expect={"anonymous": 401, "staff": 200, "leadership": 403, "member": 404},
    ),
]
