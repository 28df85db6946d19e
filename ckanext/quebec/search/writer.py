"""Writing documents into the index: one at a time, or by batches during a rebuild.

CKAN's indexer hands each dataset's Solr document to ``PostgresSolr.add``;
:func:`row_for` turns it into the row of ``quebec_search_document`` (its
values as Solr sees them, its text by weight and language) and one
statement writes any number of rows. Inside :func:`bulk_writes` (``ckan
search-index rebuild``) the rows added without commit are held and written
``BULK_BATCH`` at a time.

A document indexed while CKAN's session holds the dataset's changes is
written on that session's connection, in the dataset's own transaction: a
commit that never happens (a process killed, a refused constraint) leaves
neither. Writes outside such a transaction (a rebuild, a job) are
committed by themselves.

A write that fails is tried again when another writer was in its way (a
deadlock, a serialization conflict), under a savepoint in the dataset's
transaction; any other failure, or the third, is a ``SearchIndexError``:
CKAN then refuses the whole write, as when Solr is down. CKAN 2.11 indexes
while it commits and commits anyway after any other exception: the
dataset was saved without its document, or, its transaction aborted by the
failed statement, not saved at all while the action answered success.

After each write, in its transaction, the posting lists' upkeep
(``postings_build.after_write``): a search never writes.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
import time
from typing import Any, Callable, Iterator

import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckan import model
from ckan.lib.search.common import SearchIndexError
from ckan.model import ensure_engine

from ckanext.quebec import held

from . import fields as solr_fields
from . import postings_build

# Documents carry these as JSON strings; they are returned, never searched.
_OPAQUE_FIELDS = ("data_dict", "validated_data_dict")
# PostgreSQL's codes of the failures another try may clear: a serialization
# conflict, a deadlock this writer lost, a lock it could not get.
_TRANSIENT = frozenset({"40001", "40P01", "55P03"})
_ATTEMPTS = 3
_SAVEPOINT = "quebec_search_write"


def _(message: str) -> str:
    """Marks a message for the catalogues; tk._ translates it where it is shown."""
    return message


_REFUSED = _("The search index could not record the change, so nothing was saved;"
             " try again. ({detail})")


def guarded(engine: sa.engine.Engine, write: Callable[[sa.engine.Connection], Any]) -> None:
    """``write(connection)`` in :func:`_transaction`, tried again after a transient
    failure; a failure that stays a ``SearchIndexError`` (see the module's doc)."""
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            with _transaction(engine) as connection:
                write(connection)
                postings_build.after_write(connection)
            return
        except sa.exc.SQLAlchemyError as error:
            code = getattr(getattr(error, "orig", None), "pgcode", None)
            if attempt < _ATTEMPTS and code in _TRANSIENT:
                time.sleep(0.02 * attempt)
                continue
            raise SearchIndexError(failure_message(error)) from error


def failure_message(error: BaseException) -> str:
    """Why a document was not written, in the reader's language when there is one."""
    detail = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    try:
        text = tk._(_REFUSED)
    except RuntimeError:  # outside CKAN's app: a command's or a job's log, in English
        text = _REFUSED
    return text.format(detail=detail)


@contextlib.contextmanager
def _transaction(engine: sa.engine.Engine) -> Iterator[sa.engine.Connection]:
    """The transaction of the dataset being written, under a savepoint, when there
    is one; else one of its own."""
    session = _writing_session(engine)
    if session is None:
        with engine.begin() as connection:
            yield connection
        return
    connection = session.connection()
    # A failed statement aborts the whole transaction; the savepoint keeps the
    # dataset's changes, to try the document again or to let CKAN refuse both.
    connection.exec_driver_sql(f"SAVEPOINT {_SAVEPOINT}")
    try:
        yield connection
    except BaseException:
        connection.exec_driver_sql(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
        connection.exec_driver_sql(f"RELEASE SAVEPOINT {_SAVEPOINT}")
        raise
    connection.exec_driver_sql(f"RELEASE SAVEPOINT {_SAVEPOINT}")


def _writing_session(engine: sa.engine.Engine) -> Any:
    """CKAN's session, when its open transaction holds writes of its own.

    CKAN 2.12's actions index a dataset just before ``model.repo.commit()``;
    2.11 indexes it inside the commit (``before_commit``, after a flush). In
    both cases the session's transaction holds the dataset's changes. A
    session that only read (a rebuild, a job) is left alone: nothing would
    commit the document.
    """
    if not model.Session.registry.has():
        return None
    session = model.Session()
    if not session.in_transaction() or session.get_bind().url != engine.url:
        return None
    return session if held.holds_changes(session) else None


def add(engine: sa.engine.Engine, rows: list[dict[str, Any]], commit: bool) -> None:
    """Write ``rows`` now, or hold them for the batch when a bulk write is under way."""
    if not rows:
        return
    if not commit and _bulk.active:
        # Inside `search-index rebuild` without --commit-each: written
        # by batches, flushed by commit() and when the rebuild ends.
        _bulk.rows.extend(rows)
        if len(_bulk.rows) >= BULK_BATCH:
            flush_bulk(engine)
        return
    _write(engine, rows)


class _BulkState(threading.local):
    active = False
    written = 0

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []


_bulk = _BulkState()
BULK_BATCH = 500
_ANALYZED_TABLES = ("quebec_search_document", "quebec_search_segment",
                    "quebec_search_facet_count")
_VACUUMED_TABLE = "quebec_search_document"


@contextlib.contextmanager
def bulk_writes() -> Iterator[None]:
    """Documents added without commit are written by batches until the block ends."""
    outer = _bulk.active
    _bulk.active = True
    if not outer:
        _bulk.written = 0
    try:
        yield
    finally:
        _bulk.active = outer
        if not outer:
            engine = ensure_engine()
            flush_bulk(engine)
            if _bulk.written:
                analyze_index(engine)


def analyze_index(engine: sa.engine.Engine) -> None:
    """Fresh statistics and visibility map after a bulk load, not when autovacuum gets to it.

    Without the statistics the planner takes the filters of every search for
    rare and reads the whole index to sort it. Without the visibility map a
    page of the default sort, read from its index alone (migration 0015),
    still reads each row before it from the table.
    """
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in _ANALYZED_TABLES:
            command = "VACUUM (ANALYZE)" if table == _VACUUMED_TABLE else "ANALYZE"
            connection.execute(sa.text(f"{command} {table}"))


def flush_bulk(engine: sa.engine.Engine) -> None:
    rows, _bulk.rows = _bulk.rows, []
    if rows:
        _write(engine, rows)
        _bulk.written += len(rows)


def _write(engine: sa.engine.Engine, rows: list[dict[str, Any]]) -> None:
    """Insert or replace documents, in one statement whatever their number."""
    # One row per index_id (the last wins, as successive adds would): ON
    # CONFLICT may not touch a row twice in one statement.
    latest = {row["index_id"]: row for row in rows}
    payload = {"rows": json.dumps(list(latest.values()), ensure_ascii=False, default=str)}
    guarded(engine, lambda connection: connection.execute(_WRITE_STATEMENT, payload))


def _values(value: Any) -> list[str]:
    """An indexed value as Solr sees it: a list of strings, each once."""
    items = value if isinstance(value, (list, tuple, set)) else [value]
    out: list[str] = []
    for item in items:
        if item is None or item == "":
            continue
        if isinstance(item, bool):
            text = "true" if item else "false"
        elif isinstance(item, (dict, list)):
            text = json.dumps(item, ensure_ascii=False, sort_keys=True)
        else:
            text = str(item)
        if text not in out:
            out.append(text)
    return out


def _check_cardinality(doc: dict[str, Any]) -> None:
    """Refuse a list of several values for a single-valued field, as Solr does."""
    for key, value in doc.items():
        if (isinstance(value, (list, tuple, set)) and not solr_fields.is_multi_valued(key)
                and len([item for item in value if item is not None]) > 1):
            raise SearchIndexError(
                f"ERROR: [doc={doc.get('index_id')}] multiple values encountered for non"
                f" multiValued field {key}: {list(value)!r}")


def row_for(doc: dict[str, Any]) -> dict[str, Any]:
    _check_cardinality(doc)
    doc = {key: _solr_date(value) if solr_fields.kind_of(key) == solr_fields.DATE else value
           for key, value in doc.items()}
    indexed = {}
    for key, value in doc.items():
        if key in _OPAQUE_FIELDS:
            continue
        values = _values(value)
        if values:
            indexed[key] = values
    stored = {key: value for key, value in doc.items()
              if solr_fields.is_stored(key) and value is not None}
    texts = {weight: [] for weight in solr_fields.TEXT_WEIGHTS}
    for weight, names in solr_fields.TEXT_WEIGHTS.items():
        for name in names:
            texts[weight].extend(indexed.get(name, []))
    languages = {(language, weight): [] for language in solr_fields.LANGUAGES
                 for weight in solr_fields.TEXT_WEIGHTS}
    for key, values in indexed.items():
        language = solr_fields.language_of(key)
        if language:
            languages[language, solr_fields.language_weight(key)].extend(values)
        elif key.startswith(solr_fields.TEXT_DYNAMIC_PREFIXES):
            texts["D"].extend(values)
    return {
        "index_id": doc.get("index_id") or doc["id"],
        "id": doc["id"],
        "name": doc.get("name"),
        "site_id": doc.get("site_id") or "",
        "fields": indexed,
        "stored": stored,
        "text_a": " ".join(texts["A"]),
        "text_b": " ".join(texts["B"]),
        "text_c": " ".join(texts["C"]),
        "text_d": " ".join(texts["D"]),
        **{f"text_{language}_{weight.lower()}": " ".join(values)
           for (language, weight), values in languages.items()},
    }


def _solr_date(value: Any) -> Any:
    """A date as Solr keeps and returns it: UTC, to the millisecond
    (``2014-06-10T08:24:12.782Z``, no fraction when it is 0); other values as they are."""
    if isinstance(value, (list, tuple)):
        return [_solr_date(item) for item in value]
    if not isinstance(value, str):
        return value
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc)
    millisecond = moment.microsecond // 1000
    return (moment.replace(tzinfo=None).isoformat(timespec="seconds")
            + (f".{millisecond:03d}" if millisecond else "") + "Z")


def _language_vector(language: str) -> str:
    """SQL for the weighted vector of one language's translated fields."""
    return "(" + " || ".join(
        f"setweight(quebec_search_language_vector('{language}', "
        f"r.text_{language}_{weight.lower()}), '{weight}')"
        for weight in solr_fields.TEXT_WEIGHTS) + ")"


_TEXT_COLUMNS = ["text_a", "text_b", "text_c", "text_d"] + [
    f"text_{language}_{weight.lower()}" for language in solr_fields.LANGUAGES
    for weight in solr_fields.TEXT_WEIGHTS]
_WRITE_STATEMENT = sa.text(f"""
    INSERT INTO quebec_search_document
        (index_id, id, name, site_id, fields, stored, search_text,
         search_text_fr, search_text_en, indexed_at)
    SELECT r.index_id, r.id, r.name, r.site_id, r.fields, r.stored,
           setweight(quebec_search_vector(r.text_a), 'A')
           || setweight(quebec_search_vector(r.text_b), 'B')
           || setweight(quebec_search_vector(r.text_c), 'C')
           || setweight(quebec_search_vector(r.text_d), 'D')
           || language.fr || language.en,
           language.fr, language.en, now()
    FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(
        index_id text, id text, name text, site_id text, fields jsonb, stored jsonb,
        {", ".join(f"{column} text" for column in _TEXT_COLUMNS)})
    CROSS JOIN LATERAL (SELECT {_language_vector("fr")} AS fr,
                               {_language_vector("en")} AS en) AS language
    ON CONFLICT (index_id) DO UPDATE SET
        id = EXCLUDED.id, name = EXCLUDED.name, site_id = EXCLUDED.site_id,
        fields = EXCLUDED.fields, stored = EXCLUDED.stored,
        search_text = EXCLUDED.search_text,
        search_text_fr = EXCLUDED.search_text_fr,
        search_text_en = EXCLUDED.search_text_en,
        indexed_at = EXCLUDED.indexed_at
""")
