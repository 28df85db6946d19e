"""What makes search fast at scale gives the same answers: maintained facet
counts, the narrow filter and sort columns, batched rebuild writes, the drift check."""
from __future__ import annotations

import importlib
import json
from collections import Counter
from datetime import timezone

import pytest
import sqlalchemy as sa

import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.cli.cli import ckan
from ckan.tests import factories, helpers

from ckanext.quebec.config import ConfigError
from ckanext.quebec.search import connection as search_connection
from ckanext.quebec.search import writer as search_writer
from ckanext.quebec.search import counted

from .helpers import index_documents

pytestmark = [
    pytest.mark.usefixtures("clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search"),
    # CKAN's facets (the default) and one more: FACETS
    pytest.mark.ckan_config("ckanext.quebec.search.counted_fields", "default extras_theme"),
]

FACETS = ["organization", "groups", "tags", "res_format", "license_id", "extras_theme"]


@pytest.fixture
def catalogue(clean_db):
    """Public, private and draft datasets across two organizations and two groups."""
    member = factories.User(name="membre")
    factories.Sysadmin(name="admin-portail")
    ville = factories.Organization(
        name="ville", users=[{"name": member["name"], "capacity": "editor"}])
    region = factories.Organization(name="region")
    velo = factories.Group(name="velo")
    eau = factories.Group(name="eau")

    def dataset(name, org, private=False, state="active", tags=(), groups=(),
                formats=(), theme=None, license_id="cc-by"):
        return factories.Dataset(
            name=name, owner_org=org["id"], private=private, state=state,
            license_id=license_id,
            tags=[{"name": tag} for tag in tags],
            groups=[{"name": group["name"]} for group in groups],
            resources=[{"url": f"http://example.com/{name}.{fmt}", "format": fmt}
                       for fmt in formats],
            extras=[{"key": "theme", "value": theme}] if theme else [])

    datasets = {
        "a": dataset("pistes", ville, tags=["velo", "ete"], groups=[velo],
                     formats=["CSV", "CSV", "JSON"], theme="transport"),
        "b": dataset("rivieres", region, tags=["eau"], groups=[eau, velo],
                     formats=["SHP"], theme="environnement"),
        "c": dataset("budget-prive", ville, private=True, tags=["budget", "velo"],
                     formats=["XLSX"], license_id="odc-by"),
        "d": dataset("brouillon", region, state="draft", tags=["eau"], formats=["CSV"]),
        "e": dataset("parcs", ville, tags=["ete"], groups=[eau], formats=["CSV"],
                     theme="transport"),
    }
    return {"member": member, "ville": ville, "region": region, "datasets": datasets}


def facets_of(user: str | None, **params) -> tuple[int, dict]:
    context = {"user": user or "", "ignore_auth": False}
    result = helpers.call_action("package_search", context=context,
                                 **{"facet.field": json.dumps(FACETS), "rows": 0,
                                    "facet.limit": -1, **params})
    return result["count"], result["facets"]


def both_ways(user: str | None, **params) -> tuple[tuple[int, dict], tuple[int, dict]]:
    """Counts from the maintained tables, and the same search read document by document.

    ``name:*`` holds for every dataset but is read from the documents, so the
    second search takes the path that counts every matching document.
    """
    counted = facets_of(user, **params)
    fq = (params.pop("fq", "") + " +name:*").strip()
    scanned = facets_of(user, fq=fq, **params)
    return counted, scanned


def brute_force(names: set[str]) -> dict[str, Counter]:
    """Facet counts computed here from the documents of ``names``."""
    counts = {field: Counter() for field in FACETS}
    for name, row in index_documents().items():
        if name in names:
            for field in FACETS:
                counts[field].update(row["fields"].get(field, []))
    return counts


def search_names(user: str | None, **params) -> set[str]:
    context = {"user": user or "", "ignore_auth": False}
    result = helpers.call_action("package_search", context=context, rows=1000, **params)
    return {dataset["name"] for dataset in result["results"]}


def assert_counts_exact(user: str | None, **params) -> None:
    counted, scanned = both_ways(user, **params)
    assert counted == scanned
    count, facets = counted
    names = search_names(user, **params)
    assert count == len(names)
    assert {field: Counter(values) for field, values in facets.items()} == brute_force(names)


