"""Every reindex outside a dataset's own edit holds it from its read to its index write.

``ckan search-index rebuild ID``, and CKAN's member_create and member_delete
(a dataset added to or taken out of a group, which reindex it once more after
their commit), and an extension's ``ckan.lib.search.rebuild(package_ids=...)``
read the dataset, then write its document. An edit committed between
the two had written its own document; the older copy then replaced it, and
the index kept the old title until the next edit. quebec_search's rebuild
holds the datasets (ckanext.quebec.held) whoever calls it.

The edit starts in another session at the moment the document is about to be
written (tests/edit_during_indexing.py); it must wait for the reindex, then
write its own document after it.
"""
from __future__ import annotations

import os
import time

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.cli.cli import ckan
from ckan.lib import search
from ckan.tests import factories, helpers

from ckanext.quebec import compat_ckan, held
from ckanext.quebec.held import is_held
from ckanext.quebec.search import rebuild, writer

from tests.edit_during_indexing import WAIT_SECONDS, EditDuringIndexing, lock_waits

REBUILD_WORKERS = "ckanext.quebec.search.rebuild_workers"

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search"),
]


def _indexed(dataset_id: str) -> dict:
    model.Session.remove()  # read back as a new request would
    found = helpers.call_action("package_search", fq=f"id:{dataset_id}")["results"]
    assert len(found) == 1
    return found[0]


def test_the_command_line_rebuild_of_a_dataset_edited_meanwhile(monkeypatch, cli):
    dataset = factories.Dataset(title="Titre avant")
    edit = EditDuringIndexing(monkeypatch, writer, "add", "package_patch", id=dataset["id"],
                              title="Titre après")

    result = cli.invoke(ckan, ["search-index", "rebuild", dataset["id"]])
    assert result.exit_code == 0, result.output
    edit.join()

    assert edit.waited_for_lock
    assert _indexed(dataset["id"])["title"] == "Titre après"
    assert [d["name"] for d in helpers.call_action("package_search", q="après")["results"]] \
        == [dataset["name"]]


def test_a_list_of_datasets_rebuilt_while_one_is_edited(monkeypatch):
    first, second = factories.Dataset(title="Premier avant"), factories.Dataset(title="Second")
    edit = EditDuringIndexing(monkeypatch, writer, "add", "package_patch", id=first["id"],
                              title="Premier après")

    search.rebuild(package_ids=[first["id"], second["id"]])
    edit.join()

    assert edit.waited_for_lock
    assert _indexed(first["id"])["title"] == "Premier après"
    assert _indexed(second["id"])["title"] == "Second"


def test_a_list_is_written_before_its_datasets_are_let_go(monkeypatch):
    """The list's documents are sent by batches (writer.bulk_writes): an edit that
    could end before they are sent would then be overwritten by the older copy."""
    first, second = factories.Dataset(title="Premier avant"), factories.Dataset(title="Second")
    edit = EditDuringIndexing(monkeypatch, writer, "add", "package_patch", id=first["id"],
                              title="Premier après")
    flush = rebuild.flush_bulk

    def flush_once_the_edit_ends_or_waits(engine):
        # The edit either ends (the datasets were let go before their documents
        # were sent) or keeps waiting for them.
        deadline, waiting_since = time.monotonic() + WAIT_SECONDS, None
        while not edit.done.wait(0.05) and time.monotonic() < deadline:
            waiting = lock_waits(model.meta.engine)
            waiting_since = (waiting_since or time.monotonic()) if waiting else None
            if waiting_since is not None and time.monotonic() - waiting_since > 0.5:
                break
        return flush(engine)

    monkeypatch.setattr(rebuild, "flush_bulk", flush_once_the_edit_ends_or_waits)
    search.rebuild(package_ids=[first["id"], second["id"]])
    edit.join()

    assert _indexed(first["id"])["title"] == "Premier après"


