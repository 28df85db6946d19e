"""Files shaped to exhaust the validator, and the bounds that keep a check short.

A CSV of a million columns, or 12 KB of 3,000 equal labels, held the only
worker for a job's whole timeout, recorded nothing and started over on the
next job; a check asked during the request never answered. Now: a column cap
(``max_columns``), naming and scans in one pass, checks in a child process
stopped at a time limit, and a timed-out file not checked again until it
changes.
"""
from __future__ import annotations

import multiprocessing
import threading

import pytest

from ckan.tests import factories, helpers

from ckanext.quebec import tabular
from ckanext.quebec.quality import jobs, validation

from .test_jobs import GOOD, work

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db", "empty_queue"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search quebec_quality"),
    pytest.mark.ckan_config("ckanext.quebec.quality.allow_private_addresses", "true"),
    pytest.mark.ckan_config("ckanext.quebec.quality.background", "true"),
]

MILLION_COLUMNS = (",".join(f"c{number}" for number in range(1_000_000)) + "\n"
                   + ",".join("1" for _number in range(1_000_000)) + "\n").encode()
EQUAL_LABELS = ("a," * 2999 + "a\n" + "1," * 2999 + "1\n").encode()


def _dataset_with_file(base: str, path: str) -> tuple[dict, dict]:
    dataset = factories.Dataset()
    resource = factories.Resource(package_id=dataset["id"], url=base + path, format="CSV")
    return dataset, resource


def _report(dataset_id: str) -> dict:
    return helpers.call_action("quebec_quality_show", id=dataset_id)["resources"][0]["validation"]


def _too_many_columns(report: dict) -> None:
    assert report["status"] == "error"
    assert report["reason"]["code"] == "too-many-columns"
    assert report["reason"]["message"] == {
        "en": "The file has more than 1000 columns, too many to check",
        "fr": "Le fichier compte plus de 1000 colonnes, trop pour être vérifié"}


def test_a_job_on_a_csv_of_a_million_columns_records_the_cap(cli, http_server, empty_queue):
    base, routes = http_server
    routes["/large.csv"] = (200, {"Content-Type": "text/csv"}, MILLION_COLUMNS)
    dataset, _resource = _dataset_with_file(base, "/large.csv")
    assert empty_queue.jobs
    work(cli)
    _too_many_columns(_report(dataset["id"]))


def test_a_request_on_3000_equal_labels_answers_with_the_cap(http_server):
    base, routes = http_server
    routes["/labels.csv"] = (200, {"Content-Type": "text/csv"}, EQUAL_LABELS)
    dataset, _resource = _dataset_with_file(base, "/labels.csv")
    summary = helpers.call_action("quebec_quality_run", id=dataset["id"], background=False)
    assert summary["validation"] == {"status": "error", "errors": 0}
    _too_many_columns(_report(dataset["id"]))


@pytest.mark.ckan_config("ckanext.quebec.quality.max_columns", "3")
def test_the_cap_is_a_setting(http_server):
    base, routes = http_server
    routes["/four.csv"] = (200, {}, b"a,b,c,d\n1,2,3,4\n")
    routes["/three.csv"] = (200, {}, b"a,b,c\n1,2,3\n")
    four, _resource = _dataset_with_file(base, "/four.csv")
    three, _resource = _dataset_with_file(base, "/three.csv")
    for dataset in (four, three):
        helpers.call_action("quebec_quality_run", id=dataset["id"], background=False)
    assert _report(four["id"])["reason"]["params"] == {"limit": 3}
    assert _report(three["id"])["status"] == "valid"


def _named_one_by_one(header: list[str]) -> list[str]:
    """The names as the reader always gave them: underscores added until the name is free."""
    names: list[str] = []
    for index, label in enumerate(header):
        name = label.strip() or f"column{index + 1}"
        while name in names:
            name += "_"
        names.append(name)
    return names


def test_repeated_labels_are_named_as_before_in_one_pass():
    tricky = ["a", "a", "a_", "", " a ", "column4", "b__", "b", "b", "b", "_", "__", "", "a__"]
    assert tabular.header_names(tabular.Sniffed(kind="csv", header=tricky)) == _named_one_by_one(tricky)
    names = tabular.header_names(tabular.Sniffed(kind="csv", header=["a"] * 3000))
    assert names[:3] == ["a", "a_", "a__"] and names[-1] == "a" + "_" * 2999
    with pytest.raises(tabular.TabularError) as error:
        tabular.header_names(tabular.Sniffed(kind="csv", header=["a"] * 3000), max_columns=2999)
    assert error.value.code == "too-many-columns"


class _HeldFile:
    """A file whose GET answers only once released (HEAD at once), counting the GETs."""

    def __init__(self, body: bytes) -> None:
        self.body, self.gets, self.released = body, 0, threading.Event()

    def __call__(self, handler):
        if handler.command == "GET":
            self.gets += 1
            self.released.wait(60)
        return self.body


