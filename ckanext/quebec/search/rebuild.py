"""`ckan search-index rebuild` of the whole index, shared out among worker processes.

CKAN indexes one dataset after another in one process, at the speed of
package_show: on a machine with several cores that leaves all but one idle
while the index is rebuilt. Here the datasets to index are chosen as CKAN
chooses them (``--only-missing``, deleted datasets kept or not), then worker
processes forked from the command take them by batches and index each one
exactly as CKAN's own rebuild does (the same action, the same documents),
writing their documents by batches. ``--force``, ``--quiet`` and
``--commit-each`` keep their meaning; a dataset given by id, or a list of
ids, is indexed in the command's process.

Each batch is held (ckanext.quebec.held) from before its datasets are read
until their documents are written: a dataset edited during the rebuild
keeps the edit's document, never the copy the rebuild read before it. An
editor waits at most for the batch under way. After a dataset that fails
under ``--force``, the rest of its batch is indexed without the hold.

A worker that fails stops the others (unless ``--force``) and the command
fails as CKAN's does. Every document is written whole, in one statement with
its batch, so a rebuild stopped at any point leaves documents that are either
the new ones or the ones from before: running the rebuild (or
``--only-missing``) again, or ``ckan quebec search check``, sees the rest.
"""
from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import queue
import sys
import traceback
from typing import Any, Collection, Optional

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.quebec import compat_ckan
from ckanext.quebec import config as suite_config
from ckanext.quebec import held as holds
from ckanext.quebec.held import held

from . import postings_build
from .writer import analyze_index, flush_bulk
from .counted import NoRequest, apply_configuration
from .indexing import index_dataset, show_context

log = logging.getLogger(__name__)

_PROGRESS_SECONDS = 0.5


class RebuildError(Exception):
    """A dataset could not be indexed, or a worker stopped before its end."""


