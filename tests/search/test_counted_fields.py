"""Counted facet fields come from configuration, applied by admins; a search only reads.

Counting a field rewrites every document that holds it, writers waiting
(72-79 s at 100,000 datasets): an anonymous visitor's facet must never start
it. A field counted, or a value numbered, in another process is seen by the
next search of this one.
"""
from __future__ import annotations

import json
import threading

import pytest
import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.cli.cli import ckan
from ckan.tests import factories, helpers

from ckanext.quebec.search import counted

from .helpers import in_another_process

pytestmark = [pytest.mark.usefixtures("clean_db")]
# (ckan_config marks: the class's, as a module's would override a test's)
SEARCH_ONLY = pytest.mark.ckan_config("ckan.plugins", "quebec_search")
TAGS_COUNTED = pytest.mark.ckan_config("ckanext.quebec.search.counted_fields", "tags")

INDEX_TABLES = ("quebec_search_document", "quebec_search_counted_field",
                "quebec_search_facet_count", "quebec_search_facet_value")


@pytest.fixture
def catalogue(clean_db):
    counted.apply_configuration()
    org = factories.Organization(name="ville")
    return {name: factories.Dataset(
        name=name, owner_org=org["id"], license_id=licence,
        tags=[{"name": tag} for tag in tags])
        for name, tags, licence in (("pistes", ["velo", "ete"], "cc-by"),
                                    ("rivieres", ["eau"], "odc-by"),
                                    ("parcs", ["ete"], "cc-by"))}


def counted_now() -> list[str]:
    with model.ensure_engine().connect() as connection:
        return counted.counted_now(connection)


def index_state() -> dict:
    """What counting a field would change: the counted fields and counts, the
    documents' row versions, the count triggers' catalogue rows."""
    with model.ensure_engine().connect() as connection:
        def rows(sql):
            return sorted(tuple(row) for row in connection.execute(sa.text(sql)))
        return {
            "fields": rows("SELECT field FROM quebec_search_counted_field"),
            "counts": rows("SELECT segment_id, field, value, documents"
                           " FROM quebec_search_facet_count"),
            "documents": rows("SELECT index_id, xmin::text, facet_ids"
                              " FROM quebec_search_document"),
            "triggers": rows("SELECT tgrelid::regclass::text, tgname, tgenabled::text,"
                             " xmin::text FROM pg_trigger WHERE tgname LIKE 'quebec_search%'"),
        }


def search_while_the_index_is_locked(app, **params) -> tuple[dict, bool]:
    """An anonymous API search while another connection holds SHARE locks on the
    index's tables (writes and SHARE ROW EXCLUSIVE locks conflict with them).

    Returns the answer and whether the search waited for a lock (then the
    locks are let go, so that it ends).
    """
    answer = {}
    blocker = model.ensure_engine().connect()
    transaction = blocker.begin()
    blocker.execute(sa.text(f"LOCK TABLE {', '.join(INDEX_TABLES)} IN SHARE MODE"))
    search = threading.Thread(target=lambda: answer.update(app.get(
        "/api/3/action/package_search", query_string=params).json))
    search.start()
    waited = False
    try:
        while search.is_alive():
            waiting = blocker.execute(sa.text(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
                " WHERE NOT l.granted AND c.relname LIKE 'quebec_search%'")).scalar_one()
            if waiting:
                waited = True
                break
            search.join(0.02)
    finally:
        transaction.rollback()
        blocker.close()
        search.join()
    return answer, waited


@SEARCH_ONLY
@TAGS_COUNTED
@pytest.mark.usefixtures("catalogue")
class TestSearchesOnlyRead:
    def test_anonymous_facet_on_a_new_field_takes_no_lock_and_changes_nothing(self, app):
        before = index_state()
        assert before["fields"] == [("tags",)]
        answer, waited = search_while_the_index_is_locked(app, **{
            "facet.field": json.dumps(["license_id", "organization", "tags"]),
            "facet.limit": -1})
        assert not waited
        assert answer["result"]["facets"] == {
            "license_id": {"cc-by": 2, "odc-by": 1}, "organization": {"ville": 3},
            "tags": {"ete": 2, "velo": 1, "eau": 1}}
        assert index_state() == before

    def test_a_text_search_on_a_new_field_changes_nothing_either(self, app):
        before = index_state()
        answer, waited = search_while_the_index_is_locked(app, q="pistes OR parcs", **{
            "facet.field": json.dumps(["license_id"])})
        assert not waited
        assert answer["result"]["facets"] == {"license_id": {"cc-by": 2}}
        assert index_state() == before


@SEARCH_ONLY
class TestConfiguredFields:
    def test_default_is_ckan_facets_and_those_of_the_plugins(self, app):
        with app.flask_app.test_request_context():
            assert counted.configured_fields() == [
                "organization", "groups", "tags", "res_format", "license_id"]

    @pytest.mark.ckan_config("ckanext.quebec.search.counted_fields", "name id tags url")
    def test_values_of_each_dataset_are_never_counted(self):
        assert counted.configured_fields() == ["tags"]

    @pytest.mark.ckan_config("ckanext.quebec.search.counted_fields",
                             "organization tags license_id")
    @pytest.mark.ckan_config("ckanext.quebec.search.max_counted_fields", "2")
    def test_bound(self):
        assert counted.configured_fields() == ["organization", "tags"]


