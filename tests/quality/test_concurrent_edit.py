"""A check that runs while its dataset is edited never puts the older copy in the index.

The check reads the dataset, then writes its search document. The demo
catalogue met the race on CKAN 2.11 (the suite's serve test, in CI): the
loader made a dataset active between the read and the write of the check its
resource had queued; the check's write put the draft back in the index and
the dataset stayed out of every anonymous search.

Here the check runs in this thread, as the job does, and the edit in another
thread with its own session, as another process would. The edit starts at the
moment the check has read the dataset and is about to index it (the quality
plugin's index hook, wrapped to start it), and the check goes on once the edit
is committed or waits for a lock. Real PostgreSQL, real index, either backend.
"""
from __future__ import annotations

import threading

import pytest

from ckan import model
from ckan.tests import factories, helpers

from ckanext.quebec.quality import indexing, runner

from tests.edit_during_indexing import WAIT_SECONDS, EditDuringIndexing

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search quebec_quality"),
    pytest.mark.ckan_config("ckanext.quebec.quality.background", "false"),
]


class _EditDuringIndexing(EditDuringIndexing):
    """The edit starts when the check is about to index the dataset (the quality plugin's index hook)."""

    def __init__(self, monkeypatch, action: str, **data) -> None:
        super().__init__(monkeypatch, indexing, "add_quality_fields", action, **data)


def _anonymous_names(**params) -> list[str]:
    found = helpers.call_action("package_search", context={"user": "", "ignore_auth": False}, **params)
    return [dataset["name"] for dataset in found["results"]]


def test_a_dataset_made_active_during_its_check_is_indexed_active(monkeypatch):
    organization = factories.Organization()
    dataset = factories.Dataset(owner_org=organization["id"], state="draft", name="bibliotheques",
                                resources=[{"url": "http://127.0.0.1:9/absent.csv", "format": "CSV"}])
    edit = _EditDuringIndexing(monkeypatch, "package_patch", id=dataset["id"], state="active")

    runner.run(dataset["id"], validate=False, check_links=False)
    edit.join()

    # The edit waited for the check's index write, then wrote its own.
    assert edit.waited_for_lock
    model.Session.remove()  # read back as a new request would
    assert helpers.call_action("package_show", id=dataset["id"])["state"] == "active"
    assert _anonymous_names(q="name:bibliotheques") == ["bibliotheques"]


def test_a_title_changed_during_a_check_is_the_one_indexed(monkeypatch):
    organization = factories.Organization()
    dataset = factories.Dataset(owner_org=organization["id"], title="Titre avant", notes="",
                                resources=[{"url": "http://127.0.0.1:9/a.csv", "format": "CSV"}])
    edit = _EditDuringIndexing(monkeypatch, "package_patch", id=dataset["id"], title="Titre après",
                               notes="Une description ajoutée pendant la vérification.")

    runner.run(dataset["id"], validate=False, check_links=False)
    edit.join()

    assert edit.waited_for_lock
    found = helpers.call_action("package_search", fq=f"id:{dataset['id']}")["results"]
    assert [result["title"] for result in found] == ["Titre après"]
    assert _anonymous_names(q="après") == [dataset["name"]]


def test_a_dataset_made_active_while_its_files_are_checked_is_indexed_active():
    """The edit commits before the check indexes; the job's session still holds the draft it read."""
    organization = factories.Organization()
    dataset = factories.Dataset(owner_org=organization["id"], state="draft", name="bibliotheques",
                                resources=[{"url": "http://127.0.0.1:9/absent.csv", "format": "CSV"}])
    # A reference keeps the job's first read alive in its session (a reference cycle can).
    first_read = model.Package.get(dataset["id"])
    assert first_read.state == "draft"

    failures = []

    def publish():
        try:
            helpers.call_action("package_patch", id=dataset["id"], state="active")
        except Exception as error:  # reported in the test's thread
            failures.append(error)
        finally:
            model.Session.remove()

    edit = threading.Thread(target=publish)
    edit.start()
    edit.join(WAIT_SECONDS)
    assert not edit.is_alive() and not failures, failures
    runner.run(dataset["id"], validate=False, check_links=False)

    model.Session.remove()
    assert helpers.call_action("package_show", id=dataset["id"])["state"] == "active"
    assert _anonymous_names(q="name:bibliotheques") == ["bibliotheques"]
