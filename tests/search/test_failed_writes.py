"""Writes that fail: the dataset and its document both stored or neither.

A document PostgreSQL refuses to write: the dataset refused with it, or the
write tried again. CKAN 2.11 indexes a dataset while it commits it and commits
anyway after any exception but a SearchIndexError. Before quebec_search raised
one, a refused document left package_create answering success with nothing
stored (the failed statement had aborted the transaction), and package_patch
answering success with its change lost.

A dataset whose commit fails: its document is not kept. With quebec_quality
enabled, as on the portal, it was: quebec_quality reads the quality of the
dataset CKAN shows for indexing under a savepoint, rolled back after, and CKAN
drops its record of the session's writes (``Session._object_cache``) at any
rollback, a savepoint's included. quebec_search then took the edit for a
reindex and committed the document by itself, before the dataset's commit.
The load test's documents without a dataset (a web process killed while it
committed) came from there.

The refusals are real PostgreSQL errors, raised by triggers.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

import ckan.lib.search as search
from ckan import model
from ckan.lib.search.common import SearchIndexError
from ckan.tests import factories, helpers

from .helpers import index_documents, installed

pytestmark = [
    pytest.mark.usefixtures("clean_db"),
    # quebec_quality: the portal's plugin that reads under a savepoint while a
    # dataset is shown for indexing (see above).
    pytest.mark.ckan_config("ckan.plugins", "quebec_search quebec_quality"),
]

REFUSED = "The search index could not record the change, so nothing was saved; try again."
REFUSED_FR = "L'index de recherche n'a pas pu prendre en compte la modification"


@pytest.fixture
def refused_documents():
    """PostgreSQL refuses to write the document of a dataset named ``unindexable-*``
    and to remove that of one named ``undeletable-*``; it refuses the first write of
    ``once-*`` only (a sequence, which no rollback takes back, counts the tries)."""
    statements = [
        "CREATE SEQUENCE quebec_test_tries",
        """CREATE FUNCTION quebec_test_refuse_document() RETURNS trigger
           LANGUAGE plpgsql AS $$ BEGIN
             IF TG_OP = 'DELETE' THEN
               IF OLD.name LIKE 'undeletable-%' THEN
                 RAISE EXCEPTION 'refused removal' USING ERRCODE = '40P01';
               END IF;
               RETURN OLD;
             END IF;
             IF NEW.name LIKE 'unindexable-%'
                OR (NEW.name LIKE 'once-%' AND nextval('quebec_test_tries') = 1) THEN
               RAISE EXCEPTION 'refused write' USING ERRCODE = '40P01';
             END IF;
             RETURN NEW; END $$""",
        """CREATE TRIGGER quebec_test_refuse_document
           BEFORE INSERT OR UPDATE OR DELETE ON quebec_search_document
           FOR EACH ROW EXECUTE FUNCTION quebec_test_refuse_document()""",
    ]
    with installed(statements, [
            "DROP TRIGGER IF EXISTS quebec_test_refuse_document ON quebec_search_document",
            "DROP FUNCTION quebec_test_refuse_document()", "DROP SEQUENCE quebec_test_tries"]):
        yield


def tries() -> int:
    with model.ensure_engine().connect() as connection:
        return connection.execute(sa.text(
            "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM quebec_test_tries")).scalar()


def stored(name_or_id: str) -> model.Package | None:
    model.Session.remove()
    return model.Package.get(name_or_id)


class TestRefused:
    def test_a_dataset_whose_document_is_refused_is_not_created(self, refused_documents):
        with pytest.raises(SearchIndexError, match="could not record the change"):
            helpers.call_action("package_create", name="unindexable-dataset")
        assert stored("unindexable-dataset") is None
        assert index_documents() == {}

    def test_an_update_whose_document_is_refused_changes_nothing(self, refused_documents):
        dataset = factories.Dataset(name="before", title="Avant")
        with pytest.raises(SearchIndexError, match="refused write"):
            helpers.call_action("package_patch", id=dataset["id"], name="unindexable-after",
                                title="Après")
        kept = stored(dataset["id"])
        assert (kept.name, kept.title) == ("before", "Avant")
        assert {name: document["fields"]["title"]
                for name, document in index_documents().items()} == {"before": ["Avant"]}

    def test_a_deletion_whose_removal_is_refused_keeps_the_dataset(self, refused_documents):
        dataset = factories.Dataset(name="undeletable-dataset")
        with pytest.raises(SearchIndexError, match="refused removal"):
            helpers.call_action("package_delete", id=dataset["id"])
        assert stored(dataset["id"]).state == "active"
        assert list(index_documents()) == ["undeletable-dataset"]

    @pytest.mark.parametrize("prefix, message", [("", REFUSED), ("/fr", REFUSED_FR)])
    def test_the_api_answers_ckans_search_index_error_in_the_users_language(
            self, refused_documents, app, prefix, message):
        organization = factories.Organization()
        token = factories.SysadminWithToken()["token"]
        answer = app.post(f"{prefix}/api/3/action/package_create",
                          headers={"Authorization": token},
                          json={"name": "unindexable-api", "owner_org": organization["id"]},
                          status=500)
        assert answer.json["error"]["__type"] == "Search Index Error"
        assert message in answer.json["error"]["message"]
        assert stored("unindexable-api") is None


class TestCommitRefused:
    def test_a_dataset_whose_commit_fails_leaves_no_document(self, refused_at_commit):
        factories.Dataset(name="kept-dataset")
        with pytest.raises(sa.exc.DBAPIError, match="refused at commit"):
            helpers.call_action("package_create", name="refused-dataset")
        assert stored("refused-dataset") is None
        assert list(index_documents()) == ["kept-dataset"]

    def test_an_update_whose_commit_fails_leaves_the_document_as_it_was(self, refused_at_commit):
        dataset = factories.Dataset(name="kept", title="Avant")
        with pytest.raises(sa.exc.DBAPIError, match="refused at commit"):
            helpers.call_action("package_patch", id=dataset["id"], name="refused-rename",
                                title="Après")
        assert stored(dataset["id"]).title == "Avant"
        assert {name: document["fields"]["title"]
                for name, document in index_documents().items()} == {"kept": ["Avant"]}


class TestTriedAgain:
    def test_a_write_in_the_datasets_transaction_is_tried_again(self, refused_documents):
        created = helpers.call_action("package_create", name="once-created", title="Créé")
        assert tries() == 2
        assert stored("once-created").title == "Créé"
        assert index_documents()["once-created"]["fields"]["title"] == ["Créé"]
        assert created["name"] == "once-created"

    def test_a_write_of_its_own_is_tried_again(self, refused_documents):
        """search-index rebuild and the jobs write outside any dataset's transaction."""
        with model.ensure_engine().begin() as connection:
            connection.execute(sa.text("DROP TRIGGER quebec_test_refuse_document"
                                       " ON quebec_search_document"))
        dataset = factories.Dataset(name="once-rebuilt")
        search.clear_all()
        with model.ensure_engine().begin() as connection:
            connection.execute(sa.text(
                "CREATE TRIGGER quebec_test_refuse_document BEFORE INSERT OR UPDATE OR DELETE"
                " ON quebec_search_document FOR EACH ROW"
                " EXECUTE FUNCTION quebec_test_refuse_document()"))

        search.rebuild(dataset["id"])
        model.Session.rollback()

        assert tries() == 2
        assert list(index_documents()) == ["once-rebuilt"]