def rebuild(package_id: Optional[str] = None,
            only_missing: bool = False,
            force: bool = False,
            defer_commit: bool = False,
            package_ids: Optional[Collection[str]] = None,
            quiet: bool = False,
            clear: bool = False) -> None:
    """CKAN's ``ckan.lib.search.rebuild``, with the whole index built by workers.

    A dataset given by id or name is written in place, as CKAN 2.12 does:
    2.11 removes its document then adds it, two commits here, and the
    dataset is out of every search between them.

    The datasets given, by id or in a list, are held from before they are
    read until their documents are written (:func:`ckanext.quebec.held.held`),
    whoever asks (``ckan search-index rebuild ID``, a bulk action, an
    extension): an edit committed meanwhile is never overwritten by the copy
    read before it. A list is held a batch at a time, as the whole index is
    (module docstring): it keeps no dataset from its editors longer than its
    batch takes. Its datasets are indexed here rather than by CKAN's rebuild, which commits
    (and so lets them go) before the batch's deferred writes are sent.
    """
    if package_id:
        with held([package_id]):
            index_dataset(show_context(), package_id)
        return None
    if package_ids is not None:
        # As CKAN indexes a list: deferred writes, the first error raised, no progress.
        _index_in_process(list(package_ids), _Options(force=False, defer_commit=True, quiet=True))
        model.Session.commit()  # as CKAN's rebuild ends
        return None
    log.info("Rebuilding search index...")
    ids = _ids_to_index(only_missing, clear)
    # After --clear, on an empty index: counting a new field then costs nothing.
    _apply_counted_fields()
    if ids is None:
        return None
    workers = min(suite_config.search_rebuild_workers(), -(-len(ids) // holds.BATCH))
    options = _Options(force=force, defer_commit=defer_commit, quiet=quiet)
    if workers <= 1:
        _index_in_process(ids, options)
    else:
        _index_in_workers(ids, options, workers)
    model.Session.commit()
    log.info("Finished rebuilding search index.")
    _build_postings()
    return None


def _build_postings() -> None:
    """The posting lists of the rebuilt index (postings_build.py), when they are on.

    A failure leaves searches on the statement (no build, or the previous
    one with the changes listed since): it is logged, the rebuild stands.
    """
    if not suite_config.search_posting_lists():
        return
    try:
        postings_build.build()
    except Exception:  # noqa: BLE001 (the index itself is rebuilt)
        log.exception("The posting lists were not built; searches read the statement")


def _apply_counted_fields() -> None:
    try:
        change = apply_configuration()
    except NoRequest:
        # Called from Python outside a request (not `ckan search-index rebuild`).
        log.warning("The counted facet fields were left as they were: the plugins' facets"
                    " cannot be read here; run `ckan quebec search count-fields`.")
        return
    if change.counted or change.forgotten:
        log.info("Facet fields counted from now on: %s; no longer counted: %s",
                 ", ".join(change.counted) or "none", ", ".join(change.forgotten) or "none")


class _Options:
    def __init__(self, force: bool, defer_commit: bool, quiet: bool):
        self.force = force
        self.defer_commit = defer_commit
        self.quiet = quiet


def _ids_to_index(only_missing: bool, clear: bool) -> Optional[list[str]]:
    """The ids CKAN's rebuild would index, in its order; None when there is nothing to do."""
    packages = model.Session.query(model.Package.id)
    if tk.config.get("ckan.search.remove_deleted_packages"):
        packages = packages.filter(model.Package.state != "deleted")
    ids = [row[0] for row in packages.all()]
    if only_missing:
        log.info("Indexing only missing packages...")
        indexed = set(compat_ckan.indexed_dataset_ids(max_results=len(ids)))
        ids = [package_id for package_id in ids if package_id not in indexed]
        if not ids:
            log.info("All datasets are already indexed")
            return None
    else:
        log.info("Rebuilding the whole index...")
        if clear:
            compat_ckan.clear_dataset_index()
    return ids


def _index_in_process(ids: list[str], options: _Options) -> None:
    total = len(ids)
    context = show_context()
    for start in range(0, total, holds.BATCH):
        batch = ids[start:start + holds.BATCH]
        with held(batch):  # until the batch's documents are written (module docstring)
            for counter, package_id in enumerate(batch, start + 1):
                if not options.quiet:
                    _show_progress(counter, total)
                try:
                    index_dataset(context, package_id, options.defer_commit)
                except Exception as error:
                    log.error("Error while indexing dataset %s: %s", package_id, repr(error))
                    if not options.force:
                        raise
                    log.error(compat_ckan.text_traceback())
                    # A failed query leaves the session unusable for the next dataset.
                    model.Session.rollback()
            flush_bulk(model.ensure_engine())


def _index_in_workers(ids: list[str], options: _Options, workers: int) -> None:
    log.info("Indexing %d datasets with %d worker processes", len(ids), workers)
    processes = multiprocessing.get_context("fork")
    shared = _Shared(processes)
    # Nothing of the command's database connections may be shared with the
    # workers: each opens its own.
    model.Session.remove()
    model.ensure_engine().dispose()
    # Nor any output still buffered, which each worker would write again.
    sys.stdout.flush()
    sys.stderr.flush()
    started = [processes.Process(target=_work, args=(ids, options, shared),
                                 name=f"quebec-search-rebuild-{number}", daemon=True)
               for number in range(workers)]
    for process in started:
        process.start()
    reports: dict[int, tuple[int, Optional[str]]] = {}
    while len(reports) < len(started):
        _collect(shared, reports, timeout=_PROGRESS_SECONDS)
        if not options.quiet:
            _show_progress(shared.done.value, len(ids))
        if all(not process.is_alive() for process in started):
            # What the last ones sent before they ended
            while len(reports) < len(started) and _collect(
                    shared, reports, timeout=_PROGRESS_SECONDS):
                pass
            break
    for process in started:
        process.join()
    indexed = sum(count for count, _failure in reports.values())
    if options.defer_commit and indexed:
        analyze_index(model.ensure_engine())
    failures = [failure for _count, failure in reports.values() if failure]
    lost = [process for process in started
            if process.pid not in reports or process.exitcode != 0]
    if failures:
        raise RebuildError(failures[0])
    if lost:
        raise RebuildError(tk._("A worker of the rebuild stopped before its end"
                                " (exit status {status}); run the rebuild again.").format(
            status=lost[0].exitcode))


class _Shared:
    """What the workers share: the next batch to take, progress, stop, reports."""

    def __init__(self, processes: Any):
        self.next_start = processes.Value("q", 0)
        self.done = processes.Value("q", 0)
        self.stop = processes.Event()
        self.reports = processes.Queue()


def _collect(shared: _Shared, reports: dict[int, tuple[int, Optional[str]]],
             timeout: float) -> bool:
    """Wait up to ``timeout`` for a worker's report; False if none came."""
    try:
        pid, indexed, failure = shared.reports.get(timeout=timeout)
    except queue.Empty:
        return False
    reports[pid] = (indexed, failure)
    return True


def _work(ids: list[str], options: _Options, shared: _Shared) -> None:
    """A worker: take batches of ids until none is left, then report."""
    # The connections inherited from the command belong to it.
    model.ensure_engine().dispose(close=False)
    # CKAN's start-up objects live as long as the worker: the garbage
    # collector need not walk through them again and again.
    gc.freeze()
    indexed, failure = 0, None
    context = show_context()
    try:
        while failure is None and not shared.stop.is_set():
            with shared.next_start.get_lock():
                start = shared.next_start.value
                shared.next_start.value = start + holds.BATCH
            if start >= len(ids):
                break
            batch = ids[start:start + holds.BATCH]
            with held(batch):  # until the batch's documents are written (module docstring)
                for package_id in batch:
                    if shared.stop.is_set():
                        break
                    try:
                        index_dataset(context, package_id, options.defer_commit)
                        indexed += 1
                    except Exception as error:
                        log.error("Error while indexing dataset %s: %s", package_id, repr(error))
                        model.Session.rollback()
                        if not options.force:
                            failure = tk._("Error while indexing dataset {id}: {error}").format(
                                id=package_id, error=repr(error))
                            shared.stop.set()
                            break
                        log.error(compat_ckan.text_traceback())
                    with shared.done.get_lock():
                        shared.done.value += 1
                flush_bulk(model.ensure_engine())
            # The datasets read so far are not read again: keep the
            # session's identity map from growing with the whole catalogue.
            model.Session.remove()
        flush_bulk(model.ensure_engine())
    except BaseException as error:  # noqa: B036 - reported, then the worker ends
        log.error("Rebuild worker failed: %s", traceback.format_exc())
        failure = failure or tk._("A worker of the rebuild failed: {error}").format(
            error=repr(error))
        shared.stop.set()
    finally:
        model.Session.remove()
        shared.reports.put((os.getpid(), indexed, failure))
        shared.reports.close()
        shared.reports.join_thread()


def _show_progress(done: int, total: int) -> None:
    sys.stdout.write(f"\rIndexing dataset {done}/{total}")
    sys.stdout.flush()
