import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/enterprise-practices/?enterprise=99999999999999999999999",
        "/api/v1/enterprise-practices/?teacher=99999999999999999999999",
        "/api/v1/agreements/?year=0",
        "/api/v1/training-sessions/?year=1000000000",
    ],
)
def test_out_of_range_filter_values_are_a_400_not_a_500(api_for, url):
    assert api_for("staff").get(url).status_code == 400


def test_the_list_page_explains_an_out_of_range_filter_in_chinese(client_for):
    response = client_for("staff").get("/projects/agreements/?year=0")
    assert response.status_code == 200
    assert "筛选条件有误" in response.content.decode()