def counted_fields() -> set[str]:
    with model.ensure_engine().connect() as connection:
        return set(connection.execute(sa.text(
            "SELECT field FROM quebec_search_counted_field")).scalars())


@pytest.mark.usefixtures("catalogue")
class TestMaintainedFacetCounts:
    def test_same_counts_as_reading_every_document(self):
        for user in (None, "membre", "admin-portail"):
            for params in ({}, {"include_private": True},
                           {"include_drafts": True, "include_private": True},
                           {"fq": "+dataset_type:dataset"}, {"fq": "-capacity:private"},
                           {"fq": "+state:(active OR draft)", "include_private": True}):
                assert_counts_exact(user, **params)

    def test_anonymous_home_page_figures(self):
        count, facets = facets_of(None)
        assert count == 3  # pistes, rivieres, parcs
        assert facets["tags"] == {"velo": 1, "ete": 2, "eau": 1}
        assert facets["res_format"] == {"CSV": 2, "JSON": 1, "SHP": 1}
        assert facets["groups"] == {"velo": 2, "eau": 2}
        assert facets["extras_theme"] == {"transport": 2, "environnement": 1}
        assert counted_fields() >= set(FACETS)

    def test_counts_follow_every_write(self, catalogue):
        facets_of(None)  # (the configured fields are counted: see counted_fields in conftest)
        datasets = catalogue["datasets"]
        helpers.call_action("package_patch", id=datasets["a"]["id"],
                            tags=[{"name": "hiver"}])
        helpers.call_action("package_patch", id=datasets["c"]["id"], private=False)
        helpers.call_action("package_delete", id=datasets["b"]["id"])
        helpers.call_action("dataset_purge", id=datasets["e"]["id"])
        helpers.call_action("bulk_update_private", org_id=catalogue["ville"]["id"],
                            datasets=[datasets["a"]["id"]])
        factories.Dataset(name="nouveau", owner_org=catalogue["region"]["id"],
                          tags=[{"name": "eau"}])
        helpers.call_action("organization_patch", id=catalogue["ville"]["id"],
                            name="ville-renommee")
        for user in (None, "membre", "admin-portail"):
            assert_counts_exact(user, include_private=True, include_drafts=True)
        count, facets = facets_of(None)
        assert count == 2  # budget-prive made public, nouveau
        assert facets["organization"] == {"ville-renommee": 1, "region": 1}

    def test_counts_after_a_rebuild_and_a_clear(self, cli):
        facets_of(None)
        result = cli.invoke(ckan, ["search-index", "rebuild", "--quiet"])
        assert result.exit_code == 0, result.output
        assert_counts_exact("admin-portail", include_private=True)
        with model.ensure_engine().begin() as connection:
            connection.execute(sa.text("TRUNCATE quebec_search_document"))
        assert facets_of(None) == (0, {field: {} for field in FACETS})
        result = cli.invoke(ckan, ["search-index", "rebuild", "--quiet"])
        assert result.exit_code == 0, result.output
        assert_counts_exact(None)
        assert facets_of(None)[0] == 3

    @pytest.mark.parametrize("options", [
        {"facet.limit": 2, "facet.mincount": 2, "facet.sort": "index"},
        {"facet.limit": 1, "f.tags.facet.limit": 2, "f.res_format.facet.sort": "index"},
        {"facet.mincount": 0, "facet.sort": "count"},
    ])
    def test_limit_mincount_and_sort_as_the_scanned_path(self, options):
        connection = search_connection.PostgresSolr()
        site = '+site_id:"test.ckan.net"'

        def facets(*fq):
            return connection.search(q="*:*", fq=[site, "+state:active", *fq], rows=0,
                                     facet="true", **{"facet.field": ["tags", "res_format"],
                                                      **options}).facets
        assert facets() == facets("+name:*")
        assert facets("+capacity:public") == facets("+capacity:public", "+name:*")

    def test_counted_first_time_as_well(self, cli):
        with model.ensure_engine().begin() as connection:
            connection.execute(sa.text("DELETE FROM quebec_search_counted_field"))
            connection.execute(sa.text("DELETE FROM quebec_search_facet_count"))
        assert_counts_exact(None)
        assert counted_fields() == set()  # a search counts no field
        result = cli.invoke(ckan, ["quebec", "search", "count-fields"])
        assert result.exit_code == 0, result.output
        assert_counts_exact(None)
        assert counted_fields() == set(FACETS)


