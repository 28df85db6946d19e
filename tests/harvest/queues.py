"""ckanext-harvest's jobs, run through its real Redis queues by the consumers' own callbacks."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestObject


def _drain(consumer: Any, callback: Any) -> int:
    """Hand every message waiting on ``consumer``'s queue to ``callback``, as the consumer command does."""
    handled = 0
    while True:
        method, channel, body = consumer.basic_get(queue=None)
        if body is None:
            return handled
        callback(channel, method, None, body)
        handled += 1


def run_job(source_id: str, user: str) -> dict[str, Any]:
    """Create a job for the source (queued on Redis), gather, fetch and import; the finished job."""
    context = {"user": user}
    # Redis outlives each test's database: a job an earlier test left queued
    # (or that ckanext-harvest's resubmit_jobs put back, its key being over two
    # hours old on a long-lived Redis) would be gathered with this one.
    queue.purge_queues()
    job = tk.get_action("harvest_job_create")(dict(context), {"source_id": source_id, "run": True})
    assert _drain(queue.get_gather_consumer(), queue.gather_callback) == 1
    _drain(queue.get_fetch_consumer(), queue.fetch_callback)
    # What the scheduler (`ckan harvester run`) does: a job whose objects are done is finished.
    tk.get_action("harvest_jobs_run")({"ignore_auth": True}, {"source_id": source_id})
    return tk.get_action("harvest_job_show")({"ignore_auth": True}, {"id": job["id"]})


def objects(job_id: str) -> list[HarvestObject]:
    return HarvestObject.filter(harvest_job_id=job_id).all()


def report(job_id: str) -> dict[str, str]:
    """Each object's guid with its report status (added, updated, not modified, deleted, errored)."""
    return {obj.guid: obj.report_status for obj in objects(job_id)}


def gather_errors(job_id: str) -> list[str]:
    """The messages of the job's gather errors (errors of the source, not of one dataset)."""
    found = tk.get_action("harvest_job_report")({"ignore_auth": True}, {"id": job_id})
    return [error["message"] for error in found["gather_errors"]]
