"""`ckan search-index rebuild` shared among worker processes: the same documents as
CKAN's one-at-a-time indexing, CKAN's options, errors and repair."""
from __future__ import annotations

import logging
import os

import pytest
import sqlalchemy as sa

import ckan.lib.search as search
from ckan import model
from ckan.cli.cli import ckan
from ckan.tests import factories, helpers

from ckanext.quebec import config as suite_config
from ckanext.quebec import held
from ckanext.quebec.search import indexing
from ckanext.quebec.search import rebuild as parallel_rebuild

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search"),
]

WORKERS_OPTION = "ckanext.quebec.search.rebuild_workers"
WORKERS_LOG = "worker processes"


def documents() -> dict[str, dict]:
    """Every column of every document but the time it was written, by dataset name."""
    with model.ensure_engine().connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT name, to_jsonb(d) - 'indexed_at' AS row"
            " FROM quebec_search_document d")).all()
    return {name: row for name, row in rows}


def indexed_at() -> dict[str, object]:
    with model.ensure_engine().connect() as connection:
        return dict(connection.execute(sa.text(
            "SELECT name, indexed_at FROM quebec_search_document")).all())


def empty_index() -> None:
    with model.ensure_engine().begin() as connection:
        connection.execute(sa.text("DELETE FROM quebec_search_document"))


def break_dataset(dataset_id: str, modified: object = None) -> None:
    """A dataset CKAN cannot show (no modification date), or mend it again."""
    with model.ensure_engine().begin() as connection:
        connection.execute(sa.text(
            "UPDATE package SET metadata_modified = :modified WHERE id = :id"),
            {"modified": modified, "id": dataset_id})


@pytest.fixture
def catalogue() -> list[dict]:
    """Datasets of every shape the index holds, each indexed as it was written."""
    ville = factories.Organization(name="ville", title="Ville de Québec")
    ministere = factories.Organization(name="ministere", title="Ministère des Transports")
    transport = factories.Group(name="transport", title="Transport")
    sante = factories.Group(name="sante", title="Santé")
    datasets = []
    for number in range(9):
        organization = (ville, ministere)[number % 2]
        datasets.append(factories.Dataset(
            name=f"jeu-{number}",
            title=f"Pistes cyclables {number} – Écoles primaires",
            notes=f"Données sur les vélos ({number}). Bike paths and bridges.",
            owner_org=organization["id"],
            private=number % 4 == 3,
            tags=[{"name": "vélo"}, {"name": f"mot-{number % 3}"}],
            groups=[{"id": (transport, sante)[number % 2]["id"]}] if number % 3 else [],
            extras=[{"key": "frequence", "value": ("annuelle", "mensuelle")[number % 2]}],
            resources=[{"url": f"http://example.org/{number}/{position}.csv",
                        "format": ("CSV", "GeoJSON", "PDF")[position], "name": f"Fichier {position}"}
                       for position in range(1 + number % 3)]))
    # one-at-a-time indexing on update too, as CKAN does on package_update
    helpers.call_action("package_patch", id=datasets[0]["id"], title="Pistes mises à jour")
    deleted = factories.Dataset(name="supprime", owner_org=ville["id"])
    helpers.call_action("package_delete", id=deleted["id"])
    return datasets


@pytest.fixture
def rebuild_log(caplog, monkeypatch):
    """What the rebuild logs, when called without the CLI (whose logging set-up
    resets the loggers' handlers and levels). The test configuration's logging
    set-up leaves this logger disabled."""
    logger = logging.getLogger(parallel_rebuild.__name__)
    monkeypatch.setattr(logger, "disabled", False)
    logger.addHandler(caplog.handler)
    with caplog.at_level(logging.INFO, logger=parallel_rebuild.__name__):
        yield caplog
    logger.removeHandler(caplog.handler)


@pytest.fixture
def small_batches(monkeypatch):
    # A few datasets per batch, so that a small catalogue is shared among workers.
    monkeypatch.setattr(held, "BATCH", 2)


def rebuild(cli, *options: str):
    return cli.invoke(ckan, ["search-index", "rebuild", *options])


