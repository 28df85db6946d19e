"""Datasets held while something outside their own edit reads and indexes them.

A job or a request that indexes a dataset it did not change (the quality
check, an organization renamed) reads the dataset, then writes its search
document. An edit that committed between the two had already written its
own document; the older copy then replaced it. The demo catalogue met it:
a dataset made active while the check its resource had queued was running
stayed a draft in the index, out of every anonymous search.

:func:`held` reads the datasets' rows ``FOR SHARE`` before anything is read
and keeps them until the index write is committed: an edit under way is
waited for, then read; an edit that starts meanwhile waits for the write,
then writes its own document after it. CKAN's ``package_update`` takes its
row ``FOR UPDATE`` first, so it is one of them. What the session had read
before is read again.

The documents themselves are written as before: quebec_search commits each
on a connection of its own (``search/writer.py``), Solr at each add, so
a reindex of many datasets does not keep the index's shared rows (segments,
facet counts) locked until its end. An edit takes its dataset's row before
it writes any document, so it never holds what such a write waits for
while it waits for a held row.

A long list (every dataset of a renamed organization, CKAN's
``search-index rebuild-fast``) is held :data:`BATCH` datasets at a time
(:func:`batches`): an editor of one of them waits at most for a batch's
documents, never for the whole list.
"""
from __future__ import annotations

import contextlib
from typing import Any, Iterable, Iterator

import sqlalchemy as sa

from ckan import model

# session.info's key while a session holds datasets for their index write.
_HELD = "quebec_datasets_held"
# session.info's key while the session's transaction holds flushed writes.
_FLUSHED = "quebec_flushed_writes"

# How many datasets one hold takes, and a rebuild worker at a time: about a
# second of indexing (a worker indexes 100-120 datasets a second,
# docs/performance.md), few enough to share the end of a rebuild out evenly,
# enough that taking them costs nothing.
BATCH = 100

_LOCK = sa.text("SELECT id FROM package WHERE id = ANY(:references) OR name = ANY(:references)"
                " ORDER BY id FOR SHARE")


def batches(references: Iterable[str]) -> Iterator[list[str]]:
    """``references`` in their order, :data:`BATCH` at a time, each to be held by itself."""
    references = list(references)
    for start in range(0, len(references), BATCH):
        yield references[start:start + BATCH]


def holds_changes(session: Any) -> bool:
    """Whether the session's open transaction holds writes of its own, flushed or not.

    Such a session is a dataset's own edit: its index write goes into its
    transaction and is committed with it.
    """
    if session.info.get(_FLUSHED) or session.new or session.deleted:
        return True
    return any(session.is_modified(obj) for obj in session.dirty)


@sa.event.listens_for(model.Session, "after_flush")
def _note_flushed(session: Any, flush_context: Any) -> None:
    session.info[_FLUSHED] = True


@sa.event.listens_for(model.Session, "after_transaction_end")
def _forget_flushed(session: Any, transaction: Any) -> None:
    # Only when the transaction itself ends: a savepoint rolled back (a
    # plugin's guarded read) leaves the writes flushed before it. CKAN's own
    # record of them (Session._object_cache) is dropped by any rollback, a
    # savepoint's included: quebec_quality's read of a dataset shown for
    # indexing emptied it, and the document went into a transaction of its
    # own, committed whether the dataset's commit came or not.
    if transaction.parent is None:
        session.info.pop(_FLUSHED, None)


def is_held(session: Any) -> bool:
    return bool(session.info.get(_HELD))


@contextlib.contextmanager
def held(references: Iterable[str]) -> Iterator[None]:
    """Hold the datasets (ids or names) from here to the commit that ends the block.

    Inside a dataset's own edit, or a block already held, nothing is taken:
    the edit's transaction already orders its writes. On an exception the
    transaction is rolled back, which lets the datasets go.
    """
    references = [reference for reference in references if isinstance(reference, str)]
    session = model.Session()
    if not references or is_held(session) or holds_changes(session):
        yield
        return
    session.execute(_LOCK, {"references": references})
    # CKAN's session keeps what it read (expire_on_commit=False), and an
    # object it still holds is not read again: a job would index the draft
    # it read when it started. Nothing is pending (holds_changes), so
    # nothing is lost.
    session.expire_all()
    session.info[_HELD] = True
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info.pop(_HELD, None)
