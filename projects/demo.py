"""Demo agreements, projects, experts and platforms for the members named in the 2025-05-12 report.

Every date is relative to today (Asia/Shanghai): the year before is a full year (10 projects
accepted, its platforms), this year runs from 1 January to today at the same pace, with the
projects still to be accepted this year in progress (the pipeline).

兰州石化职业技术大学 reports R&D cooperation with 12 members, cooperation agreements with 5
(teacher-practice and student-internship bases), a supply–demand platform with 8 and
training for 5: 31 agreements in all (with one founding strategic agreement). Running
seed() again changes nothing.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F, Sum

from consortium import registry
from members.demo import DEMO_PASSWORD, FOUNDED, demo_calendar
from members.models import Organization, Role, User

from .models import (
    Agreement,
    AgreementEvent,
    AgreementKind,
    AgreementStatus,
    CriterionScore,
    EvaluationCriterion,
    Expert,
    ExpertReview,
    Milestone,
    Platform,
    PlatformKind,
    PlatformLevel,
    PlatformStatus,
    Project,
    ProjectEvent,
    ProjectKind,
    ProjectResult,
    ProjectStatus,
    RiskLevel,
)

SH = ZoneInfo("Asia/Shanghai")
LZPC = "兰州石化职业技术大学"
K = AgreementKind
S = AgreementStatus
PS = ProjectStatus

ENTERPRISES = [
    "兰石集团",
    "甘肃德福新材料有限公司",
    "海亮新能源",
    "兰州知豆",
    "爱玛科技集团",
    "兰州东金硅业有限公司",
    "兰州裕隆气体有限公司",
    "兰州新区化工热电有限公司",
    "兰州新区石化投资有限公司",
    "甘肃能化(兰州新区)热电有限公司",
]

KIND_TOPIC = {
    K.STRATEGIC: "战略合作框架协议",
    K.RND: "技术研发合作协议",
    K.TEACHER_PRACTICE_BASE: "教师企业实践基地共建协议",
    K.INTERNSHIP_BASE: "学生实习实训基地共建协议",
    K.TALENT_PLATFORM: "人才供需对接平台合作协议",
    K.EMPLOYEE_TRAINING: "员工岗位培训合作协议",
    K.ORDER_TRAINING: "订单班人才培养协议",
    K.APPRENTICESHIP: "现代学徒制人才培养协议",
    K.INDUSTRY_COLLEGE: "产业学院共建协议",
    K.CO_BUILT_LAB: "共建实验室协议",
    K.PROPERTY_SERVICES: "校园物业服务协议",
}


def _lzpc_agreement_plan(cal):
    """(kind, partner names, signed_on, status) for the 31 agreements of 兰州石化职业技术大学.

    Dated relative to today (``cal``): the founding agreement on the founding day, the rest over the
    two years before this one, and the supply–demand platform agreements in this year so far.
    """
    plan = [(K.STRATEGIC, ["兰州新区管委会", "兰石集团"], FOUNDED, S.VERIFIED)]
    rnd_partners = ENTERPRISES + ["甘肃交通职业技术学院", "兰州现代职业学院"]
    for i, name in enumerate(rnd_partners):
        status = S.VERIFIED if i < 9 else (S.SUBMITTED if i < 11 else S.DRAFT)
        plan.append((K.RND, [name], cal.at(2, 10, 8) + timedelta(days=23 * i), status))
    bases = [
        ("兰石集团", K.TEACHER_PRACTICE_BASE),
        ("甘肃德福新材料有限公司", K.INTERNSHIP_BASE),
        ("海亮新能源", K.INTERNSHIP_BASE),
        ("兰州裕隆气体有限公司", K.TEACHER_PRACTICE_BASE),
        ("兰州新区化工热电有限公司", K.INTERNSHIP_BASE),
    ]
    for i, (name, kind) in enumerate(bases):
        plan.append((kind, [name], cal.at(1, 1, 10) + timedelta(days=30 * i), S.VERIFIED if i < 4 else S.RETURNED))
    for i, name in enumerate(ENTERPRISES[:8]):
        plan.append((K.TALENT_PLATFORM, [name], cal.so_far(0.1 + 0.1 * i), S.VERIFIED if i < 6 else S.SUBMITTED))
    for i, name in enumerate(ENTERPRISES[5:10]):
        plan.append(
            (K.EMPLOYEE_TRAINING, [name], cal.at(2, 11, 20) + timedelta(days=41 * i), S.VERIFIED if i < 4 else S.DRAFT)
        )
    return plan


OTHER_AGREEMENTS = [
    ("兰石集团", K.ORDER_TRAINING, ["兰州现代职业学院"], (2, 9, 20), S.VERIFIED, "兰石订单班人才培养协议"),
    ("甘肃交通职业技术学院", K.ORDER_TRAINING, ["爱玛科技集团"], (2, 11, 5), S.VERIFIED, "青苗计划订单班协议"),
    ("甘肃交通职业技术学院", K.APPRENTICESHIP, ["兰州知豆"], (1, 2, 26), S.VERIFIED, ""),
    ("兰州现代职业学院", K.INDUSTRY_COLLEGE, ["兰石集团", "兰州新区企业服务中心"], (1, 4, 15), S.SUBMITTED, ""),
    ("兰州现代职业学院", K.PROPERTY_SERVICES, ["兰州新区石化投资有限公司"], (3, 7, 1), S.VERIFIED, ""),
    ("甘肃交通职业技术学院", K.CO_BUILT_LAB, ["海亮新能源"], (1, 5, 30), S.DRAFT, ""),
]


def _aware(d, hour=10):
    return datetime.combine(d, time(hour, 0), tzinfo=SH)


def _orgs():
    return {o.name: o for o in Organization.objects.all()}


def _seed_agreements(orgs, staff, cal):
    created = 0
    today = cal.today
    rows = [(LZPC, kind, partners, signed, status, "") for kind, partners, signed, status in _lzpc_agreement_plan(cal)]
    rows += [
        (owner, kind, partners, cal.at(*signed), status, title)
        for owner, kind, partners, signed, status, title in OTHER_AGREEMENTS
    ]
    for n, (owner, kind, partners, signed, status, title) in enumerate(rows):
        if status == S.VERIFIED and signed + timedelta(days=12) > today:
            status = S.SUBMITTED  # signed days ago: not verified yet
        owner_org = orgs[owner]
        partner_orgs = [orgs[p] for p in partners]
        title = (
            title or f"{owner_org.short_name or owner}与{partner_orgs[0].short_name or partners[0]}{KIND_TOPIC[kind]}"
        )
        years = 3 if kind in (K.STRATEGIC, K.RND, K.INDUSTRY_COLLEGE) else 2
        end = signed.replace(year=signed.year + years) - timedelta(days=1)
        if n == 3:
            end = today + timedelta(days=20)  # one visibly expiring within 30 days
        if owner == "兰州现代职业学院" and kind == K.PROPERTY_SERVICES:
            end = cal.at(1, 6, 30)  # an expired one
        if Agreement.objects.filter(organization=owner_org, title=title).exists():
            continue
        verified_at = _aware(signed + timedelta(days=12)) if status == S.VERIFIED else None
        agreement = Agreement.objects.create(
            organization=owner_org,
            kind=kind,
            title=title,
            signed_on=signed,
            start_date=signed,
            end_date=end,
            summary=f"{owner}与{'、'.join(partners)}围绕{kind.label}开展合作，明确双方权利义务、合作期限与联络机制。",
            status=status,
            verified_at=verified_at,
            verified_by=staff if verified_at else None,
            submitted_at=_aware(min(signed + timedelta(days=5), today)) if status != S.DRAFT else None,
            return_reason="请补充加盖双方公章的签署页。" if status == S.RETURNED else "",
        )
        agreement.parties.add(owner_org, *partner_orgs)
        events = [
            AgreementEvent(
                agreement=agreement,
                action=AgreementEvent.Action.CREATE,
                to_status=S.DRAFT,
                at=_aware(min(signed + timedelta(days=2), today)),
            )
        ]
        if status != S.DRAFT:
            events.append(
                AgreementEvent(
                    agreement=agreement,
                    action="submit",
                    from_status=S.DRAFT,
                    to_status=S.SUBMITTED,
                    at=_aware(min(signed + timedelta(days=5), today)),
                )
            )
        if status == S.VERIFIED:
            events.append(
                AgreementEvent(
                    agreement=agreement,
                    action="verify",
                    from_status=S.SUBMITTED,
                    to_status=S.VERIFIED,
                    actor=staff,
                    at=verified_at,
                )
            )
        if status == S.RETURNED:
            events.append(
                AgreementEvent(
                    agreement=agreement,
                    action="return",
                    from_status=S.SUBMITTED,
                    to_status=S.RETURNED,
                    actor=staff,
                    reason=agreement.return_reason,
                    at=_aware(signed + timedelta(days=9)),
                )
            )
        AgreementEvent.objects.bulk_create(events)
        created += 1
    return created


EXPERTS = [
    ("张立新", None, "兰州大学", "化学工程与工艺", "教授"),
    ("李文华", None, "兰州理工大学", "机械设计制造及自动化", "教授"),
    ("王海燕", None, "甘肃省职业教育研究所", "职业教育课程", "研究员"),
    ("陈志强", None, "西北师范大学", "新能源材料", "副教授"),
    ("刘建军", "兰石集团", "", "压力容器与装备制造", "正高级工程师"),
    ("赵敏", "兰州石化职业技术大学", "", "石油化工技术", "教授"),
    ("孙国栋", None, "甘肃省化工研究院", "精细化工", "高级工程师"),
    ("周雅琴", None, "兰州交通大学", "智能制造", "教授"),
]

# title, kind, lead, partners, status, planned start, budget, support fund, completed_on
PROJECTS = [
    (
        "煤基新材料催化工艺联合攻关",
        ProjectKind.RND,
        LZPC,
        ["甘肃德福新材料有限公司"],
        PS.APPLIED,
        (2, 10, 1),
        "280",
        "60",
        (1, 3, 28),
    ),
    ("高端压力容器焊接工艺优化", ProjectKind.RND, LZPC, ["兰石集团"], PS.APPLIED, (2, 9, 20), "350", "80", (1, 4, 18)),
    (
        "多晶硅尾气回收技术研发",
        ProjectKind.RND,
        LZPC,
        ["兰州东金硅业有限公司"],
        PS.APPLIED,
        (2, 11, 1),
        "220",
        "50",
        (1, 5, 20),
    ),
    (
        "绿色化工专业课程共建",
        ProjectKind.CURRICULUM,
        LZPC,
        ["兰州新区化工热电有限公司", "兰州裕隆气体有限公司"],
        PS.COMPLETED,
        (2, 10, 15),
        "60",
        "15",
        (1, 6, 30),
    ),
    (
        "化工安全虚拟仿真资源库建设",
        ProjectKind.RESOURCE_LIBRARY,
        LZPC,
        ["兰州新区石化投资有限公司"],
        PS.COMPLETED,
        (2, 12, 1),
        "150",
        "40",
        (1, 7, 15),
    ),
    (
        "新能源汽车维修订单培养",
        ProjectKind.ORDER_TRAINING,
        "甘肃交通职业技术学院",
        ["爱玛科技集团", "兰州知豆"],
        PS.COMPLETED,
        (2, 9, 15),
        "80",
        "20",
        (1, 7, 1),
    ),
    (
        "装备制造双师型教师培训",
        ProjectKind.TEACHER_TRAINING,
        "兰州现代职业学院",
        ["兰石集团"],
        PS.COMPLETED,
        (1, 1, 5),
        "45",
        "10",
        (1, 8, 20),
    ),
    (
        "锂电材料检测实验室建设",
        ProjectKind.LAB,
        LZPC,
        ["海亮新能源"],
        PS.COMPLETED,
        (1, 1, 10),
        "420",
        "100",
        (1, 9, 26),
    ),
    (
        "热电运行岗位员工培训",
        ProjectKind.EMPLOYEE_TRAINING,
        LZPC,
        ["甘肃能化(兰州新区)热电有限公司"],
        PS.COMPLETED,
        (1, 2, 1),
        "35",
        "8",
        (1, 10, 31),
    ),
    (
        "区域产教融合实践中心建设",
        ProjectKind.PRACTICE_CENTER,
        LZPC,
        ["兰州新区管委会", "兰石集团", "甘肃交通职业技术学院"],
        PS.COMPLETED,
        (2, 9, 10),
        "900",
        "300",
        (1, 11, 18),
    ),
    (
        "气体分离装置运行实训基地",
        ProjectKind.PRACTICE_BASE,
        LZPC,
        ["兰州裕隆气体有限公司"],
        PS.COMPLETED,
        (2, 3, 1),
        "120",
        "30",
        (2, 12, 20),
    ),
    (
        "人才供需对接平台建设",
        ProjectKind.TALENT_PLATFORM,
        "兰州新区企业服务中心",
        [LZPC, "兰州现代职业学院"],
        PS.IN_PROGRESS,
        (1, 3, 1),
        "200",
        "50",
        None,
    ),
    (
        "电动两轮车智能制造课程开发",
        ProjectKind.CURRICULUM,
        "甘肃交通职业技术学院",
        ["爱玛科技集团"],
        PS.IN_PROGRESS,
        (1, 4, 1),
        "40",
        "10",
        None,
    ),
    (
        "硅基材料中试线工艺改进",
        ProjectKind.RND,
        LZPC,
        ["兰州东金硅业有限公司", "甘肃德福新材料有限公司"],
        PS.IN_PROGRESS,
        (1, 5, 1),
        "310",
        "70",
        None,
    ),
    (
        "石化装置数字孪生实训平台",
        ProjectKind.PRACTICE_BASE,
        LZPC,
        ["兰州新区石化投资有限公司"],
        PS.IN_PROGRESS,
        (1, 6, 1),
        "260",
        "60",
        None,
    ),
    (
        "新能源电池回收工艺研究",
        ProjectKind.RND,
        "兰州现代职业学院",
        ["海亮新能源"],
        PS.APPROVED,
        (1, 9, 1),
        "90",
        "20",
        None,
    ),
    (
        "化工仪表专业教学资源库",
        ProjectKind.RESOURCE_LIBRARY,
        LZPC,
        ["兰州新区化工热电有限公司"],
        PS.APPROVED,
        (1, 10, 1),
        "110",
        "25",
        None,
    ),
    (
        "氢能储运安全技术研究",
        ProjectKind.RND,
        LZPC,
        ["兰州裕隆气体有限公司"],
        PS.UNDER_REVIEW,
        (-1, 1, 1),
        "180",
        "0",
        None,
    ),
    (
        "汽车后市场技能人才培训",
        ProjectKind.EMPLOYEE_TRAINING,
        "甘肃交通职业技术学院",
        ["兰州知豆"],
        PS.UNDER_REVIEW,
        (-1, 1, 1),
        "30",
        "0",
        None,
    ),
    (
        "装备制造虚拟仿真实训基地",
        ProjectKind.PRACTICE_BASE,
        "兰州现代职业学院",
        ["兰石集团"],
        PS.PROPOSED,
        (-1, 3, 1),
        "240",
        "0",
        None,
    ),
    (
        "精细化工中职贯通课程",
        ProjectKind.CURRICULUM,
        LZPC,
        ["兰州新区教育和卫健委"],
        PS.PROPOSED,
        (-1, 3, 1),
        "25",
        "0",
        None,
    ),
    (
        "园区物流无人配送试点",
        ProjectKind.RND,
        "兰州知豆",
        ["甘肃交通职业技术学院"],
        PS.REJECTED,
        (1, 6, 1),
        "500",
        "0",
        None,
    ),
    ("光伏组件回收示范线", ProjectKind.RND, "海亮新能源", [LZPC], PS.TERMINATED, (1, 1, 1), "380", "50", None),
]

# This year's projects: accepted month by month through the year. Those whose acceptance day is
# still ahead are in progress, with that day as their planned end (the year's pipeline).
THIS_YEAR_PROJECTS = [
    (
        "煤化工废水资源化技术攻关",
        ProjectKind.RND,
        LZPC,
        ["兰州新区化工热电有限公司"],
        PS.APPLIED,
        (1, 3, 1),
        "260",
        "60",
        (0, 2, 27),
    ),
    (
        "压力容器智能焊接机器人应用",
        ProjectKind.RND,
        "兰州现代职业学院",
        ["兰石集团"],
        PS.APPLIED,
        (1, 4, 1),
        "300",
        "70",
        (0, 3, 31),
    ),
    (
        "新能源汽车电池检测课程共建",
        ProjectKind.CURRICULUM,
        "甘肃交通职业技术学院",
        ["海亮新能源"],
        PS.COMPLETED,
        (1, 5, 1),
        "50",
        "12",
        (0, 4, 28),
    ),
    (
        "高纯硅材料分析检验资源库建设",
        ProjectKind.RESOURCE_LIBRARY,
        LZPC,
        ["兰州东金硅业有限公司"],
        PS.COMPLETED,
        (1, 6, 1),
        "140",
        "35",
        (0, 5, 29),
    ),
    (
        "工业气体安全操作员工培训",
        ProjectKind.EMPLOYEE_TRAINING,
        LZPC,
        ["兰州裕隆气体有限公司"],
        PS.COMPLETED,
        (1, 7, 1),
        "30",
        "8",
        (0, 6, 30),
    ),
    (
        "绿色化工过程控制实验室建设",
        ProjectKind.LAB,
        LZPC,
        ["甘肃德福新材料有限公司"],
        PS.COMPLETED,
        (1, 3, 1),
        "380",
        "90",
        (0, 7, 30),
    ),
    (
        "电动车智能装配订单培养",
        ProjectKind.ORDER_TRAINING,
        "甘肃交通职业技术学院",
        ["爱玛科技集团"],
        PS.COMPLETED,
        (1, 9, 1),
        "70",
        "18",
        (0, 8, 28),
    ),
    (
        "热电装置运行仿真实训基地建设",
        ProjectKind.PRACTICE_BASE,
        LZPC,
        ["甘肃能化(兰州新区)热电有限公司"],
        PS.COMPLETED,
        (1, 9, 15),
        "200",
        "50",
        (0, 9, 29),
    ),
    (
        "装备制造专业教学资源库建设",
        ProjectKind.RESOURCE_LIBRARY,
        "兰州现代职业学院",
        ["兰石集团"],
        PS.COMPLETED,
        (1, 10, 8),
        "120",
        "30",
        (0, 10, 30),
    ),
    (
        "双师型教师企业实践能力提升",
        ProjectKind.TEACHER_TRAINING,
        LZPC,
        ["兰石集团", "兰州新区石化投资有限公司"],
        PS.COMPLETED,
        (1, 11, 1),
        "60",
        "15",
        (0, 11, 27),
    ),
    (
        "区域产教融合实践中心二期建设",
        ProjectKind.PRACTICE_CENTER,
        LZPC,
        ["兰州新区管委会", "兰州现代职业学院"],
        PS.COMPLETED,
        (1, 12, 1),
        "600",
        "200",
        (0, 12, 18),
    ),
]

REVIEWED = (PS.UNDER_REVIEW, PS.APPROVED, PS.IN_PROGRESS, PS.COMPLETED, PS.APPLIED, PS.REJECTED, PS.TERMINATED)
AFTER_APPROVAL = (PS.APPROVED, PS.IN_PROGRESS, PS.COMPLETED, PS.APPLIED, PS.TERMINATED)


def _seed_experts(orgs):
    experts = []
    for name, org_name, affiliation, field, title in EXPERTS:
        expert, _ = Expert.objects.get_or_create(
            name=name,
            defaults=dict(
                organization=orgs.get(org_name) if org_name else None, affiliation=affiliation, field=field, title=title
            ),
        )
        experts.append(expert)
    return experts


def _review(project, expert, staff, base, n, criteria, reviewed_on):
    review = ExpertReview.objects.create(
        project=project,
        expert=expert,
        assigned_by=staff,
        assigned_at=_aware(reviewed_on - timedelta(days=10)),
        risk=[RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.LOW][n % 3],
        opinion="立项依据充分，建议加强成果转化安排。",
        reviewed_on=reviewed_on,
        recorded_by=staff,
    )
    CriterionScore.objects.bulk_create(
        [
            CriterionScore(review=review, criterion=c, weight=c.weight, score=Decimal(min(100, base + (i * 3 + n) % 9)))
            for i, c in enumerate(criteria)
        ]
    )
    agg = review.scores.aggregate(total=Sum(F("score") * F("weight")), weights=Sum("weight"))
    review.score = (Decimal(agg["total"]) / Decimal(agg["weights"])).quantize(Decimal("0.01"))
    review.save(update_fields=["score"])


def _done(day, today):
    """A milestone's done day, or None while it is still ahead."""
    return day if day <= today else None


