"""Every link a user makes stays inside what they may see.

The fields are discovered, not listed: every writable relation of every serializer the API
routes to, and every model choice field of every form of the portal's apps. For each, a member
user tries the id of another organisation's private record: it is refused with the same answer as
an id that does not exist (no existence oracle), and the end-to-end tests below show that nothing
is stored.
"""

import inspect
from importlib import import_module

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from rest_framework import serializers

from consortium.access import USE, usable_by
from consortium.api_urls import router
from projects.models import Agreement, AgreementStatus, Platform
from tests.conftest import api_login, login
from tests.factories import OrganizationFactory, SchoolFactory
from tests.projects.factories import AgreementFactory, ExpertFactory, PlatformFactory, ProjectFactory
from tests.training.factories import (
    DualTeacherTrainingFactory,
    OrderClassFactory,
    TeacherFactory,
    TrainingSessionFactory,
)
from training.models import DualTeacherTraining, OrderClass, TrainingSession

MISSING_PK = 987654321
PROJECT_APPS = ("consortium", "members", "projects", "training", "dashboards")


@pytest.fixture
def hidden(db, org, other_org):
    """Private records of organisations the member (a user of ``org``) has nothing to do with."""
    third_school = SchoolFactory(name="甘肃交通职业技术学院")
    session = TrainingSessionFactory(provider=other_org, title="兰石集团内部岗位培训")
    order_class = OrderClassFactory(enterprise=other_org, school=third_school, name="兰石订单班（交院）")
    teacher = TeacherFactory(school=third_school, name="王建国")
    twin = TeacherFactory(school=third_school, name="王建国")
    records = [
        AgreementFactory(organization=other_org, parties=[third_school], title="兰石集团保密协议"),
        ProjectFactory(lead_organization=other_org, title="兰石集团内部研发项目"),
        PlatformFactory(lead_organization=other_org, name="兰石集团内部实验室"),
        session,
        order_class,
        teacher,
        DualTeacherTrainingFactory(teacher=teacher, session=session),
        ExpertFactory(),
    ]
    found = {type(r): r for r in records}
    found["keep"] = twin  # a merge form opened on the twin would offer the teacher as its duplicate
    return found


def _hidden_record(model, hidden, member):
    """A record of ``model`` the member may not use, or None when the model declares every row usable."""
    everything = model._default_manager.all()
    usable = usable_by(everything, member)
    record = hidden.get(model)
    if record is None:
        record = everything.exclude(pk__in=usable.values("pk")).first()
    if record is None and usable.count() == everything.count() and everything.exists():
        # Public by the model's own rule (Organization.use_q: who the members are is public).
        assert model._default_manager.all().for_user(member, USE).count() == everything.count()
        return None
    assert record is not None, f"add a private record of {model.__name__} to the hidden fixture"
    assert not usable.filter(pk=record.pk).exists(), f"{model.__name__} #{record.pk} should not be usable"
    return record


# --- discovery ---------------------------------------------------------------


def api_serializers():
    """(label, serializer class) for every serializer a routed viewset or its actions use."""
    found = {}
    for _prefix, viewset, _basename in router.registry:
        classes = [getattr(viewset, "serializer_class", None)]
        for extra in viewset.get_extra_actions():
            classes.append(extra.kwargs.get("serializer_class"))
        for cls in classes:
            if cls is not None:
                found[f"{cls.__module__}.{cls.__name__}"] = cls
    return sorted(found.items())


def writable_relations(serializer):
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if isinstance(field, serializers.ManyRelatedField):
            yield name, field, field.child_relation.queryset.model, True
        elif isinstance(field, serializers.RelatedField):
            yield name, field, field.queryset.model, False


def portal_forms():
    """(label, form class) for every form class defined in the portal's apps' forms modules."""
    found = {}
    for app in PROJECT_APPS:
        module = import_module(f"{app}.forms")
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, forms.BaseForm) and obj.__module__ == module.__name__:
                found[f"{obj.__module__}.{obj.__name__}"] = obj
    return sorted(found.items())


def model_choice_fields(form_class):
    return [name for name, field in form_class.base_fields.items() if isinstance(field, forms.ModelChoiceField)]


def build_form(form_class, user, hidden):
    from consortium.forms import PortalForm, PortalModelForm

    assert issubclass(form_class, PortalForm | PortalModelForm), (
        f"{form_class.__name__} has model choice fields but does not know its user"
    )
    # A form opened on a record (the teacher to keep) gets one whose candidates are all hidden.
    params = inspect.signature(form_class.__init__).parameters
    context = {name: hidden[name] for name in params if name in hidden and isinstance(name, str)}
    return form_class(user=user, **context)


def _error_text(exc):
    detail = exc.detail
    if isinstance(detail, dict):
        detail = next(iter(detail.values()))
    while isinstance(detail, list | tuple):
        detail = detail[0] if len(detail) == 1 else detail
        if isinstance(detail, dict):
            detail = next(iter(detail.values()))
    return str(detail)


# --- the API -----------------------------------------------------------------


