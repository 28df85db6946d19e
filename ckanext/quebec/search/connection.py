"""A pysolr-compatible connection whose index lives in PostgreSQL.

CKAN's search layer (ckan.lib.search) builds Solr documents and Solr queries
and hands them to a pysolr connection. Answering that same conversation keeps
every line of CKAN's own logic in play — document building, before_dataset_index,
permission labels, fq assembly, result post-processing — so package_search
behaves here as it does on Solr, on CKAN 2.11 and 2.12 alike.
"""
from __future__ import annotations

import contextlib
import functools
import json
import logging
import re
import threading
import unicodedata
from typing import Any, Iterable, Iterator, NamedTuple

import ckan.plugins.toolkit as tk
import flask
import pysolr
import sqlalchemy as sa

from ckan.model import ensure_engine

from . import fields as solr_fields
from . import merge, numbered, parallel, spatial
from .counted import counted_among
from .lucene import (Compiler, Params, QuerySyntaxError, min_should_match,
                     parse_query_fields, strip_local_params, unknown_field)

log = logging.getLogger(__name__)

# Documents carry these as JSON strings; they are returned, never searched.
_OPAQUE_FIELDS = ("data_dict", "validated_data_dict")
_DOCUMENTS = parallel.TABLE
_DEFAULT_ROWS = 10
_MAX_ROWS = 100_000
_SORT_DIRECTIONS = {"asc": "ASC", "desc": "DESC"}
_WORD_RE = re.compile(r"[^\W_]+")
# Added to a match's rank (ts_rank, about 0.6 for a title word): the words
# near one another (most as a phrase) count as much again, a match in the
# reader's language half again, and a dataset named or titled exactly as q
# comes before any other.
_PHRASE_BOOST = 1.0
_LANGUAGE_BOOST = 0.5
_EXACT_NAME_BOOST = 100


class SortKey(NamedTuple):
    expression: str  # SQL over ``d``
    direction: str  # ASC or DESC
    kind: str  # merge.NUMBER, merge.DATE or merge.TEXT: how partial reads compare it


class Results:
    """The part of pysolr.Results that CKAN reads."""

    def __init__(self, docs: list[dict[str, Any]], hits: int,
                 facet_fields: dict[str, list[Any]]):
        self.docs = docs
        self.hits = hits
        self.facets = {"facet_fields": facet_fields}
        self.raw_response = {"response": {"numFound": hits, "docs": docs}}

    def __len__(self) -> int:
        return len(self.docs)

    def __iter__(self):
        return iter(self.docs)


class PostgresSolr:
    """Stands in for ``pysolr.Solr`` against the quebec_search_document table."""

    url = "postgresql:quebec_search_document"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.engine = ensure_engine()

    # -- writing -------------------------------------------------------------
    def add(self, docs: Iterable[dict[str, Any]], commit: bool = True, **kwargs: Any) -> None:
        rows = [_row_for(doc) for doc in docs]
        if not rows:
            return
        if not commit and _bulk.active:
            # Inside `search-index rebuild` without --commit-each: written
            # by batches, flushed by commit() and when the rebuild ends.
            _bulk.rows.extend(rows)
            if len(_bulk.rows) >= BULK_BATCH:
                flush_bulk(self.engine)
            return
        _write(self.engine, rows)

    def delete(self, id: Any = None, q: str | None = None, commit: bool = True,
               **kwargs: Any) -> None:
        params = Params()
        if id is not None:
            ids = id if isinstance(id, (list, tuple)) else [id]
            condition = f"d.index_id = ANY({params.bind(list(ids))})"
        elif q is not None:
            condition = _compile_or_raise(Compiler(params), q)
        else:
            raise ValueError("delete needs an id or a query")
        # A removal comes after the additions held back before it.
        flush_bulk(self.engine)
        with self.engine.begin() as connection:
            connection.execute(
                sa.text(f"DELETE FROM quebec_search_document d WHERE {condition}"),
                params.values)

    def commit(self, **kwargs: Any) -> None:
        """Write what a rebuild holds back; other writes are committed as they happen."""
        flush_bulk(self.engine)

    def optimize(self, **kwargs: Any) -> None:
        """PostgreSQL maintains its indexes itself (autovacuum)."""

    # -- reading -------------------------------------------------------------
    def search(self, q: str | None = None, **kwargs: Any) -> Results:
        _refuse_nul(q, kwargs)
        try:
            return self._search(q, kwargs)
        except sa.exc.ProgrammingError as error:
            if getattr(error.orig, "pgcode", None) != _UNDEFINED_TABLE:
                raise
            # The partitions this process read (trusted for a minute) were
            # changed by another process (a migration): read them again.
            parallel.reset()
            return self._search(q, kwargs)

    def _search(self, q: str | None, kwargs: dict[str, Any]) -> Results:
        request = _SearchRequest(q, kwargs)
        try:
            with self.engine.connect() as connection:
                return request.run(connection)
        except sa.exc.DataError as error:
            # A value PostgreSQL refuses (a number beyond bigint, ...) is the
            # searcher's mistake, as it would be for Solr: a search error.
            raise _invalid(_database_message(error)) from error
        except sa.exc.OperationalError as error:
            if getattr(error.orig, "pgcode", None) != _QUERY_CANCELED:
                raise
            # Solr's answer would not come within solr_timeout either: CKAN
            # turns the SolrError into its "Search error" (HTTP 409).
            raise pysolr.SolrError(tk._(
                "The search took longer than {seconds} s and was stopped").format(
                    seconds=f"{_timeout_seconds():g}")) from error