def _seed_projects(orgs, staff, experts, cal):
    created = 0
    today = cal.today
    criteria = list(EvaluationCriterion.objects.filter(is_active=True))
    for n, (title, kind, lead, partners, status, start, budget, fund, completed) in enumerate(
        PROJECTS + THIS_YEAR_PROJECTS
    ):
        if Project.objects.filter(title=title).exists():
            continue
        start = cal.at(*start)
        completed = cal.at(*completed) if completed else None
        planned_end = start.replace(year=start.year + 1) - timedelta(days=1)
        if completed and completed > today:
            # Not accepted yet: in progress, due to be accepted on that day.
            status, planned_end, completed = PS.IN_PROGRESS, completed, None
        if status == PS.APPLIED and completed + timedelta(days=20) > today:
            status = PS.COMPLETED
        if status in (PS.PROPOSED, PS.UNDER_REVIEW):
            # Still under consideration: to start next year.
            start = date(cal.year + 1, 3, 1)
            planned_end = start.replace(year=start.year + 1) - timedelta(days=1)
            review_day = today - timedelta(days=5)
        elif status == PS.APPROVED:
            # Approved a few weeks ago, to start in the coming weeks.
            start = today + timedelta(days=30 + 30 * (n % 2))
            planned_end = start.replace(year=start.year + 1) - timedelta(days=1)
            review_day = today - timedelta(days=40)
        else:
            review_day = start - timedelta(days=30)
        approved = review_day + timedelta(days=14) if status in AFTER_APPROVAL else None
        project = Project.objects.create(
            title=title,
            kind=kind,
            lead_organization=orgs[lead],
            budget=Decimal(budget),
            support_fund=Decimal(fund),
            planned_start=start,
            planned_end=planned_end,
            description=f"{lead}牵头，联合{'、'.join(partners)}实施。",
            status=status,
            approved_on=approved,
            started_on=start if status in (PS.IN_PROGRESS, PS.COMPLETED, PS.APPLIED, PS.TERMINATED) else None,
            completed_on=completed,
            applied_on=completed + timedelta(days=20) if status == PS.APPLIED else None,
            reason={
                PS.REJECTED: "评审平均分低于立项分数线，建议完善技术路线后再申报。",
                PS.TERMINATED: "合作企业调整产品线，双方协商终止。",
            }.get(status, ""),
        )
        project.partners.add(*[orgs[p] for p in partners])
        steps = [("propose", "", PS.PROPOSED, review_day - timedelta(days=20), "")]
        if status in REVIEWED:
            steps.append(("start_review", PS.PROPOSED, PS.UNDER_REVIEW, review_day - timedelta(days=4), ""))
        if approved:
            steps.append(("approve", PS.UNDER_REVIEW, PS.APPROVED, approved, ""))
        if status == PS.REJECTED:
            steps.append(("reject", PS.UNDER_REVIEW, PS.REJECTED, review_day + timedelta(days=14), project.reason))
        if project.started_on:
            steps.append(("start", PS.APPROVED, PS.IN_PROGRESS, start, ""))
        if completed:
            steps.append(("complete", PS.IN_PROGRESS, PS.COMPLETED, completed, "通过结项验收"))
        if status == PS.APPLIED:
            steps.append(("apply", PS.COMPLETED, PS.APPLIED, project.applied_on, ""))
        if status == PS.TERMINATED:
            steps.append(("terminate", PS.IN_PROGRESS, PS.TERMINATED, cal.at(1, 8, 1), project.reason))
        ProjectEvent.objects.bulk_create(
            [
                ProjectEvent(
                    project=project, action=a, from_status=f, to_status=t, date=d, reason=r, actor=staff, at=_aware(d)
                )
                for a, f, t, d, r in steps
            ]
        )
        if status in REVIEWED:
            party_ids = {project.lead_organization_id, *(orgs[p].pk for p in partners)}
            eligible = [e for e in experts if e.organization_id not in party_ids]
            count = 2 if status == PS.UNDER_REVIEW and n % 2 else 3
            base = 52 if status == PS.REJECTED else 72 + n % 10
            for i in range(count):
                _review(project, eligible[(n + i) % len(eligible)], staff, base, i, criteria, review_day)
        if status in (PS.IN_PROGRESS, PS.COMPLETED, PS.APPLIED):
            Milestone.objects.bulk_create(
                [
                    Milestone(
                        project=project,
                        title="完成方案设计与设备采购",
                        due_on=start + timedelta(days=90),
                        done_on=_done(start + timedelta(days=85), today),
                    ),
                    Milestone(
                        project=project,
                        title="完成中期检查",
                        due_on=start + timedelta(days=180),
                        done_on=_done(start + timedelta(days=183), today) if completed else None,
                    ),
                ]
            )
        if status == PS.APPLIED:
            ProjectResult.objects.create(
                project=project,
                title=f"{title}成果",
                kind=ProjectResult.Kind.PRODUCT,
                description="形成工艺包与操作规程，已在合作企业生产线应用。",
                applied_at=partners[0],
                applied_on=project.applied_on,
            )
        created += 1
    return created


