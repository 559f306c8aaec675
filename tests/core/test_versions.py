"""Every changeable record has a version: a stale edit is refused on the API (412) and on the web form."""

import re

import pytest
from django.urls import reverse

from consortium import versions
from members.models import Organization

pytestmark = pytest.mark.django_db


def _detail(org):
    return reverse("organization-detail", args=[org.pk])


def test_the_api_answers_a_records_version_as_its_etag(api_for, other_org):
    response = api_for("staff").get(_detail(other_org))
    assert response.status_code == 200
    assert response["ETag"] == versions.etag(other_org)


def test_a_stale_put_is_refused_and_the_newer_edit_is_kept(api_for, other_org):
    api = api_for("staff")
    stale = api.get(_detail(other_org))
    stale_copy, stale_tag = stale.json(), stale["ETag"]

    # Someone else changes the address and contact first.
    first = api.patch(
        _detail(other_org),
        {"address": "兰州新区纬一路 8 号", "contact_name": "王新"},
        format="json",
        HTTP_IF_MATCH=stale_tag,
    )
    assert first.status_code == 200 and first["ETag"] != stale_tag

    # The second save, made from the older copy, would silently revert them: it is refused.
    stale_copy["description"] = "从旧副本修改"
    stale_copy.pop("membership_events")
    second = api.put(_detail(other_org), stale_copy, format="json", HTTP_IF_MATCH=stale_tag)
    assert second.status_code == 412
    assert "已被他人修改" in second.json()["detail"]
    other_org.refresh_from_db()
    assert (other_org.address, other_org.contact_name) == ("兰州新区纬一路 8 号", "王新")
    assert other_org.description != "从旧副本修改"

    # Made from the current version, the same change goes through.
    third = api.put(_detail(other_org), {**stale_copy, **first.json()}, format="json", HTTP_IF_MATCH=first["ETag"])
    assert third.status_code == 200


def test_a_stale_delete_is_refused(api_for, other_org):
    api = api_for("staff")
    tag = api.get(_detail(other_org))["ETag"]
    api.patch(_detail(other_org), {"contact_phone": "0931-1234567"}, format="json")
    assert api.delete(_detail(other_org), HTTP_IF_MATCH=tag).status_code == 412
    assert Organization.objects.filter(pk=other_org.pk).exists()


def test_the_schema_documents_if_match_and_the_412(client_for):
    schema = client_for("staff").get("/api/schema/?format=json").json()
    put = schema["paths"]["/api/v1/organizations/{id}/"]["put"]
    assert any(p["name"] == "If-Match" and p["in"] == "header" for p in put["parameters"])
    assert "412" in put["responses"] and "ETag" in put["responses"]["200"]["headers"]


def _edit_form(client, org):
    page = client.get(reverse("members:organization_edit", args=[org.pk])).content.decode()
    version = re.search(r'name="_version" value="([^"]+)"', page).group(1)
    return {
        "_version": version,
        "name": org.name,
        "credit_code": org.credit_code,
        "kind": org.kind,
        "industry_chain": org.industry_chain,
        "council_role": org.council_role,
        "address": org.address,
        "contact_name": org.contact_name,
        "description": org.description,
    }


def test_a_stale_web_edit_shows_what_changed_keeps_the_input_and_saves_nothing(client_for, api_for, other_org):
    client = client_for("staff")
    url = reverse("members:organization_edit", args=[other_org.pk])
    data = _edit_form(client, other_org)

    # Meanwhile another member of staff changes the address through the API.
    api_for("staff").patch(_detail(other_org), {"address": "兰州新区经二路 1 号"}, format="json")

    data["contact_name"] = "李工"
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "已被他人修改" in page and "兰州新区经二路 1 号" in page
    assert 'value="李工"' in page  # the user's input is still in the form
    other_org.refresh_from_db()
    assert other_org.contact_name != "李工" and other_org.address == "兰州新区经二路 1 号"

    # The form now carries the current version: saving again is deliberate and goes through.
    data["_version"] = re.search(r'name="_version" value="([^"]+)"', page).group(1)
    assert client.post(url, data).status_code == 302
    other_org.refresh_from_db()
    assert other_org.contact_name == "李工"


def test_a_web_edit_from_the_current_version_saves(client_for, other_org):
    client = client_for("staff")
    data = _edit_form(client, other_org)
    data["contact_name"] = "赵工"
    response = client.post(reverse("members:organization_edit", args=[other_org.pk]), data)
    assert response.status_code == 302
    other_org.refresh_from_db()
    assert other_org.contact_name == "赵工"


def test_a_forged_version_saves_nothing(client_for, other_org):
    client = client_for("staff")
    data = {**_edit_form(client, other_org), "_version": "forged", "contact_name": "钱工"}
    response = client.post(reverse("members:organization_edit", args=[other_org.pk]), data)
    assert response.status_code == 200 and "无法确认" in response.content.decode()
    other_org.refresh_from_db()
    assert other_org.contact_name != "钱工"