def set_read_options(connection: sa.engine.Connection) -> None:
    """The settings of a search's transaction, in one statement.

    The index is read from memory more than from disk: without the lower
    random_page_cost the planner prefers reading every row to the text and
    date indexes. Each statement stops after CKAN's ``solr_timeout``.
    """
    seconds = _timeout_seconds()
    timeout = f"{max(1, round(seconds * 1000))}ms" if seconds > 0 else "0"
    connection.execute(_READ_OPTIONS, {"_timeout": timeout})


_READ_OPTIONS = sa.text("SELECT set_config('random_page_cost', '1.1', true),"
                        " set_config('statement_timeout', :_timeout, true)")
_QUERY_CANCELED = "57014"  # PostgreSQL's error code for a statement stopped by its timeout
_UNDEFINED_TABLE = "42P01"


def _timeout_seconds() -> float:
    """CKAN's ``solr_timeout`` (seconds; a fraction is taken too), 0 or less for none."""
    return float(tk.config.get("solr_timeout") or 0)


def _refuse_nul(q: Any, options: dict[str, Any]) -> None:
    """Solr refuses a NUL character in a request; PostgreSQL cannot take one in text."""
    for value in (q, *options.values()):
        if any("\x00" in item for item in _as_list(value)):
            raise _invalid(tk._("the query contains a NUL character"))


class _BulkState(threading.local):
    active = False
    written = 0

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []


_bulk = _BulkState()
BULK_BATCH = 500
_ANALYZED_TABLES = ("quebec_search_document", "quebec_search_segment",
                    "quebec_search_facet_count")


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
    """Fresh statistics after a bulk load, not when autovacuum gets to it.

    Without them the planner takes the filters of every search for rare and
    reads the whole index to sort it.
    """
    with engine.begin() as connection:
        for table in _ANALYZED_TABLES:
            connection.execute(sa.text(f"ANALYZE {table}"))


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
    with engine.begin() as connection:
        connection.execute(_WRITE_STATEMENT, {"rows": json.dumps(
            list(latest.values()), ensure_ascii=False, default=str)})