@pytest.mark.ckan_config("ckan.plugins",
                         "quebec_search scheming_datasets quebec_schema quebec_quality")
@pytest.mark.ckan_config("ckanext.quebec.search.counted_fields", "default extras_theme")
class TestSuiteFacets:
    def test_default_takes_in_the_suite_facets(self, app):
        with app.flask_app.test_request_context():
            fields = counted.configured_fields()
        assert fields[:1] == ["organization"]
        assert {"res_format", "license_id", "categories", "territories", "update_frequency",
                "language", "res_type", "quality_level", "quality_reference",
                "extras_theme"} <= set(fields)
        assert len(fields) == len(set(fields))

    def test_command_reads_the_suite_facets(self, cli):
        with model.ensure_engine().begin() as connection:
            connection.execute(sa.text("DELETE FROM quebec_search_counted_field"))
        result = cli.invoke(ckan, ["quebec", "search", "count-fields"])
        assert result.exit_code == 0, result.output
        assert {"categories", "quality_level", "extras_theme"} <= set(counted_now())


@SEARCH_ONLY
@TAGS_COUNTED
@pytest.mark.usefixtures("catalogue")
class TestApplying:
    def test_command_counts_and_forgets_as_configured(self, cli, monkeypatch):
        monkeypatch.setitem(tk.config, "ckanext.quebec.search.counted_fields",
                            "license_id organization")
        result = cli.invoke(ckan, ["quebec", "search", "count-fields"])
        assert result.exit_code == 0, result.output
        assert "Counted from now on: license_id, organization" in result.output
        assert "No longer counted: tags" in result.output
        assert counted_now() == ["license_id", "organization"]
        # the counts are those of the documents
        assert helpers.call_action("package_search", rows=0, **{
            "facet.field": json.dumps(["license_id"]), "facet.mincount": 0,
            "fq": "name:pistes"})["facets"] == {"license_id": {"cc-by": 1, "odc-by": 0}}
        result = cli.invoke(ckan, ["quebec", "search", "count-fields"])
        assert "Counted from now on: none" in result.output

    def test_check_names_the_configured_fields_not_counted(self, cli):
        counted.forget_fields(["tags"])
        result = cli.invoke(ckan, ["quebec", "search", "check"])
        assert result.exit_code == 0, result.output
        assert "Facet fields configured but not counted yet: tags;" in result.output
        counted.apply_configuration()
        result = cli.invoke(ckan, ["quebec", "search", "check"])
        assert "not counted" not in result.output

    def test_rebuild_applies_the_configuration(self, cli):
        with model.ensure_engine().begin() as connection:
            connection.execute(sa.text("DELETE FROM quebec_search_counted_field"))
            connection.execute(sa.text("DELETE FROM quebec_search_facet_count"))
        result = cli.invoke(ckan, ["search-index", "rebuild", "--quiet"])
        assert result.exit_code == 0, result.output
        assert counted_now() == ["tags"]
        assert helpers.call_action("package_search", rows=0, **{
            "facet.field": json.dumps(["tags"])})["facets"] == {
                "tags": {"ete": 2, "velo": 1, "eau": 1}}


# Run in another process: writes a dataset with a new tag and starts counting license_id.
OTHER_PROCESS = [
    'from ckanext.quebec.search import counted',
    'tk.get_action("package_patch")({"user": user}, {"id": sys.argv[2],'
    ' "tags": [{"name": "neige"}]})',
    'counted.count_fields(["license_id"])',
]


@SEARCH_ONLY
@TAGS_COUNTED
@pytest.mark.usefixtures("catalogue")
class TestAnotherProcess:
    def text_facets(self, *fields, **params):
        return helpers.call_action("package_search", q="pistes OR rivieres OR parcs", rows=0, **{
            "facet.field": json.dumps(list(fields)), "facet.limit": -1, **params})["facets"]

    def test_a_value_numbered_and_a_field_counted_elsewhere_are_read_here(self, catalogue,
                                                                          request):
        # This process names the numbers of the tags it has seen so far.
        assert self.text_facets("tags") == {"tags": {"ete": 2, "velo": 1, "eau": 1}}
        assert counted_now() == ["tags"]
        in_another_process(request, OTHER_PROCESS, catalogue["rivieres"]["id"])
        assert counted_now() == ["license_id", "tags"]
        assert self.text_facets("tags") == {"tags": {"ete": 2, "velo": 1, "neige": 1}}
        assert self.text_facets("license_id") == {"license_id": {"cc-by": 2, "odc-by": 1}}
        # counted now: the zero counts of the values no match holds are listed
        facets = helpers.call_action("package_search", rows=0, fq="name:pistes", **{
            "facet.field": json.dumps(["license_id", "tags"]), "facet.mincount": 0})["facets"]
        assert facets == {"license_id": {"cc-by": 1, "odc-by": 0},
                          "tags": {"velo": 1, "ete": 1, "neige": 0}}
