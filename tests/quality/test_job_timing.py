"""A check job and the changes around it.

The job is queued once the change that asks for it is committed: queued from
the dataset hook, before the commit, an idle worker ran it at once, read the
dataset as it was and indexed that copy after the change's own indexing
(found by the portal's serve test: a demo dataset left indexed as the draft
the loader had just published). A job that runs while the dataset changes
indexes the dataset as it is when the job ends."""
from __future__ import annotations

import threading

import pytest

from ckan import model
from ckan.tests import factories, helpers

from ckanext.quebec.quality import runner

from .test_jobs import GOOD, dataset_dict

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db", "empty_queue"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_datasets quebec_schema quebec_quality"),
    pytest.mark.ckan_config("ckanext.quebec.quality.allow_private_addresses", "true"),
    pytest.mark.ckan_config("ckanext.quebec.quality.background", "true"),
]


def _indexed_states(name: str) -> list[str]:
    found = helpers.call_action("package_search", fq=f"name:{name}", include_drafts=True,
                                include_private=True)
    return [dataset["state"] for dataset in found["results"]]


def test_a_check_indexes_the_dataset_as_it_is_when_the_check_ends(http_server):
    base, routes = http_server
    fetching, published = threading.Event(), threading.Event()

    def slow_file(handler):
        fetching.set()
        published.wait(20)
        return GOOD

    routes["/lent.csv"] = (200, {"Content-Type": "text/csv"}, slow_file)
    organization = factories.Organization()
    draft = helpers.call_action("package_create", **dict(
        dataset_dict(organization["id"], base + "/lent.csv", "publie-pendant-la-verification"),
        state="draft"))
    assert _indexed_states(draft["name"]) == ["draft"]

    outcome: dict = {}

    def check() -> None:
        # A job of its own, with its own session, as in the worker.
        try:
            outcome["summary"] = runner.run(draft["id"])
        except Exception as error:  # reported by the assertion below
            outcome["error"] = error
        finally:
            model.Session.remove()

    job = threading.Thread(target=check)
    job.start()
    assert fetching.wait(20), "the check never fetched the file"
    # Published while the job checks the file it read at its start.
    helpers.call_action("package_patch", id=draft["id"], state="active")
    assert _indexed_states(draft["name"]) == ["active"]
    published.set()
    job.join(60)

    assert not job.is_alive() and "error" not in outcome, outcome
    assert outcome["summary"]["validation"]["status"] == "valid"
    assert _indexed_states(draft["name"]) == ["active"]
    visible = helpers.call_action("package_search", {"user": "", "ignore_auth": False},
                                  fq=f"name:{draft['name']}")
    assert visible["count"] == 1
    assert visible["results"][0]["quebec_quality"]["validation"]["status"] == "valid"


def test_a_check_is_queued_when_the_change_is_committed_and_not_when_it_is_rolled_back(
        empty_queue):
    organization = factories.Organization()
    dataset = helpers.call_action("package_create", **dataset_dict(
        organization["id"], "http://127.0.0.1:9/absent.csv"))
    assert [job.args for job in empty_queue.jobs] == [[dataset["id"]]]
    empty_queue.empty()

    helpers.call_action("package_patch", {"defer_commit": True}, id=dataset["id"],
                        author_email="service@example.org")
    helpers.call_action("package_patch", {"defer_commit": True}, id=dataset["id"],
                        update_frequency="monthly")
    assert empty_queue.jobs == [], "queued before the change was committed"
    model.repo.commit()
    # Two changes of one dataset in one transaction: one check.
    assert [job.args for job in empty_queue.jobs] == [[dataset["id"]]]
    empty_queue.empty()
    committed = helpers.call_action("package_show", id=dataset["id"])

    helpers.call_action("package_patch", {"defer_commit": True}, id=dataset["id"],
                        author_email="annule@example.org")
    model.Session.rollback()
    factories.Organization()  # another change, committed
    assert empty_queue.jobs == []
    shown = helpers.call_action("package_show", id=dataset["id"])
    assert shown["author_email"] == committed["author_email"] != "annule@example.org"