class _SearchRequest:
    """One Solr select request, translated to SQL."""

    def __init__(self, q: str | None, params: dict[str, Any]):
        self.q = (q if q is not None else params.get("q")) or "*:*"
        self.options = params
        self.params = Params()
        operator = str(params.get("q.op", "OR")).upper()
        self.compiler = Compiler(self.params, default_field=params.get("df") or "text",
                                 default_operator="AND" if operator == "AND" else "OR")
        # Words of q rank the results; fq filters only, as on Solr.
        self.rank_terms: list[str] = []
        # q as the words someone typed (no field names), for the name boost
        self.plain_query: str | None = None
        self.conditions: list[str] = []  # q's and each fq's, ANDed in _where()
        self.boosted = False  # bf functions add to the score (spatial hook)
        self.counted: set[str] = set()  # facet fields the index keeps counts of

    def run(self, connection: sa.engine.Connection) -> Results:
        set_read_options(connection)
        where = self._where()
        rank = self._rank()
        faceted = str(self.options.get("facet", "false")).lower() == "true"
        names = [strip_local_params(name).strip()
                 for name in _as_list(self.options.get("facet.field"))] if faceted else []
        rows, start = self._page()
        facet_fields: dict[str, list[Any]] = {}
        if names:
            self.counted = counted_among(connection, _valid_facet_fields(names))
        if (set(_COLUMN_RE.findall(where)) <= {"signature"}
                and all(name in self.counted for name in names)):
            # Filters on signature fields only: they hold for all the
            # documents of a segment or for none, so the few segments answer
            # them and the documents are picked by their whole signature.
            segments = connection.execute(sa.text(
                f"SELECT d.id, d.signature::text FROM quebec_search_segment d WHERE {where}"),
                self.params.values).all()
            where = (f"d.signature = ANY(CAST("
                     f"{self.params.bind([row[1] for row in segments])} AS jsonb[]))")
            segment_ids = [row[0] for row in segments]
            if faceted:
                count, facet_fields = self._counted_facets(
                    connection, segment_ids, _valid_facet_fields(names))
            else:
                count = connection.execute(sa.text(
                    "SELECT coalesce(sum(documents), 0) FROM quebec_search_segment"
                    " WHERE id = ANY(:_segments)"), {"_segments": segment_ids}).scalar_one()
            page = self._page_keys(connection, where, rank, rows, start, count)
        elif faceted or self.rank_terms or self.boosted:
            # Every match is read anyway (to rank or to count its facets):
            # read each once for the count, the facets and the page.
            count, facet_fields, page = self._single_pass(
                connection, where, rank, _valid_facet_fields(names), rows, start)
        else:
            count = connection.execute(
                sa.text(f"SELECT count(*) FROM quebec_search_document d WHERE {where}"),
                self.params.values).scalar_one()
            page = self._page_keys(connection, where, rank, rows, start, count)
        facet_fields = {name: facet_fields[name] for name in names}
        for name in dict.fromkeys(names):
            if self._lists_zero_counts(name, self._asked_facet_options(name)[1]):
                facet_fields[name] = self._with_zero_counts(connection, name, facet_fields[name])
        return Results(self._documents(connection, page), count, facet_fields)

    def _page_keys(self, connection: sa.engine.Connection, where: str, rank: str,
                   rows: int, start: int, count: int) -> list[tuple[str, float]]:
        """(index_id, score) of the page's documents, in order."""
        if rows <= 0 or start >= count:
            return []
        order_by = ", ".join([f"{key.expression} {key.direction} NULLS LAST"
                              for key in self._sort_keys(rank)]
                             + ["d.index_id ASC"])
        return [tuple(row) for row in connection.execute(sa.text(
            f"SELECT d.index_id, {rank} AS score FROM quebec_search_document d "
            f"WHERE {where} ORDER BY {order_by} "
            f"LIMIT :_rows OFFSET :_start"),
            dict(self.params.values, _rows=rows, _start=start)).all()]

    def _documents(self, connection: sa.engine.Connection,
                   page: list[tuple[str, float]]) -> list[dict[str, Any]]:
        # The page's keys first, then its documents: rows skipped by OFFSET
        # are never read whole.
        if not page:
            return []
        fl = _field_list(self.options.get("fl"))
        params: dict[str, Any] = {"_keys": [key for key, _ in page]}
        if fl is None or "*" in fl:
            documents = dict(connection.execute(sa.text(
                "SELECT index_id, stored FROM quebec_search_document"
                " WHERE index_id = ANY(:_keys)"), params).all())
        else:
            # Only the fields asked for leave the database: CKAN asks for the
            # id and one of the two copies of the dataset its documents hold,
            # a JSON string that comes out as text, not parsed as JSON first
            # (0.6 ms instead of 1.6 for a page of 21).
            columns = []
            for number, name in enumerate(fl):
                params[f"_fl{number}"] = name
                columns.append(f"jsonb_typeof(stored -> :_fl{number}), stored ->> :_fl{number}")
            documents = {row[0]: _stored_fields(fl, row[1:]) for row in connection.execute(
                sa.text(f"SELECT index_id, {', '.join(columns)} FROM quebec_search_document"
                        " WHERE index_id = ANY(:_keys)"), params)}
        return [_select_fields(documents[key], score, fl)
                for key, score in page if key in documents]

    def _where(self) -> str:
        conditions = [self._query_condition()]
        self.rank_terms = list(self.compiler.rank_terms)
        for fq in _as_list(self.options.get("fq")):
            if fq and fq.strip():
                conditions.append(self._filter_condition(fq))
        self.conditions = conditions
        return " AND ".join(conditions)

    def _signature_conditions(self) -> list[str]:
        """The conditions of q and fq that read signature fields only."""
        return [condition for condition in self.conditions
                if set(_COLUMN_RE.findall(condition)) <= {"signature"}]

    def _keyed_where(self, connection: sa.engine.Connection, where: str) -> str:
        """``where`` with its conditions on signature fields answered by the segments.

        They hold for all the documents of a segment or for none: the few
        segments are tested, and the documents picked by the key of their
        signature (migration 0008), an integer comparison per match instead
        of jsonb containments. Should two segments that the conditions tell
        apart share a key, ``where`` is kept as it is.
        """
        on_signature = self._signature_conditions()
        if not on_signature:
            return where
        segments = connection.execute(sa.text(
            "SELECT hashtextextended(d.signature::text, 0) AS key,"
            f" bool_and(coalesce({' AND '.join(on_signature)}, false)) AS all_match,"
            f" bool_or(coalesce({' AND '.join(on_signature)}, false)) AS any_match"
            " FROM quebec_search_segment d GROUP BY 1"), self.params.values).all()
        keys = segment_keys(segments)
        if keys is None:
            return where
        rest = [condition for condition in self.conditions if condition not in on_signature]
        return " AND ".join(
            rest + [f"d.signature_key = ANY(CAST({self.params.bind(keys)} AS bigint[]))"])

    def _query_condition(self) -> str:
        q = strip_local_params(self.q).strip()
        def_type = self.options.get("defType")
        if def_type == "edismax" or (def_type == "dismax" and ":" not in q):
            # dismax: every word searches the query fields (qf), and at least
            # mm of them must match; edismax reads field names too.
            self.compiler.default_field = "text"
            self.plain_query = q if ":" not in q else None
            return self._dismax_condition(q)
        return _compile_or_raise(self.compiler, q)

    def _dismax_condition(self, q: str) -> str:
        mm = self.options.get("mm")
        try:
            # Solr refuses a bad qf or mm, whatever q says.
            query_fields = parse_query_fields(self.options.get("qf"))
            min_should_match(mm, 1)
        except QuerySyntaxError as error:
            raise _invalid(str(error)) from error
        try:
            return self.compiler.compile_dismax(q, mm, query_fields)
        except QuerySyntaxError:
            pass
        # Solr's dismax takes an unbalanced quote or parenthesis in what
        # people type as plain text, never as an error.
        return _compile_or_raise(self.compiler, q, plain_words=True)

    def _rank(self) -> str:
        terms = self.rank_terms
        rank = self._text_rank(terms) if terms else "0.0"
        boost = self._boost()
        return f"({rank} + {boost})" if boost else rank

    def _text_rank(self, terms: list[str]) -> str:
        """How well a document matches the words of q.

        Field weights (title A > tags B > notes C > resources and extras D),
        a bonus when the words appear as a phrase, a bonus for matches in the
        reader's language, and the dataset whose name or title is q first.
        """
        words = "(" + " || ".join(
            f"quebec_search_words({self.params.bind(term)})" for term in terms) + ")"
        # ts_rank, not ts_rank_cd: the same field weights for a third of the
        # cost, which is paid for every match (10,000 of them at 100,000
        # datasets). The phrase boost is ts_rank of all the words as an AND
        # query, which grows as they come nearer: highest as a phrase.
        parts = [f"ts_rank(d.search_text, {words})"]
        phrase = " ".join(terms)
        if len(_WORD_RE.findall(phrase)) > 1:
            parts.append(f"{_PHRASE_BOOST} * ts_rank(d.search_text, "
                         f"quebec_search_all_words({self.params.bind(phrase)}))")
        language = interface_language()
        if language in solr_fields.LANGUAGES:
            parts.append(f"{_LANGUAGE_BOOST} * ts_rank(d.search_text_{language}, {words})")
        if self.plain_query:
            # title_keys holds the titles as lower(unaccent()) gives them;
            # q goes through the same once (a sub-select, not per row).
            key = f"(SELECT ARRAY[lower(unaccent(CAST({self.params.bind(self.plain_query)} AS text)))])"
            parts.append(f"(CASE WHEN d.name = {self.params.bind(_slug(self.plain_query))}"
                         f" OR d.title_keys && {key} THEN {_EXACT_NAME_BOOST} ELSE 0 END)")
        return "(" + " + ".join(parts) + ")"

    # -- spatial hook: Solr function queries (ckanext-spatial solr-bbox) ---------
    def _filter_condition(self, fq: str) -> str:
        if not spatial.is_function_range(fq):
            return _compile_or_raise(self.compiler, fq)
        try:
            return spatial.function_range_condition(fq, self.params)
        except QuerySyntaxError as error:
            raise _invalid(str(error)) from error

    def _boost(self) -> str | None:
        """edismax's additive boost functions (``bf``), as SQL."""
        self.boosted = False
        if self.options.get("defType") not in ("dismax", "edismax"):
            return None
        try:
            boost = spatial.boost_expression(self.options.get("bf"), self.params)
        except QuerySyntaxError as error:
            raise _invalid(str(error)) from error
        self.boosted = boost is not None
        return boost
    # -- end of spatial hook -----------------------------------------------------

    def _page(self) -> tuple[int, int]:
        try:
            rows = int(self.options.get("rows", _DEFAULT_ROWS))
            start = int(self.options.get("start", 0))
        except (TypeError, ValueError):
            rows = start = -1
        if rows < 0 or start < 0:
            raise _invalid(tk._("rows and start must be positive whole numbers"))
        return min(rows, _MAX_ROWS), start

    def _sort_keys(self, rank: str) -> list[SortKey]:
        """Each sort key, in order."""
        keys = []
        sort = self.options.get("sort") or "score desc"
        for part in str(sort).split(","):
            part = part.strip()
            if not part:
                continue
            pieces = part.split()
            if len(pieces) != 2 or pieces[1].lower() not in _SORT_DIRECTIONS:
                # CKAN answers "Invalid sort parameter" to Solr's own wording.
                raise pysolr.SolrError(
                    f"Can't determine a Sort Order (asc or desc) in sort spec '{part}'")
            name, direction = pieces[0], _SORT_DIRECTIONS[pieces[1].lower()]
            key = self._sort_key(name, rank)
            if key is not None:
                keys.append(SortKey(key[0], direction, key[1]))
        return keys

    def _sort_key(self, name: str, rank: str) -> tuple[str, str] | None:
        """(SQL expression, kind) of one sort field."""
        if name == "score":
            # Without words to rank by every score is equal; PostgreSQL also
            # refuses a bare constant in ORDER BY.
            return (rank, merge.NUMBER) if self.rank_terms or self.boosted else None
        if name == "index_id":
            return "d.index_id", merge.TEXT
        if not solr_fields.is_valid_name(name):
            raise _invalid(unknown_field(name))
        value = f"(d.fields -> {self.params.bind(name)} ->> 0)"
        kind = solr_fields.kind_of(name)
        if name == "metadata_modified":
            # The same reading, done when the document was written (indexed).
            return "d.metadata_modified", merge.DATE
        if kind == solr_fields.DATE:
            return f"quebec_search_try_timestamp{value}", merge.DATE
        if kind == solr_fields.NUMBER:
            return f"quebec_search_try_number{value}", merge.NUMBER
        return f'{value} COLLATE "C"', merge.TEXT

    def _single_pass(self, connection: sa.engine.Connection, where: str, rank: str,
                     fields: list[str], rows: int, start: int
                     ) -> tuple[int, dict[str, list[Any]], list[tuple[str, float]]]:
        """The number of matches, every facet's counts and the page, in one read.

        The matching rows are found and ranked once, keeping only their key,
        score, sort keys and faceted values. Counted fields are counted from
        the documents' numbered values (numbered.py: a value a dataset holds
        twice is numbered once, so it counts once per dataset, as on Solr);
        other fields from their values in ``fields``.

        On a large index each group of partitions is read at once on its own
        connection (parallel.py), the documents picked by their signature's
        key (_keyed_where); their pages, counts and facets are merged.
        """
        counted = self.counted & set(fields)
        sort_keys = self._sort_keys(rank)  # binds its values: before the copies
        sources = parallel.sources(connection)
        if sources is None:
            statement, params = self._single_pass_statement(
                _DOCUMENTS, where, rank, fields, counted, sort_keys, rows, start, False)
            count, facets, page, packed = _read_single_pass(
                connection.execute(sa.text(statement), params), fields)
        else:
            # Only on a large index: on a small one the segments' query costs
            # more than the containments it saves (1,000 datasets: about 0.5 ms).
            where = self._keyed_where(connection, where)
            statements = [self._single_pass_statement(
                source, where, rank, fields, counted, sort_keys, rows, start, True)
                for source in sources]
            halves = parallel.run(
                lambda: connection.execute(sa.text(statements[0][0]), statements[0][1]).all(),
                [functools.partial(_read_on_own_connection, *statement)
                 for statement in statements[1:]])
            count, facets, page, packed = merge.single_passes(
                halves, fields, [(key.direction, key.kind) for key in sort_keys], rows, start,
                {field: self._facet_options(field) for field in fields})
        named = numbered.counts_by_field(
            connection, packed, [field for field in fields if field in counted])
        for field, values in named.items():
            limit, mincount, by_value = self._facet_options(field)
            facets[field] = merge.facet_list(values, limit, max(mincount, 1), by_value)
        return count, facets, page

    def _single_pass_statement(self, source: str, where: str, rank: str, fields: list[str],
                               counted: set[str], sort_keys: list["SortKey"], rows: int,
                               start: int, partial: bool) -> tuple[str, dict[str, Any]]:
        """SQL and parameters of one single-pass read of ``source``.

        A partial read (one of several groups of partitions) returns its
        first start + rows matches with their sort keys, and every facet
        value it counts: limits, minimum counts and the page's offset apply
        to the merged figures (merge.py).
        """
        params = dict(self.params.values, _rows=rows, _start=start)
        if partial:
            params.update(_rows=rows + start, _start=0)
        # The score is computed once, whether it is returned or sorted on.
        aliases = ["score" if key.expression == rank else f"s{number}"
                   for number, key in enumerate(sort_keys)]
        columns = ["d.index_id", f"{rank} AS score"] + [
            f"{key.expression} AS {alias}" for key, alias in zip(sort_keys, aliases)
            if alias != "score"]
        order_by = ", ".join([f"{alias} {key.direction} NULLS LAST"
                              for key, alias in zip(sort_keys, aliases)] + ["index_id ASC"])
        page_keys = "NULL::text[]"
        if partial:
            page_keys = "ARRAY[" + ", ".join(
                [f"{merge.comparable_text(alias, key.kind)}"
                 for key, alias in zip(sort_keys, aliases)] + ["index_id"]) + "]"
        ctes = []
        branches = [
            "(SELECT -2 AS facet, row_number() OVER () AS position, p.index_id AS value,"
            f" p.score AS n, p.keys FROM (SELECT index_id, score, {page_keys} AS keys"
            f" FROM matched ORDER BY {order_by} LIMIT :_rows OFFSET :_start) AS p)",
            "(SELECT -1, 0, NULL, count(*), NULL FROM matched)"]
        if counted:
            # With the number of matches, their numbered values, counted in
            # Python (numbered.py), limits and minimum counts applied there.
            columns.append("d.facet_bytes")
            branches[-1] = (f"(SELECT -1, {numbered.TABLE_SQL}, {numbered.PACKED_SQL},"
                            " count(*), NULL FROM matched)")
        for number, field in enumerate(fields):
            if field in counted:
                continue
            limit, mincount, by_value = self._facet_options(field)
            params[f"_facet{number}"] = field
            params[f"_mincount{number}"] = 1 if partial else max(mincount, 1)
            limit_sql = ""
            if limit >= 0 and not partial:
                params[f"_limit{number}"] = limit
                limit_sql = f"LIMIT :_limit{number}"
            columns.append(f"d.fields -> :_facet{number} AS v{number}")
            order = ('e.value COLLATE "C"' if by_value
                     else 'count(*) DESC, e.value COLLATE "C"')
            branches.append(
                f"(SELECT {number}, 0, e.value, count(*), NULL FROM matched "
                f"CROSS JOIN LATERAL jsonb_array_elements_text(matched.v{number}) AS e(value) "
                f"GROUP BY e.value HAVING count(*) >= :_mincount{number} "
                f"ORDER BY {order} {limit_sql})")
        ctes.insert(0, f"matched AS MATERIALIZED (SELECT {', '.join(columns)} "
                       f"FROM {source} d WHERE {where})")
        return f"WITH {', '.join(ctes)} " + " UNION ALL ".join(branches), params

    def _counted_facets(self, connection: sa.engine.Connection, segment_ids: list[int],
                        fields: list[str]) -> tuple[int, dict[str, list[Any]]]:
        """Counts added up over the segments the filters match: the same
        figures as reading every matching document."""
        params = {"_segments": segment_ids}
        branches = ["(SELECT -1 AS facet, NULL AS value, "
                    "coalesce(sum(documents), 0) AS n FROM segments)"]
        for number, field in enumerate(fields):
            limit, mincount, by_value = self._facet_options(field)
            params[f"_facet{number}"] = field
            params[f"_mincount{number}"] = max(mincount, 1)
            order_by = ('c.value COLLATE "C"' if by_value
                        else 'sum(c.documents) DESC, c.value COLLATE "C"')
            limit_sql = ""
            if limit >= 0:
                params[f"_limit{number}"] = limit
                limit_sql = f"LIMIT :_limit{number}"
            branches.append(
                f"(SELECT {number} AS facet, c.value, sum(c.documents) AS n "
                f"FROM quebec_search_facet_count c JOIN segments s ON s.id = c.segment_id "
                f"WHERE c.field = :_facet{number} GROUP BY c.value "
                f"HAVING sum(c.documents) >= :_mincount{number} "
                f"ORDER BY {order_by} {limit_sql})")
        result = connection.execute(sa.text(
            "WITH segments AS MATERIALIZED (SELECT id, documents "
            "FROM quebec_search_segment WHERE id = ANY(:_segments)) "
            + " UNION ALL ".join(branches)), params)
        return _gather(result, fields)

    def _facet_options(self, field: str) -> tuple[int, int, bool]:
        """(limit, mincount, sorted by value rather than by count) of one facet, as read.

        Zero counts (a minimum of 0, Solr's default; CKAN asks for 1) are
        read without limit from the matches, then completed and cut by
        _with_zero_counts().
        """
        limit, mincount, by_value = self._asked_facet_options(field)
        if self._lists_zero_counts(field, mincount):
            return -1, 1, by_value
        return limit, mincount, by_value

    def _lists_zero_counts(self, field: str, mincount: int) -> bool:
        """Whether a facet lists values no match holds: counted fields only.

        Their values are known without reading every document (the segments'
        counts); other fields are faceted on their matches' values only.
        """
        return mincount <= 0 and field in self.counted

    def _asked_facet_options(self, field: str) -> tuple[int, int, bool]:
        limit = _int_option(self.options, f"f.{field}.facet.limit",
                            self.options.get("facet.limit", 100))
        mincount = _int_option(self.options, f"f.{field}.facet.mincount",
                               self.options.get("facet.mincount", 0))
        order = self.options.get(f"f.{field}.facet.sort", self.options.get("facet.sort"))
        return limit, mincount, str(order) in ("index", "false")

    def _with_zero_counts(self, connection: sa.engine.Connection, field: str,
                          counts: list[Any]) -> list[Any]:
        """``counts`` with the values no match holds, counted 0, as Solr lists them.

        Only values of datasets the search may show (its filters on signature
        fields: permission labels, site, state): a private dataset's tags are
        not listed to those who cannot see it, where Solr would list them.
        """
        limit, _, by_value = self._asked_facet_options(field)
        visible = " AND ".join(self._signature_conditions()) or "TRUE"
        held = connection.execute(sa.text(
            "SELECT c.value FROM quebec_search_facet_count c"
            " JOIN quebec_search_segment d ON d.id = c.segment_id"
            f" WHERE c.field = :_zero_field AND coalesce({visible}, false)"
            " GROUP BY c.value HAVING sum(c.documents) > 0"),
            dict(self.params.values, _zero_field=field)).scalars()
        found = dict(zip(counts[::2], counts[1::2]))
        for value in held:
            found.setdefault(value, 0)
        return merge.facet_list(found, limit, 0, by_value)


