"""The index in step with the database: writes, removals, package_show's cache, the CLI."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

import ckan.lib.search as search
from ckan import model
from ckan.cli.cli import ckan
from ckan.tests import factories, helpers

from .helpers import index_documents

pytestmark = [
    pytest.mark.usefixtures("clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search"),
]


def search_names(**params) -> set[str]:
    result = helpers.call_action("package_search", rows=100, **params)
    return {dataset["name"] for dataset in result["results"]}


def _tamper_cached_title(dataset_id: str, title: str) -> None:
    """Change the title stored in the index only, to see who answers."""
    with model.ensure_engine().begin() as connection:
        stored = connection.execute(sa.text(
            "SELECT stored FROM quebec_search_document WHERE id = :id"),
            {"id": dataset_id}).scalar_one()
        validated = json.loads(stored["validated_data_dict"])
        validated["title"] = title
        stored["validated_data_dict"] = json.dumps(validated)
        connection.execute(sa.text(
            "UPDATE quebec_search_document SET stored = CAST(:stored AS jsonb)"
            " WHERE id = :id"), {"stored": json.dumps(stored), "id": dataset_id})


class TestDocuments:
    def test_a_created_dataset_is_indexed_as_ckan_builds_it(self):
        org = factories.Organization(name="ville")
        factories.Dataset(
            name="pistes", title="Pistes cyclables", owner_org=org["id"],
            tags=[{"name": "vélo"}], private=True,
            resources=[{"url": "http://e.org/a.csv", "format": "CSV"},
                       {"url": "http://e.org/b.csv", "format": "CSV"}])
        document = index_documents()["pistes"]
        fields = document["fields"]
        assert fields["organization"] == ["ville"]
        assert fields["tags"] == ["vélo"]
        assert fields["res_format"] == ["CSV"]  # multi-valued, each value once
        assert fields["capacity"] == ["private"]
        assert fields["permission_labels"] == [f"member-{org['id']}"]
        assert fields["site_id"] == ["test.ckan.net"]
        # stored fields are what CKAN reads back; Solr's unstored ones are not kept
        assert "validated_data_dict" in document["stored"]
        assert "permission_labels" not in document["stored"]
        assert "'cyclabl'" in document["search_text"]

    def test_an_update_replaces_the_document(self):
        dataset = factories.Dataset(name="ponts", title="Ponts")
        helpers.call_action("package_patch", id=dataset["id"], title="Inspection des ponts")
        documents = index_documents()
        assert list(documents) == ["ponts"]
        assert search_names(q="inspection") == {"ponts"}

    def test_a_rename_leaves_no_document_under_the_old_name(self):
        dataset = factories.Dataset(name="ancien-nom")
        helpers.call_action("package_patch", id=dataset["id"], name="nouveau-nom")
        assert list(index_documents()) == ["nouveau-nom"]
        assert search_names(fq="name:ancien-nom") == set()


class TestDatabaseAgreement:
    def test_deleted_dataset_leaves_the_index(self):
        dataset = factories.Dataset(name="a-supprimer")
        helpers.call_action("package_delete", id=dataset["id"])
        assert index_documents() == {}
        assert search_names() == set()

    @pytest.mark.ckan_config("ckan.search.remove_deleted_packages", False)
    def test_deleted_dataset_kept_when_configured(self):
        dataset = factories.Dataset(name="a-garder")
        helpers.call_action("package_delete", id=dataset["id"])
        assert index_documents()["a-garder"]["fields"]["state"] == ["deleted"]
        assert search_names() == set()
        assert search_names(include_deleted=True) == {"a-garder"}

    def test_purged_dataset_leaves_the_index(self):
        dataset = factories.Dataset(name="a-purger")
        helpers.call_action("dataset_purge", id=dataset["id"])
        assert index_documents() == {}

    def test_private_switch(self):
        org = factories.Organization()
        dataset = factories.Dataset(name="bascule", owner_org=org["id"])
        helpers.call_action("package_patch", id=dataset["id"], private=True)
        assert search_names() == set()
        assert index_documents()["bascule"]["fields"]["capacity"] == ["private"]
        helpers.call_action("package_patch", id=dataset["id"], private=False)
        assert search_names() == {"bascule"}

    def test_bulk_private_switch(self):
        org = factories.Organization()
        first = factories.Dataset(owner_org=org["id"])
        second = factories.Dataset(owner_org=org["id"])
        helpers.call_action("bulk_update_private", org_id=org["id"],
                            datasets=[first["id"], second["id"]])
        assert search_names() == set()

    def test_organization_rename(self):
        org = factories.Organization(name="ancienne-ville")
        dataset = factories.Dataset(owner_org=org["id"])
        helpers.call_action("organization_patch", id=org["id"], name="nouvelle-ville",
                            title="Nouvelle ville")
        assert search_names(fq="organization:nouvelle-ville") == {dataset["name"]}
        assert search_names(fq="organization:ancienne-ville") == set()
        shown = helpers.call_action("package_show", id=dataset["id"])
        assert shown["organization"]["title"] == "Nouvelle ville"

    def test_group_rename(self):
        group = factories.Group(name="ancien-groupe")
        dataset = factories.Dataset(groups=[{"name": "ancien-groupe"}])
        helpers.call_action("group_patch", id=group["id"], name="nouveau-groupe")
        assert search_names(fq="groups:nouveau-groupe") == {dataset["name"]}
        assert search_names(q="ancien") == set()
        shown = helpers.call_action("package_show", id=dataset["id"])
        assert [g["name"] for g in shown["groups"]] == ["nouveau-groupe"]

    def test_group_delete(self):
        group = factories.Group(name="groupe")
        factories.Dataset(groups=[{"name": "groupe"}])
        helpers.call_action("group_delete", id=group["id"])
        assert search_names(fq="groups:groupe") == set()


class TestOneTransaction:
    """The document is written in the dataset's own transaction: both or neither."""

    def test_a_dataset_whose_commit_fails_leaves_no_document(self, refused_at_commit):
        factories.Dataset(name="kept-dataset")

        with pytest.raises(sa.exc.DBAPIError, match="refused at commit"):
            helpers.call_action("package_create", name="refused-dataset")
        model.Session.rollback()

        assert model.Package.get("refused-dataset") is None
        assert search_names() == {"kept-dataset"}
        assert search_names(q="name:refused-dataset", include_private=True) == set()

    def test_a_removal_whose_commit_fails_leaves_the_document(self, refused_at_commit):
        dataset = factories.Dataset(name="still-here")

        with pytest.raises(sa.exc.DBAPIError, match="refused at commit"):
            helpers.call_action("package_delete", id=dataset["id"])
        model.Session.rollback()

        assert model.Package.get("still-here").state == "active"
        assert search_names() == {"still-here"}

    def test_a_dataset_indexed_again_alone_stays_searchable_meanwhile(self, monkeypatch):
        """rebuild(id) (the quality check, `search-index rebuild ID`) writes in place: CKAN 2.11
        removes then adds, two commits, and the dataset was out of every search between them."""
        from ckanext.quebec.search import writer

        dataset = factories.Dataset(name="toujours-la")
        present_at_write = []
        write = writer._write

        def watched(engine, rows):
            with engine.connect() as other:  # what another process sees
                present_at_write.append(other.execute(sa.text(
                    "SELECT count(*) FROM quebec_search_document WHERE id = :id"),
                    {"id": dataset["id"]}).scalar())
            write(engine, rows)

        monkeypatch.setattr(writer, "_write", watched)
        search.rebuild(dataset["id"])
        model.Session.rollback()

        assert present_at_write == [1]
        assert search_names() == {"toujours-la"}

    def test_a_write_outside_any_commit_is_committed_by_itself(self):
        """search-index rebuild and the jobs index without a CKAN commit after."""
        dataset = factories.Dataset(name="rebuilt-alone")
        search.clear_all()
        assert search_names() == set()

        search.rebuild(dataset["id"])
        model.Session.rollback()

        assert search_names() == {"rebuilt-alone"}