@pytest.mark.usefixtures("catalogue")
class TestCountedFieldsBound:
    """Anyone may ask for a facet: the fields the index counts are bounded."""

    def forget_counts(self):
        """No field counted, then the configured ones (within the bound) counted again."""
        with model.ensure_engine().begin() as connection:
            connection.execute(sa.text("DELETE FROM quebec_search_counted_field"))
            connection.execute(sa.text("DELETE FROM quebec_search_facet_count"))
        counted.apply_configuration()

    @pytest.mark.ckan_config("ckanext.quebec.search.max_counted_fields", "3")
    def test_fields_beyond_the_bound_are_counted_from_the_documents(self):
        self.forget_counts()
        assert_counts_exact(None)
        assert counted_fields() == set(FACETS[:3])
        assert_counts_exact("admin-portail", include_private=True, fq="tags:velo")
        assert counted_fields() == set(FACETS[:3])
        text = helpers.call_action("package_search", q="pistes OR parcs", rows=0, **{
            "facet.field": json.dumps(FACETS), "facet.limit": -1})
        expected = brute_force({"pistes", "parcs"})
        assert {field: Counter(values) for field, values in text["facets"].items()} == expected

    @pytest.mark.ckan_config("ckanext.quebec.search.max_counted_fields", "0")
    def test_no_field_counted(self):
        self.forget_counts()
        assert_counts_exact(None)
        assert counted_fields() == set()

    def test_a_negative_bound_is_refused_at_start_up(self, monkeypatch):
        monkeypatch.setitem(tk.config, "ckanext.quebec.search.max_counted_fields", "-1")
        with pytest.raises(ConfigError, match="max_counted_fields: -1"):
            plugins.get_plugin("quebec_search").configure(tk.config)

    def test_values_of_each_dataset_are_never_counted(self, monkeypatch):
        monkeypatch.setitem(tk.config, "ckanext.quebec.search.counted_fields",
                            "name id url tags")
        self.forget_counts()
        result = helpers.call_action("package_search", rows=0, **{
            "facet.field": json.dumps(["name", "id", "url", "tags"]), "facet.limit": -1})
        names = search_names(None)
        assert result["facets"]["name"] == {name: 1 for name in names}
        assert len(result["facets"]["id"]) == len(names) == result["count"] == 3
        assert not counted_fields() & {"name", "id", "url"}
        assert "tags" in counted_fields()


def numbered_values(field: str) -> dict[str, list[str]]:
    """The values of ``field`` each indexed dataset holds numbered in facet_ids."""
    with model.ensure_engine().connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT d.name, array(SELECT v.value FROM quebec_search_facet_value v"
            " WHERE v.id = ANY(d.facet_ids) AND v.field = :field ORDER BY v.value)"
            " FROM quebec_search_document d"), {"field": field}).all()
    return {name: list(values) for name, values in rows}


