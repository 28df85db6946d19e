"""Who finds what: private datasets through permission labels, and drafts."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

# Read-only class sharing one catalogue, built with these plugins (shared_db).
pytestmark = [pytest.mark.ckan_config("ckan.plugins", "quebec_search")]


@pytest.fixture(scope="class")
def people(shared_db):
    """An organization with a member, an outsider, a sysadmin, and their datasets."""
    member = factories.User(name="membre")
    outsider = factories.User(name="externe")
    author = factories.User(name="auteur")
    sysadmin = factories.Sysadmin(name="admin-portail")
    org = factories.Organization(
        name="ville", users=[{"name": member["name"], "capacity": "member"}])
    other_org = factories.Organization(name="autre-ville")
    factories.Dataset(name="budget-public", title="Budget public", owner_org=org["id"])
    factories.Dataset(name="budget-prive", title="Budget privé", owner_org=org["id"],
                      private=True)
    factories.Dataset(name="budget-autre", title="Budget confidentiel",
                      owner_org=other_org["id"], private=True)
    factories.Dataset(name="budget-brouillon", title="Budget brouillon",
                      state="draft", user=author)
    factories.Dataset(name="budget-brouillon-ville", title="Budget brouillon ville",
                      owner_org=org["id"], state="draft")
    return {"member": member, "outsider": outsider, "author": author,
            "sysadmin": sysadmin}


def found(user: str | None, **params) -> set[str]:
    context = {"user": user or "", "ignore_auth": False}
    result = helpers.call_action("package_search", context=context, q="budget",
                                 rows=100, **params)
    assert result["count"] == len(result["results"])
    return {dataset["name"] for dataset in result["results"]}


@pytest.mark.usefixtures("people")
class TestPrivateDatasets:
    def test_anonymous_sees_public_only(self):
        assert found(None) == {"budget-public"}
        assert found(None, include_private=True) == {"budget-public"}

    def test_member_sees_its_organization_private_datasets(self):
        assert found("membre", include_private=True) == {"budget-public", "budget-prive"}

    def test_private_datasets_need_include_private(self):
        assert found("membre") == {"budget-public"}

    def test_outsider_sees_public_only(self):
        assert found("externe", include_private=True) == {"budget-public"}

    def test_sysadmin_sees_every_private_dataset(self):
        assert found("admin-portail", include_private=True) == {
            "budget-public", "budget-prive", "budget-autre"}

    def test_facets_count_only_what_the_user_may_see(self):
        context = {"user": "membre", "ignore_auth": False}
        result = helpers.call_action(
            "package_search", context=context, include_private=True,
            **{"facet.field": '["organization"]'})
        assert result["facets"]["organization"] == {"ville": 2}


@pytest.mark.usefixtures("people")
class TestDrafts:
    def test_drafts_are_hidden_by_default(self):
        assert "budget-brouillon" not in found("auteur")
        assert "budget-brouillon" not in found("admin-portail", include_private=True)

    def test_author_finds_own_draft_with_include_drafts(self):
        assert found("auteur", include_drafts=True) == {"budget-public", "budget-brouillon"}

    def test_others_do_not_find_a_draft(self):
        assert found(None, include_drafts=True) == {"budget-public"}
        assert found("externe", include_drafts=True) == {"budget-public"}

    def test_organization_members_find_its_drafts(self):
        assert found("membre", include_drafts=True, include_private=True) == {
            "budget-public", "budget-prive", "budget-brouillon-ville"}

    def test_sysadmin_finds_every_draft(self):
        assert found("admin-portail", include_drafts=True) == {
            "budget-public", "budget-brouillon", "budget-brouillon-ville"}
