import pytest
from rest_framework.authtoken.models import Token

from members.demo import synthetic_credit_code
from members.models import Organization

pytestmark = pytest.mark.django_db


def test_token_authentication_reads_the_member_view(member_user, org, other_org):
    from rest_framework.test import APIClient

    token = Token.objects.create(user=member_user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    data = client.get("/api/v1/organizations/").json()
    assert [o["name"] for o in data["results"]] == [org.name]


def test_the_token_endpoint_issues_a_token_for_valid_credentials(member_user):
    from rest_framework.test import APIClient

    response = APIClient().post("/api/v1/token/", {"username": "member", "password": "pw-Test-2025"})
    assert response.status_code == 200 and len(response.json()["token"]) == 40


def test_the_api_filters_with_the_same_filterset_as_the_list_page(api_for, org, other_org):
    data = api_for("leadership").get("/api/v1/organizations/", {"kind": "enterprise"}).json()
    assert [o["name"] for o in data["results"]] == [other_org.name]


def test_the_api_refuses_a_wrong_check_character_with_a_chinese_error(api_for):
    code = synthetic_credit_code("接口测试", "enterprise")
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    response = api_for("staff").post(
        "/api/v1/organizations/",
        {"name": "接口测试有限公司", "credit_code": wrong, "kind": "enterprise"},
        format="json",
    )
    assert response.status_code == 400
    assert "校验位错误" in response.json()["credit_code"][0]
    assert not Organization.objects.filter(name="接口测试有限公司").exists()


def test_the_api_cannot_change_the_membership_status_directly(api_for, other_org):
    response = api_for("staff").patch(f"/api/v1/organizations/{other_org.pk}/", {"status": "expelled"}, format="json")
    assert response.status_code == 200
    other_org.refresh_from_db()
    assert other_org.status == "admitted"


def test_the_openapi_schema_and_docs_load_no_cdn(client_for):
    client = client_for("member")
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    docs = client.get("/api/docs/").content.decode()
    assert "cdn" not in docs.lower() and "unpkg" not in docs and "jsdelivr" not in docs


@pytest.mark.parametrize("rows", [5, 50])
def test_the_api_list_uses_a_constant_number_of_queries(api_for, django_assert_max_num_queries, rows):
    from tests.factories import OrganizationFactory

    OrganizationFactory.create_batch(rows)
    client = api_for("staff")
    with django_assert_max_num_queries(4):
        assert client.get("/api/v1/organizations/").status_code == 200


def test_deleting_an_organisation_others_refer_to_is_a_409_naming_them(api_for, org, other_org):
    from tests.projects.factories import AgreementFactory

    AgreementFactory(organization=other_org, parties=[org])
    response = api_for("staff").delete(f"/api/v1/organizations/{other_org.pk}/")
    assert response.status_code == 409
    assert "合作协议" in response.json()["detail"]
    assert Organization.objects.filter(pk=other_org.pk).exists()


def test_a_delete_page_says_in_chinese_what_still_refers_to_the_record(client_for, org, other_org, monkeypatch):
    from django.db.models import ProtectedError

    from projects.models import Agreement
    from tests.projects.factories import AgreementFactory, ProjectFactory

    agreement = AgreementFactory(organization=other_org, parties=[org])
    referring = ProjectFactory(lead_organization=org)

    def protected(self, *args, **kwargs):
        raise ProtectedError("still referred to", {referring})

    monkeypatch.setattr(Agreement, "delete", protected)
    response = client_for("staff").post(f"/projects/agreements/{agreement.pk}/delete/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "无法删除" in body and "校企合作项目 1" in body
    assert Agreement.objects.filter(pk=agreement.pk).exists()