@pytest.mark.usefixtures("catalogue")
class TestTextSearchFacets:
    """A text search counts facets from the matches' numbered values (or their fields)."""

    def text_facets(self, *fields: str, **params) -> tuple[int, dict]:
        result = helpers.call_action(
            "package_search", q="pistes OR rivieres OR parcs OR brouillon OR prive",
            rows=0, **{"facet.field": json.dumps(list(fields)),
                                            "facet.limit": -1, **params})
        return result["count"], result["facets"]

    def test_a_field_counted_after_the_documents_were_written_numbers_every_document(self):
        with model.ensure_engine().begin() as connection:
            connection.execute(sa.text("DELETE FROM quebec_search_counted_field"))
            connection.execute(sa.text("DELETE FROM quebec_search_facet_count"))
        count, facets = self.text_facets("extras_theme")
        assert count == 3  # neither the draft nor the private dataset
        assert facets == {"extras_theme": {"transport": 2, "environnement": 1}}
        assert "extras_theme" not in counted_fields()  # a search counts no field
        counted.count_fields(["extras_theme"])
        assert self.text_facets("extras_theme") == (count, facets)
        assert "extras_theme" in counted_fields()
        assert numbered_values("extras_theme") == {
            "pistes": ["transport"], "rivieres": ["environnement"], "parcs": ["transport"],
            "budget-prive": [], "brouillon": []}

    def test_numbers_follow_a_write(self, catalogue):
        self.text_facets("extras_theme")
        helpers.call_action("package_patch", id=catalogue["datasets"]["b"]["id"],
                            extras=[{"key": "theme", "value": "transport"}])
        assert self.text_facets("extras_theme")[1] == {"extras_theme": {"transport": 3}}
        assert numbered_values("extras_theme")["rivieres"] == ["transport"]

    def test_numbered_and_read_counts_agree_with_the_documents(self):
        names = {"pistes", "rivieres", "parcs"}
        count, facets = self.text_facets(*FACETS)
        assert count == len(names)
        assert {field: Counter(values) for field, values in facets.items()} == brute_force(names)

    def test_full_text_fields_are_counted_from_the_documents_not_numbered(self):
        count, facets = self.text_facets("title", "notes")
        titles = Counter()
        for name, row in index_documents().items():
            if name in {"pistes", "rivieres", "parcs"}:
                titles.update(row["fields"].get("title", []))
        assert facets["title"] == dict(titles)
        assert not counted_fields() & {"title", "notes"}


@pytest.mark.usefixtures("catalogue")
class TestFacetIdsMigration:
    def test_upgrade_numbers_the_documents_already_indexed(self, migrate_db_for):
        facets_of(None)  # (the facet fields are counted, hence numbered)
        before = numbered_values("tags")
        assert before["pistes"] == ["ete", "velo"]
        model.Session.remove()
        migrate_db_for("quebec_search", "0004_filter_sort_facet_counts", False)
        migrate_db_for("quebec_search")
        assert numbered_values("tags") == before
        with model.ensure_engine().connect() as connection:
            keys = connection.execute(sa.text(
                "SELECT title_keys FROM quebec_search_document WHERE name = 'pistes'")).scalar_one()
        assert keys == [index_documents()["pistes"]["fields"]["title"][0].lower()]
        assert_counts_exact(None)
        assert helpers.call_action("package_search", q="pistes OR parcs",
                                   **{"facet.field": json.dumps(["tags"])}
                                   )["facets"]["tags"] == {"velo": 1, "ete": 2}


def document_columns() -> list[str]:
    with model.ensure_engine().connect() as connection:
        return list(connection.execute(sa.text(
            "SELECT attname FROM pg_attribute WHERE attrelid = 'quebec_search_document'::regclass"
            " AND attnum > 0 AND NOT attisdropped ORDER BY attnum")).scalars())


def partition_of_each_document() -> dict[str, str]:
    with model.ensure_engine().connect() as connection:
        return dict(connection.execute(sa.text(
            "SELECT name, tableoid::regclass::text FROM quebec_search_document")).all())


@pytest.mark.usefixtures("catalogue")
class TestReadColumnsFirstMigration:
    def test_the_documents_are_copied_as_they_were(self, catalogue, cli, migrate_db_for):
        reordering = importlib.import_module(
            "ckanext.quebec.migration.quebec_search.versions.0012_read_columns_first")
        model.Session.remove()
        migrate_db_for("quebec_search", "base", False)
        migrate_db_for("quebec_search", "0011_packed_facet_ids")
        assert document_columns().index("fields") < document_columns().index("search_text")
        result = cli.invoke(ckan, ["search-index", "rebuild", "--quiet"])
        assert result.exit_code == 0, result.output
        facets_of(None)  # (counted fields)
        before = index_documents(), partition_of_each_document(), facets_of(None)
        assert len(before[0]) == 5 and set(before[1].values()) <= {
            "quebec_search_document_0", "quebec_search_document_1"}
        model.Session.remove()
        migrate_db_for("quebec_search")
        assert document_columns() == [name for name, _ in reordering._COLUMNS]
        assert (index_documents(), partition_of_each_document(), facets_of(None)) == before
        assert_counts_exact(None)
        # the triggers and indexes are back: writes are counted and searched
        helpers.call_action("package_patch", id=catalogue["datasets"]["a"]["id"],
                            tags=[{"name": "hiver"}])
        assert_counts_exact("admin-portail", include_private=True)
        assert search_names(None, q="hiver") == {"pistes"}
        migrate_db_for("quebec_search")  # again: nothing to do
        assert document_columns() == [name for name, _ in reordering._COLUMNS]


