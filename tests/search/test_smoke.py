import pytest

from ckan.tests import factories, helpers


@pytest.mark.usefixtures("clean_db")
@pytest.mark.ckan_config("ckan.plugins", "quebec_search")
def test_create_and_find_dataset():
    org = factories.Organization()
    factories.Dataset(owner_org=org["id"], title="Pistes cyclables", tags=[{"name": "vélo"}])
    result = helpers.call_action("package_search", q="cyclables")
    assert result["count"] == 1
