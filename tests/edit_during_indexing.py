"""An edit that starts in another session at the moment a dataset is about to be indexed.

The reindex under test runs in the test's thread, as a job or a command does;
the edit runs in another thread with its own session, as another process
would. It starts when the reindex has read the dataset and is about to write
its document (``owner.name`` wrapped), and the reindex goes on once the edit
is committed or waits for a lock. Real PostgreSQL, real index.
"""
from __future__ import annotations

import threading
import time
from typing import Any, Callable

import sqlalchemy as sa

from ckan import model
from ckan.tests import helpers

WAIT_SECONDS = 20


def lock_waits(engine: sa.engine.Engine) -> int:
    """Sessions of the test's database waiting for a lock."""
    with engine.connect() as connection:
        return connection.execute(sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock'")).scalar()


class EditDuringIndexing:
    """Starts ``action`` in another session when this thread first calls ``owner.name``
    (the first time ``start_when()`` is true then, if given)."""

    def __init__(self, monkeypatch, owner: Any, name: str, action: str, *,
                 start_when: Callable[[], bool] | None = None, **data) -> None:
        self.action, self.data, self.start_when = action, data, start_when
        self.done, self.failures, self.thread = threading.Event(), [], None
        self.waited_for_lock = False
        self.indexer = threading.current_thread()
        self.original = getattr(owner, name)
        monkeypatch.setattr(owner, name, self._hook)

    def _edit(self) -> None:
        try:
            helpers.call_action(self.action, **self.data)
        except Exception as error:  # reported in the test's thread
            self.failures.append(error)
        finally:
            model.Session.remove()
            self.done.set()

    def _hook(self, *args: Any, **kwargs: Any) -> Any:
        if (threading.current_thread() is self.indexer and self.thread is None
                and (self.start_when is None or self.start_when())):
            self.thread = threading.Thread(target=self._edit)
            self.thread.start()
            engine = model.meta.engine
            deadline = time.monotonic() + WAIT_SECONDS
            while not self.done.wait(0.05):
                if lock_waits(engine):
                    self.waited_for_lock = True
                    break
                assert time.monotonic() < deadline, "the edit neither ended nor waited"
        return self.original(*args, **kwargs)

    def join(self) -> None:
        assert self.thread is not None, "nothing was indexed"
        self.thread.join(WAIT_SECONDS)
        assert self.done.is_set() and not self.failures, self.failures
