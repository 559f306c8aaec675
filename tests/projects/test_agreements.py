from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from projects import services
from projects.models import Agreement, AgreementEvent, AgreementStatus

from .factories import PDF_BYTES, AgreementFactory, days_from_today
from .helpers import snapshot

pytestmark = pytest.mark.django_db


def form_data(org, parties, **extra):
    data = {
        "kind": "internship_base",
        "title": "学生实习实训基地共建协议",
        "parties": [p.pk for p in parties],
        "signed_on": "2025-04-01",
        "start_date": "2025-04-01",
        "end_date": "2028-03-31",
        "summary": "共建基地",
    }
    if org is not None:
        data["organization"] = org.pk
    data.update(extra)
    return data


def test_member_registers_an_agreement_for_their_own_organisation_as_a_draft(client_for, org, third_org, member_user):
    response = client_for("member").post(reverse("projects:agreement_add"), form_data(None, [org, third_org]))
    assert response.status_code == 302
    agreement = Agreement.objects.get()
    assert agreement.organization == org and agreement.status == AgreementStatus.DRAFT
    assert set(agreement.parties.all()) == {org, third_org}
    assert agreement.created_by == member_user
    assert list(agreement.events.values_list("action", flat=True)) == ["create"]


def test_a_member_cannot_register_an_agreement_for_another_organisation(client_for, org, other_org, third_org):
    client = client_for("member")
    before = snapshot()
    # The organisation field is not offered to members; a forged value is ignored and the parties rule bites.
    response = client.post(reverse("projects:agreement_add"), form_data(other_org, [other_org, third_org]))
    assert response.status_code == 200
    assert "协议各方必须包含登记单位“兰州石化职业技术大学”" in response.content.decode()
    assert snapshot() == before


def test_end_date_before_start_date_is_refused_with_a_chinese_message(client_for, org, third_org):
    client = client_for("member")
    before = snapshot()
    response = client.post(reverse("projects:agreement_add"), form_data(None, [org, third_org], end_date="2024-12-31"))
    assert response.status_code == 200
    assert "到期日期不能早于生效日期。" in response.content.decode()
    assert snapshot() == before


def test_an_agreement_needs_two_parties(client_for, org):
    client = client_for("member")
    before = snapshot()
    response = client.post(reverse("projects:agreement_add"), form_data(None, [org]))
    assert "协议至少需要两方成员单位。" in response.content.decode()
    assert snapshot() == before


def test_the_database_refuses_an_end_date_before_the_start(org):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementFactory(organization=org, start_date=timezone.localdate(), end_date=days_from_today(-1))


def test_member_edits_a_draft_but_not_a_verified_agreement(client_for, org, third_org):
    draft = AgreementFactory(organization=org, parties=[third_org])
    verified = AgreementFactory(
        organization=org, parties=[third_org], status=AgreementStatus.VERIFIED, verified_at=timezone.now()
    )
    client = client_for("member")
    ok = client.post(
        reverse("projects:agreement_edit", args=[draft.pk]), form_data(None, [org, third_org], title="新名称")
    )
    assert ok.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "新名称"
    assert draft.events.filter(action="edit").exists()

    before = snapshot()
    refused = client.post(
        reverse("projects:agreement_edit", args=[verified.pk]), form_data(None, [org, third_org], title="偷偷改名")
    )
    assert refused.status_code == 403
    assert "协议当前状态为“已核验”，成员单位不能再修改" in refused.content.decode()
    assert snapshot() == before


def test_member_cannot_edit_an_agreement_out_of_their_own_organisation(client_for, org, other_org, third_org):
    draft = AgreementFactory(organization=org, parties=[third_org])
    client = client_for("member")
    before = snapshot()
    response = client.post(reverse("projects:agreement_edit", args=[draft.pk]), form_data(None, [other_org, third_org]))
    assert response.status_code == 200
    assert "协议各方必须包含登记单位" in response.content.decode()
    assert snapshot() == before


def test_other_organisations_agreement_is_invisible_to_a_member(client_for, other_org, third_org):
    theirs = AgreementFactory(organization=other_org, parties=[third_org])
    client = client_for("member")
    assert client.get(reverse("projects:agreement_detail", args=[theirs.pk])).status_code == 404
    assert theirs.title not in client.get(reverse("projects:agreement_list")).content.decode()


