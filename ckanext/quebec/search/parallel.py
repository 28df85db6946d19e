"""Reading the index's partitions side by side, on one connection each.

The document table is split in hash partitions (migration 0007). A search
that reads every document it matches (to rank them or count their facets)
runs the same statement on each group of partitions at once, the caller's
connection taking the first group; connection.py merges what they return.
PostgreSQL's own parallel plans were slower for these statements.

Each group reads its own snapshot: a document written while a search runs
may be seen in one half and not yet in the other, as on a sharded Solr. A
document is always in one partition only, so none is counted twice.
"""
from __future__ import annotations

import concurrent.futures
import os
import threading
import time
from typing import Callable, TypeVar

import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from . import partitions

TABLE = partitions.PARTITIONED_TABLE
WORKERS_OPTION = "ckanext.quebec.search.parallel_workers"
MIN_DOCUMENTS_OPTION = "ckanext.quebec.search.parallel_min_documents"
# How long a process trusts what it read of the partitions and their sizes.
_PARTITIONS_TTL = 60.0

T = TypeVar("T")


class _Partitions:
    """What this process last read of the partitions, and when."""
    read_at = float("-inf")
    names: list[str] = []
    documents = 0.0


_partitions = _Partitions()
_lock = threading.Lock()
# (process id, threads, executor)
_executor: tuple[int, int, concurrent.futures.ThreadPoolExecutor] | None = None


def sources(connection: sa.engine.Connection) -> list[str] | None:
    """The FROM items of the groups a search reads side by side, or None to read the table.

    None when parallel reading is off (fewer than two workers), the table
    is not partitioned, or the index holds fewer documents than it pays
    for (each group adds a connection and a merge).
    """
    workers = tk.config.get(WORKERS_OPTION)
    if workers is None or int(workers) < 2:
        return None
    names, documents = _partition_sizes(connection)
    groups = min(int(workers), len(names))
    if groups < 2 or documents < int(tk.config.get(MIN_DOCUMENTS_OPTION) or 0):
        return None
    grouped = [names[number::groups] for number in range(groups)]
    return [_from_item(group) for group in grouped]


def run(first: Callable[[], T], others: list[Callable[[], T]]) -> list[T]:
    """``first()`` in this thread and ``others`` in worker threads, at once; results in order.

    Every call is waited for before an error is raised: none keeps a
    connection busy after the search has answered.
    """
    futures = [_pool(len(others)).submit(call) for call in others]
    try:
        results = [first()]
    finally:
        concurrent.futures.wait(futures)
    return results + [future.result() for future in futures]


def _partition_sizes(connection: sa.engine.Connection) -> tuple[list[str], float]:
    now = time.monotonic()
    if now - _partitions.read_at > _PARTITIONS_TTL:
        rows = partitions.sizes(connection)
        with _lock:
            _partitions.names = [name for name, _ in rows]
            _partitions.documents = sum(documents for _, documents in rows)
            _partitions.read_at = now
    with _lock:
        return list(_partitions.names), _partitions.documents


def _from_item(names: list[str]) -> str:
    quoted = ['"' + name.replace('"', '""') + '"' for name in names]
    if len(quoted) == 1:
        return quoted[0]
    return "(" + " UNION ALL ".join(f"SELECT * FROM {name}" for name in quoted) + ")"


def _pool(size: int) -> concurrent.futures.ThreadPoolExecutor:
    """This process's worker threads (a process forked from another starts its own)."""
    global _executor
    with _lock:
        if _executor is None or _executor[0] != os.getpid() or _executor[1] < size:
            _executor = (os.getpid(), size, concurrent.futures.ThreadPoolExecutor(
                max_workers=max(size, 1), thread_name_prefix="quebec-search"))
        return _executor[2]


def reset() -> None:
    """Forget the partitions read (tests that change the table)."""
    _partitions.read_at = float("-inf")

