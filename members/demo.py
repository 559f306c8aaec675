"""Demo data: the member organisations named in the 2025-05-12 report, and one user per role.

The credit codes are synthetic (valid check characters, not the organisations' real codes).
``DemoCalendar`` dates every app's demo records relative to today (Asia/Shanghai), so that the
demo always shows the current year in progress and the full year before it.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from consortium import registry

from .models import (
    ApplicationStatus,
    CouncilRole,
    IndustryChain,
    MembershipApplication,
    MembershipEvent,
    MembershipStatus,
    Organization,
    OrganizationKind,
    Role,
    User,
)
from .validators import CREDIT_CODE_CHARS, credit_code_check_char

K = OrganizationKind
C = IndustryChain

# name, short name, kind, industry chain, council role, specialised SME, integration enterprise
ORGANIZATIONS = [
    ("兰州新区管委会", "新区管委会", K.GOVERNMENT, C.NONE, CouncilRole.CHAIR, False, False),
    ("兰州新区教育和卫健委", "教卫委", K.GOVERNMENT, C.NONE, CouncilRole.COUNCIL, False, False),
    ("兰州新区企业服务中心", "企业服务中心", K.GOVERNMENT, C.NONE, CouncilRole.COUNCIL, False, False),
    (
        "兰州石化职业技术大学",
        "兰州石化职大",
        K.VOCATIONAL_UNDERGRADUATE,
        C.GREEN_CHEMICAL,
        CouncilRole.VICE_CHAIR,
        False,
        False,
    ),
    ("甘肃交通职业技术学院", "甘肃交院", K.HIGHER_VOCATIONAL, C.EQUIPMENT, CouncilRole.COUNCIL, False, False),
    ("兰州现代职业学院", "兰州现代职院", K.HIGHER_VOCATIONAL, C.EQUIPMENT, CouncilRole.COUNCIL, False, False),
    ("兰石集团", "兰石集团", K.ENTERPRISE, C.EQUIPMENT, CouncilRole.VICE_CHAIR, False, True),
    ("甘肃德福新材料有限公司", "德福新材料", K.ENTERPRISE, C.NEW_ENERGY, CouncilRole.COUNCIL, True, True),
    ("海亮新能源", "海亮新能源", K.ENTERPRISE, C.NEW_ENERGY, CouncilRole.MEMBER, False, False),
    ("兰州知豆", "兰州知豆", K.ENTERPRISE, C.EQUIPMENT, CouncilRole.MEMBER, False, False),
    ("爱玛科技集团", "爱玛科技", K.ENTERPRISE, C.EQUIPMENT, CouncilRole.MEMBER, False, False),
    ("兰州东金硅业有限公司", "东金硅业", K.ENTERPRISE, C.NEW_ENERGY, CouncilRole.MEMBER, True, False),
    ("兰州裕隆气体有限公司", "裕隆气体", K.ENTERPRISE, C.GREEN_CHEMICAL, CouncilRole.MEMBER, True, False),
    ("兰州新区化工热电有限公司", "化工热电", K.ENTERPRISE, C.GREEN_CHEMICAL, CouncilRole.MEMBER, False, False),
    ("兰州新区石化投资有限公司", "石化投资", K.ENTERPRISE, C.GREEN_CHEMICAL, CouncilRole.MEMBER, False, False),
    ("甘肃能化(兰州新区)热电有限公司", "能化热电", K.ENTERPRISE, C.GREEN_CHEMICAL, CouncilRole.MEMBER, False, False),
]

# The consortium's founding (成立大会) is a fact of its history, not a demo date.
FOUNDED = date(2024, 9, 6)


@dataclass(frozen=True)
class DemoCalendar:
    """The demo's dates: this year from 1 January up to today, the year before in full."""

    today: date

    @property
    def year(self):
        return self.today.year

    @property
    def previous(self):
        return self.year - 1

    def at(self, years_back, month, day):
        """A day of a past (or, with years_back < 0, a coming) year: (1, 3, 28) is 28 March last year."""
        return date(self.year - years_back, month, day)

    def so_far(self, fraction):
        """A day of this year between 1 January and today (fraction 0 … 1 of the days gone by)."""
        start = date(self.year, 1, 1)
        return start + timedelta(days=int((self.today - start).days * min(max(fraction, 0), 1)))

    def ahead(self, days):
        """A day ``days`` from today, kept inside this year (the year's pipeline)."""
        return min(self.today + timedelta(days=days), date(self.year, 12, 31))


def demo_calendar(today=None):
    """The calendar of a demo built today (Asia/Shanghai), or on the given day."""
    return DemoCalendar(today or timezone.localdate())


PREFIX = {K.GOVERNMENT: "11", K.ENTERPRISE: "91", K.ASSOCIATION: "51"}

DEMO_PASSWORD = "Demo@2025"

# username, role, organisation name, display name
USERS = [
    ("admin", Role.ADMIN, None, "系统管理员"),
    ("staff", Role.STAFF, None, "秘书处 王老师"),
    ("leader", Role.LEADERSHIP, None, "领导小组 李主任"),
    ("school", Role.MEMBER, "兰州石化职业技术大学", "兰州石化职大 刘老师"),
    ("enterprise", Role.MEMBER, "兰石集团", "兰石集团 赵经理"),
]


