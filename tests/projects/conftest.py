import pytest

from tests.factories import OrganizationFactory


@pytest.fixture
def third_org(db):
    return OrganizationFactory(name="甘肃德福新材料有限公司")
