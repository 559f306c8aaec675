import pytest
from django.urls import reverse

from members.demo import synthetic_credit_code
from members.models import MembershipEvent, MembershipStatus, Organization
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def org_data(**overrides):
    data = {
        "name": "兰州新区新材料测试有限公司",
        "credit_code": synthetic_credit_code("新材料测试", "enterprise"),
        "kind": "enterprise",
        "industry_chain": "new_energy",
        "council_role": "member",
        "contact_name": "张工",
    }
    data.update(overrides)
    return data


def test_staff_creates_an_organization_which_starts_as_applied(client_for):
    response = client_for("staff").post(reverse("members:organization_add"), org_data())
    assert response.status_code == 302
    org = Organization.objects.get(name="兰州新区新材料测试有限公司")
    assert org.status == MembershipStatus.APPLIED
    assert list(org.membership_events.values_list("action", flat=True)) == ["apply"]


def test_a_wrong_check_character_gets_a_chinese_error_and_saves_nothing(client_for):
    code = synthetic_credit_code("新材料测试", "enterprise")
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    before = Organization.objects.count()
    response = client_for("staff").post(reverse("members:organization_add"), org_data(credit_code=wrong))
    assert response.status_code == 200
    assert "统一社会信用代码校验位错误" in response.content.decode()
    assert Organization.objects.count() == before


def test_a_duplicate_credit_code_is_refused(client_for, other_org):
    before = Organization.objects.count()
    response = client_for("staff").post(
        reverse("members:organization_add"), org_data(credit_code=other_org.credit_code)
    )
    assert "该统一社会信用代码已被另一成员单位使用" in response.content.decode()
    assert Organization.objects.count() == before


def test_lowercase_credit_codes_are_stored_uppercase(client_for):
    code = synthetic_credit_code("大小写", "enterprise")
    client_for("staff").post(reverse("members:organization_add"), org_data(credit_code=code.lower()))
    assert Organization.objects.get(credit_code=code)


def test_member_cannot_open_another_orgs_edit_page_or_post_to_it(client_for, other_org):
    client = client_for("member")
    url = reverse("members:organization_edit", args=[other_org.pk])
    assert client.get(url).status_code == 404
    response = client.post(url, org_data(name="被篡改"))
    assert response.status_code == 404
    other_org.refresh_from_db()
    assert other_org.name == "兰石集团"


def test_member_cannot_edit_their_own_organization_either(client_for, org):
    response = client_for("member").post(reverse("members:organization_edit", args=[org.pk]), org_data(name="改名"))
    assert response.status_code == 403
    assert "没有权限" in response.content.decode()
    org.refresh_from_db()
    assert org.name == "兰州石化职业技术大学"


def test_leadership_posting_anything_is_refused(client_for, org):
    client = client_for("leadership")
    assert client.post(reverse("members:organization_add"), org_data()).status_code == 403
    assert (
        client.post(
            reverse("members:organization_exit", args=[org.pk]), {"date": "2025-06-01", "reason": "x"}
        ).status_code
        == 403
    )
    org.refresh_from_db()
    assert org.status == MembershipStatus.ADMITTED
    assert not Organization.objects.filter(name="兰州新区新材料测试有限公司").exists()


def test_member_sees_only_their_own_organization_in_the_list(client_for, org, other_org):
    content = client_for("member").get(reverse("members:organization_list")).content.decode()
    assert org.name in content and other_org.name not in content


def test_the_list_searches_filters_and_sorts(client_for, org, other_org):
    client = client_for("staff")
    content = client.get(reverse("members:organization_list"), {"q": "石化"}).content.decode()
    assert org.name in content and other_org.name not in content
    content = client.get(reverse("members:organization_list"), {"kind": "enterprise"}).content.decode()
    assert other_org.name in content and org.name not in content
    # 兰州… sorts before 兰石… by code point (州 U+5DDE < 石 U+77F3).
    content = client.get(reverse("members:organization_list"), {"ordering": "name"}).content.decode()
    assert content.index(org.name) < content.index(other_org.name)
    content = client.get(reverse("members:organization_list"), {"ordering": "-name"}).content.decode()
    assert content.index(other_org.name) < content.index(org.name)


def test_the_csv_export_neutralises_formulas(client_for):
    OrganizationFactory(name='=HYPERLINK("http://x","y")')
    response = client_for("staff").get(reverse("members:organization_list"), {"export": "csv"})
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert ",企业," in text and ",已入会," in text  # choice fields exported as their Chinese labels
    assert "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text


def test_the_excel_export_writes_formulas_as_text(client_for):
    import io

    from openpyxl import load_workbook

    OrganizationFactory(name='=HYPERLINK("http://x","y")')
    response = client_for("staff").get(reverse("members:organization_list"), {"export": "xlsx"})
    ws = load_workbook(io.BytesIO(response.content)).active
    names = [row[0] for row in ws.iter_rows(values_only=True)]
    assert '\'=HYPERLINK("http://x","y")' in names
    assert all(not (isinstance(n, str) and n.startswith("=")) for n in names)


def test_the_organization_page_shows_its_change_history(client_for, org):
    client = client_for("staff")
    client.post(
        reverse("members:organization_edit", args=[org.pk]),
        org_data(name=org.name, credit_code=org.credit_code, contact_name="新联系人"),
    )
    content = client.get(org.get_absolute_url()).content.decode()
    assert "变更历史" in content and "新联系人" in content and "staff" in content


@pytest.mark.parametrize("rows", [5, 50])
def test_the_list_page_uses_a_constant_number_of_queries(client_for, django_assert_max_num_queries, rows):
    OrganizationFactory.create_batch(rows)
    client = client_for("staff")
    # A first request counts the user's work queue for the navigation (kept for a while): measure the page.
    client.get(reverse("members:organization_list"))
    with django_assert_max_num_queries(8):
        assert client.get(reverse("members:organization_list")).status_code == 200


def test_membership_event_history_is_shown_on_the_page(client_for, org):
    MembershipEvent.objects.create(
        organization=org,
        action="admit",
        from_status="applied",
        to_status="admitted",
        date="2024-09-06",
        reason="联合体成立大会",
    )
    content = client_for("member").get(org.get_absolute_url()).content.decode()
    assert "联合体成立大会" in content


def test_filter_widgets_speak_chinese(client_for):
    content = client_for("staff").get(reverse("members:organization_list")).content.decode()
    assert "Unknown" not in content and "未知" in content