@pytest.mark.usefixtures("catalogue")
class TestNarrowColumns:
    def test_signature_and_date_columns_follow_the_document(self, catalogue):
        dataset = catalogue["datasets"]["c"]
        with model.ensure_engine().connect() as connection:
            row = connection.execute(sa.text(
                "SELECT signature, metadata_modified FROM quebec_search_document"
                " WHERE id = :id"), {"id": dataset["id"]}).mappings().one()
        assert row["signature"]["capacity"] == ["private"]
        assert row["signature"]["state"] == ["active"]
        assert "fields" not in row["signature"] and "tags" not in row["signature"]
        modified = model.Package.get(dataset["id"]).metadata_modified
        # to the millisecond, as Solr keeps dates
        modified = modified.replace(microsecond=modified.microsecond // 1000 * 1000)
        assert row["metadata_modified"].astimezone(timezone.utc).replace(tzinfo=None) == modified

    def test_default_sort_is_newest_first(self, catalogue):
        helpers.call_action("package_patch", id=catalogue["datasets"]["b"]["id"],
                            notes="modifié")
        result = helpers.call_action("package_search", include_drafts=True,
                                     include_private=True, sort="metadata_modified desc")
        names = [dataset["name"] for dataset in result["results"]]
        assert names[0] == "rivieres"
        modified = [dataset["metadata_modified"] for dataset in result["results"]]
        assert modified == sorted(modified, reverse=True)

    def test_a_deep_page_is_read_from_the_sort_index_alone(self, catalogue):
        """The rows before a page are checked against the reader's
        permissions in the default sort's index (migration 0015), not each
        read from the table (a page at start=5000 read 5,021 rows)."""
        engine = model.ensure_engine()
        pages = []

        def page_statement(conn, cursor, statement, parameters, context, executemany):
            if "ORDER BY" in statement and "OFFSET" in statement:
                pages.append((statement, parameters))

        sa.event.listen(engine, "before_cursor_execute", page_statement)
        try:
            result = helpers.call_action("package_search", {"user": "", "ignore_auth": False},
                                         q="", rows=1, start=1)
        finally:
            sa.event.remove(engine, "before_cursor_execute", page_statement)
        assert result["count"] == 3 and len(result["results"]) == 1
        [(statement, parameters)] = pages
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM quebec_search_document"))  # as autovacuum leaves it
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            # Three datasets: without these the planner rightly reads and sorts them all.
            cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off")
            cursor.execute("EXPLAIN (COSTS OFF) " + statement, parameters)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            raw.close()
        assert "Index Only Scan" in plan and "Index Scan" not in plan, plan


class TestBatchedRebuild:
    def test_rebuild_writes_by_batches_the_same_documents(self, cli, monkeypatch):
        for number in range(7):
            factories.Dataset(name=f"jeu-{number}", tags=[{"name": "lot"}])
        before = index_documents()
        with model.ensure_engine().begin() as connection:
            connection.execute(sa.text("DELETE FROM quebec_search_document"))
        monkeypatch.setattr(search_writer, "BULK_BATCH", 3)
        result = cli.invoke(ckan, ["search-index", "rebuild", "--quiet"])
        assert result.exit_code == 0, result.output
        # Vacuumed: every page all-visible, so the default sort's index answers alone.
        with model.ensure_engine().connect() as connection:
            pages, visible = connection.execute(sa.text(
                "SELECT sum(relpages), sum(relallvisible) FROM pg_class WHERE oid IN (SELECT"
                " relid FROM pg_partition_tree('quebec_search_document') WHERE isleaf)")).one()
        assert pages > 0 and visible == pages
        after = index_documents()
        assert after.keys() == before.keys()
        for name, row in after.items():
            assert row["fields"] == before[name]["fields"]
            assert row["search_text"] == before[name]["search_text"]
        assert helpers.call_action("package_search", q="tags:lot")["count"] == 7

    def test_only_missing_still_adds_only_the_missing(self, cli):
        kept = factories.Dataset(name="garde")
        lost = factories.Dataset(name="perdu")
        with model.ensure_engine().begin() as connection:
            indexed_at = connection.execute(sa.text(
                "SELECT indexed_at FROM quebec_search_document WHERE id = :id"),
                {"id": kept["id"]}).scalar_one()
            connection.execute(sa.text("DELETE FROM quebec_search_document WHERE id = :id"),
                               {"id": lost["id"]})
        result = cli.invoke(ckan, ["search-index", "rebuild", "--only-missing", "--quiet"])
        assert result.exit_code == 0, result.output
        documents = index_documents()
        assert set(documents) == {"garde", "perdu"}
        assert documents["garde"]["indexed_at"] == indexed_at

    def test_an_action_during_no_rebuild_is_written_at_once(self):
        dataset = factories.Dataset(name="direct")
        assert not search_writer._bulk.rows
        assert "direct" in index_documents()
        helpers.call_action("package_patch", id=dataset["id"], title="Changé")
        assert index_documents()["direct"]["fields"]["title"] == ["Changé"]


class TestDriftCheck:
    def check(self, cli):
        return cli.invoke(ckan, ["quebec", "search", "check"])

    def test_agreeing_index(self, cli):
        factories.Dataset(name="un")
        factories.Dataset(name="deux", private=True, owner_org=factories.Organization()["id"])
        result = self.check(cli)
        assert result.exit_code == 0, result.output
        assert "agrees" in result.output

    def test_missing_stale_and_extra_are_reported(self, cli):
        missing = factories.Dataset(name="absent")
        stale = factories.Dataset(name="vieux")
        switched = factories.Dataset(name="bascule")
        factories.Dataset(name="correct")
        with model.ensure_engine().begin() as connection:
            connection.execute(sa.text("DELETE FROM quebec_search_document WHERE id = :id"),
                               {"id": missing["id"]})
            # Written behind CKAN's back: the index is not told.
            connection.execute(sa.text(
                "UPDATE package SET metadata_modified = metadata_modified + interval '1 hour'"
                " WHERE id = :id"), {"id": stale["id"]})
            connection.execute(sa.text("UPDATE package SET private = true WHERE id = :id"),
                               {"id": switched["id"]})
            connection.execute(sa.text(
                "INSERT INTO quebec_search_document (index_id, id, name, site_id, fields,"
                " stored, search_text)"
                " SELECT 'orphelin', 'orphelin', 'orphelin', site_id, fields, stored,"
                " search_text FROM quebec_search_document WHERE id = :id"),
                {"id": stale["id"]})
        result = self.check(cli)
        assert result.exit_code == 1
        lines = result.output.splitlines()
        assert "1 dataset(s) missing from the index" in lines
        assert lines[lines.index("1 dataset(s) missing from the index") + 1].strip() \
            == missing["id"]
        assert "2 dataset(s) stale in the index" in lines
        assert {stale["id"], switched["id"]} <= {line.strip() for line in lines}
        assert "1 dataset(s) in the index but not in the database" in lines
        assert "  orphelin" in lines
        with model.ensure_engine().begin() as connection:
            connection.execute(sa.text("DELETE FROM quebec_search_document WHERE id = 'orphelin'"))
        result = cli.invoke(ckan, ["search-index", "rebuild", "--quiet"])
        assert result.exit_code == 0, result.output
        result = self.check(cli)
        assert result.exit_code == 0, result.output

    def test_deleted_datasets_are_expected_out_of_the_index(self, cli):
        dataset = factories.Dataset(name="efface")
        helpers.call_action("package_delete", id=dataset["id"])
        assert self.check(cli).exit_code == 0
        with model.ensure_engine().begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO quebec_search_document (index_id, id, name, site_id, fields,"
                " stored, search_text) VALUES (:id, :id, 'efface', :site, '{}', '{}', '')"),
                {"id": dataset["id"], "site": "test.ckan.net"})
        result = self.check(cli)
        assert result.exit_code == 1
        assert "1 dataset(s) in the index but not in the database" in result.output