# name, kind, level, lead, co-builders, established_on, project title
PLATFORMS = [
    (
        "甘肃省绿色化工过程强化重点实验室",
        PlatformKind.KEY_LAB,
        PlatformLevel.PROVINCIAL,
        LZPC,
        ["甘肃德福新材料有限公司"],
        (1, 4, 20),
        "煤基新材料催化工艺联合攻关",
    ),
    (
        "锂电材料检测重点实验室",
        PlatformKind.KEY_LAB,
        PlatformLevel.REGIONAL,
        LZPC,
        ["海亮新能源"],
        (1, 9, 28),
        "锂电材料检测实验室建设",
    ),
    (
        "高端装备焊接技术重点实验室",
        PlatformKind.KEY_LAB,
        PlatformLevel.REGIONAL,
        "兰石集团",
        [LZPC],
        (2, 12, 18),
        "高端压力容器焊接工艺优化",
    ),
    (
        "化工安全生产专业教学资源库",
        PlatformKind.RESOURCE_LIBRARY,
        PlatformLevel.PROVINCIAL,
        LZPC,
        ["兰州新区石化投资有限公司"],
        (1, 7, 20),
        "化工安全虚拟仿真资源库建设",
    ),
    (
        "应用化工技术专业教学资源库",
        PlatformKind.RESOURCE_LIBRARY,
        PlatformLevel.SCHOOL,
        LZPC,
        ["兰州新区化工热电有限公司", "兰州裕隆气体有限公司"],
        (1, 6, 30),
        "绿色化工专业课程共建",
    ),
    (
        "新能源汽车检测与维修专业资源库",
        PlatformKind.RESOURCE_LIBRARY,
        PlatformLevel.SCHOOL,
        "甘肃交通职业技术学院",
        ["爱玛科技集团", "兰州知豆"],
        (1, 7, 5),
        "新能源汽车维修订单培养",
    ),
    (
        "兰州新区区域产教融合实践中心",
        PlatformKind.PRACTICE_CENTER,
        PlatformLevel.REGIONAL,
        LZPC,
        ["兰州新区管委会", "兰石集团", "甘肃交通职业技术学院", "兰州现代职业学院"],
        (1, 11, 20),
        "区域产教融合实践中心建设",
    ),
    (
        "石化装置虚拟仿真实训基地",
        PlatformKind.VIRTUAL_BASE,
        PlatformLevel.PROVINCIAL,
        LZPC,
        ["兰州新区石化投资有限公司"],
        (1, 3, 12),
        None,
    ),
    (
        "装备制造双师型教师培养培训基地",
        PlatformKind.DUAL_TEACHER_BASE,
        PlatformLevel.PROVINCIAL,
        "兰州现代职业学院",
        ["兰石集团"],
        (1, 8, 25),
        "装备制造双师型教师培训",
    ),
    (
        "兰石集团教师企业实践基地",
        PlatformKind.TEACHER_PRACTICE_BASE,
        PlatformLevel.REGIONAL,
        "兰石集团",
        [LZPC, "兰州现代职业学院"],
        (1, 1, 15),
        None,
    ),
    (
        "德福新材料学生实习实训基地",
        PlatformKind.INTERNSHIP_BASE,
        PlatformLevel.SCHOOL,
        "甘肃德福新材料有限公司",
        [LZPC],
        (1, 2, 20),
        None,
    ),
    (
        "裕隆气体学生实习实训基地",
        PlatformKind.INTERNSHIP_BASE,
        PlatformLevel.SCHOOL,
        "兰州裕隆气体有限公司",
        [LZPC],
        (2, 12, 20),
        "气体分离装置运行实训基地",
    ),
]