class TestPackageShowCache:
    def test_package_show_answers_from_the_index(self):
        dataset = factories.Dataset(title="Titre en base")
        _tamper_cached_title(dataset["id"], "Titre de l'index")
        for reference in (dataset["id"], dataset["name"]):
            shown = helpers.call_action("package_show", id=reference)
            assert shown["title"] == "Titre de l'index"

    def test_a_stale_index_entry_is_not_used(self):
        dataset = factories.Dataset(title="Titre en base")
        _tamper_cached_title(dataset["id"], "Titre de l'index")
        with model.ensure_engine().begin() as connection:
            connection.execute(sa.text(
                "UPDATE quebec_search_document SET stored = jsonb_set(stored,"
                " '{metadata_modified}', '\"2001-01-01T00:00:00Z\"')"))
        assert helpers.call_action("package_show", id=dataset["id"])["title"] == "Titre en base"

    def test_search_show(self):
        dataset = factories.Dataset(name="montre")
        assert search.show("montre")["id"] == dataset["id"]
        assert search.show(dataset["id"])["name"] == "montre"
        with pytest.raises(search.SearchError):
            search.show("absent")


class TestSearchModule:
    def test_clear_one_then_rebuild_it(self):
        kept = factories.Dataset(name="garde")
        factories.Dataset(name="retire")
        search.clear("retire")
        assert list(index_documents()) == ["garde"]
        search.rebuild("retire")
        search.commit()
        assert set(index_documents()) == {"garde", "retire"}
        assert search.show("garde")["id"] == kept["id"]

    def test_clear_all_and_rebuild(self):
        factories.Dataset(name="un")
        factories.Dataset(name="deux")
        search.clear_all()
        assert index_documents() == {}
        search.rebuild(quiet=True)
        assert set(index_documents()) == {"un", "deux"}

    def test_get_all_entity_ids_lists_active_indexed_datasets(self):
        first = factories.Dataset()
        second = factories.Dataset(private=True, owner_org=factories.Organization()["id"])
        factories.Dataset(state="draft")
        ids = search.query_for(model.Package).get_all_entity_ids(max_results=10)
        assert sorted(ids) == sorted([first["id"], second["id"]])

    def test_another_site_is_left_alone(self):
        factories.Dataset(name="ici")
        with model.ensure_engine().begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO quebec_search_document (index_id, id, name, site_id, fields,"
                " stored, search_text, indexed_at) SELECT 'ailleurs', 'x', 'ailleurs',"
                " 'other.site', '{\"site_id\": [\"other.site\"], \"state\": [\"active\"],"
                " \"capacity\": [\"public\"]}', '{}', ''::tsvector, now()"))
        assert search_names() == {"ici"}
        search.clear_all()
        assert list(index_documents()) == ["ailleurs"]