def function_settings() -> dict[str, list[str] | None]:
    with model.ensure_engine().connect() as connection:
        return dict(connection.execute(sa.text(
            "SELECT proname, proconfig FROM pg_proc WHERE proname IN"
            " ('quebec_search_facet_ids', 'quebec_search_count_rows')")).all())


def facet_ids_of(doc: dict) -> list[int]:
    with model.ensure_engine().begin() as connection:
        return connection.execute(sa.text(
            "SELECT quebec_search_facet_ids(CAST(:doc AS jsonb))"), {"doc": json.dumps(doc)}
        ).scalar_one()


def numbers_of(pairs: set[tuple[str, str]]) -> list[int]:
    with model.ensure_engine().connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT field, value, id FROM quebec_search_facet_value")).all()
    return sorted(number for field, value, number in rows if (field, value) in pairs)


@pytest.mark.usefixtures("catalogue")
class TestCheaperWritesMigration:
    DOC = {"tags": ["velo", "nouvelle-etiquette", "velo"], "res_format": ["CSV", "CSV", "GPKG"],
           "organization": ["ville"], "title": ["pas un champ compte"], "notes": []}
    PAIRS = {("tags", "velo"), ("tags", "nouvelle-etiquette"), ("res_format", "CSV"),
             ("res_format", "GPKG"), ("organization", "ville")}

    def test_numbering_and_counting_without_jit(self, migrate_db_for):
        facets_of(None)  # (the facet fields are counted, hence numbered)
        assert function_settings() == {"quebec_search_facet_ids": ["jit=off"],
                                       "quebec_search_count_rows": ["jit=off"]}
        # the document's values of counted fields, each once, new ones numbered
        numbers = facet_ids_of(self.DOC)
        assert numbers == numbers_of(self.PAIRS) and len(numbers) == 5
        assert facet_ids_of({"title": ["rien"]}) == []
        before = numbered_values("tags"), numbered_values("res_format")
        model.Session.remove()
        migrate_db_for("quebec_search", "0012_read_columns_first", False)
        assert function_settings() == {"quebec_search_facet_ids": None,
                                       "quebec_search_count_rows": None}
        assert facet_ids_of(self.DOC) == numbers  # 0005's numbering gives the same
        migrate_db_for("quebec_search")
        assert facet_ids_of(self.DOC) == numbers
        assert (numbered_values("tags"), numbered_values("res_format")) == before
        assert_counts_exact(None)


