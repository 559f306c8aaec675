"""Platforms a member registers: pending until staff confirm them, and counted only once confirmed."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from dashboards.metrics import REGISTRY
from members.models import Notification
from projects import services
from projects.models import Platform, PlatformStatus

from .factories import PlatformFactory
from .helpers import snapshot

pytestmark = pytest.mark.django_db
PLS = PlatformStatus


def platform_data(lead, *cobuilders, **extra):
    data = {
        "name": "化工安全虚拟仿真实训基地",
        "kind": "key_lab",
        "level": "regional",
        "lead_organization": lead.pk,
        "organizations": [o.pk for o in cobuilders],
        "established_on": "2025-05-20",
        "description": "",
    }
    data.update(extra)
    return data


def pending_of(org, **kwargs):
    return PlatformFactory(lead_organization=org, status=PLS.PENDING, registering_organization=org, **kwargs)


def test_a_member_registers_a_platform_that_counts_once_staff_confirm_it(
    client_for, org, other_org, member_user, staff_user
):
    member = client_for("member")
    # Another member leads; the registering school is a co-builder whatever the form said.
    response = member.post(reverse("projects:platform_add"), platform_data(other_org))
    assert response.status_code == 302
    platform = Platform.objects.get()
    assert (platform.status, platform.registering_organization, platform.created_by) == (PLS.PENDING, org, member_user)
    assert set(platform.organizations.all()) == {org, other_org}
    assert Notification.objects.get(user=staff_user).title == "新的共建平台待确认：化工安全虚拟仿真实训基地"
    key_labs = REGISTRY["key_labs"]
    assert key_labs.actual(2025) == 0 and key_labs.by_organization(2025) == {}

    # Still pending: the member may correct it.
    response = member.post(
        reverse("projects:platform_edit", args=[platform.pk]), platform_data(other_org, level="provincial")
    )
    assert response.status_code == 302
    platform.refresh_from_db()
    assert platform.level == "provincial"

    services.change_platform(platform.pk, "confirm", by=staff_user)
    platform.refresh_from_db()
    assert platform.status == PLS.CONFIRMED and platform.decided_by == staff_user
    assert Notification.objects.get(user=member_user).title == "共建平台“化工安全虚拟仿真实训基地”：确认平台"
    assert key_labs.actual(2025) == 1
    assert key_labs.by_organization(2025) == {org.pk: 1, other_org.pk: 1}

    # Confirmed: no longer the member's to change.
    before = snapshot()
    response = member.post(
        reverse("projects:platform_edit", args=[platform.pk]), platform_data(other_org, level="national")
    )
    assert response.status_code == 403
    assert "平台当前状态为“已确认”，成员单位不能再修改" in response.content.decode()
    assert snapshot() == before


def test_declining_needs_a_reason_and_the_member_reads_it(client_for, org, member_user, staff_user):
    platform = pending_of(org)
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        services.change_platform(platform.pk, "decline", by=staff_user, reason="")
    assert "“不予确认”必须填写原因。" in str(exc.value)
    assert snapshot() == before
    services.change_platform(platform.pk, "decline", by=staff_user, reason="认定文件缺失")
    platform.refresh_from_db()
    assert platform.status == PLS.DECLINED and platform.decline_reason == "认定文件缺失"
    assert Notification.objects.get(user=member_user).body == "认定文件缺失"
    assert "未予确认原因：认定文件缺失" in client_for("member").get(platform.get_absolute_url()).content.decode()
    assert REGISTRY["key_labs"].actual(2025) == 0


def test_confirming_twice_or_by_a_member_is_refused(org, member_user, staff_user):
    platform = PlatformFactory(lead_organization=org)  # staff's own entry: confirmed already
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        services.change_platform(platform.pk, "confirm", by=staff_user)
    assert "平台当前状态为“已确认”，不能确认平台。" in str(exc.value)
    pending = pending_of(org)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.change_platform(pending.pk, "confirm", by=member_user)
    assert snapshot() == before


def test_staff_entries_are_confirmed_at_once_and_count(org, client_for):
    response = client_for("staff").post(reverse("projects:platform_add"), platform_data(org))
    assert response.status_code == 302
    assert Platform.objects.get().status == PLS.CONFIRMED
    assert REGISTRY["key_labs"].actual(2025) == 1


def test_a_pending_platform_is_no_place_for_other_records(org, member_user):
    from consortium.access import USE

    pending = pending_of(org)
    confirmed = PlatformFactory(lead_organization=org, established_on=date(2025, 1, 1))
    usable = set(Platform.objects.for_user(member_user, USE))
    assert confirmed in usable and pending not in usable


def test_a_member_registers_through_the_api_as_pending(api_for, org, third_org):
    response = api_for("member").post(
        reverse("platform-list"),
        {k: v for k, v in platform_data(third_org).items() if k != "description"},
        format="json",
    )
    assert response.status_code == 201, response.content
    platform = Platform.objects.get()
    assert (platform.status, platform.registering_organization) == (PLS.PENDING, org)
    assert set(platform.organizations.all()) == {org, third_org}
    response = api_for("member").post(
        reverse("platform-transition", args=[platform.pk]), {"step": "confirm"}, format="json"
    )
    assert response.status_code == 403
    response = api_for("staff").post(
        reverse("platform-transition", args=[platform.pk]), {"step": "confirm"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == PLS.CONFIRMED
    response = api_for("member").patch(
        reverse("platform-detail", args=[platform.pk]), {"level": "national"}, format="json"
    )
    # Confirmed: the member still reads it but may no longer change it.
    assert response.status_code == 403