# Columns of ``quebec_search_document d`` a compiled condition reads.
_COLUMN_RE = re.compile(r"\bd\.([a-z_]+)")


def _valid_facet_fields(names: list[str]) -> list[str]:
    """The facet fields asked for, each once; Solr refuses a bad field name."""
    for name in names:
        if not solr_fields.is_valid_name(name):
            raise _invalid(unknown_field(name))
    return list(dict.fromkeys(names))


def _gather(result: Any, fields: list[str]) -> tuple[int, dict[str, list[Any]]]:
    count = 0
    counts: dict[str, list[Any]] = {field: [] for field in fields}
    for facet, value, number in result:
        if facet < 0:
            count = int(number)
        else:
            counts[fields[facet]].extend((value, int(number)))
    return count, counts


def segment_keys(segments: Iterable[tuple[int, bool, bool]]) -> list[int] | None:
    """The keys of the segments that filters keep, from (key, all kept, some kept) per key.

    None when some key is shared by segments the filters tell apart: the
    key alone would then let through documents the filters exclude.
    """
    keys = []
    for key, all_kept, some_kept in segments:
        if all_kept != some_kept:
            return None
        if all_kept:
            keys.append(key)
    return keys


def _read_single_pass(result: Any, fields: list[str]
                      ) -> tuple[int, dict[str, list[Any]], list[tuple[str, float]],
                                 list[tuple[int, str | None]]]:
    """(count, facets, page, packed numbers) from the rows of a whole single-pass read."""
    count = 0
    counts: dict[str, list[Any]] = {field: [] for field in fields}
    page: list[tuple[int, str, float]] = []
    packed = []
    for facet, position, value, number, _ in result:
        if facet == -2:
            page.append((position, value, float(number)))
        elif facet == -1:
            count = int(number)
            packed.append((position, value))
        else:
            counts[fields[facet]].extend((value, int(number)))
    return count, counts, [(key, score) for _, key, score in sorted(page)], packed


