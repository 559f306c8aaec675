"""Nothing a user did is doubled: each create is made once, on the web and the API, whether the
same submission arrives twice in a row or twice at the same moment."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from rest_framework.test import APIClient

from consortium import submissions
from consortium.models import SubmissionKey
from members.demo import synthetic_credit_code
from members.models import Organization
from training.models import TrainingSession

SESSION_FORM = {
    "title": "化工总控工职业技能培训",
    "kind": "vocational_skill",
    "starts_at": "2025-05-01T09:00",
    "ends_at": "2025-05-03T17:00",
    "hours": "24",
    "declared_headcount": "40",
    "status": "held",
}
SESSION_JSON = {
    "title": "化工总控工职业技能培训",
    "kind": "vocational_skill",
    "starts_at": "2025-05-01T09:00:00+08:00",
    "ends_at": "2025-05-03T17:00:00+08:00",
    "declared_headcount": 40,
}


def _web_form(org):
    return {**SESSION_FORM, "provider": org.pk}


@pytest.mark.django_db
def test_the_create_form_carries_a_one_time_key(client_for):
    page = client_for("staff").get("/training/sessions/add/")
    key = page.context["submission_key"]
    assert submissions.valid_key(key)
    assert f'name="_submission_key" value="{key}"' in page.content.decode()


@pytest.mark.django_db
def test_a_form_posted_twice_makes_one_session_and_shows_it(client_for, org):
    client = client_for("staff")
    data = {**_web_form(org), "_submission_key": submissions.new_key()}
    first = client.post("/training/sessions/add/", data)
    second = client.post("/training/sessions/add/", data, follow=True)
    assert TrainingSession.objects.count() == 1
    session = TrainingSession.objects.get()
    assert first.status_code == 302 and first["Location"] == session.get_absolute_url()
    assert second.redirect_chain[-1][0] == session.get_absolute_url()
    assert "已经提交过" in second.content.decode()


@pytest.mark.django_db
def test_a_key_is_not_used_up_by_a_form_with_errors(client_for, org):
    client = client_for("staff")
    key = submissions.new_key()
    bad = client.post("/training/sessions/add/", {**_web_form(org), "title": "", "_submission_key": key})
    assert bad.status_code == 200 and bad.context["submission_key"] == key
    assert client.post("/training/sessions/add/", {**_web_form(org), "_submission_key": key}).status_code == 302
    assert TrainingSession.objects.count() == 1


@pytest.mark.django_db
def test_two_forms_without_keys_still_make_two_sessions(client_for, org):
    client = client_for("staff")
    client.post("/training/sessions/add/", _web_form(org))
    client.post("/training/sessions/add/", _web_form(org))
    assert TrainingSession.objects.count() == 2


@pytest.mark.django_db
def test_an_api_create_repeated_with_its_key_is_made_once(api_for, org):
    client = api_for("staff")
    body = {**SESSION_JSON, "provider": org.pk}
    first = client.post("/api/v1/training-sessions/", body, format="json", HTTP_IDEMPOTENCY_KEY="retry-0001")
    again = client.post("/api/v1/training-sessions/", body, format="json", HTTP_IDEMPOTENCY_KEY="retry-0001")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert TrainingSession.objects.count() == 1


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_a_422(api_for, org):
    client = api_for("staff")
    body = {**SESSION_JSON, "provider": org.pk}
    client.post("/api/v1/training-sessions/", body, format="json", HTTP_IDEMPOTENCY_KEY="retry-0002")
    other = client.post(
        "/api/v1/training-sessions/", {**body, "title": "另一场培训"}, format="json", HTTP_IDEMPOTENCY_KEY="retry-0002"
    )
    assert other.status_code == 422
    assert TrainingSession.objects.count() == 1


@pytest.mark.django_db
def test_a_refused_create_does_not_use_up_its_key(api_for, org):
    client = api_for("staff")
    bad = client.post(
        "/api/v1/training-sessions/",
        {**SESSION_JSON, "provider": org.pk, "title": ""},
        format="json",
        HTTP_IDEMPOTENCY_KEY="retry-0003",
    )
    assert bad.status_code == 400
    assert not SubmissionKey.objects.exists()
    good = client.post(
        "/api/v1/training-sessions/",
        {**SESSION_JSON, "provider": org.pk},
        format="json",
        HTTP_IDEMPOTENCY_KEY="retry-0003",
    )
    assert good.status_code == 201


@pytest.mark.django_db
def test_keys_belong_to_their_user(api_for, users, org):
    body = {**SESSION_JSON, "provider": org.pk}
    api_for("staff").post("/api/v1/training-sessions/", body, format="json", HTTP_IDEMPOTENCY_KEY="shared-key-1")
    response = api_for("admin").post(
        "/api/v1/training-sessions/", body, format="json", HTTP_IDEMPOTENCY_KEY="shared-key-1"
    )
    assert response.status_code == 201
    assert TrainingSession.objects.count() == 2


@pytest.mark.django_db
def test_a_malformed_key_is_a_400(api_for, org):
    response = api_for("staff").post(
        "/api/v1/training-sessions/", {**SESSION_JSON, "provider": org.pk}, format="json", HTTP_IDEMPOTENCY_KEY="x"
    )
    assert response.status_code == 400
    assert TrainingSession.objects.count() == 0


# --- at the same moment (PostgreSQL: real concurrent transactions) --------------------------


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")


def _together(calls, barrier_at=None):
    """Run the calls in threads; ``barrier_at`` is patched so every thread reaches it before any goes on."""
    results = [None] * len(calls)

    def run(i):
        try:
            results[i] = calls[i]()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.fixture
def meet(monkeypatch):
    """meet(obj, name, n): n threads wait for each other before obj.name runs (both past validation)."""

    def patch(obj, name, n):
        barrier = threading.Barrier(n, timeout=10)
        original = getattr(obj, name)

        def waiting(*args, **kwargs):
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass
            return original(*args, **kwargs)

        monkeypatch.setattr(obj, name, waiting)

    return patch


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_api_posts_with_one_key_make_one_record(postgres_only, users, org, meet):
    meet(submissions, "claim", 2)
    body = {**SESSION_JSON, "provider": org.pk}

    def post():
        client = APIClient()
        client.force_authenticate(users["staff"])
        return client.post("/api/v1/training-sessions/", body, format="json", HTTP_IDEMPOTENCY_KEY="twin-0001")

    first, second = _together([post, post])
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert TrainingSession.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_form_posts_with_one_key_make_one_record(postgres_only, users, org, meet):
    meet(submissions, "claim", 2)
    data = {**_web_form(org), "_submission_key": submissions.new_key()}

    def post():
        client = Client()
        client.force_login(users["staff"])
        return client.post("/training/sessions/add/", data)

    responses = _together([post, post])
    assert [r.status_code for r in responses] == [302, 302]
    assert TrainingSession.objects.count() == 1
    assert {r["Location"] for r in responses} == {TrainingSession.objects.get().get_absolute_url()}


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_new_organisations_give_one_row_and_one_form_error(postgres_only, users, meet):
    meet(Organization, "save", 2)
    data = {
        "name": "兰州新区石化投资有限公司",
        "credit_code": synthetic_credit_code("石化投资", "enterprise"),
        "kind": "enterprise",
        "council_role": "member",
    }

    def post():
        client = Client()
        client.force_login(users["staff"])
        return client.post("/members/organizations/add/", data)

    responses = _together([post, post])
    assert sorted(r.status_code for r in responses) == [200, 302]
    refused = next(r for r in responses if r.status_code == 200)
    assert "credit_code" in refused.context["form"].errors or refused.context["form"].non_field_errors()
    assert Organization.objects.filter(credit_code=data["credit_code"]).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_api_organisations_give_one_row_and_one_400(postgres_only, users, meet):
    meet(Organization, "save", 2)
    data = {
        "name": "兰州新区化工热电有限公司",
        "credit_code": synthetic_credit_code("化工热电", "enterprise"),
        "kind": "enterprise",
    }

    def post():
        client = APIClient()
        client.force_authenticate(users["staff"])
        return client.post("/api/v1/organizations/", data, format="json")

    responses = _together([post, post])
    assert sorted(r.status_code for r in responses) == [201, 400]
    assert Organization.objects.filter(credit_code=data["credit_code"]).count() == 1