@pytest.mark.parametrize("action", ["member_create", "member_delete"])
def test_a_group_membership_changed_while_the_dataset_is_edited(monkeypatch, action):
    group = factories.Group()
    dataset = factories.Dataset(title="Titre avant",
                                groups=[{"name": group["name"]}] if action == "member_delete" else [])
    # The membership's own transaction indexes the dataset too (CKAN's
    # notification of the change, with the dataset's row not held): the edit
    # starts at the reindex after the commit.
    edit = EditDuringIndexing(monkeypatch, writer, "add", "package_patch", id=dataset["id"],
                              title="Titre après", start_when=lambda: is_held(model.Session()))

    helpers.call_action(action, id=group["id"], object=dataset["id"], object_type="package",
                        capacity="public")
    edit.join()

    assert edit.waited_for_lock
    indexed = _indexed(dataset["id"])
    assert indexed["title"] == "Titre après"
    assert [g["name"] for g in indexed["groups"]] == ([group["name"]] if action == "member_create"
                                                     else [])


@pytest.mark.parametrize("reindex_list", [
    lambda ids: search.rebuild(package_ids=ids),
    lambda ids: compat_ckan.reindex(package_ids=ids),  # an organization renamed
], ids=["rebuild", "reindex"])
def test_a_long_list_holds_one_batch_at_a_time(monkeypatch, reindex_list):
    """Every dataset of a renamed organization, ``search-index rebuild-fast``: an editor of
    a dataset already indexed does not wait for the rest of the list."""
    monkeypatch.setattr(held, "BATCH", 1)
    datasets = [factories.Dataset(title=f"{name} avant") for name in ("Premier", "Second", "Dernier")]
    writes = []
    write = writer.add
    monkeypatch.setattr(writer, "add", lambda *args: writes.append(1) or write(*args))
    # The first dataset edited while the last one is about to be written.
    edit = EditDuringIndexing(monkeypatch, writer, "add", "package_patch", id=datasets[0]["id"],
                              title="Premier après", start_when=lambda: len(writes) == 2)

    reindex_list([dataset["id"] for dataset in datasets])
    edit.join()

    assert not edit.waited_for_lock
    assert [_indexed(dataset["id"])["title"] for dataset in datasets] == [
        "Premier après", "Second avant", "Dernier avant"]


@pytest.mark.ckan_config(REBUILD_WORKERS, "1")
def test_a_dataset_edited_during_a_whole_rebuild(monkeypatch, cli):
    dataset = factories.Dataset(title="Titre avant")
    edit = EditDuringIndexing(monkeypatch, writer, "add", "package_patch", id=dataset["id"],
                              title="Titre après")

    result = cli.invoke(ckan, ["search-index", "rebuild"])
    assert result.exit_code == 0, result.output
    edit.join()

    assert edit.waited_for_lock
    assert _indexed(dataset["id"])["title"] == "Titre après"


@pytest.mark.ckan_config(REBUILD_WORKERS, "2")
def test_each_batch_of_the_rebuild_workers_is_held_until_written(monkeypatch, cli, tmp_path):
    """In the forked workers, each batch's documents are sent while another session
    still cannot take its datasets for an edit."""
    monkeypatch.setattr(held, "BATCH", 1)  # three batches, two workers
    dataset_ids = [factories.Dataset()["id"] for _ in range(3)]
    report = tmp_path / "flushed"
    flush = rebuild.flush_bulk

    def flush_after_trying_to_edit(engine):
        ids = [row["id"] for row in writer._bulk.rows]
        if ids:
            with engine.begin() as connection:  # another session, as an edit's
                free = connection.execute(sa.text(
                    "SELECT id FROM package WHERE id = ANY(:ids) FOR UPDATE SKIP LOCKED"),
                    {"ids": ids}).scalars().all()
            with open(report, "a", encoding="utf-8") as out:
                out.write(f"{os.getpid()} {len(ids)} {len(free)}\n")
        return flush(engine)

    monkeypatch.setattr(rebuild, "flush_bulk", flush_after_trying_to_edit)
    result = cli.invoke(ckan, ["search-index", "rebuild"])
    assert result.exit_code == 0, result.output

    flushes = [line.split() for line in report.read_text(encoding="utf-8").splitlines()]
    assert str(os.getpid()) not in {pid for pid, _, _ in flushes}  # written by the workers
    assert sum(int(written) for _, written, _ in flushes) == len(dataset_ids)
    assert [free for _, _, free in flushes] == ["0"] * len(flushes)
