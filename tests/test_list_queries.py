"""Every list page and every API list makes as many queries for 30 rows as for 3.

The lists are found, not listed: the page lists are the URL patterns whose view is a
``consortium.views.PortalListView``, the API lists are the viewsets registered on the API router.
Each list's model needs a row builder in ``ROW_BUILDERS`` (one row the member user's organisation
owns or takes part in, with the related records the list shows); a list whose model has none fails
here, so a new list cannot go without a query-count test.
"""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from consortium.api_urls import router
from consortium.views import PortalListView
from dashboards import figures
from dashboards.api import KpiViewSet
from dashboards.models import MetricContribution
from members.models import ApplicationDocument, MembershipApplication, MembershipEvent, Organization, User
from projects.models import Agreement, AgreementEvent, Expert, Milestone, Platform, Project, ProjectEvent
from training.models import (
    DualTeacherRecognition,
    DualTeacherTraining,
    EnterprisePractice,
    ExchangeVisit,
    GuestProfessor,
    OrderClass,
    Teacher,
    Trainee,
    TraineeImport,
    TrainingSession,
)

from .conftest import api_login, login
from .factories import OrganizationFactory, SchoolFactory, UserFactory
from .projects.factories import AgreementFactory, ExpertFactory, ExpertReviewFactory, PlatformFactory, ProjectFactory
from .training.factories import (
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

pytestmark = pytest.mark.django_db

FEW, MANY = 3, 30

# Ceilings, for the staff and the member user alike: session, user and paging queries, the list
# itself, its prefetches and the page's filter choices and figures — nothing per row.
MAX_PAGE_QUERIES = 10
MAX_EXPORT_QUERIES = 5
MAX_API_QUERIES = 5
# Lists that need more, and why.
MAX_QUERIES_OF = {
    # The year's figures: roll-up state, targets, actuals, months, the member's own contributions,
    # the leading organisations and the two breakdowns.
    KpiViewSet: 8,
}

# Models of which the member user sees fewer rows than are built, and why.
SEEN_IN_PART = {
    Organization: "a member user sees its own organisation only",
    Expert: "the expert pool is for staff and leadership",
    MetricContribution: "a member user sees its own organisation's contributions only",
    MembershipApplication: "membership applications are for staff and leadership",
}

# API lists that are not a model's queryset: the model whose rows they show.
LISTED_MODEL = {KpiViewSet: MetricContribution}


# -- Row builders: one row visible to the member user's organisation, with its related records ---------------------


def _partner():
    return OrganizationFactory()


def build_organization(org, actor):
    new = OrganizationFactory()
    for target in (new, org):
        MembershipEvent.objects.create(
            organization=target,
            action="admit",
            from_status="applied",
            to_status="admitted",
            date=date(2025, 1, 10),
            actor=actor,
        )
    return new


def build_agreement(org, actor):
    agreement = AgreementFactory(organization=org, parties=[_partner(), _partner()])
    AgreementEvent.objects.create(agreement=agreement, action="create", to_status="draft", actor=actor)
    AgreementEvent.objects.create(
        agreement=agreement, action="submit", from_status="draft", to_status="submitted", actor=actor
    )
    return agreement


def build_project(org, actor):
    # Led by another organisation, the member's one of its partners.
    project = ProjectFactory(lead_organization=_partner(), partners=[org, _partner()])
    ProjectEvent.objects.create(
        project=project, action="propose", to_status="proposed", date=date(2025, 1, 1), actor=actor
    )
    Milestone.objects.create(project=project, title="中试装置调试完成", due_on=date(2025, 9, 30))
    return project


def build_platform(org, actor):
    project = ProjectFactory(lead_organization=org)
    return PlatformFactory(lead_organization=org, organizations=[_partner(), _partner()], project=project)


def build_expert(org, actor):
    expert = ExpertFactory(organization=_partner())
    ExpertReviewFactory(expert=expert, score=Decimal(80), risk="low", project__lead_organization=org, assigned_by=actor)
    ExpertReviewFactory(expert=expert, project__lead_organization=org, assigned_by=actor)
    return expert


def build_order_class(org, actor):
    order_class = OrderClassFactory(school=org, enterprise=_partner(), agreement=build_agreement(org, actor))
    GuestProfessorFactory(order_class=order_class)
    GuestProfessorFactory(order_class=order_class)
    return order_class


def build_guest_professor(org, actor):
    return GuestProfessorFactory(order_class=OrderClassFactory(school=org, enterprise=_partner()))


def build_session(org, actor):
    # Given by another school for the member's organisation and one more beneficiary.
    place = PlatformFactory(lead_organization=_partner())
    session = TrainingSessionFactory(provider=SchoolFactory(), beneficiaries=[org, _partner()], place=place)
    build_import(session, actor)
    return session


def build_import(session, actor):
    batch = TraineeImport.objects.create(
        session=session,
        uploaded_by=actor,
        confirmed_by=actor,
        confirmed_at=timezone.now(),
        file_name="学员名单.xlsx",
        file_format="xlsx",
        row_count=2,
        status="confirmed",
    )
    for _ in range(2):
        TraineeFactory(session=session, import_batch=batch)
    session.trainee_count = session.trainees.count()
    session.save(update_fields=["trainee_count"])
    return batch


def build_trainee(org, actor):
    session = TrainingSessionFactory(provider=org, beneficiaries=[_partner()])
    return build_import(session, actor).trainees.first()


def build_trainee_import(org, actor):
    return build_import(TrainingSessionFactory(provider=org), actor)


def build_teacher(org, actor):
    teacher = TeacherFactory(school=org)
    session = TrainingSessionFactory(provider=org)
    DualTeacherTrainingFactory(teacher=teacher, session=session, provider=_partner())
    EnterprisePracticeFactory(teacher=teacher, enterprise=_partner())
    DualTeacherRecognitionFactory(teacher=teacher)
    return teacher


def build_dual_training(org, actor):
    return DualTeacherTrainingFactory(
        teacher=TeacherFactory(school=org), session=TrainingSessionFactory(provider=org), provider=_partner()
    )


def build_practice(org, actor):
    return EnterprisePracticeFactory(teacher=TeacherFactory(school=org), enterprise=_partner())


def build_recognition(org, actor):
    return DualTeacherRecognitionFactory(teacher=TeacherFactory(school=org))


def build_visit(org, actor):
    return ExchangeVisitFactory(visiting_organization=_partner(), visited=[org, _partner()])


def build_contribution(org, actor):
    """One more organisation's contributions to every metric of the year (and the member's own, once)."""
    year = timezone.localdate().year
    new = _partner()
    for metric in figures.METRICS:
        MetricContribution.objects.create(year=year, metric=metric.code, organization=new, value=Decimal(3), run=1)
        MetricContribution.objects.get_or_create(
            year=year, metric=metric.code, organization=org, defaults={"value": Decimal(5), "run": 1}
        )
    return new


def build_application(org, actor):
    """A decided application with its documents and the organisation it became."""
    application = MembershipApplication.objects.create(
        name=f"申请单位{MembershipApplication.objects.count()}",
        credit_code=OrganizationFactory.build().credit_code,
        kind="enterprise",
        contact_name="联系人",
        contact_phone="0931-1234567",
        contact_email="apply@example.com",
        status="admitted",
        decided_by=actor,
        organization=_partner(),
    )
    for name in ("营业执照.pdf", "申请书.pdf"):
        ApplicationDocument.objects.create(
            application=application,
            file="applications/x.pdf",
            original_name=name,
            content_type="application/pdf",
            size=9,
        )
    return application


def build_user(org, actor):
    """A user of the member's organisation (an organisation administrator's list)."""
    return UserFactory(role="member", organization=org)


ROW_BUILDERS = {
    MembershipApplication: build_application,
    User: build_user,
    Organization: build_organization,
    Agreement: build_agreement,
    Project: build_project,
    Platform: build_platform,
    Expert: build_expert,
    OrderClass: build_order_class,
    GuestProfessor: build_guest_professor,
    TrainingSession: build_session,
    Trainee: build_trainee,
    TraineeImport: build_trainee_import,
    Teacher: build_teacher,
    DualTeacherTraining: build_dual_training,
    EnterprisePractice: build_practice,
    DualTeacherRecognition: build_recognition,
    ExchangeVisit: build_visit,
    MetricContribution: build_contribution,
}


# -- Discovery --------------------------------------------------------------------------------------------------------


def _page_lists(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue
            yield from _page_lists(p.url_patterns, f"{prefix}{p.namespace}:" if p.namespace else prefix)
        elif isinstance(p, URLPattern) and p.name:
            view = getattr(p.callback, "view_class", None)
            if isinstance(view, type) and issubclass(view, PortalListView):
                yield prefix + p.name, view


def page_lists():
    return sorted(set(_page_lists(get_resolver().url_patterns)), key=lambda item: item[0])


def api_lists():
    return [(prefix, viewset, basename) for prefix, viewset, basename in router.registry]


def listed_model(viewset):
    queryset = getattr(viewset, "queryset", None)
    return queryset.model if queryset is not None else LISTED_MODEL.get(viewset)


PAGES = page_lists()
APIS = api_lists()


# -- Measuring --------------------------------------------------------------------------------------------------------


def count_queries(client, url):
    """The queries of one request, after a first one that does the session's one-off work (sign-in
    records, the per-user navigation figures)."""
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)  # an export queries while it streams
    return response.status_code, [q["sql"] for q in ctx.captured_queries]


def _shape(sql):
    """A statement without its literals, so the same query with other values counts as the same."""
    sql = re.sub(r"\b\d+\b", "N", re.sub(r"'[^']*'", "?", sql))
    return re.sub(r"IN \([N?, ]*\)", "IN (…)", sql)


def describe(few, many):
    """The statements that ran more often with more rows: the ones a missing select/prefetch repeats."""
    few, many = [_shape(q) for q in few], [_shape(q) for q in many]
    grown = sorted({q for q in many if many.count(q) > few.count(q)}, key=many.count, reverse=True)
    shown = "\n".join(f"  ×{many.count(q)} (was ×{few.count(q)}): {q[:300]}" for q in grown[:5])
    return shown or "\n".join(f"  {q[:300]}" for q in many[-5:])


def build_rows(model, n, org, actor):
    builder = ROW_BUILDERS.get(model)
    assert builder is not None, (
        f"{model._meta.label} has a list page or API list but no row builder: add one to ROW_BUILDERS in "
        f"tests/test_list_queries.py so that its query count is pinned"
    )
    for _ in range(n):
        builder(org, actor)


def check_flat(client, user, urls, model, org, actor, ceiling, expected_status=(200,)):
    """Build FEW rows, measure every URL, build up to MANY rows, measure again: the same count, under the ceiling."""
    build_rows(model, FEW, org, actor)
    few = {url: count_queries(client, url) for url in urls}
    build_rows(model, MANY - FEW, org, actor)
    visible = model.objects.for_user(user).count()
    assert visible >= MANY or model in SEEN_IN_PART, f"{user} sees {visible} {model._meta.label} rows of {MANY}"
    many = {url: count_queries(client, url) for url in urls}
    problems = []
    for url in urls:
        (status_few, q_few), (status_many, q_many) = few[url], many[url]
        limit = ceiling(url)
        if status_few not in expected_status or status_many != status_few:
            problems.append(f"{url}: status {status_few}/{status_many}, expected one of {expected_status}")
        elif len(q_many) != len(q_few):
            problems.append(
                f"{url}: {len(q_few)} queries for {FEW} rows but {len(q_many)} for {MANY} — "
                f"declare select_related/prefetch_related on its view:\n{describe(q_few, q_many)}"
            )
        elif len(q_many) > limit:
            problems.append(
                f"{url}: {len(q_many)} queries, more than the ceiling of {limit}:\n{describe(q_many, q_many)}"
            )
    assert not problems, "\n".join(problems)


# -- Tests ------------------------------------------------------------------------------------------------------------


def test_lists_are_discovered():
    """A broken walk of the URLs or the router would otherwise test nothing and pass."""
    assert len(PAGES) >= 10 and len(APIS) >= 16, (PAGES, APIS)


def test_every_list_has_a_row_builder():
    models = {view.model for _name, view in PAGES} | {listed_model(viewset) for _p, viewset, _b in APIS}
    nameless = [viewset.__name__ for _p, viewset, _b in APIS if listed_model(viewset) is None]
    assert not nameless, f"API lists without a model: name the model they show in LISTED_MODEL: {nameless}"
    missing = sorted(m._meta.label for m in models if m not in ROW_BUILDERS)
    assert not missing, f"lists whose model has no row builder in ROW_BUILDERS: {missing}"


@pytest.mark.parametrize("role", ["staff", "member"])
@pytest.mark.parametrize("name,view", PAGES, ids=[name for name, _view in PAGES])
def test_list_page_queries_do_not_grow_with_rows(name, view, role, users, org):
    client = login(users[role])
    url = reverse(name)
    urls = [url] + ([url + "?export=csv"] if view.export_fields else [])
    # A list closed to members (the expert pool) answers the member 403 at any size.
    expected = (200,) if role == "staff" else (200, 403)

    def ceiling(u):
        return MAX_EXPORT_QUERIES if "export=" in u else MAX_QUERIES_OF.get(view, MAX_PAGE_QUERIES)

    check_flat(client, users[role], urls, view.model, org, users["staff"], ceiling, expected)


@pytest.mark.parametrize("role", ["staff", "member"])
@pytest.mark.parametrize("prefix,viewset,basename", APIS, ids=[prefix for prefix, _v, _b in APIS])
def test_api_list_queries_do_not_grow_with_rows(prefix, viewset, basename, role, users, org):
    client = api_login(users[role])
    url = reverse(f"{basename}-list")
    assert url.rstrip("/").endswith(prefix)
    limit = MAX_QUERIES_OF.get(viewset, MAX_API_QUERIES)
    check_flat(client, users[role], [url], listed_model(viewset), org, users["staff"], lambda _u: limit)
