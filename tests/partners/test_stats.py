"""quebec_partnership_stats: its figures and who sees which datasets counted."""
from __future__ import annotations

import datetime

import pytest

from ckan import model
from ckan.tests import factories, helpers

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_organizations quebec_schema quebec_partners"),
]

THIS_YEAR = str(datetime.date.today().year)


@pytest.fixture
def catalogue(partners):
    transport = factories.Group(name="transport")
    factories.Dataset(owner_org=partners["mtq"]["id"], groups=[{"name": "transport"}])
    factories.Dataset(owner_org=partners["mtq"]["id"], groups=[{"name": "transport"}])
    factories.Dataset(owner_org=partners["montreal"]["id"], groups=[{"name": "transport"}])
    factories.Dataset(owner_org=partners["ulaval"]["id"])
    factories.Dataset(owner_org=partners["montreal"]["id"], private=True)
    return {"transport": transport}


def _stats(user: str = "", **params) -> dict:
    return helpers.call_action("quebec_partnership_stats",
                               {"user": user, "ignore_auth": False}, **params)


def test_partners_by_type_and_group(catalogue):
    partners = _stats()["partners"]
    assert partners["total"] == 4
    assert partners["by_group"] == {"gouvernement": 1, "municipal": 1, "societe-civile": 1}
    assert partners["by_type"]["ministere"] == 1
    assert partners["by_type"]["obnl"] == 0
    assert partners["without_type"] == 1


def test_public_datasets_by_type_group_and_category(catalogue):
    datasets = _stats()["datasets"]
    assert datasets["total"] == 4
    assert datasets["by_type"]["ministere"] == 2
    assert datasets["by_type"]["municipalite"] == 1
    assert datasets["by_group"] == {"gouvernement": 2, "municipal": 1, "societe-civile": 1}
    assert datasets["by_category"] == {"transport": 3}
    assert datasets["without_type"] == 0


def test_growth_per_year(catalogue):
    stats = _stats()
    assert stats["partners_joined_per_year"] == {"2016": 3, "2018": 1}
    assert stats["datasets_published_per_year"] == {THIS_YEAR: 4}


def test_older_datasets_are_counted_in_their_year(catalogue):
    dataset = model.Package.get(helpers.call_action("package_search", q="*:*", rows=1)["results"][0]["id"])
    dataset.metadata_created = datetime.datetime(2019, 6, 1)
    model.Session.commit()
    helpers.call_action("package_patch", id=dataset.id, notes="reindexed")
    per_year = _stats()["datasets_published_per_year"]
    assert per_year["2019"] == 1 and per_year[THIS_YEAR] == 3
    assert per_year["2020"] == 0


@pytest.mark.parametrize("role, total", [
    ("anonymous", 4), ("other", 4), ("member", 5), ("editor", 5), ("admin", 5), ("sysadmin", 5)])
def test_auth_matrix_private_datasets_count_for_those_who_may_see_them(catalogue, role, total):
    if role == "anonymous":
        user = ""
    elif role == "sysadmin":
        user = factories.Sysadmin()["name"]
    else:
        user = factories.User()["name"]
        if role != "other":
            helpers.call_action("organization_member_create", id="ville-de-montreal",
                                username=user, role=role)
    stats = _stats(user)
    assert stats["datasets"]["total"] == total
    assert stats["datasets"]["by_type"]["municipalite"] == total - 3
    assert _stats(user, include_private=False)["datasets"]["total"] == 4


def test_anonymous_api_call(app, catalogue):
    response = app.get("/api/3/action/quebec_partnership_stats")
    assert response.status_code == 200
    assert response.json["result"]["datasets"]["total"] == 4


def test_bad_parameter_is_a_409(app):
    response = app.get("/api/3/action/quebec_partnership_stats",
                       query_string={"include_private": "maybe"})
    assert response.status_code == 409
    assert "include_private" in response.json["error"]