def gin_pending_list_limits() -> dict[str, list[str] | None]:
    """The options of the index's GIN indexes, and of each partition's."""
    with model.ensure_engine().connect() as connection:
        return dict(connection.execute(sa.text(
            "SELECT c.relname, c.reloptions FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " JOIN pg_am a ON a.oid = c.relam"
            " WHERE (i.indrelid = 'quebec_search_document'::regclass OR i.indrelid IN"
            " (SELECT relid FROM pg_partition_tree('quebec_search_document')))"
            " AND a.amname = 'gin'")).all())


class TestGinPendingListMigration:
    BEFORE_0006 = {"quebec_search_document_fields_idx": None,
                   "quebec_search_document_text_idx": None}

    def test_every_gin_index_keeps_the_smallest_pending_list(self, migrate_db_for):
        smallest = self.smallest()
        model.Session.remove()
        migrate_db_for("quebec_search", "0005_facet_ids_title_keys", False)
        assert gin_pending_list_limits() == self.BEFORE_0006
        migrate_db_for("quebec_search")
        assert gin_pending_list_limits() == smallest

    @staticmethod
    def smallest() -> dict[str, list[str] | None]:
        limits = gin_pending_list_limits()
        # Five on the table (values, words, field names, name and title
        # n-grams), five on each of its two partitions.
        assert len(limits) == 15
        assert set(map(tuple, limits.values())) == {("gin_pending_list_limit=64",)}
        return limits

    @pytest.mark.usefixtures("clean_db")
    def test_field_values_are_indexed_by_path(self):
        with model.ensure_engine().connect() as connection:
            definition = connection.execute(sa.text(
                "SELECT pg_get_indexdef('quebec_search_document_fields_idx'::regclass)")).scalar_one()
        assert "gin (fields jsonb_path_ops)" in definition
