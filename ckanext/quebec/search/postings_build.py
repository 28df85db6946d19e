"""A build of the posting lists (migration 0017), read from the index in one snapshot.

The documents are numbered in ``index_id`` order (COLLATE "C"). For each
lexeme of ``search_text`` and of each language's vector, the list holds the
numbers of the documents that have it and PostgreSQL's own ``ts_rank`` of
the document for that lexeme alone (float4): a search adds them up as
``ts_rank`` does for an OR of words, to bound each match's score
(postings_read.py). The forward arrays hold, by number, the signature key,
the title's length norm (plan.title_norm, as the rank computes it) and the
packed facet numbers.

One transaction, REPEATABLE READ: the index is read in its snapshot, the
build written, the rows of ``quebec_search_changed`` that snapshot sees
deleted (exactly the writes the build reflects; later ones stay listed),
the build made current and the builds before the previous one dropped.
Builds are one at a time (an advisory lock, taken before the snapshot).
"""
from __future__ import annotations

import io
import logging
import time
from typing import Any, Optional

import numpy as np
import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan.model import ensure_engine

from ckanext.quebec import config as suite_config
from ckanext.quebec import jobs

from . import numbered
from .plan import title_norm

log = logging.getLogger(__name__)

# The vectors with lists, by field number.
VECTORS = ("search_text", "search_text_fr", "search_text_en")
# Field 0 also keeps the rank with equal weights (the occurrences' part of the score).
EQUAL_WEIGHTS_FIELD = 0
# Forward arrays: name -> numpy dtype (native order).
FORWARD = {"signature_key": np.int64, "title_norm": np.float64,
           "facet_offsets": np.int64, "facet_numbers": np.int32}
_LOCK_KEY = 7_304_117_017  # pg_advisory_lock: one build at a time
_JOB_TIMEOUT = 3600
_WRITERS_POLL = 0.01  # seconds between looks at the writers a build waits for
_WRITERS_TIMEOUT = 600  # seconds a build waits for them before it gives up
_ANALYZED = ("quebec_search_posting_build", "quebec_search_posting_list",
             "quebec_search_posting_document", "quebec_search_posting_forward",
             "quebec_search_changed")
# A lexeme as a one-item tsquery (its quotes and backslashes escaped).
_LEXEME_QUERY = ("format('''%s''', replace(replace(u.lexeme, '\\', '\\\\'), '''', ''''''))"
                 "::tsquery")


# The current build's id (NULL without one), as a scalar subquery.
CURRENT_SQL = "(SELECT id FROM quebec_search_posting_build WHERE state = 'current')"


def current(connection: sa.engine.Connection) -> Optional[int]:
    """The current build's id, if any."""
    return connection.execute(sa.text(f"SELECT {CURRENT_SQL}")).scalar()


def build(engine: Optional[sa.engine.Engine] = None) -> int:
    """A new build, made current; its id."""
    engine = engine or ensure_engine()
    raw = engine.raw_connection()
    connection = raw.driver_connection if hasattr(raw, "driver_connection") else raw.connection
    # Its own connection, closed after: the autocommit switches below never reach the pool.
    raw.detach()
    try:
        connection.autocommit = True
        cursor = connection.cursor()
        cursor.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
        try:
            return _locked_build(connection, cursor)
        finally:
            connection.autocommit = True
            cursor.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))
    finally:
        connection.close()


def _locked_build(connection: Any, cursor: Any) -> int:
    """The build, its lock held: announced (committed), then written in one snapshot."""
    # From the announcement on, the triggers list every document written
    # (migration 0017); a writer that began before it is waited for, so any
    # write the snapshot misses is listed.
    cursor.execute("UPDATE quebec_search_posting_build SET state = 'invalid'"
                   " WHERE state = 'building'")
    cursor.execute("INSERT INTO quebec_search_posting_build (state) VALUES ('building')"
                   " RETURNING id")
    build_id = cursor.fetchone()[0]
    try:
        _wait_for_writers(cursor)
        connection.autocommit = False
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        started = time.perf_counter()
        _write(cursor, build_id)
        connection.commit()
    except BaseException:
        connection.rollback()
        connection.autocommit = True
        cursor.execute("UPDATE quebec_search_posting_build SET state = 'invalid' WHERE id = %s",
                       (build_id,))
        cursor.execute(_FORGET_UNREAD)
        raise
    log.info("Posting lists built (build %s) in %.1f s", build_id, time.perf_counter() - started)
    return build_id


