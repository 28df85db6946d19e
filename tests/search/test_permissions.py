"""Who finds what: private datasets through permission labels, and drafts."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.tests import factories, helpers

from ckanext.quebec.search import segments
from ckanext.quebec.search.plan import QueryPlan

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


@pytest.mark.usefixtures("people")
class TestSignatureKeys:
    """A text search picks its matches by their signature's key, the segments
    tested within the same statement (segments.keyed_in_statement)."""

    FILTERS = ["+capacity:public +state:active", "+state:(active OR draft)",
               "+permission_labels:(public OR member-x)", "-capacity:public"]

    @staticmethod
    def names(connection, plan, where):
        return sorted(connection.execute(sa.text(
            f"SELECT d.name FROM quebec_search_document d WHERE {where}"),
            plan.statement_params()).scalars())

    @pytest.mark.parametrize("fq", FILTERS)
    def test_the_keys_pick_what_the_conditions_pick(self, fq):
        plan = QueryPlan("budget", {"fq": fq})
        keyed = segments.keyed_in_statement(plan)
        assert "signature_key" in keyed
        with model.ensure_engine().connect() as connection:
            expected = self.names(connection, plan, plan.where)
            assert expected and self.names(connection, plan, keyed) == expected

    @pytest.mark.parametrize("fq", FILTERS)
    def test_without_keys_to_trust_each_document_is_tested(self, fq):
        # No segment to read (as when two the filters tell apart share a key):
        # the sub-select gives NULL and the conditions decide.
        plan = QueryPlan("budget", {"fq": fq})
        with model.ensure_engine().connect() as connection:
            expected = self.names(connection, plan, plan.where)
        with model.ensure_engine().connect() as connection:
            transaction = connection.begin()  # undone below (SQLAlchemy 1.4 and 2)
            try:
                connection.execute(sa.text("DELETE FROM quebec_search_segment"))
                assert self.names(connection, plan,
                                  segments.keyed_in_statement(plan)) == expected
            finally:
                transaction.rollback()