# This year's platforms, each established after its project was accepted; one still ahead is not
# created (a platform counts when established, not when planned).
THIS_YEAR_PLATFORMS = [
    (
        "压力容器智能焊接重点实验室",
        PlatformKind.KEY_LAB,
        PlatformLevel.REGIONAL,
        "兰石集团",
        ["兰州现代职业学院"],
        (0, 4, 20),
        "压力容器智能焊接机器人应用",
    ),
    (
        "新能源汽车电池检测专业教学资源库",
        PlatformKind.RESOURCE_LIBRARY,
        PlatformLevel.SCHOOL,
        "甘肃交通职业技术学院",
        ["海亮新能源"],
        (0, 5, 8),
        "新能源汽车电池检测课程共建",
    ),
    (
        "高纯硅材料分析检验专业教学资源库",
        PlatformKind.RESOURCE_LIBRARY,
        PlatformLevel.SCHOOL,
        LZPC,
        ["兰州东金硅业有限公司"],
        (0, 6, 10),
        "高纯硅材料分析检验资源库建设",
    ),
    (
        "甘肃省绿色化工过程控制重点实验室",
        PlatformKind.KEY_LAB,
        PlatformLevel.PROVINCIAL,
        LZPC,
        ["甘肃德福新材料有限公司"],
        (0, 8, 10),
        "绿色化工过程控制实验室建设",
    ),
    (
        "热电装置运行虚拟仿真实训基地",
        PlatformKind.VIRTUAL_BASE,
        PlatformLevel.REGIONAL,
        LZPC,
        ["甘肃能化(兰州新区)热电有限公司"],
        (0, 10, 9),
        "热电装置运行仿真实训基地建设",
    ),
    (
        "装备制造专业教学资源库",
        PlatformKind.RESOURCE_LIBRARY,
        PlatformLevel.PROVINCIAL,
        "兰州现代职业学院",
        ["兰石集团"],
        (0, 11, 10),
        "装备制造专业教学资源库建设",
    ),
    (
        "兰州新区区域产教融合实践中心（二期）",
        PlatformKind.PRACTICE_CENTER,
        PlatformLevel.REGIONAL,
        LZPC,
        ["兰州新区管委会", "兰州现代职业学院"],
        (0, 12, 20),
        "区域产教融合实践中心二期建设",
    ),
]


