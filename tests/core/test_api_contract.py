"""The API answers as its schema says: status codes, error bodies and what /api/schema/ states."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client_for):
    return client_for("staff").get("/api/schema/?format=json").json()


def test_a_missing_or_bad_token_is_a_401_asking_for_a_token(db):
    client = APIClient()
    assert client.get("/api/v1/organizations/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = client.get("/api/v1/organizations/")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"


def test_an_unknown_api_path_is_a_json_404(api_for):
    response = api_for("staff").get("/api/v1/no-such-thing/")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


@pytest.mark.parametrize(
    "query",
    ["is_specialized_sme=maybe", "ordering=credit_code", "page_size=500", "page_size=0", "page=abc"],
)
def test_a_bad_query_parameter_is_a_400_not_ignored(api_for, query):
    assert api_for("staff").get(f"/api/v1/organizations/?{query}").status_code == 400


def test_page_size_pages_a_list(api_for, org, other_org):
    data = api_for("staff").get("/api/v1/organizations/?page_size=1&ordering=-name").json()
    assert data["count"] == 2 and len(data["results"]) == 1 and data["next"]


def test_the_schema_says_what_the_token_endpoint_does(schema):
    token = schema["paths"]["/api/v1/token/"]["post"]
    assert not token.get("security")  # open to anyone with the right password
    assert token["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Token")
    assert "token" in schema["components"]["schemas"]["Token"]["properties"]


def test_the_schema_documents_transitions_as_returning_the_record(schema):
    for path, record in (("agreements", "Agreement"), ("projects", "Project")):
        ok = schema["paths"][f"/api/v1/{path}/{{id}}/transition/"]["post"]["responses"]["200"]
        assert ok["content"]["application/json"]["schema"]["$ref"].endswith(f"/{record}")


def test_the_schema_marks_nullable_fields_and_file_uploads(schema):
    components = schema["components"]["schemas"]
    assert components["AgreementEvent"]["properties"]["actor"].get("nullable") is True
    assert components["OrderClass"]["properties"]["employment_rate"].get("nullable") is True
    create = schema["paths"]["/api/v1/agreements/"]["post"]["requestBody"]["content"]
    assert list(create) == ["multipart/form-data"]
    assert components["AgreementRequest"]["properties"]["scan"]["format"] == "binary"
    # A body without a file is JSON only, and a create needs no id or status.
    assert list(schema["paths"]["/api/v1/organizations/"]["post"]["requestBody"]["content"]) == ["application/json"]
    assert "id" not in components["OrganizationRequest"]["properties"]


def test_the_schema_lists_no_create_for_trainee_imports(schema):
    assert "post" not in schema["paths"]["/api/v1/trainee-imports/"]


def test_the_schema_gives_ordering_as_an_enum_and_ids_as_integers(schema):
    listing = schema["paths"]["/api/v1/organizations/"]["get"]
    ordering = next(p for p in listing["parameters"] if p["name"] == "ordering")
    assert "-name" in ordering["schema"]["enum"]
    detail = schema["paths"]["/api/v1/organizations/{id}/"]["get"]
    assert detail["parameters"][0]["schema"]["type"] == "integer"
    assert "401" in detail["responses"] and "404" in detail["responses"]