def test_a_party_sees_an_agreement_registered_by_another_member(client_for, org, other_org):
    theirs = AgreementFactory(organization=other_org, parties=[org])
    client = client_for("member")
    assert client.get(reverse("projects:agreement_detail", args=[theirs.pk])).status_code == 200
    # ...but may not edit what another organisation registered.
    assert client.get(reverse("projects:agreement_edit", args=[theirs.pk])).status_code == 403


def test_the_workflow_records_who_when_and_why(org, third_org, member_user, staff_user):
    agreement = AgreementFactory(organization=org, parties=[third_org], with_scan=True)
    services.change_agreement(agreement.pk, "submit", by=member_user)
    services.change_agreement(agreement.pk, "return", by=staff_user, reason="缺少盖章页")
    services.change_agreement(agreement.pk, "submit", by=member_user)
    services.change_agreement(agreement.pk, "verify", by=staff_user)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.VERIFIED
    assert agreement.verified_by == staff_user and agreement.verified_at is not None
    steps = list(agreement.events.values_list("action", "actor__username", "reason"))
    assert steps == [
        ("submit", "member", ""),
        ("return", "staff", "缺少盖章页"),
        ("submit", "member", ""),
        ("verify", "staff", ""),
    ]


def test_the_detail_page_shows_every_step(client_for, org, third_org, member_user, staff_user):
    agreement = AgreementFactory(organization=org, parties=[third_org], with_scan=True)
    services.change_agreement(agreement.pk, "submit", by=member_user)
    services.change_agreement(agreement.pk, "return", by=staff_user, reason="缺少盖章页")
    page = client_for("member").get(agreement.get_absolute_url()).content.decode()
    assert "提交核验" in page and "退回" in page and "缺少盖章页" in page


def test_returning_needs_a_reason_and_changes_nothing_without_one(org, third_org, staff_user):
    agreement = AgreementFactory(organization=org, parties=[third_org], status=AgreementStatus.SUBMITTED)
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        services.change_agreement(agreement.pk, "return", by=staff_user, reason="  ")
    assert "“退回修改”必须填写原因。" in str(exc.value)
    assert snapshot() == before


def test_submitting_needs_the_signed_scan(org, third_org, member_user):
    agreement = AgreementFactory(organization=org, parties=[third_org])
    with pytest.raises(ValidationError) as exc:
        services.change_agreement(agreement.pk, "submit", by=member_user)
    assert "提交核验前请先上传协议签署扫描件。" in str(exc.value)