def _seed_platforms(orgs, cal):
    created = 0
    for name, kind, level, lead, cobuilders, established, project_title in PLATFORMS + THIS_YEAR_PLATFORMS:
        established = cal.at(*established)
        if established > cal.today or Platform.objects.filter(name=name).exists():
            continue
        platform = Platform.objects.create(
            name=name,
            kind=kind,
            level=level,
            lead_organization=orgs[lead],
            established_on=established,
            project=Project.objects.filter(title=project_title).first() if project_title else None,
            description=f"由{lead}牵头，{'、'.join(cobuilders)}共建。",
        )
        platform.organizations.add(orgs[lead], *[orgs[c] for c in cobuilders])
        created += 1
    return created


# Members' proposals (申报) at each step before review: (title, kind, lead, partners, budget, requested,
# status, proposing user, steps as (action, from, to, days ago, reason)).
PROPOSALS = [
    (
        "化工安全虚拟仿真课程共建",
        ProjectKind.CURRICULUM,
        LZPC,
        ["兰州新区化工热电有限公司"],
        "60",
        "20",
        PS.DRAFT,
        "school",
        [("propose", "", PS.DRAFT, 3, "")],
    ),
    (
        "大型压力容器数字化检测技术研发",
        ProjectKind.RND,
        "兰石集团",
        ["兰州现代职业学院"],
        "240",
        "60",
        PS.RETURNED,
        "enterprise",
        [
            ("propose", "", PS.DRAFT, 24, ""),
            ("submit", PS.DRAFT, PS.PROPOSED, 18, ""),
            ("return", PS.PROPOSED, PS.RETURNED, 6, "请补充经费预算明细和学校一方的任务分工。"),
        ],
    ),
    (
        "新能源材料检测员工岗位培训包开发",
        ProjectKind.EMPLOYEE_TRAINING,
        LZPC,
        ["甘肃德福新材料有限公司"],
        "45",
        "15",
        PS.PROPOSED,
        "school",
        [("propose", "", PS.DRAFT, 9, ""), ("submit", PS.DRAFT, PS.PROPOSED, 2, "")],
    ),
]


