"""Background jobs (RQ) of the quebec_quality plugin."""
from __future__ import annotations

import logging
from typing import Optional

import ckan.plugins.toolkit as tk

log = logging.getLogger(__name__)


def enqueue(package_id: str, resource_ids: Optional[list[str]] = None, force: bool = False):
    """Queue a check of a dataset (only what changed, unless ``force``) on CKAN's default queue."""
    from . import config

    # Long enough for the slowest download and the validation of the largest file, per resource.
    timeout = int(config.limits().total_timeout) * 2 + 600
    return tk.enqueue_job(check_dataset, [package_id], {"resource_ids": resource_ids, "force": force},
                          title=f"quebec_quality {package_id}", rq_kwargs={"timeout": timeout})


def check_dataset(package_id: str, resource_ids: Optional[list[str]] = None, force: bool = False) -> Optional[dict]:
    """The job: check and record. A dataset deleted meanwhile is skipped; a bad file is a recorded result."""
    from . import runner

    try:
        return runner.run(package_id, resource_ids, force=force)
    except tk.ObjectNotFound:
        log.info("quebec_quality: dataset %s is gone, nothing to check", package_id)
        return None
