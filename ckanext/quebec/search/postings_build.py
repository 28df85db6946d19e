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
# A lexeme as a one-item tsquery (its quotes and backslashes escaped).
_LEXEME_QUERY = ("format('''%s''', replace(replace(u.lexeme, '\\', '\\\\'), '''', ''''''))"
                 "::tsquery")


def current(connection: sa.engine.Connection) -> Optional[int]:
    """The current build's id, if any."""
    return connection.execute(sa.text(
        "SELECT id FROM quebec_search_posting_build WHERE state = 'current'")).scalar()


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
            connection.autocommit = False
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            started = time.perf_counter()
            build_id = _write(cursor)
            connection.commit()
            log.info("Posting lists built (build %s) in %.1f s", build_id,
                     time.perf_counter() - started)
        except BaseException:
            connection.rollback()
            raise
        finally:
            connection.autocommit = True
            cursor.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))
    finally:
        connection.close()
    return build_id


def build_if_none() -> Optional[int]:
    """A build when there is no current one (``ckan quebec upgrade``); its id, else None."""
    with ensure_engine().connect() as connection:
        if current(connection) is not None:
            return None
    return build()


def build_job() -> None:
    """The background build queued when the changes pass their share of the index."""
    build()


def enqueue_if_stale(build_id: int, documents: int, changed: int) -> bool:
    """Queue a background build once per build when ``changed`` documents pass the
    configured share of its ``documents``; whether one was queued now."""
    share = suite_config.search_postings_rebuild_share()
    if changed <= share * max(documents, 1):
        return False
    with ensure_engine().begin() as connection:
        marked = connection.execute(sa.text(
            "UPDATE quebec_search_posting_build SET rebuild_queued_at = now()"
            " WHERE id = :build AND rebuild_queued_at IS NULL RETURNING id"),
            {"build": build_id}).scalar()
    if marked is None:
        return False
    tk.enqueue_job(build_job, [], title="quebec_search posting lists",
                   rq_kwargs=jobs.rq_kwargs(_JOB_TIMEOUT))
    return True


def _write(cursor: Any) -> int:
    """The build, in the cursor's transaction (its snapshot)."""
    cursor.execute("SET LOCAL work_mem = '256MB'")
    cursor.execute(f"SELECT {numbered.TABLE_SQL}")
    facet_table = cursor.fetchone()[0]
    cursor.execute(
        "INSERT INTO quebec_search_posting_build (state, facet_table) VALUES ('building', %s)"
        " RETURNING id", (facet_table,))
    build_id = cursor.fetchone()[0]
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
    return build_id


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