def _seed_proposals(orgs, staff, cal):
    created = 0
    today = cal.today
    for title, kind, lead, partners, budget, requested, status, username, steps in PROPOSALS:
        if Project.objects.filter(title=title).exists():
            continue
        proposer = User.objects.filter(username=username).first()
        start = date(cal.year + 1, 3, 1)
        project = Project.objects.create(
            title=title,
            kind=kind,
            lead_organization=orgs[lead],
            budget=Decimal(budget),
            support_fund_requested=Decimal(requested),
            planned_start=start,
            planned_end=start.replace(year=start.year + 1) - timedelta(days=1),
            description=f"{lead}申报，联合{'、'.join(partners)}实施。",
            status=status,
            proposed_by=proposer,
            submitted_at=_aware(today - timedelta(days=steps[-1][3])) if status == PS.PROPOSED else None,
            return_reason=steps[-1][4] if status == PS.RETURNED else "",
        )
        project.partners.add(*[orgs[p] for p in partners])
        ProjectEvent.objects.bulk_create(
            [
                ProjectEvent(
                    project=project,
                    action=a,
                    from_status=f,
                    to_status=t,
                    date=today - timedelta(days=ago),
                    reason=r,
                    actor=staff if a == "return" else proposer,
                    at=_aware(today - timedelta(days=ago)),
                )
                for a, f, t, ago, r in steps
            ]
        )
        created += 1
    return created


