"""Background jobs (RQ) of the quebec_quality plugin."""
from __future__ import annotations

import logging
from typing import Optional

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ckanext.quebec import jobs as queue_policy

log = logging.getLogger(__name__)


def enqueue(package_id: str, resource_ids: Optional[list[str]] = None, force: bool = False):
    """Queue a check of a dataset (only what changed, unless ``force``) on CKAN's default queue."""
    from . import config

    # The validations stop at validation_time_limit (runner.run); the rest is for link checks, scoring, indexing.
    timeout = int(config.validation_time_limit()) + 600
    return tk.enqueue_job(check_dataset, [package_id], {"resource_ids": resource_ids, "force": force},
                          title=f"quebec_quality {package_id}", rq_kwargs=queue_policy.rq_kwargs(timeout))


# session.info key: the datasets a transaction's changes ask to check, in order
_PENDING = "quebec_quality_pending_checks"


def enqueue_after_commit(package_id: str) -> None:
    """Queue a check of a dataset once the change being written is committed.

    The dataset hooks run before CKAN commits: a job queued there can start
    at once, read the dataset as it was (a draft the loader is publishing, a
    resource not yet added) and index that stale copy after the change's own
    indexing. Rolled back, the change queues nothing.
    """
    session = model.Session()
    pending = session.info.setdefault(_PENDING, {})
    pending[package_id] = None
    if not sa.event.contains(session, "after_commit", _enqueue_pending):
        sa.event.listen(session, "after_commit", _enqueue_pending)
        sa.event.listen(session, "after_soft_rollback", _forget_pending)


def _enqueue_pending(session: sa.orm.Session) -> None:
    if session.in_nested_transaction():  # a savepoint released (SQLAlchemy signals it as a commit too)
        return
    for package_id in session.info.pop(_PENDING, {}):
        try:
            enqueue(package_id)
        except Exception:  # the change is committed: a Redis outage must not turn it into an error
            log.exception("quebec_quality: could not queue the check of %s", package_id)


def _forget_pending(session: sa.orm.Session, previous_transaction: sa.orm.SessionTransaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_PENDING, None)


def check_dataset(package_id: str, resource_ids: Optional[list[str]] = None, force: bool = False) -> Optional[dict]:
    """The job: check and record. A dataset deleted meanwhile is skipped; a bad file is a recorded result."""
    from . import runner

    try:
        return runner.run(package_id, resource_ids, force=force)
    except tk.ObjectNotFound:
        log.info("quebec_quality: dataset %s is gone, nothing to check", package_id)
        return None