def synthetic_credit_code(name, kind):
    """A credit code with a valid check character, derived from the name (not a real code)."""
    digest = hashlib.sha256(name.encode()).digest()
    body = "".join(CREDIT_CODE_CHARS[b % 31] for b in digest[:8])
    first17 = PREFIX.get(kind, "12") + "620100" + body + "0"
    return first17 + credit_code_check_char(first17)


@transaction.atomic
@registry.demo_seeds.register
def seed(today=None):
    founded = FOUNDED
    created = 0
    for name, short, kind, chain, council, sme, integ in ORGANIZATIONS:
        org, was_created = Organization.objects.get_or_create(
            name=name,
            defaults=dict(
                short_name=short,
                kind=kind,
                industry_chain=chain,
                council_role=council,
                is_specialized_sme=sme,
                is_integration_enterprise=integ,
                credit_code=synthetic_credit_code(name, kind),
                contact_name="联络员",
                status=MembershipStatus.ADMITTED,
                status_changed_on=founded,
            ),
        )
        if was_created:
            created += 1
            MembershipEvent.objects.bulk_create(
                [
                    MembershipEvent(
                        organization=org,
                        action=MembershipEvent.Action.APPLY,
                        to_status=MembershipStatus.APPLIED,
                        date=founded - timedelta(days=17),
                        reason="发起成立联合体",
                    ),
                    MembershipEvent(
                        organization=org,
                        action=MembershipEvent.Action.ADMIT,
                        from_status=MembershipStatus.APPLIED,
                        to_status=MembershipStatus.ADMITTED,
                        date=founded,
                        reason="联合体成立大会",
                    ),
                ]
            )
    users = []
    for username, role, org_name, display in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, role=role, first_name=display)
            user.organization = Organization.objects.get(name=org_name) if org_name else None
            user.is_superuser = user.is_staff = role == Role.ADMIN
            user.set_password(DEMO_PASSWORD)
            user.save()
        users.append(user)
    profiles = seed_directory()
    applications = seed_applications(demo_calendar(today))
    return {"organizations_created": created, "users": users, "profiles": profiles, "applications": applications}


# Public profiles in the member directory (成员名录): name -> (offers, seeks).
PROFILES = {
    "兰州石化职业技术大学": (
        "化工、装备制造专业群实训基地；双师型教师企业培训；职工学历提升与技能鉴定。",
        "订单班合作企业；企业导师和客座教授；真实生产问题的联合研发。",
    ),
    "兰石集团": (
        "压力容器与换热装备生产现场，可接收学生实习和教师企业实践；10 名高技能人才可任产业导师。",
        "焊接、数控方向订单班；员工岗位培训；智能制造产线的联合研发。",
    ),
    "甘肃德福新材料有限公司": (
        "电解铜箔生产线参观与实习岗位；新材料检测实验室共享。",
        "新能源材料方向技术技能人才；检测分析员工培训。",
    ),
    "兰州裕隆气体有限公司": ("工业气体安全培训课程；实习岗位。", "安全生产培训合作院校；危化品方向订单班。"),
}
# The demo users who agreed to be listed as their organisation's directory contact (and administer its users).
DIRECTORY_CONTACTS = {"兰州石化职业技术大学": "school", "兰石集团": "enterprise"}


def seed_directory():
    """Offers, seeks and listed contacts for a few members; only blank profiles are filled."""
    filled = 0
    for name, (offers, seeks) in PROFILES.items():
        filled += Organization.objects.filter(name=name, offers="", seeks="").update(offers=offers, seeks=seeks)
    for name, username in DIRECTORY_CONTACTS.items():
        user = User.objects.filter(username=username, organization__name=name).first()
        if user is None:
            continue
        User.objects.filter(pk=user.pk).update(listed_in_directory=True, is_org_admin=True)
        if not user.email:
            User.objects.filter(pk=user.pk).update(email=f"{username}@demo.consortium.local")
        Organization.objects.filter(name=name, directory_contact__isnull=True).update(directory_contact=user)
    return filled


# Pending applications: name, kind, industry chain, contact, days ago.
APPLICATIONS = [
    ("兰州新区绿色氢能科技有限公司", K.ENTERPRISE, C.NEW_ENERGY, "陈经理", 3),
    ("甘肃新区智能制造职业培训学校", K.SECONDARY_VOCATIONAL, C.EQUIPMENT, "马校长", 9),
]


def seed_applications(calendar):
    """Two applications waiting for staff, dated a few days before today."""
    created = 0
    for name, kind, chain, contact, days_ago in APPLICATIONS:
        if MembershipApplication.objects.filter(name=name).exists():
            continue
        application = MembershipApplication.objects.create(
            name=name,
            credit_code=synthetic_credit_code(name, kind),
            kind=kind,
            industry_chain=chain,
            contact_name=contact,
            contact_phone="0931-8000000",
            contact_email=f"apply{created + 1}@demo.consortium.local",
            description="希望加入联合体，参与订单班与实训基地共建。",
            status=ApplicationStatus.PENDING,
        )
        applied = timezone.make_aware(datetime.combine(calendar.today - timedelta(days=days_ago), time(10)))
        MembershipApplication.objects.filter(pk=application.pk).update(created_at=applied)
        created += 1
    return created
