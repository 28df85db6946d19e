"""Answers kept for a search asked again while the index has not changed.

Solr keeps the answers of recent searches (its ``queryResultCache`` and
``documentCache``) until the next commit opens a new searcher: the home page
and a popular search are answered without searching again. quebec_search
does the same, keyed by what decides an answer exactly: the request, and
the PostgreSQL snapshot the search reads under.

Why a snapshot decides the answer: a search reads committed data only (its
connection writes nothing), so what it sees is fixed by the set of
transactions completed when it runs. ``pg_current_snapshot()`` names that
set (the oldest running transaction, the next after the latest completed,
those running between); any transaction of the cluster that completes after
writing changes it, and it never comes back to an earlier value. An answer
is kept only when the snapshot read before the search equals the one read
after it, so every statement of the search, on every connection, read the
data of that snapshot; a later search whose snapshot is the same reads the
same data and gets the same answer. A write anywhere in the cluster, even
one that leaves the index as it was, only costs the next searches their
kept answers.

Answers are not kept when they depend on the time (Solr's ``NOW`` in date
math), nor when the option ``ckanext.quebec.search.result_cache_mb`` is 0.
Each process keeps its own answers, at most that many megabytes, the least
recently asked going first; each is copied out (CKAN changes what it gets).
"""
from __future__ import annotations

import json
import pickle
import threading
from collections import OrderedDict
from typing import Any, Callable

import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckanext.quebec import config as suite_config
from . import parallel
from .documents import Results

_SNAPSHOT = sa.text("SELECT CAST(pg_current_snapshot() AS text)")
# After the search: the snapshot again, and whether the search wrote (then
# its own writes, which no other reader sees, are in its answer).
_SNAPSHOT_AFTER = sa.text("SELECT CAST(pg_current_snapshot() AS text)"
                          " || CASE WHEN pg_current_xact_id_if_assigned() IS NULL"
                          " THEN '' ELSE ' wrote' END")
# The options a search reads: an answer is kept for the values it ran with
# (a test may change them between two searches of the same snapshot).
_OPTIONS = (suite_config.SEARCH_REBUILD_WORKERS, suite_config.SEARCH_MAX_COUNTED_FIELDS,
            suite_config.SEARCH_COUNTED_FIELDS, suite_config.SEARCH_RESULT_CACHE_MB,
            parallel.WORKERS_OPTION, parallel.MIN_DOCUMENTS_OPTION, "search.facets",
            "solr_timeout")
# An answer over this share of the budget is not kept: it would push out many.
_LARGEST_SHARE = 4


class _Kept:
    """The answers kept under one snapshot, least recently asked first."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.snapshot: str | None = None
        self.answers: OrderedDict[tuple, bytes] = OrderedDict()
        self.size = 0

    def clear(self, snapshot: str | None) -> None:
        self.snapshot, self.answers, self.size = snapshot, OrderedDict(), 0


_kept = _Kept()


def request_key(url: Any, q: str | None, params: dict[str, Any], language: str
                ) -> tuple | None:
    """What decides a search's answer besides the data; None: not to be kept."""
    if suite_config.search_result_cache_bytes() == 0:
        return None
    request = json.dumps([q, params], sort_keys=True, default=repr)
    if "NOW" in request:
        return None
    return (str(url), request, language, tuple(str(tk.config.get(option)) for option in _OPTIONS))


def answer(connection: sa.engine.Connection, key: tuple | None,
           search: Callable[[], Results]) -> Results:
    """The kept answer of ``key`` under the connection's snapshot, or ``search()``'s, kept."""
    if key is None:
        return search()
    snapshot = connection.execute(_SNAPSHOT).scalar_one()
    with _kept.lock:
        if _kept.snapshot != snapshot:
            # Not one of the kept answers can be asked for again.
            _kept.clear(snapshot)
        kept = _kept.answers.get(key)
        if kept is not None:
            _kept.answers.move_to_end(key)
    if kept is not None:
        return pickle.loads(kept)
    results = search()
    if connection.execute(_SNAPSHOT_AFTER).scalar_one() == snapshot:
        _keep(key, snapshot, pickle.dumps(results, pickle.HIGHEST_PROTOCOL))
    return results


def _keep(key: tuple, snapshot: str, kept: bytes) -> None:
    budget = suite_config.search_result_cache_bytes()
    if len(kept) * _LARGEST_SHARE > budget:
        return
    with _kept.lock:
        if _kept.snapshot != snapshot or key in _kept.answers:
            return
        _kept.answers[key] = kept
        _kept.size += len(kept)
        while _kept.size > budget:
            _, dropped = _kept.answers.popitem(last=False)
            _kept.size -= len(dropped)


def forget() -> None:
    """Drop every kept answer (the tests' fresh start; never needed for correctness)."""
    with _kept.lock:
        _kept.clear(None)