@pytest.mark.ckan_config("ckanext.quebec.quality.sync_time_limit", "1")
def test_a_request_past_its_time_limit_is_refused_and_records_nothing(app, http_server):
    base, routes = http_server
    held = _HeldFile(GOOD)
    routes["/held.csv"] = (200, {"Content-Type": "text/csv"}, held)
    dataset, _resource = _dataset_with_file(base, "/held.csv")
    sysadmin = factories.SysadminWithToken()
    try:
        answer = app.post("/api/3/action/quebec_quality_run", json={"id": dataset["id"], "background": False},
                          headers={"Authorization": sysadmin["token"]}, status=409)
    finally:
        held.released.set()
    assert answer.json["error"]["background"] == [
        "The check takes longer than 1 seconds: run it in the background (background: true)"]
    assert held.gets == 1
    assert multiprocessing.active_children() == []  # the check was stopped, not left running
    shown = helpers.call_action("quebec_quality_show", id=dataset["id"])
    assert shown["score"] is None and shown["resources"][0]["validation"] is None


@pytest.mark.ckan_config("ckanext.quebec.quality.validation_time_limit", "1")
@pytest.mark.ckan_config("ckanext.quebec.quality.sync_time_limit", "1")
def test_a_timed_out_file_is_not_checked_again_until_it_changes(cli, http_server, ckan_config, monkeypatch):
    base, routes = http_server
    held, changed = _HeldFile(GOOD), _HeldFile(GOOD)
    routes["/held.csv"] = (200, {"Content-Type": "text/csv"}, held)
    routes["/changed.csv"] = (200, {"Content-Type": "text/csv"}, changed)
    dataset, resource = _dataset_with_file(base, "/held.csv")
    try:
        work(cli)
        report = _report(dataset["id"])
        assert report["status"] == "error" and report["reason"]["code"] == "timed-out"
        assert report["reason"]["message"]["en"] == (
            "The check of this file took longer than 1 seconds: it is not checked again until the file changes")
        assert held.gets == 1

        # Asked again, even forced, from a job or a request: the same file is not fetched again.
        jobs.enqueue(dataset["id"], force=True)
        work(cli)
        helpers.call_action("quebec_quality_run", id=dataset["id"], background=False, force=True)
        assert held.gets == 1
        assert _report(dataset["id"])["reason"]["code"] == "timed-out"

        # A new file is checked (and times out in its turn).
        helpers.call_action("resource_patch", id=resource["id"], url=base + "/changed.csv")
        work(cli)
        assert (held.gets, changed.gets) == (1, 1)
        assert _report(dataset["id"])["reason"]["code"] == "timed-out"
    finally:
        held.released.set()
        changed.released.set()

    # Given more time than it had, the file is checked again.
    monkeypatch.setitem(ckan_config, "ckanext.quebec.quality.validation_time_limit", "600")
    jobs.enqueue(dataset["id"])
    work(cli)
    assert changed.gets == 2
    assert _report(dataset["id"])["status"] == "valid"


def test_a_file_as_wide_as_the_cap_is_validated(tmp_path):
    # A thousand columns read at once outgrew DuckDB's memory limit ("cannot validate: out of memory").
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{number}" for number in range(1000)) + "\n"
                    + "".join(",".join(str(row * number) for number in range(1000)) + "\n" for row in range(3)))
    report = validation.validate_file(str(path), "csv", options=validation.Options(max_columns=1000))
    assert (report.status, report.rows, len(report.fields)) == ("valid", 3, 1000)
    assert {field["type"] for field in report.fields} == {"integer"}


@pytest.mark.ckan_config("ckanext.quebec.quality.validation_time_limit", "1")
def test_files_a_job_had_no_time_for_go_to_a_follow_up_job(cli, http_server, empty_queue):
    base, routes = http_server
    first, second = _HeldFile(GOOD), _HeldFile(GOOD)
    routes["/first.csv"] = (200, {"Content-Type": "text/csv"}, first)
    routes["/second.csv"] = (200, {"Content-Type": "text/csv"}, second)
    dataset, _resource = _dataset_with_file(base, "/first.csv")
    factories.Resource(package_id=dataset["id"], url=base + "/second.csv", format="CSV")
    empty_queue.empty()
    try:
        jobs.enqueue(dataset["id"])
        work(cli)  # the job, then its follow-up: each file had the whole time once
    finally:
        first.released.set()
        second.released.set()
    shown = helpers.call_action("quebec_quality_show", id=dataset["id"])
    assert [resource["validation"]["reason"]["code"] for resource in shown["resources"]] == ["timed-out"] * 2
    assert (first.gets, second.gets) == (1, 1)