@pytest.mark.ckan_config(WORKERS_OPTION, "2")
@pytest.mark.usefixtures("small_batches")
class TestWorkers:
    def test_the_same_documents_as_indexing_one_at_a_time(self, catalogue, rebuild_log):
        expected = documents()
        assert len(expected) == 9
        empty_index()
        # What the command calls (the CLI would reset the loggers: see rebuild_log).
        search.rebuild(quiet=True)
        assert "with 2 " + WORKERS_LOG in rebuild_log.text
        # every column of every document, texts and vectors included
        assert documents() == expected

    def test_the_command(self, cli, catalogue):
        expected = documents()
        empty_index()
        result = rebuild(cli, "--quiet")
        assert result.exit_code == 0, result.output
        assert documents() == expected

    def test_documents_already_there_are_rewritten_the_same(self, cli, catalogue):
        expected, written = documents(), indexed_at()
        result = rebuild(cli, "--quiet")
        assert result.exit_code == 0, result.output
        assert documents() == expected
        assert all(at > written[name] for name, at in indexed_at().items())

    def test_search_answers_after_a_rebuild_by_workers(self, cli, catalogue):
        empty_index()
        assert rebuild(cli, "--quiet").exit_code == 0
        result = helpers.call_action("package_search", q="velos", fq="organization:ville",
                                     include_private=True, rows=100)
        assert result["count"] == 5
        facets = helpers.call_action("package_search", **{"facet.field": '["res_format"]'})
        assert dict(facets["facets"]["res_format"]) == {"CSV": 7, "GeoJSON": 5, "PDF": 3}

    def test_only_missing_adds_the_missing_and_leaves_the_rest(self, cli, catalogue):
        expected, written = documents(), indexed_at()
        for dataset in catalogue[:5]:
            search.clear(dataset["name"])
        result = rebuild(cli, "--only-missing", "--quiet")
        assert result.exit_code == 0, result.output
        assert documents() == expected
        kept = indexed_at()
        for dataset in catalogue[5:]:
            assert kept[dataset["name"]] == written[dataset["name"]]

    def test_only_missing_with_nothing_missing(self, cli, catalogue):
        written = indexed_at()
        result = rebuild(cli, "--only-missing", "--quiet")
        assert result.exit_code == 0, result.output
        assert indexed_at() == written

    def test_commit_each(self, cli, catalogue):
        expected = documents()
        empty_index()
        result = rebuild(cli, "--commit-each", "--quiet")
        assert result.exit_code == 0, result.output
        assert documents() == expected

    def test_progress_unless_quiet(self, cli, catalogue):
        empty_index()
        result = rebuild(cli)
        assert result.exit_code == 0, result.output
        assert "Indexing dataset 9/9" in result.output

    def test_one_dataset_by_name_is_left_to_ckan(self, cli, catalogue):
        expected = documents()
        empty_index()
        result = rebuild(cli, "jeu-4")
        assert result.exit_code == 0, result.output
        assert documents() == {"jeu-4": expected["jeu-4"]}

    def test_a_failing_dataset_fails_the_rebuild_and_the_check_sees_it(self, cli, catalogue):
        expected = documents()
        broken = catalogue[6]
        modified = model.Package.get(broken["id"]).metadata_modified
        break_dataset(broken["id"])
        empty_index()

        result = rebuild(cli, "--quiet")
        assert result.exit_code == 1
        assert broken["id"] in result.output
        # whatever the workers wrote before stopping is whole
        written = documents()
        assert broken["name"] not in written
        for name, row in written.items():
            assert row == expected[name]
        check = cli.invoke(ckan, ["quebec", "search", "check"])
        assert check.exit_code == 1
        assert broken["id"] in check.output

        # mended, a rebuild repairs everything
        break_dataset(broken["id"], modified)
        assert rebuild(cli, "--quiet").exit_code == 0
        assert documents() == expected
        assert cli.invoke(ckan, ["quebec", "search", "check"]).exit_code == 0

    def test_force_indexes_all_the_others(self, cli, catalogue):
        expected = documents()
        broken = catalogue[2]
        break_dataset(broken["id"])
        empty_index()
        result = rebuild(cli, "--force", "--quiet")
        assert result.exit_code == 0, result.output
        del expected[broken["name"]]
        assert documents() == expected
        check = cli.invoke(ckan, ["quebec", "search", "check"])
        assert check.exit_code == 1
        assert "1 dataset(s) missing from the index" in check.output
        assert broken["id"] in check.output

        # --only-missing picks up the one left once it is mended
        break_dataset(broken["id"], model.Package.get(catalogue[3]["id"]).metadata_modified)
        assert rebuild(cli, "--only-missing", "--quiet").exit_code == 0
        assert cli.invoke(ckan, ["quebec", "search", "check"]).exit_code == 0


@pytest.mark.ckan_config(WORKERS_OPTION, "1")
class TestOneWorker:
    def test_in_the_command_process_with_the_same_documents(self, catalogue, rebuild_log):
        expected = documents()
        empty_index()
        search.rebuild(quiet=True)
        assert "Rebuilding the whole index" in rebuild_log.text
        assert WORKERS_LOG not in rebuild_log.text
        assert documents() == expected

    def test_force_goes_on_after_a_failing_dataset(self, cli, catalogue):
        broken = catalogue[0]
        break_dataset(broken["id"])
        empty_index()
        result = rebuild(cli, "--force", "--quiet")
        assert result.exit_code == 0, result.output
        assert set(documents()) == {dataset["name"] for dataset in catalogue[1:]}

    def test_a_failing_dataset_fails_the_rebuild(self, cli, catalogue):
        break_dataset(catalogue[0]["id"])
        result = rebuild(cli, "--quiet")
        assert result.exit_code == 1


@pytest.mark.ckan_config(WORKERS_OPTION, "1")
def test_a_type_without_plugin_is_validated_once(catalogue, validations):
    # CKAN 2.12 validates it twice under the same schema; the documents are
    # the same as those CKAN wrote on create and update.
    expected = documents()
    empty_index()
    search.rebuild(quiet=True)
    assert documents() == expected
    if indexing.BOTH_SCHEMAS:  # CKAN 2.12
        assert sorted(validations) == sorted(expected)


class TestWorkersOption:
    @pytest.mark.ckan_config(WORKERS_OPTION, "3")
    def test_given(self):
        assert suite_config.search_rebuild_workers() == 3

    @pytest.mark.ckan_config(WORKERS_OPTION, "0")
    def test_zero_is_one_per_cpu(self):
        assert suite_config.search_rebuild_workers() == len(os.sched_getaffinity(0))

    def test_default_is_one_per_cpu(self):
        assert suite_config.search_rebuild_workers() == len(os.sched_getaffinity(0))

    @pytest.mark.ckan_config(WORKERS_OPTION, "-1")
    def test_negative_is_refused(self):
        with pytest.raises(suite_config.ConfigError, match=WORKERS_OPTION):
            suite_config.search_rebuild_workers()