# The changes listed when no build is current or under way: nothing will read them.
_FORGET_UNREAD = (
    "DELETE FROM quebec_search_changed WHERE NOT EXISTS (SELECT 1 FROM"
    " quebec_search_posting_build WHERE state IN ('building', 'current'))")
# The transactions writing the index now (as CREATE INDEX CONCURRENTLY waits for them).
_WRITERS = (
    "SELECT coalesce(array_agg(DISTINCT l.virtualtransaction), '{}') FROM pg_locks l"
    " WHERE l.locktype = 'relation' AND l.mode = 'RowExclusiveLock'"
    " AND l.pid IS DISTINCT FROM pg_backend_pid()"
    " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    " AND l.relation IN (SELECT relid FROM pg_partition_tree('quebec_search_document'))")
_RUNNING = ("SELECT coalesce(array_agg(virtualxid), '{}') FROM pg_locks"
            " WHERE locktype = 'virtualxid' AND virtualxid = ANY(%s)")


def _wait_for_writers(cursor: Any) -> None:
    """Until the transactions that held a write lock on the index have ended.

    A writer takes its lock before its statement's snapshot, and its trigger
    reads the builds after it: one that did not see the announcement still
    held its lock when it was made, and its write is in the build's snapshot.
    """
    cursor.execute(_WRITERS)
    waiting = cursor.fetchone()[0]
    deadline = time.monotonic() + _WRITERS_TIMEOUT
    while waiting:
        if time.monotonic() > deadline:
            # Left open (idle in transaction?): this build could miss their writes.
            raise RuntimeError(f"Posting lists not built: {len(waiting)} transaction(s)"
                               f" writing the search index stayed open {_WRITERS_TIMEOUT} s")
        time.sleep(_WRITERS_POLL)
        cursor.execute(_RUNNING, (waiting,))
        waiting = cursor.fetchone()[0]


def build_if_none() -> Optional[int]:
    """A build when there is no current one (``ckan quebec upgrade``); its id, else None."""
    with ensure_engine().connect() as connection:
        if current(connection) is not None:
            return None
    return build()


def build_job() -> None:
    """The background build queued when the changes pass their share of the index."""
    build()


def drop_invalid_job() -> None:
    """The background removal of the builds no search reads any more."""
    with ensure_engine().begin() as connection:
        connection.execute(sa.text(
            "DELETE FROM quebec_search_posting_build WHERE state = 'invalid'"))


# What after_write reads: the current build, whether one is announced, and the
# changes listed, counted up to one past the share that queues a build.
_UPKEEP = sa.text(
    "SELECT b.id, b.documents, b.rebuild_queued_at IS NOT NULL,"
    " EXISTS (SELECT 1 FROM quebec_search_posting_build WHERE state = 'building'),"
    " EXISTS (SELECT 1 FROM quebec_search_posting_build WHERE state = 'previous'),"
    " (SELECT count(*) FROM (SELECT 1 FROM quebec_search_changed LIMIT"
    "  coalesce(floor(b.documents * CAST(:share AS float8))::bigint, 0) + 1) AS c)"
    " FROM (SELECT 1) AS one LEFT JOIN quebec_search_posting_build b ON b.state = 'current'")
_UPKEEP_SAVEPOINT = "quebec_search_postings_upkeep"


def after_write(connection: sa.engine.Connection) -> None:
    """The lists' upkeep after documents were written, in the writer's transaction.

    Past the configured share of changes, one background build per build.
    With the lists off, or no build current, builds and changes nobody reads
    are dropped (when no build is under way). A failure is logged, never the
    write's: the search reads the changes by the statement meanwhile.
    """
    connection.exec_driver_sql(f"SAVEPOINT {_UPKEEP_SAVEPOINT}")
    try:
        queue = _upkeep(connection)
        connection.exec_driver_sql(f"RELEASE SAVEPOINT {_UPKEEP_SAVEPOINT}")
    except sa.exc.SQLAlchemyError:
        log.exception("Posting lists' upkeep failed")
        connection.exec_driver_sql(f"ROLLBACK TO SAVEPOINT {_UPKEEP_SAVEPOINT}")
        connection.exec_driver_sql(f"RELEASE SAVEPOINT {_UPKEEP_SAVEPOINT}")
        return
    for function, title in queue:
        try:
            tk.enqueue_job(function, [], title=title, rq_kwargs=jobs.rq_kwargs(_JOB_TIMEOUT))
        except Exception:  # the queue unreachable: the write stands, the build waits
            log.exception("Could not queue %s", title)


def _upkeep(connection: sa.engine.Connection) -> list[tuple[Any, str]]:
    """The jobs to queue after the statements of :func:`after_write`."""
    share = suite_config.search_postings_rebuild_share()
    build_id, documents, queued, announced, previous, changed = connection.execute(
        _UPKEEP, {"share": share}).one()
    on = suite_config.search_posting_lists()
    if on and build_id is not None:
        if queued or changed <= share * max(documents, 1):
            return []
        # One writer marks it; the others skip the locked row rather than wait.
        marked = connection.execute(sa.text(
            "UPDATE quebec_search_posting_build SET rebuild_queued_at = now() WHERE id ="
            " (SELECT id FROM quebec_search_posting_build WHERE id = :build"
            " AND rebuild_queued_at IS NULL FOR UPDATE SKIP LOCKED) RETURNING id"),
            {"build": build_id}).scalar()
        return [] if marked is None else [(build_job, "quebec_search posting lists")]
    kept = not on and (build_id is not None or previous)
    if not (announced or changed or kept):
        return []
    # No build under way (its lock is free until this transaction ends).
    if not connection.execute(sa.text("SELECT pg_try_advisory_xact_lock(:key)"),
                              {"key": _LOCK_KEY}).scalar():
        return []
    dropped = connection.execute(sa.text(
        "UPDATE quebec_search_posting_build SET state = 'invalid'"
        " WHERE state = 'building' OR (:off AND state <> 'invalid')"), {"off": not on}).rowcount
    connection.execute(sa.text(_FORGET_UNREAD))
    return [(drop_invalid_job, "quebec_search posting lists dropped")] if dropped else []


def _write(cursor: Any, build_id: int) -> None:
    """The build ``build_id`` (announced), in the cursor's transaction (its snapshot)."""
    cursor.execute("SET LOCAL work_mem = '256MB'")
    cursor.execute(f"SELECT {numbered.TABLE_SQL}")
    facet_table = cursor.fetchone()[0]
    cursor.execute("UPDATE quebec_search_posting_build SET facet_table = %s WHERE id = %s",
                   (facet_table, build_id))
    # The numbering, in a temporary table the lists' reads join.
    cursor.execute(
        "CREATE TEMPORARY TABLE quebec_search_numbering ON COMMIT DROP AS"
        " SELECT (row_number() OVER (ORDER BY d.index_id COLLATE \"C\") - 1)::int AS number,"
        f" d.index_id, d.name, d.title_keys, d.signature_key, {title_norm()} AS title_norm,"
        " d.facet_bytes FROM quebec_search_document d")
    cursor.execute("CREATE INDEX ON quebec_search_numbering (index_id)")
    cursor.execute("ANALYZE quebec_search_numbering")
    documents = _numbering(cursor, build_id)
    for field, vector in enumerate(VECTORS):
        _lists(cursor, build_id, field, vector)
    cursor.execute("DELETE FROM quebec_search_changed")
    cursor.execute("UPDATE quebec_search_posting_build SET state = 'invalid'"
                   " WHERE state = 'previous' AND id < %s", (build_id,))
    cursor.execute("UPDATE quebec_search_posting_build SET state = 'previous'"
                   " WHERE state = 'current'")
    cursor.execute("UPDATE quebec_search_posting_build SET state = 'current', documents = %s"
                   " WHERE id = %s", (documents, build_id))
    # Searches that began on the previous build may still read its lists.
    cursor.execute("DELETE FROM quebec_search_posting_build WHERE state = 'invalid'")
    # Statistics committed with the build (ANALYZE counts this transaction's
    # rows): without them the first searches' plans read every list (a
    # sequential scan, 170 ms at 100,000 datasets) until autovacuum comes by.
    cursor.execute(f"ANALYZE {', '.join(_ANALYZED)}")


def _numbering(cursor: Any, build_id: int) -> int:
    """The numbering's rows and the forward arrays; the number of documents."""
    cursor.execute(
        "INSERT INTO quebec_search_posting_document (build_id, number, index_id, name, title_keys)"
        " SELECT %s, number, index_id, name, title_keys FROM quebec_search_numbering",
        (build_id,))
    cursor.execute("SELECT signature_key, title_norm, coalesce(octet_length(facet_bytes), 0)"
                   " FROM quebec_search_numbering ORDER BY number")
    rows = cursor.fetchall()
    documents = len(rows)
    lengths = np.array([row[2] for row in rows], dtype=np.int64) // 4
    offsets = np.zeros(documents + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    cursor.execute("SELECT string_agg(facet_bytes, ''::bytea ORDER BY number)"
                   " FROM quebec_search_numbering")
    packed = cursor.fetchone()[0]
    arrays = {
        "signature_key": np.array([row[0] for row in rows], dtype=np.int64),
        "title_norm": np.array([row[1] for row in rows], dtype=np.float64),
        "facet_offsets": offsets,
        "facet_numbers": np.frombuffer(bytes(packed or b""), dtype=">i4").astype(np.int32),
    }
    for name, array in arrays.items():
        cursor.execute(
            "INSERT INTO quebec_search_posting_forward (build_id, name, data) VALUES (%s, %s, %s)",
            (build_id, name, array.astype(FORWARD[name]).tobytes()))
    return documents


def _lists(cursor: Any, build_id: int, field: int, vector: str) -> None:
    """The lists of one vector: (number, lexeme's number, ranks) of each posting, by
    binary COPY, grouped by lexeme in numpy and written by COPY."""
    cursor.execute("DROP TABLE IF EXISTS quebec_search_lexeme")
    cursor.execute(
        "CREATE TEMPORARY TABLE quebec_search_lexeme ON COMMIT DROP AS"
        " SELECT (row_number() OVER (ORDER BY lexeme COLLATE \"C\") - 1)::int AS number, lexeme"
        f" FROM (SELECT DISTINCT unnest(tsvector_to_array(d.{vector})) AS lexeme"
        " FROM quebec_search_document d) AS s")
    cursor.execute("ALTER TABLE quebec_search_lexeme ADD PRIMARY KEY (lexeme)")
    cursor.execute("SELECT lexeme FROM quebec_search_lexeme ORDER BY number")
    lexemes = [row[0] for row in cursor.fetchall()]
    if not lexemes:
        return
    equal = field == EQUAL_WEIGHTS_FIELD
    ranks = f"ts_rank(d.{vector}, {_LEXEME_QUERY})::float8"
    if equal:
        ranks += f", ts_rank('{{1,1,1,1}}', d.{vector}, {_LEXEME_QUERY})::float8"
    columns = [("lexeme", ">i4"), ("number", ">i4"), ("rank", ">f8")]
    if equal:
        columns.append(("equal", ">f8"))
    postings = _copy_binary(cursor, (
        f"SELECT l.number, n.number, {ranks} FROM quebec_search_document d"
        " JOIN quebec_search_numbering n USING (index_id)"
        f" CROSS JOIN LATERAL unnest(d.{vector}) AS u"
        " JOIN quebec_search_lexeme l ON l.lexeme = u.lexeme"), columns)
    order = np.lexsort((postings["number"], postings["lexeme"]))
    lexeme_of = postings["lexeme"][order].astype(np.int64)
    numbers = postings["number"][order].astype("<i4").tobytes()
    rank = postings["rank"][order].astype("<f4").tobytes()
    equal_rank = postings["equal"][order].astype("<f4").tobytes() if equal else b""
    bounds = np.flatnonzero(np.diff(lexeme_of)) + 1
    starts = np.concatenate([[0], bounds]).tolist()
    ends = np.concatenate([bounds, [len(lexeme_of)]]).tolist()
    out = io.StringIO()
    escape = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
    for start, end in zip(starts, ends):
        data = numbers[4 * start:4 * end] + rank[4 * start:4 * end]
        if equal:
            data += equal_rank[4 * start:4 * end]
        lexeme = lexemes[int(lexeme_of[start])].translate(escape)
        out.write(f"{build_id}\t{field}\t{lexeme}\t{end - start}\t\\\\x{data.hex()}\n")
    out.seek(0)
    cursor.copy_expert("COPY quebec_search_posting_list (build_id, field, lexeme, df, data)"
                       " FROM STDIN", out)


def _copy_binary(cursor: Any, select: str, columns: list[tuple[str, str]]) -> np.ndarray:
    """The rows of ``select`` (fixed-width, non-null columns) as a numpy record array."""
    buffer = io.BytesIO()
    cursor.copy_expert(f"COPY ({select}) TO STDOUT (FORMAT binary)", buffer)
    raw = buffer.getbuffer()
    dtype = np.dtype([("count", ">i2")] + [
        part for name, kind in columns for part in ((f"length_{name}", ">i4"), (name, kind))])
    # 19 bytes of header (no extension), 2 of trailer.
    rows = np.frombuffer(raw[19:len(raw) - 2], dtype=dtype)
    if len(rows) and not (rows["count"] == len(columns)).all():
        raise ValueError("unexpected COPY row")
    return rows