def test_discovery_finds_the_relations_that_leaked(db):
    fields = {
        (label.rsplit(".", 1)[1], name) for label, cls in api_serializers() for name, *_ in writable_relations(cls())
    }
    assert {
        ("OrderClassSerializer", "agreement"),
        ("DualTeacherTrainingSerializer", "session"),
        ("TrainingSessionSerializer", "place"),
        ("AgreementSerializer", "parties"),
    } <= fields
    form_fields = {
        (label.rsplit(".", 1)[1], name) for label, cls in portal_forms() for name in model_choice_fields(cls)
    }
    assert {
        ("TrainingSessionForm", "place"),
        ("OrderClassForm", "agreement"),
        ("DualTeacherTrainingForm", "session"),
    } <= form_fields


@pytest.mark.parametrize(
    ("label", "serializer_class"), api_serializers(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_api_relation_refuses_what_the_member_may_not_use(label, serializer_class, hidden, member_user):
    request = RequestFactory().post("/")
    request.user = member_user
    serializer = serializer_class(context={"request": request})
    for name, field, model, many in writable_relations(serializer):
        record = _hidden_record(model, hidden, member_user)
        if record is None:
            continue
        value = [record.pk] if many else record.pk
        missing = [MISSING_PK] if many else MISSING_PK
        with pytest.raises(serializers.ValidationError) as refused:
            field.run_validation(value)
        with pytest.raises(serializers.ValidationError) as absent:
            field.run_validation(missing)
        # The same answer as for an id that does not exist, but for the id itself.
        assert _error_text(refused.value).replace(str(record.pk), "?") == _error_text(absent.value).replace(
            str(MISSING_PK), "?"
        ), (label, name)


@pytest.mark.parametrize(
    ("label", "form_class"),
    [(label, cls) for label, cls in portal_forms() if model_choice_fields(cls)],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_every_form_picker_offers_only_what_the_member_may_use(label, form_class, hidden, member_user):
    form = build_form(form_class, member_user, hidden)
    for name in model_choice_fields(form_class):
        if name not in form.fields:
            continue  # the form takes the field away from members (their own organisation is set)
        field = form.fields[name]
        record = _hidden_record(field.queryset.model, hidden, member_user)
        if record is None:
            continue
        assert not field.queryset.filter(pk=record.pk).exists(), (label, name)
        offered = {str(value) for value, _label in field.choices if value != ""}
        assert str(record.pk) not in offered, (label, name)
        many = isinstance(field, forms.ModelMultipleChoiceField)
        with pytest.raises(ValidationError) as refused:
            field.clean([str(record.pk)] if many else str(record.pk))
        with pytest.raises(ValidationError) as absent:
            field.clean([str(MISSING_PK)] if many else str(MISSING_PK))
        assert refused.value.code == absent.value.code == "invalid_choice", (label, name)


def test_a_picker_narrowed_later_by_its_form_stays_narrowed(hidden, member_user, org):
    from training.forms import TrainingSessionForm

    own = PlatformFactory(lead_organization=org, name="石化大学实训基地")
    form = TrainingSessionForm(user=member_user)
    form.fields["place"].queryset = Platform.objects.all()  # a form that widens it again
    assert list(form.fields["place"].queryset) == [own]


def test_staff_pickers_offer_every_record(hidden, staff_user):
    from training.forms import TrainingSessionForm

    form = TrainingSessionForm(user=staff_user)
    assert form.fields["place"].queryset.filter(pk=hidden[Platform].pk).exists()


def test_the_checks_can_fail_without_the_narrowing(hidden, member_user, monkeypatch):
    """With usable_by switched off, the other organisation's platform is offered and accepted."""
    import consortium.forms

    monkeypatch.setattr(consortium.forms, "usable_by", lambda queryset, user: queryset)
    from training.forms import TrainingSessionForm

    form = TrainingSessionForm(user=member_user)
    assert form.fields["place"].clean(str(hidden[Platform].pk)) == hidden[Platform]


# --- end to end: refused, nothing stored -------------------------------------


def _counts():
    return (OrderClass.objects.count(), DualTeacherTraining.objects.count(), TrainingSession.objects.count())


def test_member_cannot_link_an_order_class_to_another_orgs_agreement(hidden, member_user, org, other_org):
    before = _counts()
    response = api_login(member_user).post(
        "/api/v1/order-classes/",
        {
            "name": "兰石订单班2026级",
            "enterprise": other_org.pk,
            "school": org.pk,
            "major": "化工技术",
            "intake_year": 2026,
            "agreement": hidden[Agreement].pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "agreement" in response.json()
    assert hidden[Agreement].title not in response.content.decode()
    assert _counts() == before


def test_member_cannot_tie_a_dual_training_to_another_orgs_session(hidden, member_user, org):
    teacher = TeacherFactory(school=org)
    before = _counts()
    response = api_login(member_user).post(
        "/api/v1/dual-teacher-trainings/",
        {
            "teacher": teacher.pk,
            "completed_on": "2025-07-01",
            "session": hidden[TrainingSession].pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "session" in response.json()
    assert _counts() == before


def test_member_cannot_hold_a_session_at_another_orgs_platform(hidden, member_user, org):
    before = _counts()
    response = api_login(member_user).post(
        "/api/v1/training-sessions/",
        {
            "title": "化工安全培训",
            "kind": "vocational_skill",
            "provider": org.pk,
            "starts_at": "2025-05-01T09:00:00+08:00",
            "ends_at": "2025-05-01T17:00:00+08:00",
            "declared_headcount": 20,
            "place": hidden[Platform].pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "place" in response.json()
    assert _counts() == before


def test_the_web_session_form_refuses_another_orgs_platform(hidden, member_user, org):
    before = _counts()
    client = login(member_user)
    page = client.get("/training/sessions/add/")
    assert page.status_code == 200
    assert hidden[Platform].name not in page.content.decode()
    response = client.post(
        "/training/sessions/add/",
        {
            "title": "化工安全培训",
            "kind": "vocational_skill",
            "provider": org.pk,
            "starts_at": "2025-05-01T09:00",
            "ends_at": "2025-05-01T17:00",
            "hours": "8",
            "declared_headcount": 20,
            "status": "held",
            "place": hidden[Platform].pk,
        },
    )
    assert response.status_code == 200
    assert "place" in response.context["form"].errors
    assert _counts() == before


def test_a_forbidden_id_and_a_missing_id_get_the_same_api_answer(hidden, member_user, org, other_org):
    client = api_login(member_user)
    payload = {"name": "订单班", "enterprise": other_org.pk, "school": org.pk, "major": "化工技术", "intake_year": 2026}
    forbidden = client.post("/api/v1/order-classes/", {**payload, "agreement": hidden[Agreement].pk}, format="json")
    missing = client.post("/api/v1/order-classes/", {**payload, "agreement": MISSING_PK}, format="json")
    assert forbidden.status_code == missing.status_code == 400
    assert forbidden.json()["agreement"][0].replace(str(hidden[Agreement].pk), "?") == missing.json()["agreement"][
        0
    ].replace(str(MISSING_PK), "?")


# --- agreement parties: checked against the stored registering organisation ---


@pytest.mark.parametrize("method", ["patch", "put"])
def test_member_cannot_drop_their_own_organisation_from_the_parties(method, member_user, org, other_org):
    third = OrganizationFactory(name="爱玛科技集团")
    agreement = AgreementFactory(organization=org, parties=[other_org], status=AgreementStatus.DRAFT)
    payload = {"organization": other_org.pk, "parties": [other_org.pk, third.pk]}
    if method == "put":
        payload.update(
            kind=agreement.kind,
            title=agreement.title,
            signed_on="2025-03-01",
            start_date="2025-03-01",
            end_date="2028-02-28",
        )
    response = getattr(api_login(member_user), method)(f"/api/v1/agreements/{agreement.pk}/", payload, format="json")
    assert response.status_code == 400, response.content
    assert "parties" in response.json()
    agreement.refresh_from_db()
    assert agreement.organization == org
    assert set(agreement.parties.values_list("pk", flat=True)) == {org.pk, other_org.pk}


def test_member_may_still_change_the_other_parties(member_user, org, other_org):
    third = OrganizationFactory(name="海亮新能源")
    agreement = AgreementFactory(organization=org, parties=[other_org], status=AgreementStatus.DRAFT)
    response = api_login(member_user).patch(
        f"/api/v1/agreements/{agreement.pk}/", {"parties": [org.pk, third.pk]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert set(agreement.parties.values_list("pk", flat=True)) == {org.pk, third.pk}


def test_the_web_form_keeps_the_members_organisation_among_the_parties(member_user, org, other_org):
    third = OrganizationFactory(name="兰州知豆")
    agreement = AgreementFactory(organization=org, parties=[other_org], status=AgreementStatus.DRAFT)
    response = login(member_user).post(
        f"/projects/agreements/{agreement.pk}/edit/",
        {
            "organization": other_org.pk,
            "kind": agreement.kind,
            "title": agreement.title,
            "parties": [other_org.pk, third.pk],
            "signed_on": "2025-03-01",
            "start_date": "2025-03-01",
            "end_date": "2028-02-28",
        },
    )
    assert response.status_code == 200
    assert "parties" in response.context["form"].errors
    assert set(agreement.parties.values_list("pk", flat=True)) == {org.pk, other_org.pk}


def test_every_model_with_an_access_rule_answers_use(db, member_user):
    from consortium.access import RestrictedQuerySet

    for model in apps.get_models():
        qs = model._default_manager.all()
        if isinstance(qs, RestrictedQuerySet):
            qs.for_user(member_user, USE).count()  # raises if a member_q cannot answer


def test_the_api_check_can_fail_without_the_narrowing(hidden, member_user, monkeypatch):
    """With usable_by switched off in the API footing, another organisation's agreement is accepted."""
    import consortium.api
    from training.api import OrderClassSerializer

    monkeypatch.setattr(consortium.api, "usable_by", lambda queryset, user: queryset)
    request = RequestFactory().post("/")
    request.user = member_user
    field = OrderClassSerializer(context={"request": request}).fields["agreement"]
    assert field.run_validation(hidden[Agreement].pk) == hidden[Agreement]
