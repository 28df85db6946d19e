"""The suite's jobs survive a worker that dies under them: RQ queues them again."""
from __future__ import annotations

import os
import signal

import pytest

import ckan.plugins.toolkit as tk
from ckan.lib import jobs as ckan_jobs

from ckanext.quebec import jobs as queue_policy

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db", "clean_queues"),
              pytest.mark.ckan_config("ckan.plugins", "quebec_search quebec_quality quebec_viz")]


def die_once(marker: str) -> str:
    """A job whose first run is killed as the out-of-memory killer would (SIGKILL)."""
    if not os.path.exists(marker):
        with open(marker, "w") as f:
            f.write("first run\n")
        os.kill(os.getpid(), signal.SIGKILL)
    with open(marker, "a") as f:
        f.write("second run\n")
    return "done"


def test_a_killed_job_runs_again(tmp_path):
    marker = str(tmp_path / "runs")
    job = tk.enqueue_job(die_once, [marker], title="killed once",
                         rq_kwargs=queue_policy.rq_kwargs(60))
    # CKAN's worker forks a work horse per job: the first run's horse is killed, the worker
    # sees it and, the job having tries left, queues it again; burst mode runs it at once.
    ckan_jobs.Worker(["default"]).work(burst=True)
    job.refresh()
    assert job.get_status() == "finished"
    assert job.return_value() == "done"
    with open(marker) as f:
        assert f.read() == "first run\nsecond run\n"


def test_without_the_policy_the_job_is_lost(tmp_path):
    """What the policy changes: RQ's default fails a killed job for good."""
    marker = str(tmp_path / "runs")
    job = tk.enqueue_job(die_once, [marker], title="killed once", rq_kwargs={"timeout": 60})
    ckan_jobs.Worker(["default"]).work(burst=True)
    job.refresh()
    assert job.get_status() == "failed"


def test_quality_and_viz_jobs_carry_the_policy():
    from ckan.tests import factories

    from ckanext.quebec.quality import jobs as quality_jobs
    from ckanext.quebec.viz import jobs as viz_jobs

    dataset = factories.Dataset()
    ckan_jobs.get_queue().empty()
    quality_jobs.enqueue(dataset["id"])
    viz_jobs.enqueue_dataset(dataset["id"])
    queued = ckan_jobs.get_queue().jobs
    assert sorted(job.meta["title"].split()[0] for job in queued) == ["quebec_quality", "quebec_viz"]
    for job in queued:
        assert job.retries_left == queue_policy.RETRIES, job.meta["title"]