# A platform a member registered, waiting for the staff's confirmation (not counted until then).
PENDING_PLATFORM = (
    "兰石集团压力容器检测学生实习实训基地",
    PlatformKind.INTERNSHIP_BASE,
    PlatformLevel.SCHOOL,
    LZPC,
    ["兰石集团"],
)


def _seed_pending_platform(orgs, cal):
    name, kind, level, lead, cobuilders = PENDING_PLATFORM
    if Platform.objects.filter(name=name).exists():
        return 0
    platform = Platform.objects.create(
        name=name,
        kind=kind,
        level=level,
        lead_organization=orgs[lead],
        established_on=cal.today - timedelta(days=10),
        description=f"由{lead}登记，与{'、'.join(cobuilders)}共建，待联合体工作人员确认。",
        status=PlatformStatus.PENDING,
        registering_organization=orgs[lead],
        created_by=User.objects.filter(username="school").first(),
    )
    platform.organizations.add(orgs[lead], *[orgs[c] for c in cobuilders])
    return 1


DEMO_EXPERT = "马晓东"


def _seed_expert_portal(staff, cal):
    """The demo expert user ``expert`` (马晓东, a pool expert of his own): one review due, one he scored."""
    from django.utils import timezone

    from .services import record_review

    if User.objects.filter(username="expert").exists():
        return 0
    expert, _ = Expert.objects.get_or_create(
        name=DEMO_EXPERT,
        defaults=dict(affiliation="兰州大学管理学院", field="职业教育与产教融合", title="教授"),
    )
    if expert.user_id:
        return 0
    user = User(username="expert", role=Role.EXPERT, first_name=f"评审专家 {DEMO_EXPERT}")
    user.set_password(DEMO_PASSWORD)
    user.save()
    expert.user = user
    expert.save(update_fields=["user"])
    today = cal.today
    projects = Project.objects.filter(status=PS.UNDER_REVIEW).exclude(reviews__expert=expert).order_by("pk")[:2]
    criteria = list(EvaluationCriterion.objects.filter(is_active=True))
    for i, project in enumerate(projects):
        review = ExpertReview.objects.create(
            project=project,
            expert=expert,
            assigned_by=staff,
            assigned_at=_aware(today - timedelta(days=6)),
            due_on=today + timedelta(days=7 - 4 * i),
        )
        if i == 1 and criteria:
            record_review(
                review.pk,
                by=user,
                scores={c.pk: 78 + (j * 5) % 15 for j, c in enumerate(criteria)},
                risk=RiskLevel.MEDIUM,
                opinion="课程体系与岗位需求衔接较好，建议细化企业导师的投入安排。",
                date=min(today, timezone.localdate()) - timedelta(days=1),
            )
    return 1


@transaction.atomic
@registry.demo_seeds.register
def seed(today=None):
    orgs = _orgs()
    if LZPC not in orgs:
        return {"agreements_created": 0}
    cal = demo_calendar(today)
    staff = User.objects.filter(username="staff").first()
    agreements = _seed_agreements(orgs, staff, cal)
    experts = _seed_experts(orgs)
    projects = _seed_projects(orgs, staff, experts, cal)
    platforms = _seed_platforms(orgs, cal)
    proposals = _seed_proposals(orgs, staff, cal)
    platforms += _seed_pending_platform(orgs, cal)
    expert_users = _seed_expert_portal(staff, cal)
    return {
        "proposals_created": proposals,
        "expert_users_created": expert_users,
        "agreements_created": agreements,
        "projects_created": projects,
        "platforms_created": platforms,
        "experts": len(experts),
    }
