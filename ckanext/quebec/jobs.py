"""How the suite's background jobs are queued: one policy for every plugin.

A job whose worker dies under it (SIGKILL, the out-of-memory killer, a machine
restart) is found by RQ's registry clean-up once its heartbeat has expired, and
failed as abandoned; one that raises is failed too. The suite's jobs are all
idempotent (they read the current state of a dataset or resource when they
start), so RQ queues them again instead, a few times, before giving up.
"""
from __future__ import annotations

from typing import Any

from rq import Retry

# Tries after the first. Queued again at once: a pause would need RQ's
# scheduler, which CKAN's `ckan jobs worker` does not run.
RETRIES = 2


def rq_kwargs(timeout: int) -> dict[str, Any]:
    """The ``rq_kwargs`` of ``tk.enqueue_job`` for a job of the suite that may run ``timeout`` s."""
    return {"timeout": timeout, "retry": Retry(max=RETRIES)}
