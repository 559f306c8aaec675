"""Demo data: the 兰石订单班 and 青苗计划 classes, two years of training sessions with some
imported trainee lists, teachers of the three schools with dual-qualified records, and the
visit of 300+ teachers and students of 兰州石化职业技术大学 to the member enterprises.

Every date is relative to today (Asia/Shanghai): the year before is a full year; this year runs
from 1 January to today at the same pace (its sessions ended and counted), with the sessions of the
coming weeks scheduled (the pipeline).

Idempotent: each part is created once (recognised by a name it creates). ID numbers are
synthetic (valid check digits, not real people); only their hash and mask are stored.
"""

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction

from consortium import registry
from members.demo import demo_calendar
from members.models import Organization, OrganizationKind, User
from members.validators import id_number_check_char

from . import imports, services
from .models import (
    DualTeacherRecognition,
    DualTeacherTraining,
    EnterprisePractice,
    ExchangeVisit,
    GuestProfessor,
    ImportStatus,
    OrderClass,
    OrderClassMode,
    RecognitionLevel,
    SessionStatus,
    Teacher,
    TraineeImport,
    TrainingKind,
    TrainingSession,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
LZPC = "兰州石化职业技术大学"
GJT = "甘肃交通职业技术学院"
LZXD = "兰州现代职业学院"
LS = "兰石集团"
AIMA = "爱玛科技集团"
SCHOOLS = (LZPC, GJT, LZXD)

LANSHI_PROFESSORS = [
    ("邹斌", "全国技术能手、车工首席操作师"),
    ("王建军", "甘肃省技术能手、焊工首席技师"),
    ("李国栋", "高级技师、数控加工首席操作师"),
    ("张海涛", "陇原工匠、压力容器制造高级技师"),
    ("赵志刚", "高级工程师、炼化装备设计专家"),
    ("刘永红", "全国五一劳动奖章获得者、钳工高级技师"),
    ("陈立新", "甘肃省技术能手、铆工首席技师"),
    ("杨晓东", "高级工程师、智能制造产线负责人"),
    ("马俊峰", "高级技师、电气装配首席操作师"),
    ("孙德明", "正高级工程师、换热器研发专家"),
]
QINGMIAO_PROFESSORS = [
    ("周文博", "爱玛科技兰州基地生产总监"),
    ("吴海燕", "高级技师、电动车总装首席技师"),
    ("郑凯", "质量管理工程师"),
]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国海燕雪梅志斌晨阳欣怡浩宇子轩思远嘉豪梓涵雨萱"

SUBJECTS = {
    LZPC: ["化工技术", "石油炼制", "应用化工", "安全技术与管理", "机电一体化", "分析检验"],
    GJT: ["汽车检测与维修", "新能源汽车技术", "道路桥梁工程", "交通运营管理", "机械制造"],
    LZXD: ["机械制造及自动化", "焊接技术", "数控技术", "电气自动化", "工业机器人"],
}
TITLES = ["助教", "讲师", "讲师", "副教授", "教授", "高级实验师"]

SESSION_TOPICS = [
    (TrainingKind.VOCATIONAL_SKILL, "化工总控工职业技能培训"),
    (TrainingKind.VOCATIONAL_SKILL, "焊工职业技能等级认定培训"),
    (TrainingKind.VOCATIONAL_SKILL, "电工职业技能培训"),
    (TrainingKind.VOCATIONAL_SKILL, "工业机器人操作与运维培训"),
    (TrainingKind.EMPLOYEE_JOB, "新入职员工岗位安全培训"),
    (TrainingKind.EMPLOYEE_JOB, "危险化学品操作岗位培训"),
    (TrainingKind.EMPLOYEE_JOB, "压力容器制造岗位技能提升"),
    (TrainingKind.EMPLOYEE_JOB, "新能源电池生产岗位培训"),
    (TrainingKind.TEACHER, "职业院校教师教学能力提升研修"),
    (TrainingKind.STUDENT_PRACTICE, "学生企业认知实习实训"),
    (TrainingKind.STUDENT_PRACTICE, "化工仿真工厂实训"),
    (TrainingKind.DUAL_TEACHER, "双师型教师企业实践能力培训"),
]


def _orgs():
    return {o.name: o for o in Organization.objects.all()}


def _name(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _id_number(rng):
    birth = date(1965, 1, 1) + timedelta(days=rng.randrange(0, 365 * 40))
    first17 = (
        rng.choice(("620102", "620103", "620104", "620121", "620122"))
        + birth.strftime("%Y%m%d")
        + f"{rng.randrange(1000):03d}"
    )
    return first17 + id_number_check_char(first17)


def _at(day, hour):
    return datetime.combine(day, datetime.min.time(), tzinfo=SHANGHAI).replace(hour=hour)


# Sessions of this year are scheduled this many days ahead of today.
SCHEDULED_DAYS_AHEAD = 45
SESSIONS_PER_YEAR = 72


@transaction.atomic
@registry.demo_seeds.register
def seed(today=None):
    orgs = _orgs()
    if not all(name in orgs for name in (*SCHOOLS, LS, AIMA)):
        return {"order_classes": 0}
    cal = demo_calendar(today)
    rng = random.Random(2025)
    staff = User.objects.filter(username="staff").first()
    counts = {}
    counts["order_classes_created"] = _seed_order_classes(orgs, cal)
    counts["sessions_created"], counts["trainees_imported"] = _seed_sessions(orgs, rng, staff, cal)
    counts["teachers_created"] = _seed_teachers(orgs, rng, cal)
    counts["visits_created"] = _seed_visits(orgs, cal)
    return counts


def _agreement(title):
    from projects.models import Agreement

    return Agreement.objects.filter(title=title).first()


def _seed_order_classes(orgs, cal):
    created = 0
    classes = [
        (
            "兰石订单班",
            LS,
            LZXD,
            "机械制造及自动化",
            cal.year - 3,
            OrderClassMode.ORDER,
            (50, 46, 44, 21),
            "兰石订单班人才培养协议",
            LANSHI_PROFESSORS,
        ),
        (
            f"兰石订单班（{cal.year - 2}级）",
            LS,
            LZXD,
            "焊接技术与自动化",
            cal.year - 2,
            OrderClassMode.ORDER,
            (40, 40, 0, 0),
            "兰石订单班人才培养协议",
            [],
        ),
        (
            "青苗计划",
            AIMA,
            GJT,
            "新能源汽车技术",
            cal.year - 3,
            OrderClassMode.CROWN,
            (60, 58, 55, 24),
            "青苗计划订单班协议",
            QINGMIAO_PROFESSORS,
        ),
        (
            f"青苗计划（{cal.year}级）",
            AIMA,
            GJT,
            "新能源汽车技术",
            cal.year,
            OrderClassMode.CROWN,
            (60, 52, 0, 0),
            "青苗计划订单班协议",
            [],
        ),
    ]
    appointed = cal.at(1, 3, 18)
    for name, ent, school, major, year, mode, (planned, enrolled, graduated, employed), agreement, profs in classes:
        if OrderClass.objects.filter(name=name).exists():
            continue
        c = OrderClass.objects.create(
            name=name,
            enterprise=orgs[ent],
            school=orgs[school],
            major=major,
            intake_year=year,
            mode=mode,
            planned=planned,
            enrolled=enrolled,
            graduated=graduated,
            employed=employed,
            agreement=_agreement(agreement),
        )
        GuestProfessor.objects.bulk_create(
            [
                GuestProfessor(
                    order_class=c,
                    name=n,
                    enterprise=orgs[ent],
                    title=t,
                    appointed_on=appointed,
                    ends_on=appointed.replace(year=appointed.year + 3) - timedelta(days=1),
                )
                for n, t in profs
            ]
        )
        created += 1
    return created


def _session_plan(year, cal):
    """(number in the year, start day, status) of the year's sessions: a session every five days or so.

    The year before is a full year of held sessions. This year: what ended before today was held,
    what runs today is being held, what starts within SCHEDULED_DAYS_AHEAD days is planned, and
    the rest of the year is not scheduled yet.
    """
    for i in range(SESSIONS_PER_YEAR):
        start_day = date(year, 1, 6) + timedelta(days=(i * 353) // SESSIONS_PER_YEAR)
        if start_day > cal.today + timedelta(days=SCHEDULED_DAYS_AHEAD) or start_day.year != year:
            break
        status = SessionStatus.CANCELLED if i % 23 == 11 else SessionStatus.HELD
        if start_day > cal.today:
            status = SessionStatus.PLANNED
        yield i, start_day, status


def _seed_sessions(orgs, rng, staff, cal):
    first_title = f"{SESSION_TOPICS[0][1]}（{cal.previous}年第1期）"
    if TrainingSession.objects.filter(title=first_title).exists():
        return 0, 0
    from projects.models import Platform

    place = Platform.objects.filter(name__contains="实践中心").first()
    enterprises = [o for o in orgs.values() if o.kind == OrganizationKind.ENTERPRISE]
    schools = [orgs[n] for n in SCHOOLS]
    sessions, beneficiaries = [], []
    for year in (cal.previous, cal.year):
        numbers = {}
        for i, start_day, status in _session_plan(year, cal):
            kind, topic = SESSION_TOPICS[i % len(SESSION_TOPICS)]
            numbers[topic] = numbers.get(topic, 0) + 1
            days = rng.choice((1, 2, 3, 5))
            end_day = start_day + timedelta(days=days - 1)
            if status == SessionStatus.HELD and year == cal.year and end_day >= cal.today:
                end_day = max(start_day, cal.today - timedelta(days=1))  # held and over by today
                days = (end_day - start_day).days + 1
            provider = schools[i % 3] if kind != TrainingKind.EMPLOYEE_JOB else rng.choice(enterprises)
            if i % 7 == 3:
                provider = orgs[LS]
            # Skill and job training are the big classes (the 10,000 person-times target); teacher and
            # student sessions are smaller groups.
            if kind in (TrainingKind.VOCATIONAL_SKILL, TrainingKind.EMPLOYEE_JOB):
                headcount = rng.choice((120, 150, 180, 200, 240, 300))
            else:
                headcount = rng.choice((30, 40, 45, 50, 60, 80))
            sessions.append(
                TrainingSession(
                    title=f"{topic}（{year}年第{numbers[topic]}期）",
                    kind=kind,
                    provider=provider,
                    starts_at=_at(start_day, 9),
                    ends_at=_at(end_day, 17),
                    hours=Decimal(days * 8),
                    declared_headcount=headcount,
                    status=status,
                    place=place if i % 5 == 0 else None,
                    location="兰州新区职教园区" if i % 5 else "",
                )
            )
    TrainingSession.objects.bulk_create(sessions)
    Through = TrainingSession.beneficiaries.through
    for s in sessions:
        picks = {rng.choice(enterprises).pk, rng.choice(schools + enterprises).pk} - {s.provider_id}
        beneficiaries += [Through(trainingsession_id=s.pk, organization_id=pk) for pk in picks]
    Through.objects.bulk_create(beneficiaries)
    # Sign-in sheets imported for a few held sessions; some people attend more than one.
    people = [(_name(rng), _id_number(rng)) for _ in range(220)]
    imported = 0
    for s in [s for s in sessions if s.status == SessionStatus.HELD and s.ends_at < _at(cal.today, 0)][2::9]:
        attendees = rng.sample(people, k=min(s.declared_headcount, len(people)) - rng.randrange(0, 6))
        header = imports.TEMPLATE_HEADERS
        table = [header] + [
            [name, number, rng.choice(("男", "女")), f"139{rng.randrange(10**8):08d}", rng.choice(enterprises).name, ""]
            for name, number in attendees
        ]
        result = imports.validate(table, "csv")
        imp = TraineeImport.objects.create(
            session=s,
            uploaded_by=staff,
            file_name=f"{s.title}签到表.xlsx",
            file_format="xlsx",
            row_count=len(result.rows),
            status=ImportStatus.CONFIRMED,
            confirmed_by=staff,
            confirmed_at=s.ends_at + timedelta(days=1),
        )
        services.insert_trainees(s, result.rows, batch=imp)
        services.refresh_trainee_count(s)
        imported += len(result.rows)
    return len(sessions), imported


def _dual_session(sessions, completed_on):
    """The last dual-qualified session that ended before a training was completed, or None."""
    ended = [x for x in sessions if x.ends_at.date() <= completed_on]
    return ended[-1] if ended else None


def _seed_teachers(orgs, rng, cal):
    if Teacher.objects.filter(employee_no="LZPC-001").exists():
        return 0
    prefix = {LZPC: "LZPC", GJT: "GJT", LZXD: "LZXD"}
    teachers = []
    for school in SCHOOLS:
        for n in range(1, 31):
            teachers.append(
                Teacher(
                    school=orgs[school],
                    name=_name(rng),
                    subject_area=rng.choice(SUBJECTS[school]),
                    title=rng.choice(TITLES),
                    employee_no=f"{prefix[school]}-{n:03d}",
                )
            )
    Teacher.objects.bulk_create(teachers)
    dual_sessions = list(
        TrainingSession.objects.filter(kind=TrainingKind.DUAL_TEACHER, status=SessionStatus.HELD).order_by("ends_at")
    )
    enterprises = [o for o in orgs.values() if o.kind == OrganizationKind.ENTERPRISE]
    trainings, practices, recognitions = [], [], []

    def trained(t, i, day):
        trainings.append(
            DualTeacherTraining(
                teacher=t,
                completed_on=day,
                session=_dual_session(dual_sessions, day) if i % 2 else None,
                hours=Decimal(rng.choice((24, 40, 56, 80))),
                provider=orgs[LZPC],
            )
        )

    for i, t in enumerate(teachers):
        if i % 3 != 2:
            trained(t, i, cal.at(1, rng.randrange(3, 12), rng.randrange(1, 28)))
        # This year, at the same pace: the trainings due by today are done.
        this_year = date(cal.year, rng.randrange(2, 13), rng.randrange(1, 28))
        if i % 3 != 0 and this_year <= cal.today:
            trained(t, i, this_year)
        if i % 4 == 0:
            trainings.append(
                DualTeacherTraining(teacher=t, completed_on=cal.at(2, 7, 20), hours=Decimal(40), provider=orgs[LZPC])
            )
        if i % 2 == 0:
            start = cal.at(1, rng.choice((1, 7)), 5)
        else:
            start = cal.so_far(rng.choice((0.2, 0.6)))
        if i % 4 != 3:
            practices.append(
                EnterprisePractice(
                    teacher=t,
                    enterprise=rng.choice(enterprises),
                    start_date=start,
                    end_date=start + timedelta(days=45),
                    position=rng.choice(("工艺技术员", "设备工程师", "质量检验员", "生产调度")),
                )
            )
        recognized = cal.at(1, 9, 10) if i % 5 in (0, 1) else date(cal.year, 6, 15) if i % 5 == 2 else None
        if recognized is not None and recognized <= cal.today:
            recognitions.append(
                DualTeacherRecognition(
                    teacher=t,
                    level=rng.choice(list(RecognitionLevel)),
                    recognized_on=recognized,
                    body="甘肃省教育厅" if i % 2 else "兰州新区教育和卫健委",
                )
            )
    DualTeacherTraining.objects.bulk_create(trainings)
    EnterprisePractice.objects.bulk_create(practices)
    DualTeacherRecognition.objects.bulk_create(recognitions)
    return len(teachers)


def _seed_visits(orgs, cal):
    purpose = "兰州石化职业技术大学300余名师生走访新区企业，了解岗位需求、对接实习与就业。"
    if ExchangeVisit.objects.filter(purpose=purpose).exists():
        return 0
    enterprises = [o for o in orgs.values() if o.kind == OrganizationKind.ENTERPRISE]
    zhidou = [orgs["兰州知豆"]] if "兰州知豆" in orgs else []
    visits = [
        (cal.at(1, 4, 22), LZPC, enterprises, 326, purpose),
        (cal.at(1, 6, 12), GJT, [orgs[AIMA], *zhidou], 45, "青苗计划学生到爱玛科技集团参观生产线。"),
        (cal.at(1, 5, 20), LS, [orgs[LZXD], orgs[LZPC]], 12, "兰石集团人力资源部到院校对接订单班招生与课程。"),
        (cal.so_far(0.3), LZXD, [orgs[LS]], 60, "兰州现代职业学院订单班师生到兰石集团跟岗学习。"),
        (cal.so_far(0.7), LZPC, enterprises[:4], 120, "兰州石化职业技术大学师生走访新材料企业，对接顶岗实习岗位。"),
    ]
    for day, visitor, visited, participants, text in visits:
        v = ExchangeVisit.objects.create(
            date=day, visiting_organization=orgs[visitor], participants=participants, purpose=text
        )
        v.visited.set(visited)
    return len(visits)
