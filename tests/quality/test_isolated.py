"""The child process that validates a file leaves the parent's database connections alone.

The child is forked from a job or a request while other threads hold
connections in open transactions. In the child those threads are gone: their
sessions were garbage, and when the child's garbage collector freed them,
SQLAlchemy's pool "reset" each connection with a ROLLBACK sent on the socket it
shares with the parent. The server ended a transaction the parent's thread
still believed open: its changes were undone, its next statements ran one by
one outside any transaction, and the quality read of its next search failed
("SAVEPOINT can only be used in transaction blocks"), hidden as a result
without quality (tests/quality/test_job_timing.py on Solr, where the child's
collector happened to run during the check).
"""
from __future__ import annotations

import gc
import threading

import sqlalchemy as sa

from ckan import model

from ckanext.quebec import tabular
from ckanext.quebec.quality import isolated, validation

from .test_jobs import GOOD


def _transaction() -> str:
    return model.Session.execute(sa.text("SELECT pg_current_xact_id()")).scalar()


def test_a_validation_leaves_the_transactions_of_other_threads_open(http_server, monkeypatch):
    base, routes = http_server
    routes["/bon.csv"] = (200, {"Content-Type": "text/csv"}, GOOD)
    validate = validation.validate_resource

    def validate_after_a_collection(resource, options):
        # The child's collector runs at some allocation of a validation: here, first.
        gc.collect()
        return validate(resource, options)

    monkeypatch.setattr(validation, "validate_resource", validate_after_a_collection)
    options = validation.Options(limits=tabular.Limits(allow_private=True))
    resource = {"id": "bon", "url": base + "/bon.csv", "format": "CSV"}
    started = _transaction()  # this thread's transaction, open while another thread validates
    reports: list[dict] = []
    try:
        checker = threading.Thread(target=lambda: reports.append(isolated.validate(resource, options, 60)))
        checker.start()
        checker.join(90)

        assert [report["status"] for report in reports] == ["valid"]
        assert _transaction() == started  # still the same transaction on the server
    finally:
        model.Session.rollback()
