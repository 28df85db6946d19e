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

import pytest

from ckan import model
from ckan.cli.cli import ckan
from ckan.lib import search
from ckan.tests import factories, helpers

from ckanext.quebec.held import is_held
from ckanext.quebec.search import writer

from tests.edit_during_indexing import EditDuringIndexing

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