def _read_on_own_connection(statement: str, params: dict[str, Any]) -> list[Any]:
    """One group's read, in a worker thread, as search() reads on the caller's connection."""
    with ensure_engine().begin() as connection:
        set_read_options(connection)
        return connection.execute(sa.text(statement), params).all()


def interface_language() -> str:
    """The reader's language: the request's, else the site's default, else French."""
    language = None
    if flask.has_request_context():
        try:
            language = tk.h.lang()
        except (AttributeError, RuntimeError, KeyError):
            language = None
    language = language or tk.config.get("ckan.locale_default") or "fr"
    return str(language).replace("-", "_").split("_")[0].lower()


def _slug(text: str) -> str:
    """``text`` as CKAN would spell it in a dataset name."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9_]+", "-", folded.lower()).strip("-")


def _invalid(detail: str) -> pysolr.SolrError:
    # CKAN turns a SolrError into its "Search error" answer (HTTP 409), as it
    # does for the syntax errors of a real Solr.
    return pysolr.SolrError(tk._("Invalid search query: {detail}").format(detail=detail))


def _database_message(error: sa.exc.DBAPIError) -> str:
    diagnostics = getattr(error.orig, "diag", None)
    return getattr(diagnostics, "message_primary", None) or type(error.orig).__name__


def _compile_or_raise(compiler: Compiler, text: str, plain_words: bool = False) -> str:
    try:
        if plain_words:
            return compiler.compile_words(text)
        return compiler.compile_text(text)
    except QuerySyntaxError as error:
        raise _invalid(str(error)) from error


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    return [str(value)]


def _int_option(options: dict[str, Any], key: str, default: Any) -> int:
    try:
        return int(options.get(key, default))
    except (TypeError, ValueError) as error:
        raise _invalid(tk._("not a valid number: {value}").format(value=options.get(key))) from error


def _field_list(fl: Any) -> list[str] | None:
    """Requested fields; None means all stored fields."""
    if not fl:
        return None
    names = [name for name in str(fl).replace(",", " ").split() if name]
    if "*" in names:
        return None if "score" not in names else ["*", "score"]
    return names


def _stored_fields(names: list[str], columns: Any) -> dict[str, Any]:
    """The stored fields ``names`` from (jsonb type, text) pairs; absent ones left out."""
    fields = {}
    for name, kind, text in zip(names, columns[::2], columns[1::2]):
        if kind is not None:
            fields[name] = (text if kind == "string" else None if kind == "null"
                            else json.loads(text))
    return fields


def _select_fields(stored: dict[str, Any], score: float,
                   fl: list[str] | None) -> dict[str, Any]:
    if fl is None or "*" in fl:
        doc = dict(stored)
    else:
        doc = {name: stored[name] for name in fl if name in stored}
    if fl and "score" in fl:
        doc["score"] = float(score)
    return doc


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


def _row_for(doc: dict[str, Any]) -> dict[str, Any]:
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