def test_a_member_cannot_verify(org, third_org, member_user):
    agreement = AgreementFactory(organization=org, parties=[third_org], status=AgreementStatus.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.change_agreement(agreement.pk, "verify", by=member_user)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SUBMITTED


def test_verifying_twice_is_refused(org, third_org, staff_user):
    agreement = AgreementFactory(organization=org, parties=[third_org], status=AgreementStatus.SUBMITTED)
    services.change_agreement(agreement.pk, "verify", by=staff_user)
    with pytest.raises(ValidationError, match="协议当前状态为“已核验”，不能核验通过"):
        services.change_agreement(agreement.pk, "verify", by=staff_user)
    assert AgreementEvent.objects.filter(action="verify").count() == 1


def test_expiry_follows_from_the_end_date_without_a_job(org, third_org):
    today = timezone.localdate()
    soon = AgreementFactory(
        organization=org,
        parties=[third_org],
        start_date=today - timedelta(days=400),
        end_date=today + timedelta(days=30),
    )
    later = AgreementFactory(
        organization=org,
        parties=[third_org],
        start_date=today - timedelta(days=400),
        end_date=today + timedelta(days=31),
    )
    gone = AgreementFactory(
        organization=org,
        parties=[third_org],
        start_date=today - timedelta(days=400),
        end_date=today - timedelta(days=1),
    )
    ended = AgreementFactory(
        organization=org,
        parties=[third_org],
        start_date=today - timedelta(days=400),
        end_date=today - timedelta(days=1),
        status=AgreementStatus.TERMINATED,
    )
    assert set(Agreement.objects.expiring()) == {soon}
    assert set(Agreement.objects.expired()) == {gone}
    assert soon.is_expiring and soon.term_state == "expiring"
    assert gone.is_expired and gone.term_state == "expired"
    assert later.term_state == "" and ended.term_state == ""


def test_the_list_filters_by_term_status_kind_year_and_organisation(client_for, org, other_org, third_org):
    today = timezone.localdate()
    soon = AgreementFactory(
        organization=org,
        parties=[third_org],
        title="即将到期的协议",
        start_date=today - timedelta(days=300),
        end_date=today + timedelta(days=5),
    )
    AgreementFactory(organization=other_org, parties=[third_org], title="兰石的协议", kind="rnd")
    client = client_for("staff")
    url = reverse("projects:agreement_list")
    page = client.get(url + "?term=expiring").content.decode()
    assert soon.title in page and "兰石的协议" not in page and "30天内到期" in page
    assert "兰石的协议" in client.get(url + "?kind=rnd").content.decode()
    assert "兰石的协议" not in client.get(url + f"?organization={org.pk}").content.decode()
    assert soon.title in client.get(url + f"?organization={third_org.pk}").content.decode()
    assert "兰石的协议" in client.get(url + "?year=2025&status=draft").content.decode()
    assert "兰石的协议" not in client.get(url + "?year=2024").content.decode()


def test_the_organisation_page_lists_its_agreements_projects_and_platforms(client_for, org, third_org):
    from .factories import PlatformFactory, ProjectFactory

    AgreementFactory(organization=org, parties=[third_org], title="本校的协议")
    ProjectFactory(lead_organization=third_org, partners=[org], title="参与的项目")
    PlatformFactory(lead_organization=org, name="本校的平台")
    page = client_for("member").get(org.get_absolute_url()).content.decode()
    assert "本校的协议" in page and "参与的项目" in page and "本校的平台" in page


def test_the_export_neutralises_formulas(client_for, org, third_org):
    AgreementFactory(organization=org, parties=[third_org], title='=HYPERLINK("x")')
    response = client_for("staff").get(reverse("projects:agreement_list") + "?export=csv")
    assert "'=HYPERLINK" in response.content.decode("utf-8-sig")


def test_scan_upload_through_the_form_is_stored_and_listed(client_for, org, third_org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    scan = SimpleUploadedFile("签署版.pdf", PDF_BYTES, content_type="application/pdf")
    response = client_for("member").post(
        reverse("projects:agreement_add"), {**form_data(None, [org, third_org]), "scan": scan}
    )
    assert response.status_code == 302
    agreement = Agreement.objects.get()
    assert agreement.scan_name == "签署版.pdf" and agreement.scan_content_type == "application/pdf"
    assert agreement.scan.name.startswith("agreements/") and "签署版" not in agreement.scan.name


def test_workflow_steps_notify_the_other_side(org, third_org, member_user, staff_user):
    from members.models import Notification

    agreement = AgreementFactory(organization=org, parties=[third_org], with_scan=True)
    services.change_agreement(agreement.pk, "submit", by=member_user)
    assert Notification.objects.filter(user=staff_user, title__startswith="新的协议待核验").count() == 1
    services.change_agreement(agreement.pk, "return", by=staff_user, reason="缺少盖章页")
    note = Notification.objects.get(user=member_user)
    assert "退回修改" in note.title and note.body == "缺少盖章页"


def test_the_export_has_chinese_labels_and_the_term_hint(client_for, org, third_org):
    today = timezone.localdate()
    AgreementFactory(
        organization=org,
        parties=[third_org],
        title="快到期的协议",
        kind="rnd",
        start_date=today - timedelta(days=300),
        end_date=today + timedelta(days=3),
    )
    text = client_for("staff").get(reverse("projects:agreement_list") + "?export=csv").content.decode("utf-8-sig")
    row = next(line for line in text.splitlines() if line.startswith("快到期的协议"))
    assert ",技术研发," in row and ",草稿," in row and row.endswith("30天内到期")