class TestCommands:
    def test_rebuild(self, cli):
        factories.Dataset(name="un")
        factories.Dataset(name="deux")
        search.clear_all()
        result = cli.invoke(ckan, ["search-index", "rebuild", "--quiet"])
        assert result.exit_code == 0, result.output
        assert set(index_documents()) == {"un", "deux"}
        assert search_names() == {"un", "deux"}

    def test_rebuild_removes_orphans(self, cli):
        factories.Dataset(name="orphelin")
        factories.Dataset(name="vivant")
        # gone from the database without CKAN being told
        model.Package.get("orphelin").purge()
        model.repo.commit_and_remove()
        result = cli.invoke(ckan, ["search-index", "rebuild", "--quiet"])
        assert result.exit_code == 0, result.output
        assert list(index_documents()) == ["vivant"]

    def test_rebuild_only_missing(self, cli):
        factories.Dataset(name="present")
        factories.Dataset(name="manquant")
        search.clear("manquant")
        before = index_documents()["present"]["indexed_at"]
        result = cli.invoke(ckan, ["search-index", "rebuild", "--only-missing", "--quiet"])
        assert result.exit_code == 0, result.output
        documents = index_documents()
        assert set(documents) == {"present", "manquant"}
        assert documents["present"]["indexed_at"] == before

    def test_check(self, cli):
        factories.Dataset(name="present")
        factories.Dataset(name="manquant")
        search.clear("manquant")
        result = cli.invoke(ckan, ["search-index", "check"])
        assert result.exit_code == 0, result.output
        assert "Packages not indexed = 1 out of 2" in result.output
        assert "manquant" in result.output

    def test_clear(self, cli):
        factories.Dataset(name="un")
        factories.Dataset(name="deux")
        result = cli.invoke(ckan, ["search-index", "clear", "un"])
        assert result.exit_code == 0, result.output
        assert list(index_documents()) == ["deux"]
        result = cli.invoke(ckan, ["search-index", "clear"])
        assert result.exit_code == 0, result.output
        assert index_documents() == {}
